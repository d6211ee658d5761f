from django.urls import path

from . import questionnaires

app_name = "wagtail_satisfaction_admin"

urlpatterns = [
    path("questionnaires/<int:pk>/new-version/", questionnaires.questionnaire_new_version,
         name="questionnaire_new_version"),
]
