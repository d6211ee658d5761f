from django.urls import path

from . import dossier_views, kiosk, views

app_name = "wagtail_satisfaction"

urlpatterns = [
    # Collection channels: before the campaign slug patterns, which would match them.
    path("ho-so/", dossier_views.dossier_lookup, name="dossier_lookup"),
    path("ho-so/danh-gia/<str:token>/", dossier_views.dossier_rate, name="dossier_rate"),
    path("ho-so/ngung-nhan-thu/<str:token>/", dossier_views.dossier_opt_out,
         name="dossier_opt_out"),
    path("kiosk/<str:key>/", kiosk.kiosk_start, name="kiosk"),
    path("kiosk/<str:key>/cam-on/", kiosk.kiosk_thanks, name="kiosk_thanks"),
    path("<slug:slug>/", views.survey, name="survey"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
