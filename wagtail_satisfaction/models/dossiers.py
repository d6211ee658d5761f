"""Dossiers ("hồ sơ") filed by citizens, and what the collection channels need around them:
kiosk keys for counter tablets, typed-in paper forms, and the re-verification sample.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from ..conf import get_setting

# No 0/O, 1/I/L: secret codes are read off paper slips and typed on phones.
SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def generate_secret_code():
    """A random verification code ("mã xác thực") for a dossier."""
    length = get_setting("DOSSIER_SECRET_LENGTH")
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(length))


def generate_kiosk_key():
    return secrets.token_urlsafe(24)


def normalise_dossier_code(code):
    return (code or "").strip().upper()


class Dossier(index.Indexed, models.Model):
    """A dossier filed by a citizen or organisation, which can be rated once."""

    code = models.CharField(_("dossier code"), max_length=64, unique=True)
    procedure = models.ForeignKey("wagtail_satisfaction.Procedure", verbose_name=_("procedure"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="dossiers")
    unit = models.ForeignKey("wagtail_satisfaction.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="dossiers")
    officer = models.ForeignKey("wagtail_satisfaction.Officer",
                                verbose_name=_("receiving officer"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="dossiers")
    applicant_name = models.CharField(_("applicant name"), max_length=255, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"), null=True, blank=True,
                              help_text=_("The date the result is promised for."))
    returned_on = models.DateField(_("result returned on"), null=True, blank=True)
    secret_code = models.CharField(_("secret code"), max_length=16,
                                   default=generate_secret_code, editable=False)
    opted_out = models.BooleanField(_("opted out of emails"), default=False)
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True,
                                      editable=False)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True,
                                       editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    search_fields = [index.SearchField("code"), index.SearchField("applicant_name"),
                     index.AutocompleteField("code")]

    panels = [
        FieldPanel("code"), FieldPanel("unit"), FieldPanel("procedure"), FieldPanel("officer"),
        MultiFieldPanel([
            FieldPanel("applicant_name"), FieldPanel("email"), FieldPanel("phone"),
            FieldPanel("opted_out"),
        ], heading=_("Applicant")),
        FieldRowPanel([FieldPanel("received_on"), FieldPanel("due_on"),
                       FieldPanel("returned_on")], heading=_("Dates")),
    ]

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_on", "code"]
        permissions = [("send_invitations", _("Can send survey invitations"))]
        indexes = [models.Index(fields=["unit", "returned_on"])]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_dossier_code(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        self.code = normalise_dossier_code(self.code)
        errors = {}
        if self.returned_on and self.received_on and self.returned_on < self.received_on:
            errors["returned_on"] = _("The result cannot be returned before the dossier "
                                      "is received.")
        if self.due_on and self.received_on and self.due_on < self.received_on:
            errors["due_on"] = _("The due date cannot be before the dossier is received.")
        if self.procedure_id and self.unit_id and self.procedure.unit_id and not (
                self.unit.path.startswith(self.procedure.unit.path)
                or self.procedure.unit.path.startswith(self.unit.path)):
            errors["procedure"] = _("This procedure is not handled by the dossier's unit.")
        if self.officer_id and self.unit_id and not self.officer.unit.path.startswith(
                self.unit.path) and not self.unit.path.startswith(self.officer.unit.path):
            errors["officer"] = _("This officer does not work in the dossier's unit.")
        if errors:
            raise ValidationError(errors)


class KioskKey(models.Model):
    """Locks a counter tablet to one campaign and unit; the admin issues and revokes it."""

    name = models.CharField(_("name"), max_length=100,
                            help_text=_('Where the tablet stands, e.g. "Counter 3".'))
    key = models.CharField(_("key"), max_length=64, unique=True, default=generate_kiosk_key,
                           editable=False)
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="kiosk_keys")
    unit = models.ForeignKey("wagtail_satisfaction.Unit", verbose_name=_("unit"),
                             on_delete=models.CASCADE, related_name="kiosk_keys")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [FieldPanel("name"), FieldPanel("campaign"), FieldPanel("unit"),
              FieldPanel("active")]

    class Meta:
        verbose_name = _("kiosk key")
        verbose_name_plural = _("kiosk keys")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("wagtail_satisfaction:kiosk", args=[self.key])

    def clean(self):
        if self.campaign_id and self.unit_id and not self.unit.path.startswith(
                self.campaign.unit.path):
            raise ValidationError({"unit": _("The unit must be the campaign's unit or one "
                                             "of its sub-units.")})


class StaffEntry(models.Model):
    """Who typed in a paper (post, fax, email, Zalo, phone) response, from which batch."""

    response = models.OneToOneField("wagtail_satisfaction.Response", on_delete=models.CASCADE,
                                    related_name="staff_entry", verbose_name=_("response"))
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.PROTECT,
                                 related_name="staff_entries", verbose_name=_("campaign"))
    form_number = models.CharField(_("form number"), max_length=32)
    batch = models.CharField(_("batch number"), max_length=32, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"),
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("staff entry")
        verbose_name_plural = _("staff entries")
        ordering = ["-entered_at"]
        constraints = [
            # A paper form typed in twice would count twice: the database refuses it.
            models.UniqueConstraint(fields=["campaign", "form_number"],
                                    name="satisfaction_one_entry_per_paper_form"),
        ]

    def __str__(self):
        return self.form_number


class EntryCorrection(models.Model):
    """One correction of a typed form: who, when, why, and the content before and after.

    ``before`` and ``after`` are the canonical content (``integrity.seal.canonical``) that
    the seal chain covers: ``before`` is what the superseded link sealed, ``after`` what the
    correction's own link (``seal``) seals, so ``satisfaction_verify`` checks the record as
    well as the response. Written once by ``channels.corrections.correct_entry``.
    """

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("campaign"))
    # No database constraint, as for seals: the record outlives a response deleted behind
    # the product's back, so the verification can still name it.
    response = models.ForeignKey("wagtail_satisfaction.Response", on_delete=models.DO_NOTHING,
                                 db_constraint=False, related_name="corrections",
                                 verbose_name=_("response"))
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("corrected by"),
                                     on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=255)
    before = models.TextField(_("before"), editable=False)
    after = models.TextField(_("after"), editable=False)

    class Meta:
        verbose_name = _("correction of a typed form")
        verbose_name_plural = _("corrections of typed forms")
        ordering = ["corrected_at", "pk"]

    def __str__(self):
        return f"{self.response_id} @ {self.corrected_at:%Y-%m-%d %H:%M}"


class CallOutcome(models.TextChoices):
    PENDING = "pending", _("Not called yet")
    CONFIRMED = "confirmed", _("Confirmed: the person gave this rating")
    DISPUTED = "disputed", _("Disputed: the person did not give this rating")
    UNREACHABLE = "unreachable", _("Could not be reached")
    WRONG_CONTACT = "wrong_contact", _("Wrong contact details")


class Reverification(models.Model):
    """A response drawn for a follow-up call ("phúc tra"), and what the call found."""

    response = models.OneToOneField("wagtail_satisfaction.Response", on_delete=models.CASCADE,
                                    related_name="reverification", verbose_name=_("response"))
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.PROTECT,
                                 related_name="reverifications", verbose_name=_("campaign"))
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn by"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices,
                               default=CallOutcome.PENDING)
    note = models.TextField(_("note"), blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("called by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True, editable=False)

    panels = [FieldPanel("outcome"), FieldPanel("note")]

    class Meta:
        verbose_name = _("re-verification call")
        verbose_name_plural = _("re-verification calls")
        ordering = ["-drawn_at", "pk"]

    def __str__(self):
        return _("Re-verification of response #%(id)s") % {"id": self.response_id}
