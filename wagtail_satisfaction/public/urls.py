"""Open-data URLs, version 1: ``api/v1/`` under the app's prefix (``/khao-sat/`` in the demo)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import api
from .opendata import TABLES
from .schema import SCHEMA_SETTINGS

urlpatterns = [
    path("api/v1/campaigns/", api.CampaignList.as_view(), name="opendata_campaigns"),
    *(path(f"api/v1/campaigns/<slug:slug>/{table}/", api.CampaignTable.as_view(table=table),
           name=f"opendata_{table}") for table in TABLES),
    path("api/v1/schema/", SpectacularAPIView.as_view(custom_settings=SCHEMA_SETTINGS),
         name="api_schema"),
]
