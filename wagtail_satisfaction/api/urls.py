"""Dossier API URLs, version 1, under the app's prefix (``/khao-sat/api/v1/`` in the demo)."""

from django.urls import path

from . import views

urlpatterns = [
    path("api/v1/dossiers/", views.DossierCollection.as_view(), name="api_dossiers"),
    path("api/v1/dossiers/<str:code>/", views.DossierDetail.as_view(), name="api_dossier"),
    path("api/v1/dossiers/<str:code>/returned/", views.DossierReturned.as_view(),
         name="api_dossier_returned"),
]
