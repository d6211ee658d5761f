from django.urls import path

from . import views
from .channels.urls import urlpatterns as channel_urlpatterns

app_name = "wagtail_satisfaction"

urlpatterns = [
    # Collection channels first: the campaign slug patterns below would match them.
    *channel_urlpatterns,
    path("<slug:slug>/", views.survey, name="survey"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
