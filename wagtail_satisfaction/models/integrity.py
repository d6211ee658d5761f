"""Tamper evidence: every stored response is sealed, and the seals of a campaign form a chain.

A seal is a keyed digest (HMAC-SHA256) of a response's canonical content together with the
previous seal of its campaign, so that an altered, deleted or inserted row is found by
``manage.py satisfaction_verify`` (see ``integrity`` and docs/integrity.md). Seal rows are
written once, by ``services.submit_response`` (or, for a corrected typed form, by
``channels.corrections``, as a new link), and never changed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SealChain(models.Model):
    """The head of a campaign's chain: the last seal's number and digest.

    Locked (``SELECT … FOR UPDATE``) by every sealing transaction, so two concurrent
    submissions to one campaign take consecutive numbers and never fork the chain.
    """

    campaign = models.OneToOneField("wagtail_satisfaction.Campaign", primary_key=True,
                                    on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField(default=0)
    digest = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.campaign_id}: {self.seq}"


class ResponseSeal(models.Model):
    """The seal of one response: number ``seq`` in its campaign's chain.

    ``response`` has no database constraint on purpose: the seal outlives a response
    deleted behind the product's back, so the verification can name what was deleted.
    """

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+", db_index=False)  # (campaign, seq) leads
    seq = models.PositiveIntegerField()
    # The response's own seal; empty on the link of a correction, which names its response
    # through ``correction`` (a corrected response has one seal and one link per correction).
    response = models.OneToOneField("wagtail_satisfaction.Response", on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="seal", null=True)
    correction = models.OneToOneField("wagtail_satisfaction.EntryCorrection",
                                      on_delete=models.DO_NOTHING, db_constraint=False,
                                      related_name="seal", null=True)
    response_uid = models.UUIDField(null=True)
    key_id = models.CharField(max_length=32)
    # Keyed digest of the respondent's email (empty without one): the email itself is not
    # sealed, so that personal data can be erased later without breaking the seal.
    contact_digest = models.CharField(max_length=64, blank=True)
    # Keyed digest of the comment's full text while it holds personal data (empty otherwise):
    # the seal covers the masked text, so the retention purge keeps it valid.
    comment_digest = models.CharField(max_length=64, blank=True)
    prev_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "seq"],
                                               name="satisfaction_one_seal_per_number")]

    def __str__(self):
        return f"{self.campaign_id}/{self.seq}"


class IntegrityCheck(models.Model):
    """One run of the verification (admin or ``satisfaction_verify``) and its findings."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Problems found")
        ERROR = "error", _("Could not finish")

    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("result"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    responses_checked = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problems found (see integrity.verify.Problem), described when displayed.
    problems = models.JSONField(default=list, blank=True)
    # {campaign id: [last seal number, its digest]}: printed and kept as an anchor.
    heads = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("integrity check")
        verbose_name_plural = _("integrity checks")
        ordering = ["-created_at", "-pk"]
        permissions = [("verify_integrity", _("Can verify that results are unaltered"))]

    def __str__(self):
        return f"#{self.pk} {self.status}"

    @property
    def percent(self):
        if self.status in (self.Status.PASSED, self.Status.FAILED):
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
