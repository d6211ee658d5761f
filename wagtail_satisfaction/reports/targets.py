"""Dossier counts and the campaign's minimum targets, as progress "met / not yet"."""

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Q, Sum

from ..models import DossierCount, Unit
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

    def shortfalls(self):
        """What is not yet met and by how much, one sentence per condition."""
        from django.utils.translation import gettext as _

        from ..templatetags.satisfaction_reports import decimal, percent

        out = []
        for name, achieved, target, met in self.checks():
            if met:
                continue
            if name == "responses":
                out.append(_("Responses: %(missing)s more needed (%(achieved)s of %(target)s)")
                           % {"missing": target - achieved, "achieved": achieved,
                              "target": target})
                continue
            what = (_("Share of dossiers") if name == "dossier_share"
                    else _("Share of forms returned"))
            if achieved is None:
                out.append(_("%(what)s: no dossier count entered for this unit and period "
                             "(target %(target)s)") % {"what": what, "target": percent(target)})
            else:
                out.append(_("%(what)s: %(achieved)s, %(gap)s percentage points below the "
                             "target of %(target)s") % {
                    "what": what, "achieved": percent(achieved),
                    "gap": decimal(target - achieved), "target": percent(target)})
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


def target_progress(campaign, units=None, filters=None):
    """Target lines per unit and per round.

    Without ``filters``: the campaign's unit and its direct sub-units, each round and the
    whole campaign. With the report's ``filters`` the targets follow them: the filtered unit
    and its direct sub-units, and, when the filters give dates (a round or a period), that
    period alone. Dossier counts know units and dates only, so the other filters do not
    apply. Two queries whatever the number of units and periods: the responses of every unit
    (with sub-units) and period from the daily tallies, and the dossier counts.
    """
    from django.utils.translation import gettext as _

    from ..formats import short_date

    root = (filters.unit if filters else None) or campaign.unit
    units = units or [root, *Unit.objects.filter(parent=root).order_by("path")]
    if filters and (filters.start or filters.end):
        start = filters.start or campaign.opens_on
        end = filters.end or campaign.closes_on
        label = str(filters.round) if filters.round else _("%(start)s – %(end)s") % {
            "start": short_date(start), "end": short_date(end)}
        periods = [(label, start, end)]
    else:
        periods = [(str(r), r.starts_on, r.ends_on) for r in campaign.rounds.all()]
        periods.append(("", campaign.opens_on, campaign.closes_on))
    def to_fraction(v):
        return (None if v is None else Fraction(str(v)))
    lines = []
    if filters is not None:
        filters.roll_up()  # the queue of new responses into the tallies, once per filters
    else:
        from .rollup import roll_up_pending

        roll_up_pending()
    counts = _responses_per_unit(campaign, units, periods)
    dossier_rows = list(DossierCount.objects.filter(
        unit__in=Unit.objects.within(root) if all(u.path.startswith(root.path) for u in units)
        else Unit.objects.all()).values_list("unit__path", "starts_on", "ends_on", "dossiers",
                                             "forms_handed_out"))
    for label, start, end in periods:
        for unit in units:
            inside = [row for row in dossier_rows if row[0].startswith(unit.path)
                      and (not start or row[1] >= start) and (not end or row[2] <= end)]
            lines.append(TargetLine(
                unit=unit, period=label, responses=counts[(label, unit.pk)],
                dossiers=sum(row[3] for row in inside) if inside else None,
                forms=(sum(row[4] for row in inside if row[4] is not None)
                       if any(row[4] is not None for row in inside) else None),
                target_responses=campaign.target_responses,
                target_share=to_fraction(campaign.target_dossier_share),
                target_return=to_fraction(campaign.target_return_rate),
            ))
    return lines


def _responses_per_unit(campaign, units, periods):
    """{(period label, unit id): responses of the unit and its sub-units in the period},
    from the daily tallies (every stored response is in them): one query."""
    from ..models import ResponseTally

    sums = {}
    for i, (_label, start, end) in enumerate(periods):
        for unit in units:
            sums[f"p{i}u{unit.pk}"] = Sum("responses", filter=Q(
                day__gte=start, day__lte=end, unit__path__startswith=unit.path))
    totals = ResponseTally.objects.filter(campaign=campaign).aggregate(**sums)
    return {(label, unit.pk): totals[f"p{i}u{unit.pk}"] or 0
            for i, (label, _s, _e) in enumerate(periods) for unit in units}
