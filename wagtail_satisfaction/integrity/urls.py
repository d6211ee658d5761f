from django.urls import path

from . import views

app_name = "wagtail_satisfaction_integrity"

urlpatterns = [path("", views.integrity, name="index")]
