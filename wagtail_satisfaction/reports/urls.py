from django.urls import path

from . import views

app_name = "wagtail_satisfaction_reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("document/", views.report_document, name="document"),
    path("export/", views.export, name="export"),
    path("export/<int:pk>/", views.export_job, name="export_job"),
    path("export/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("import/", views.import_results, name="import"),
    path("dossiers/import/", views.import_dossier_counts_view, name="import_dossiers"),
]
