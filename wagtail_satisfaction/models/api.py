"""Clients of the dossier API (the provincial one-stop software) and the record of their calls.

A client holds a token that is shown once, when it is created, and stored only as its
SHA-256 digest; the first characters are kept in clear so an administrator can tell tokens
apart. A client is bound to units: it may write and read the dossiers of those units and
their sub-units only. Every call, accepted or refused, leaves an :class:`ApiCall`.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

TOKEN_PREFIX_LENGTH = 8


def hash_token(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def new_token():
    """A random token: ``ws_`` and 40 URL-safe characters (240 bits)."""
    return "ws_" + secrets.token_urlsafe(30)


class ApiClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiClient(models.Model):
    """A program allowed to call the dossier API, bound to units."""

    name = models.CharField(_("name"), max_length=100,
                            help_text=_('Which software calls, e.g. "One-stop software of '
                                        'the province".'))
    units = models.ManyToManyField("wagtail_satisfaction.Unit", verbose_name=_("units"),
                                   related_name="api_clients",
                                   help_text=_("The client reads and writes the dossiers of "
                                               "these units and their sub-units only."))
    token_prefix = models.CharField(_("token starts with"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiClientQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("units")]

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.revoked_at is None

    def set_token(self, token=None):
        """Give the client a new token; return it (the only time it is seen in clear)."""
        token = token or new_token()
        self.token_prefix = token[:TOKEN_PREFIX_LENGTH]
        self.token_hash = hash_token(token)
        return token

    def unit_paths(self):
        return list(self.units.values_list("path", flat=True))

    def covers(self, unit):
        """Whether ``unit`` is one of the client's units or below one of them."""
        return unit is not None and any(unit.path.startswith(path)
                                        for path in self.unit_paths())

    def covered_units(self):
        from .units import Unit

        match = models.Q(pk__in=[])
        for path in self.unit_paths():
            match |= models.Q(path__startswith=path)
        return Unit.objects.filter(match)


class ApiCall(models.Model):
    """One call to the dossier API: who, what, when, and how it ended."""

    client = models.ForeignKey(ApiClient, verbose_name=_("client"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="calls")
    token_prefix = models.CharField(_("token starts with"), max_length=16, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    dossier_code = models.CharField(_("dossier code"), max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status"))
    outcome = models.CharField(_("outcome"), max_length=32)
    # Names of the fields refused, never their values (they may be personal data).
    error_fields = models.JSONField(_("refused fields"), default=list, blank=True)
    client_address = models.CharField(_("address"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status_code}"
