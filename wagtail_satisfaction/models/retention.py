"""The record of each personal-data purge (see ``retention``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PurgeRun(models.Model):
    """One run of the personal-data purge: when, by what, with which period, and counts.

    ``counts`` maps each kind of personal data (see ``retention.purge.KINDS``) to the number
    of records it erased or masked. Dry runs are not recorded.
    """

    class Trigger(models.TextChoices):
        COMMAND = "command", _("Command")
        TASK = "task", _("Scheduled task")

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    retention_days = models.PositiveIntegerField(_("retention period (days)"))
    cutoff = models.DateField(_("cut-off date"), help_text=_(
        "Personal data of campaigns closed and dossiers settled before this date was erased."))
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("personal-data purge")
        verbose_name_plural = _("personal-data purges")
        ordering = ["-started_at"]

    def __str__(self):
        return _("Personal-data purge of %(date)s") % {"date": self.cutoff.isoformat()}
