"""Public addresses of the collection channels: dossier rating by codes or link, the kiosk."""

from django.urls import path

from . import kiosk, views

urlpatterns = [
    path("ho-so/", views.dossier_lookup, name="dossier_lookup"),
    path("ho-so/danh-gia/<str:token>/", views.dossier_rate, name="dossier_rate"),
    path("ho-so/ngung-nhan-thu/<str:token>/", views.dossier_opt_out, name="dossier_opt_out"),
    path("kiosk/<str:key>/", kiosk.kiosk_start, name="kiosk"),
    path("kiosk/<str:key>/cam-on/", kiosk.kiosk_thanks, name="kiosk_thanks"),
]
