"""Unit scopes: which units (with their sub-units) a user or a group works for.

On a provincial portal many departments and communes share one install; each one's ISO
secretary, IT team and one-stop staff must see their own unit's results and nobody else's.
A :class:`UnitScope` binds a user, or a group, to a unit and its whole sub-tree.

The rule is :func:`units_for`, and every screen, export and import asks it through
:func:`restrict`:

* a superuser sees everything;
* a user bound to units (directly or through one of their groups) sees those units and
  their sub-units, and nothing else;
* a user with no binding sees everything only while the install has no binding at all
  (a single-agency site works as before the first binding); once any binding exists, an
  unbound user sees nothing.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from .units import Unit


class UnitScope(models.Model):
    """One user or one group bound to one unit and its sub-units."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="scopes",
                             help_text=_("The unit and all its sub-units."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True,
                             blank=True, on_delete=models.CASCADE, related_name="unit_scopes")
    group = models.ForeignKey("auth.Group", verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="unit_scopes")

    panels = [FieldPanel("unit"), FieldPanel("user"), FieldPanel("group")]

    class Meta:
        verbose_name = _("unit scope")
        verbose_name_plural = _("unit scopes")
        ordering = ["unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, group__isnull=True)
                           | Q(user__isnull=True, group__isnull=False)),
                name="satisfaction_scope_user_or_group"),
            models.UniqueConstraint(fields=["unit", "user"], name="satisfaction_scope_user_once"),
            models.UniqueConstraint(fields=["unit", "group"],
                                    name="satisfaction_scope_group_once"),
        ]

    def __str__(self):
        return f"{self.user or self.group} → {self.unit}"

    def clean(self):
        if bool(self.user_id) == bool(self.group_id):
            raise ValidationError(_("Choose a user or a group, not both."))


def _cached(user, name, compute):
    # One query per request and user: every listing, filter and form asks the same question.
    cache = user.__dict__.setdefault("_satisfaction_scope", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def bound_units(user):
    """The units ``user`` is bound to (directly or through a group), without sub-units."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(
        Q(scopes__user=user) | Q(scopes__group__in=user.groups.all())).distinct()


def _binding(user):
    """(:func:`bound_units` as a list ordered by path, whether the install has any binding
    at all): one query, once per request and user."""
    def compute():
        # The user's units, and one unit bound to anyone: its row says a binding exists.
        mine = bound_units(user).annotate(mine=Value(True))
        anyone = Unit.objects.filter(
            pk__in=UnitScope.objects.values("unit_id")[:1]).annotate(mine=Value(False))
        rows = list(mine.order_by().union(anyone.order_by(), all=True))
        return sorted((unit for unit in rows if unit.mine), key=lambda u: u.path), bool(rows)

    return _cached(user, "binding", compute)


def bound_unit_list(user):
    """:func:`bound_units` as a list ordered by path, read once per request and user."""
    return _binding(user)[0]


def units_for(user):
    """The units ``user`` may see, with their sub-units, or None for "every unit".

    This is the one rule of unit scoping (see the module's docstring).
    """
    def compute():
        if getattr(user, "is_superuser", False):
            return None
        bound, any_binding = _binding(user)
        paths = [unit.path for unit in bound]
        if not paths:
            return None if not any_binding else Unit.objects.none()
        match = Q()
        for path in paths:
            match |= Q(path__startswith=path)
        return Unit.objects.filter(match)

    return _cached(user, "units", compute)


def sees_unit(user, unit):
    """Whether ``unit`` is one of the units ``user`` may see (:func:`units_for`), decided
    from the units they are bound to without another query."""
    if units_for(user) is None:
        return True
    return any(unit.path.startswith(bound.path) for bound in bound_unit_list(user))


def is_scoped(user):
    return units_for(user) is not None


def covering_units(user):
    """The units whose campaigns reach ``user``'s units: theirs and their ancestors.

    A province's campaign surveys its communes: a commune's secretary reports on it (on the
    commune's own responses), although the campaign is not the commune's.
    """
    units = units_for(user)
    if units is None:
        return None

    def compute():
        ids = set()
        for path in (unit.path for unit in bound_unit_list(user)):
            ids.update(int(part) for part in path.strip("/").split("/") if part)
        return Unit.objects.filter(Q(pk__in=ids) | Q(pk__in=units.values("pk")))

    return _cached(user, "covering", compute)


# How each scoped model reaches its unit. A model missing here is not unit-scoped
# (questionnaires and fields of procedures are shared by every unit).
UNIT_LOOKUPS = {
    "unit": "",
    "campaign": "unit",
    "officer": "unit",
    "procedure": "unit",
    "response": "unit",
    "comment": "response__unit",
    "dossier": "unit",
    "kioskkey": "unit",
    "reverification": "response__unit",
    "staffentry": "response__unit",
    "dossiercount": "unit",
    "unitscope": "unit",
    "apiclient": "units",  # several units: see restrict()
}


def is_unit_scoped(model):
    return (model._meta.app_label == "wagtail_satisfaction"
            and model._meta.model_name in UNIT_LOOKUPS)


def restrict(queryset, user):
    """``queryset`` narrowed to what ``user`` may see (unchanged for an unscoped user)."""
    units = units_for(user)
    if units is None or not is_unit_scoped(queryset.model):
        return queryset
    lookup = UNIT_LOOKUPS[queryset.model._meta.model_name]
    match = Q(pk__in=units.values("pk")) if not lookup else Q(**{f"{lookup}__in": units})
    if queryset.model._meta.model_name == "procedure":
        # A procedure without a unit is shared by every unit (a national procedure).
        match |= Q(unit__isnull=True)
    if lookup == "units":  # an API client bound to units the user works for
        return queryset.filter(match).distinct()
    return queryset.filter(match)


def usable_campaigns(user, queryset=None):
    """Campaigns ``user`` may report on, export, send or type in forms for: those of their
    units and of the units above them (each one seen only through the user's units)."""
    from .campaigns import Campaign

    queryset = Campaign.objects.all() if queryset is None else queryset
    units = covering_units(user)
    return queryset if units is None else queryset.filter(unit__in=units)


def is_visible(obj, user):
    """Whether ``user`` may see ``obj``; another unit's object must answer 404."""
    if obj is None or not is_scoped(user):
        return True
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user).exists()
