from django.urls import path

from . import admin_views

app_name = "wagtail_satisfaction_admin"

urlpatterns = [
    path("questionnaires/<int:pk>/new-version/", admin_views.questionnaire_new_version,
         name="questionnaire_new_version"),
]
