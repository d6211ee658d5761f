from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSatisfactionConfig(AppConfig):
    name = "wagtail_satisfaction"
    label = "wagtail_satisfaction"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .public import signals  # noqa: F401  (connects the public results' refresh)
        from .survey_cache import connect_signals

        connect_signals()
