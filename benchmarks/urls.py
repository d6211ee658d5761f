from django.urls import path

from benchmarks.formpage_app.views import plain_submit
from example_site.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("plain/", plain_submit), *site_urlpatterns]
