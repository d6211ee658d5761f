from django.urls import path

from . import views
from .api.urls import urlpatterns as api_urlpatterns
from .channels.urls import urlpatterns as channel_urlpatterns
from .public.urls import urlpatterns as public_urlpatterns

app_name = "wagtail_satisfaction"

urlpatterns = [
    # Collection channels first: the campaign slug patterns below would match them.
    *channel_urlpatterns,
    *api_urlpatterns,
    *public_urlpatterns,
    path("admin-jsi18n/", views.admin_js_catalogue, name="admin_js_catalogue"),
    path("<slug:slug>/", views.survey, name="survey"),
    path("<slug:slug>/cam-on/", views.thanks, name="thanks"),
    # The thank-you page's first, English address: kept for links and bookmarks.
    path("<slug:slug>/thanks/", views.old_thanks, name="old_thanks"),
]
