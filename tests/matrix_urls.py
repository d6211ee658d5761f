"""The example site's URLs plus one admin view of the app that the URL matrix has no rule for.

Used by ``test_admin_url_matrix`` to show that a new admin URL fails the matrix test.
"""

from django.http import HttpResponse
from django.urls import include, path

from example_site.urls import urlpatterns as site_urlpatterns


def unruled_view(request):
    return HttpResponse("new screen")


new_admin_urls = ([path("new-screen/", unruled_view, name="new_screen")],
                  "wagtail_satisfaction_admin_new")

urlpatterns = [path("admin/satisfaction-new/", include(new_admin_urls)), *site_urlpatterns]
