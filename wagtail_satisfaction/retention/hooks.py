"""Wagtail hooks of the personal-data purge (imported by the app's ``wagtail_hooks``)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .purge import KINDS, PURGE_ACTION


@hooks.register("register_log_actions")
def register_retention_log_actions(actions):
    @actions.register_action(PURGE_ACTION)
    class PurgePersonalData(LogFormatter):
        label = _("Purge personal data")

        def format_message(self, log_entry):
            counts = log_entry.data.get("counts", {})
            return "; ".join(f"{label}: {counts.get(key, 0)}" for key, label in KINDS.items())
