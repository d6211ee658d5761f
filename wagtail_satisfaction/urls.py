from django.urls import path

from . import views

app_name = "wagtail_satisfaction"

urlpatterns = [
    path("<slug:slug>/", views.survey, name="survey"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
