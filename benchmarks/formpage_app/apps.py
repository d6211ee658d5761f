from django.apps import AppConfig


class FormPageAppConfig(AppConfig):
    name = "benchmarks.formpage_app"
    label = "formpage_app"
    default_auto_field = "django.db.models.BigAutoField"
