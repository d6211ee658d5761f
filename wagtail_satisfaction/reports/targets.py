"""Dossier counts and the campaign's minimum targets, as progress "met / not yet"."""

import datetime
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
    (with sub-units) and period from the daily tallies, and the dossier counts. The report
    page reads both with its own figures (``stats.build_report(…, targets=True)``).
    """
    plan = TargetPlan(campaign, filters, units)
    from .grouping import grouped_sums

    counts = plan.counts(grouped_sums(*plan.job()))
    inside = all(unit.path.startswith(plan.root.path) for unit in plan.units)
    return plan.lines(counts, dossier_rows(plan.root if inside else None))


def dossier_rows(root):
    """(unit path, starts_on, ends_on, dossiers, forms handed out) of every dossier count of
    ``root`` and its sub-units (None: of every unit): the few rows the targets and the
    Decision 766 base add up."""
    units = Unit.objects.all() if root is None else Unit.objects.within(root)
    return list(DossierCount.objects.filter(unit__in=units).values_list(
        "unit__path", "starts_on", "ends_on", "dossiers", "forms_handed_out"))


def dossier_job(root):
    """:func:`dossier_rows` as a :func:`~.grouping.grouped_sums` job, to be read with the
    report's figures (one row per count: a unit has one count per dates); its result goes
    to :func:`dossier_rows_of`."""
    from django.db.models import F

    queryset = DossierCount.objects.filter(unit__in=Unit.objects.within(root)).annotate(
        d_path=F("unit__path"), d_start=F("starts_on"), d_end=F("ends_on"),
        d_n=F("dossiers"), d_f=F("forms_handed_out"))
    return queryset, [None], ["d_path", "d_start", "d_end"], {"d_n": "SUM(%s)",
                                                              "d_f": "SUM(%s)"}


def dossier_rows_of(result):
    """The :func:`dossier_rows` in the result of :func:`dossier_job`."""
    def day(value):  # SQLite gives the dates as text
        return datetime.date.fromisoformat(value) if isinstance(value, str) else value

    return [(keys["d_path"], day(keys["d_start"]), day(keys["d_end"]),
             int(sums["d_n"]), None if sums["d_f"] is None else int(sums["d_f"]))
            for _value, keys, sums in result.get(None, [])]


def dossiers_from_rows(rows, filters):
    """:func:`dossiers_in_scope` from the :func:`dossier_rows` of the report's unit."""
    if filters.procedure or filters.sector or filters.officer or filters.channel:
        return None
    start = filters.start or filters.campaign.opens_on
    end = filters.end or filters.campaign.closes_on
    inside = [row[3] for row in rows
              if (not start or row[1] >= start) and (not end or row[2] <= end)]
    return sum(inside) if inside else None


class TargetPlan:
    """What the target lines of a campaign (and the report's ``filters``) need: the units
    (the unit and its direct sub-units, ``units`` when given) and the periods; the responses
    per unit and period are one :func:`~.grouping.grouped_sums` job (:meth:`job`).
    ``rounds``: the campaign's rounds in order, when the caller has them."""

    def __init__(self, campaign, filters=None, units=None, rounds=None):
        from django.utils.translation import gettext as _

        from ..formats import short_date

        self.campaign = campaign
        self.root = root = (filters.unit if filters else None) or campaign.unit
        self.units = units or [root, *Unit.objects.filter(parent=root).order_by("path")]
        if filters and (filters.start or filters.end):
            start = filters.start or campaign.opens_on
            end = filters.end or campaign.closes_on
            label = str(filters.round) if filters.round else _("%(start)s – %(end)s") % {
                "start": short_date(start), "end": short_date(end)}
            self.periods = [(label, start, end)]
        else:
            rounds = campaign.rounds.all() if rounds is None else rounds
            self.periods = [(str(r), r.starts_on, r.ends_on) for r in rounds]
            self.periods.append(("", campaign.opens_on, campaign.closes_on))
        if filters is not None:
            filters.roll_up()  # the queue of new responses into the tallies, once per filters
        else:
            from .rollup import roll_up_pending

            roll_up_pending()

    def job(self):
        """The responses of each unit (with sub-units) and period, from the daily tallies
        (every stored response is in them): one sum per unit and period."""
        from django.db.models import Case, IntegerField, When

        from ..models import ResponseTally

        columns = {}
        for i, (_label, start, end) in enumerate(self.periods):
            for unit in self.units:
                columns[f"p{i}u{unit.pk}"] = Case(
                    When(Q(day__gte=start, day__lte=end, unit__path__startswith=unit.path),
                         then="responses"), default=None, output_field=IntegerField())
        queryset = ResponseTally.objects.filter(campaign=self.campaign).annotate(**columns)
        return queryset, [None], [], {name: "SUM(%s)" for name in columns}

    def counts(self, result):
        """{(period label, unit id): responses} from the result of :meth:`job`."""
        rows = result.get(None) or [(None, {}, {})]
        totals = rows[0][2]
        return {(label, unit.pk): totals.get(f"p{i}u{unit.pk}") or 0
                for i, (label, _s, _e) in enumerate(self.periods) for unit in self.units}

    def lines(self, counts, rows):
        """The :class:`TargetLine` of each period and unit; ``rows``: :func:`dossier_rows`
        of the root unit."""
        campaign = self.campaign

        def to_fraction(v):
            return None if v is None else Fraction(str(v))

        lines = []
        for label, start, end in self.periods:
            for unit in self.units:
                inside = [row for row in rows if row[0].startswith(unit.path)
                          and (not start or row[1] >= start) and (not end or row[2] <= end)]
                lines.append(TargetLine(
                    unit=unit, period=label, responses=int(counts[(label, unit.pk)]),
                    dossiers=sum(row[3] for row in inside) if inside else None,
                    forms=(sum(row[4] for row in inside if row[4] is not None)
                           if any(row[4] is not None for row in inside) else None),
                    target_responses=campaign.target_responses,
                    target_share=to_fraction(campaign.target_dossier_share),
                    target_return=to_fraction(campaign.target_return_rate),
                ))
        return lines
