"""Dossier counts and the campaign's minimum targets, as progress "met / not yet"."""

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Q, Sum

from ..models import DossierCount, Response, Unit
from .stats import share


def _dossier_rows(unit, start, end):
    qs = DossierCount.objects.filter(unit__in=Unit.objects.within(unit))
    if start:
        qs = qs.filter(starts_on__gte=start)
    if end:
        qs = qs.filter(ends_on__lte=end)
    return qs


def dossiers_in_scope(filters):
    """Dossiers recorded for the filtered unit (and sub-units) in the filtered dates.

    Only counts lying wholly inside the period are summed. Returns None when the filters
    narrow to a procedure, field, officer or channel, which dossier counts do not know.
    """
    if filters.procedure or filters.sector or filters.officer or filters.channel:
        return None
    campaign = filters.campaign
    start = filters.start or campaign.opens_on
    end = filters.end or campaign.closes_on
    total = _dossier_rows(filters.unit or campaign.unit, start, end).aggregate(
        n=Sum("dossiers"))["n"]
    return total


@dataclass
class TargetLine:
    """Progress of one unit in one round (or the whole campaign) against the minimum targets."""

    unit: Unit
    period: str
    responses: int
    dossiers: int | None
    forms: int | None
    target_responses: int | None
    target_share: Fraction | None
    target_return: Fraction | None

    @property
    def dossier_share(self):
        return share(self.responses, self.dossiers)

    @property
    def return_rate(self):
        return share(self.responses, self.forms)

    def checks(self):
        """(name, achieved, target, met?) for each target the campaign sets."""
        out = []
        if self.target_responses is not None:
            out.append(("responses", self.responses, self.target_responses,
                        self.responses >= self.target_responses))
        if self.target_share is not None:
            value = self.dossier_share
            out.append(("dossier_share", value, self.target_share,
                        value is not None and value >= self.target_share))
        if self.target_return is not None:
            value = self.return_rate
            out.append(("return_rate", value, self.target_return,
                        value is not None and value >= self.target_return))
        return out

    @property
    def met(self):
        checks = self.checks()
        return bool(checks) and all(check[3] for check in checks)


def target_units(filters):
    """A unit-scoped report's target lines: the reported unit and its direct sub-units.

    None (the campaign's unit and its direct sub-units) for a user who sees every unit.
    """
    if filters.units is None:
        return None
    root = filters.unit or filters.campaign.unit
    return [root, *Unit.objects.filter(parent=root).order_by("path")]


def target_progress(campaign, units=None):
    """Target lines per unit (the campaign's unit and its direct sub-units) and per round.

    One aggregate query per round counts every unit's responses (with its sub-units).
    """
    root = campaign.unit
    units = units or [root, *Unit.objects.filter(parent=root).order_by("path")]
    periods = [(str(r), r.starts_on, r.ends_on) for r in campaign.rounds.all()]
    periods.append(("", campaign.opens_on, campaign.closes_on))
    def to_fraction(v):
        return (None if v is None else Fraction(str(v)))
    lines = []
    from .filters import ReportFilters

    for label, start, end in periods:
        since, until = ReportFilters(campaign, start, end).moment_range()
        counts = Response.objects.filter(
            campaign=campaign, submitted_at__gte=since, submitted_at__lt=until,
        ).aggregate(**{
            f"u{unit.pk}": _count_within(unit) for unit in units})
        for unit in units:
            dossier_totals = _dossier_rows(unit, start, end).aggregate(
                d=Sum("dossiers"), f=Sum("forms_handed_out"))
            lines.append(TargetLine(
                unit=unit, period=label, responses=counts[f"u{unit.pk}"] or 0,
                dossiers=dossier_totals["d"], forms=dossier_totals["f"],
                target_responses=campaign.target_responses,
                target_share=to_fraction(campaign.target_dossier_share),
                target_return=to_fraction(campaign.target_return_rate),
            ))
    return lines


def _count_within(unit):
    from django.db.models import Count

    return Count("id", filter=Q(unit__path__startswith=unit.path))
