"""Every figure of the satisfaction report, computed by the database.

Each section is one ``GROUP BY`` query. Figures the filters allow are read from the daily
tallies (``rollup``), the rest from ``Response``/``Answer`` directly; both give the same
numbers. Percentages are exact :class:`~fractions.Fraction` values; they are rounded
half-up to two decimals only when shown or exported (:func:`round_percent`).

Conventions (DOMAIN.md): "not applicable" leaves the denominator; a question without an
applicable answer has no value (``None``, shown "–"); a factor index is the mean of its
items that have a value (or, per campaign, the pooled share); the overall index is the
mean of the factors that have a value.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cached_property

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from ..conf import get_setting
from ..models import (
    Aggregation,
    AnswerTally,
    Channel,
    ChannelDayAnswerTally,
    ChannelMonthAnswerTally,
    ChannelSectorDayAnswerTally,
    ChannelSectorDayResponseTally,
    Officer,
    OfficerAllChannelsAnswerTally,
    OfficerAllChannelsResponseTally,
    OfficerAnswerTally,
    OfficerDayAnswerTally,
    OfficerDayResponseTally,
    OfficerResponseTally,
    OfficerWeekAnswerTally,
    OfficerWeekResponseTally,
    Procedure,
    ProcedureAllChannelsAnswerTally,
    ProcedureAllChannelsResponseTally,
    ProcedureAnswerTally,
    ProcedureDayAnswerTally,
    ProcedureDayResponseTally,
    ProcedureOfficerAnswerTally,
    ProcedureOfficerResponseTally,
    ProcedureResponseTally,
    ProcedureWeekAnswerTally,
    ProcedureWeekResponseTally,
    QuestionnaireKind,
    ResponseTally,
    Sector,
    Unit,
)
from ..scales import NOT_APPLICABLE_LABEL, Scale
from .disclosure import pool_label, suppress_small_groups
from .grouping import grouped_sums_many
from .rollup import TALLY_COLUMNS, keeps_month_tallies, one_snapshot, report_zone

HUNDRED = Fraction(100)


def round_percent(value, places=2, rounding=ROUND_HALF_UP):
    """Exact value → Decimal rounded to ``places`` decimals (half-up unless told); None → None."""
    if value is None:
        return None
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def share(part, whole, places=None, rounding=ROUND_HALF_UP):
    """part / whole × 100, or None when there is nothing to divide by.

    The app's one percentage: exact (a Fraction) by default, so that the report rounds only
    when it shows a figure; with ``places``, a Decimal rounded as :func:`round_percent` does.
    """
    if not whole:
        return None
    exact = Fraction(part) * HUNDRED / whole
    return exact if places is None else round_percent(exact, places, rounding)


def mean(values):
    values = [value for value in values if value is not None]
    return sum(values, Fraction(0)) / len(values) if values else None


@dataclass
class QuestionStats:
    question: object
    counts: dict  # value (None = not applicable) → number of answers
    labels: list  # (value, label) in display order, "not applicable" last

    @property
    def applicable(self):
        return sum(n for value, n in self.counts.items() if value is not None)

    @property
    def not_applicable(self):
        return self.counts.get(None, 0)

    @property
    def satisfied(self):
        threshold = self.question.spec.satisfied_from
        if threshold is None:
            return None
        return sum(n for value, n in self.counts.items()
                   if value is not None and value >= threshold)

    @property
    def percent_satisfied(self):
        if self.question.spec.satisfied_from is None:
            return None
        return share(self.satisfied, self.applicable)

    @property
    def mean(self):
        """Mean value of the applicable answers (points, expectation level)."""
        if not self.applicable:
            return None
        return Fraction(sum(value * n for value, n in self.counts.items() if value is not None),
                        self.applicable)

    def distribution(self):
        """(label, count, exact share of all answers) in display order."""
        total = sum(self.counts.values())
        return [(label, self.counts.get(value, 0), share(self.counts.get(value, 0), total))
                for value, label in self.labels]


@dataclass
class FactorStats:
    factor: object
    questions: list
    aggregation: str

    @property
    def index(self):
        if self.aggregation == Aggregation.POOLED:
            return share(sum(q.satisfied for q in self.questions),
                         sum(q.applicable for q in self.questions))
        return mean(q.percent_satisfied for q in self.questions)


class Layout:
    """The questionnaire's questions grouped as the report groups them, to score any counts.

    Built once per report; :meth:`score` turns ``{question_id: {value: n}}`` (the whole
    selection's or one group's answer counts, from a ``GROUP BY``) into the question, factor
    and TTHC indicator figures, with the campaign's own aggregation setting.
    """

    def __init__(self, campaign):
        self.aggregation = campaign.aggregation
        self.questions = [(question, _labels(question)) for question in
                          campaign.questionnaire.questions().select_related("factor")
                          .order_by("factor__sort_order", "sort_order")]
        by_factor = {}
        for question, _pairs in self.questions:
            by_factor.setdefault(question.factor, []).append(question)
        self.index_factors = [factor for factor, questions in by_factor.items()
                              if factor.counts_in_index and all(
                                  q.spec.satisfied_from is not None for q in questions)]

    def score(self, counts):
        """(questions, factors, indicators, expectations) of ``counts``."""
        questions, by_factor, indicators, expectations = [], {}, [], []
        for question, pairs in self.questions:
            stats = QuestionStats(question, counts.get(question.pk, {}), pairs)
            questions.append(stats)
            by_factor.setdefault(question.factor, []).append(stats)
            if question.factor.counts_in_index and question.scale == Scale.POINTS_0_2:
                indicators.append(stats)
            if question.scale == Scale.EXPECTATION_3:
                expectations.append(stats)
        factors = [FactorStats(factor, by_factor[factor], self.aggregation)
                   for factor in self.index_factors]
        return questions, factors, indicators, expectations


def tthc_total(indicators):
    """Sum of the indicators' mean points (out of 2 × indicators, 18 for the standard 9)."""
    means = [q.mean for q in indicators if q.mean is not None]
    return sum(means, Fraction(0)) if means else None


def merge_counts(many):
    """Add up several ``{question_id: {value: n}}``."""
    total = {}
    for counts in many:
        for question_id, values in counts.items():
            into = total.setdefault(question_id, {})
            for value, n in values.items():
                into[value] = into.get(value, 0) + n
    return total


@dataclass
class GroupRow:
    """One line of a breakdown: a unit, procedure, field, officer, channel or month.

    ``counts`` (answer counts per question and value, from a grouped query) and ``layout``
    give the group's own question figures, factor indices, overall index and TTHC points,
    computed exactly as the report's headline figures are.
    """

    label: str
    responses: int
    applicable: int
    satisfied: int
    points: int
    dissatisfied: int
    # Figures withheld by the small-group rule (reports.disclosure): the count stays.
    withheld: bool = False
    counts: dict = field(default_factory=dict, repr=False)
    layout: Layout | None = field(default=None, repr=False, compare=False)
    depth: int = 0  # unit rows: depth below the report's unit (indentation)
    # "own" (a unit's own responses), "tree" (a unit with its sub-units), "unit" (a unit
    # without sub-units), "pool" (officers pooled by the small-group rule, ``members`` of
    # them), "none" (responses naming no officer/procedure/field)
    kind: str = ""
    members: int = 0

    @cached_property
    def _scored(self):
        if self.layout is None:
            return [], [], [], []
        return self.layout.score(self.counts)

    @property
    def factors(self):
        """The group's factor indices (:class:`FactorStats`), [] when withheld."""
        return [] if self.withheld else self._scored[1]

    def factor_index(self, factor):
        return next((f.index for f in self.factors if f.factor.pk == factor.pk), None)

    @property
    def index(self):
        """The group's overall index: the mean of its factor indices that have a value."""
        return mean(f.index for f in self.factors) if self.factors else None

    @property
    def percent_satisfied(self):
        """The share of satisfied answers pooled over all index answers (not the index)."""
        return None if self.withheld else share(self.satisfied, self.applicable)

    @property
    def mean_points(self):
        """TTHC: the sum of the group's indicator means (as the report's total); without
        indicators, the points per response."""
        if self.withheld or not self.responses:
            return None
        indicators = self._scored[2]
        if indicators:
            return tthc_total(indicators)
        return Fraction(self.points, self.responses)

    @property
    def band(self):
        """The TTHC band of the group's points."""
        return band_for(self.mean_points)

    @property
    def d766_ratio(self):
        """Share of the group's responses with no dissatisfied answer (base: responses)."""
        if self.withheld:
            return None
        return share(self.responses - self.dissatisfied, self.responses)


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list
    hidden_groups: int = 0
    # Unit breakdown: rows that do not overlap (the unit's own responses and each direct
    # sub-unit with its tree), for outputs that add rows up; elsewhere the rows themselves.
    partition: list | None = None

    def __post_init__(self):
        if self.partition is None:
            self.partition = self.rows


@dataclass
class Report:
    filters: object
    responses: int
    questions: list = field(default_factory=list)
    factors: list = field(default_factory=list)
    totals: GroupRow | None = None
    breakdowns: list = field(default_factory=list)
    trend: list = field(default_factory=list)
    expectations: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    dossiers: int | None = None
    comments: list = field(default_factory=list)
    comment_count: int = 0
    layout: Layout | None = field(default=None, repr=False, compare=False)
    # With build_report(…, compare=True): the previous period's report (or None); with
    # targets=True: the target lines.
    previous: "Report | None" = field(default=None, repr=False, compare=False)
    targets: list | None = field(default=None, repr=False, compare=False)

    @property
    def is_tthc(self):
        return self.filters.campaign.questionnaire.kind == QuestionnaireKind.TTHC

    @property
    def overall_index(self):
        return mean(f.index for f in self.factors)

    @property
    def tthc_total(self):
        """Sum of the indicators' mean points (out of 2 × indicators, 18 for the standard 9)."""
        return tthc_total(self.indicators)

    @property
    def tthc_maximum(self):
        return 2 * len(self.indicators)

    @property
    def tthc_band(self):
        return band_for(self.tthc_total)

    @property
    def d766_base(self):
        """Dossiers under the agency's authority if typed in, else the responses."""
        return self.dossiers if self.dossiers else self.responses

    @property
    def d766_ratio(self):
        if not self.d766_base:
            return None
        dissatisfied = self.totals.dissatisfied if self.totals else 0
        return share(self.d766_base - dissatisfied, self.d766_base)


def band_for(total):
    if total is None:
        return None
    for lowest, label in get_setting("TTHC_BANDS"):
        if total >= Fraction(str(lowest)):
            return label
    return None


# Group keys: a breakdown's key → (field of Response, field of the daily tallies or None).
GROUPS = {
    "unit": ("unit_id", "unit_id"),
    "channel": ("channel", "channel"),
    "month": ("month", "month"),
    "procedure": ("procedure_id", None),
    "sector": ("procedure__sector_id", None),
    "officer": ("officer_id", None),
}


# The tallies keyed by procedure, field and officer (``rollup.KEYED_TALLIES``) and the
# answers by day and channel: for each source, its period column, the filters it can apply
# besides campaign, period and unit, and the column of each group it knows ("month" of a
# daily source is its day truncated).
KEYED_SOURCES = {
    "channel_month": ("month", ("channel",), {"unit": "unit_id", "channel": "channel",
                                              "month": "month"}),
    "procedure_all": ("month", ("procedure", "sector"),
                      {"unit": "unit_id", "month": "month", "procedure": "procedure_key"}),
    "officer_all": ("month", ("sector", "officer"),
                    {"unit": "unit_id", "month": "month", "sector": "sector_key",
                     "officer": "officer_key"}),
    "procedure": ("month", ("channel", "procedure", "sector"),
                  {"unit": "unit_id", "channel": "channel", "month": "month",
                   "procedure": "procedure_key"}),
    "officer": ("month", ("channel", "sector", "officer"),
                {"unit": "unit_id", "channel": "channel", "month": "month",
                 "sector": "sector_key", "officer": "officer_key"}),
    "procedure_officer": ("month", ("procedure", "sector", "officer"),
                          {"unit": "unit_id", "month": "month", "procedure": "procedure_key",
                           "officer": "officer_key"}),
    "channel_day": ("day", ("channel",), {"unit": "unit_id", "channel": "channel",
                                          "month": "day"}),
    "procedure_day": ("day", ("procedure", "sector"),
                      {"unit": "unit_id", "month": "day", "procedure": "procedure_key"}),
    "officer_day": ("day", ("sector", "officer"),
                    {"unit": "unit_id", "month": "day", "sector": "sector_key",
                     "officer": "officer_key"}),
    "channel_sector_day": ("day", ("channel", "sector"),
                           {"unit": "unit_id", "channel": "channel", "month": "day",
                            "sector": "sector_key"}),
    # Weeks do not add up to months: no "month" group.
    "procedure_week": ("week", ("channel", "procedure", "sector"),
                       {"unit": "unit_id", "channel": "channel", "procedure": "procedure_key"}),
    "officer_week": ("week", ("channel", "sector", "officer"),
                     {"unit": "unit_id", "channel": "channel", "sector": "sector_key",
                      "officer": "officer_key"}),
}
# (response tally, answer tally) of each keyed source; None: read from ``ResponseTally``.
KEYED_MODELS = {"channel_month": (None, ChannelMonthAnswerTally),
                "procedure_all": (ProcedureAllChannelsResponseTally,
                                  ProcedureAllChannelsAnswerTally),
                "officer_all": (OfficerAllChannelsResponseTally, OfficerAllChannelsAnswerTally),
                "procedure": (ProcedureResponseTally, ProcedureAnswerTally),
                "officer": (OfficerResponseTally, OfficerAnswerTally),
                "procedure_officer": (ProcedureOfficerResponseTally,
                                      ProcedureOfficerAnswerTally),
                "channel_day": (None, ChannelDayAnswerTally),
                "procedure_day": (ProcedureDayResponseTally, ProcedureDayAnswerTally),
                "officer_day": (OfficerDayResponseTally, OfficerDayAnswerTally),
                "channel_sector_day": (ChannelSectorDayResponseTally,
                                       ChannelSectorDayAnswerTally),
                "procedure_week": (ProcedureWeekResponseTally, ProcedureWeekAnswerTally),
                "officer_week": (OfficerWeekResponseTally, OfficerWeekAnswerTally)}
MONTH_SOURCES = {name for name, (period, _k, _c) in KEYED_SOURCES.items() if period == "month"}


def _whole_months(filters):
    """Whether the filters' dates start and end on a month's edges (or are not given)."""
    end = filters.end
    return ((filters.start is None or filters.start.day == 1)
            and (end is None or (end + datetime.timedelta(days=1)).day == 1))


def _inner_months(filters):
    """(first, last day) of the whole months inside the filters' dates, or None."""
    start, end = filters.start, filters.end
    first = start if start is None or start.day == 1 else (
        start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    last = end if end is None or (end + datetime.timedelta(days=1)).day == 1 else (
        end.replace(day=1) - datetime.timedelta(days=1))
    if first is not None and last is not None and last < first:
        return None
    return first, last


def _whole_weeks(start, end):
    """(first Monday, last Sunday) of the whole weeks from ``start`` to ``end``, or None."""
    first = start + datetime.timedelta(days=-start.weekday() % 7)
    last = end - datetime.timedelta(days=(end.weekday() + 1) % 7)
    return (first, last) if first < last else None


def _knows(source, kind, filters, group):
    """Whether a keyed source can apply the filters and give the group."""
    _period, knows, columns = KEYED_SOURCES[source]
    if KEYED_MODELS[source][0] is None and kind == "responses":
        return False  # ResponseTally has the channel: the "daily" source
    return (all(not getattr(filters, f) or f in knows
                for f in ("channel", "procedure", "sector", "officer"))
            and (group is None or group in columns
                 or (group == "sector" and _one_sector(filters, source))))


def _one_sector(filters, source):
    """Whether every row of a source keyed by procedure has the field of the procedure the
    filters name (their field breakdown is then one row)."""
    return filters.procedure is not None and "procedure" in KEYED_SOURCES[source][2]


def _day_source(filters, kind, group):
    """The smallest daily source for ``kind`` of ``group``: "daily", a daily keyed
    source, or "raw"."""
    daily = filters.uses_tallies if kind == "responses" else filters.uses_answer_tallies
    if daily and group in (None, "unit", "month", *(("channel",) if kind == "responses"
                                                     else ())):
        return "daily"
    if keeps_month_tallies():
        for name, (period, *_rest) in KEYED_SOURCES.items():
            if period == "day" and _knows(name, kind, filters, group):
                return name
    return "raw"


def _week_source(filters, kind, group):
    """The weekly keyed source that knows the filters and the group, or None."""
    return next((name for name, (period, *_rest) in KEYED_SOURCES.items()
                 if period == "week" and _knows(name, kind, filters, group)), None)


def _days(filters, source, week):
    """[(source, filters)] reading the days of ``filters`` (both dates given) from
    ``source``; with a weekly source, their whole weeks from it and only the days before
    the first Monday and after the last Sunday from ``source``, each its own range."""
    weeks = _whole_weeks(filters.start, filters.end) if week else None
    if weeks is None:
        return [(source, filters)]
    first, last = weeks
    day = datetime.timedelta(days=1)
    return [(week, _part(filters, start=first, end=last)),
            *([(source, _part(filters, end=first - day))] if first != filters.start else []),
            *([(source, _part(filters, start=last + day))] if last != filters.end else [])]


def _plan(filters, kind, group):
    """Where ``kind`` ("responses"/"answers") of ``group`` are read: [(source, filters)],
    whose sums add up to the selection's.

    The source is the "daily" tallies, a monthly keyed tally, a daily keyed one or "raw"
    rows: the smallest that knows every filter and the group. Dates that cut a month are
    read in two parts when a monthly tally knows the rest: its whole months from it, the
    days left at either end (``ReportFilters.skip``) from the smallest daily source. Days
    that only raw rows know (a channel with a procedure or an officer) take their whole
    weeks from a weekly tally where one knows them (:func:`_days`).
    """
    if filters.raw:
        return [("raw", filters)]
    source = _day_source(filters, kind, group)
    if source == "daily" or not keeps_month_tallies():
        return [(source, filters)]
    month = next((name for name in KEYED_SOURCES
                  if name in MONTH_SOURCES and _knows(name, kind, filters, group)), None)
    if month is None:
        return [(source, filters)]
    if _whole_months(filters):
        return [(month, filters)]
    week = _week_source(filters, kind, group) if source == "raw" else None
    inner = _inner_months(filters)
    if inner is None:
        return _days(filters, source, week)
    first, last = inner
    if source == "raw" and filters.channel:
        # Raw rows of one channel (few): each end its own range of the responses'
        # (campaign, submitted_at) index, which PostgreSQL joins to the answers by their
        # response index; both ends in one query read the whole answer table instead
        # (1.2 s over 1M responses, against 2 × 0.2 s). Without a channel the ends hold
        # many rows and that whole read is the faster: one query then.
        day = datetime.timedelta(days=1)
        edges = [_part(filters, end=first - day)] if first and first != filters.start else []
        if last and last != filters.end:
            edges.append(_part(filters, start=last + day))
        return [(month, _part(filters, start=first, end=last)),
                *(part for edge in edges for part in _days(edge, source, week))]
    return [(month, _part(filters, start=first, end=last)),
            (source, _part(filters, skip=(first or filters.start, last or filters.end)))]


def _part(filters, **changes):
    """The filters with other dates, the queue already rolled up by the report."""
    part = dataclasses.replace(filters, **changes)
    part._rolled_up = filters._rolled_up
    return part


def _keyed_tallies(filters, model, source):
    qs = filters.tally_rows(model, KEYED_SOURCES[source][0])
    if filters.procedure:
        qs = qs.filter(procedure_key=filters.procedure.pk)
    if filters.officer:
        qs = qs.filter(officer_key=filters.officer.pk)
    if filters.sector:
        qs = (qs.filter(sector_key=filters.sector.pk) if "sector" in KEYED_SOURCES[source][2]
              else
              qs.filter(procedure_key__in=Procedure.objects.filter(sector=filters.sector)
                        .values("pk")))
    return qs


def _group_column(filters, group, source, prefix=""):
    """The expression of a group key in a source (``prefix``: the path from answers to
    their response)."""
    if source in KEYED_SOURCES and group not in KEYED_SOURCES[source][2]:  # _one_sector
        return Value(filters.procedure.sector_id, output_field=BigIntegerField())
    if source in KEYED_SOURCES:
        column = KEYED_SOURCES[source][2][group]
        return TruncMonth(column) if column == "day" else F(column)
    if group == "month":
        return (TruncMonth("day") if source == "daily"
                else TruncMonth(f"{prefix}submitted_at", tzinfo=report_zone()))
    field = GROUPS[group][1 if source == "daily" else 0]
    return F(field if source == "daily" else prefix + field)


class Figures:
    """The grouped sums a report shows, for a list of groups (None: the whole selection).

    Each group is read from the smallest source that knows the filters and the group
    (:func:`_source`): the daily tallies, a monthly tally, or raw rows; all the groups of
    one source are one ``GROUP BY GROUPING SETS`` (:func:`~.grouping.grouped_sums`), and
    every source's in one query (:func:`~.grouping.grouped_sums_many`).
    ``responses[group]``: [(key, {n, a, s, p, d})]; ``answers[group]``:
    {key: {question_id: {value: n}}}.
    """

    def __init__(self, filters, groups):
        # The queries wait for :meth:`read`, with other figures' and jobs (one statement).
        self.responses, self.answers = {}, {}
        self._jobs = []
        # One query part per source and its dates, for every group that reads them: a
        # group's parts from one source (the days around the whole months, read apart)
        # are one part, their rows summed together.
        by_source = {}
        for group in dict.fromkeys(groups):
            for kind in ("responses", "answers"):
                sources = {}
                for source, part in _plan(filters, kind, group):
                    sources.setdefault(source, []).append(part)
                for source, parts in sources.items():
                    key = (kind, source, tuple((p.start, p.end, p.skip) for p in parts))
                    by_source.setdefault(key, (parts, []))[1].append(group)
        for (kind, source, _dates), (parts, wanted) in by_source.items():
            self._jobs.append(getattr(self, f"_{kind}")(parts, source, wanted))

    @staticmethod
    def read(*figures, extra=()):
        """Run the queries of ``figures`` (and the :func:`~.grouping.grouped_sums` jobs
        ``extra``, whose results are returned) as one ``UNION ALL``."""
        jobs = [job for figure in figures for job, _merge in figure._jobs]
        results = grouped_sums_many([*jobs, *extra])
        merges = [merge for figure in figures for _job, merge in figure._jobs]
        for merge, result in zip(merges, results, strict=False):
            merge(result)
        for figure in figures:
            figure._jobs = []
        return results[len(jobs):]

    def _responses(self, parts, source, groups):
        return self._job(parts, self._response_rows, source, groups)

    def _answers(self, parts, source, groups):
        return self._job(parts, self._answer_rows, source, groups)

    @staticmethod
    def _job(parts, rows, source, groups):
        """The :func:`~.grouping.grouped_sums` job (and its merge) of the parts' rows."""
        built = [rows(part, source, groups) for part in parts]
        querysets = [qs for (qs, *_job), _merge in built]
        (_qs, *job), merge = built[0]
        return (querysets if len(querysets) > 1 else querysets[0], *job), merge

    def _response_rows(self, filters, source, groups):
        from django.db.models.functions import Cast

        if source == "raw":
            qs = filters.responses().annotate(
                m_n=Value(1), m_a=F("index_applicable"), m_s=F("index_satisfied"),
                m_p=F("points"), m_d=Cast("dissatisfied", IntegerField()))
        else:
            qs = (filters.tallies(ResponseTally) if source == "daily"
                  else _keyed_tallies(filters, KEYED_MODELS[source][0], source))
            qs = qs.annotate(m_n=F("responses"), m_a=F("index_applicable"),
                             m_s=F("index_satisfied"), m_p=F("points"), m_d=F("dissatisfied"))
        qs = qs.annotate(**{f"g_{g}": _group_column(filters, g, source) for g in groups if g})
        sums = {name: "SUM(%s)" for name in ("m_n", "m_a", "m_s", "m_p", "m_d")}

        def merge(result):
            for group, rows in result.items():
                group = group[2:] if group else None
                into = dict(self.responses.get(group, []))  # another part of the period
                for key, _keys, totals in rows:  # totals: (m_n, m_a, m_s, m_p, m_d)
                    sums_ = into.setdefault(_none_key(key, source, group),
                                            dict.fromkeys(("n", "a", "s", "p", "d"), 0))
                    for name, total in zip(("n", "a", "s", "p", "d"), totals, strict=True):
                        sums_[name] += total or 0
                self.responses[group] = list(into.items())

        return (qs, [f"g_{g}" if g else None for g in groups], [], sums, True), merge

    def _answer_rows(self, filters, source, groups):
        if source == "raw":
            # Counted per question as the tallies are (a column per value: one row where
            # a row per value would be several times as many to read); a value the tallies
            # have no column for keeps a row of its own (``c_o``), so the figures stay exact.
            tallied = Q(value__in=AnswerTally.VALUES) | Q(value__isnull=True)
            qs = filters.answers().annotate(
                c_q=F("question_id"), m_n=Value(1),
                c_o=Case(When(tallied, then=None), default=F("value")),
                **{column: Case(When(**({"value__isnull": True} if column == "na"
                                        else {"value": int(column[1:])}), then=1),
                                default=0, output_field=IntegerField())
                   for column in TALLY_COLUMNS})
            keys = ["c_q", "c_o"]
            sums = {column: "SUM(%s)" for column in [*TALLY_COLUMNS, "m_n"]}
        else:
            qs = (filters.tallies(AnswerTally) if source == "daily"
                  else _keyed_tallies(filters, KEYED_MODELS[source][1], source))
            qs = qs.annotate(c_q=F("question_id"))
            keys, sums = ["c_q"], {column: "SUM(%s)" for column in TALLY_COLUMNS}
        qs = qs.annotate(**{f"g_{g}": _group_column(filters, g, source, "response__")
                            for g in groups if g})

        def merge(result):
            for group, rows in result.items():
                group = group[2:] if group else None
                grouped = self.answers.setdefault(group, {})  # or another part of the period
                # found: (question, [value without a tally column]); totals: a count per
                # tally column, [then the rows counted]
                for key, found, totals in rows:
                    into = grouped.setdefault(_none_key(key, source, group), {})
                    counts = into.setdefault(found[0], {})
                    if len(found) > 1 and found[1] is not None:  # a value without a column
                        counts[found[1]] = counts.get(found[1], 0) + totals[-1]
                        continue
                    for value, n in zip(TALLY_VALUES, totals, strict=False):
                        if n:
                            counts[value] = counts.get(value, 0) + n

        return (qs, [f"g_{g}" if g else None for g in groups], keys, sums, True), merge


# The value each of ``TALLY_COLUMNS`` counts (v0…v5, then "na": not applicable).
TALLY_VALUES = [None if column == "na" else int(column[1:]) for column in TALLY_COLUMNS]


def _none_key(key, source, group):
    """The keyed tallies' 0 ("no procedure/field/officer") as raw rows' None."""
    if source in KEYED_SOURCES and group in ("procedure", "sector", "officer") and key == 0:
        return None
    return key


def _answer_counts(figures, group=None):
    """Answer counts per question and value: {question_id: {value: n}} without ``group``;
    with a key of :data:`GROUPS`, {group key: {question_id: {value: n}}}; from ``figures``,
    the report's :class:`Figures`, already read."""
    grouped = figures.answers.get(group, {})
    return grouped if group else grouped.get(None, {})


def _group_rows(figures, group_by, labels=None, layout=None):
    """Aggregate responses grouped by ``group_by`` (a key of :data:`GROUPS`; None = one total).

    ``labels`` maps the list of group keys found to {key: label}, looked up after grouping.
    With ``layout``, each row also gets its answer counts, so that it can show its own
    factor indices, overall index and TTHC points. ``figures``: the report's
    :class:`Figures`, already read (:func:`build_report`).
    """
    rows = sorted(figures.responses.get(group_by, []),
                  key=lambda row: (row[0] is None, row[0]))
    if group_by is None:
        totals = rows[0][1] if rows else {}
        return GroupRow("", *(totals.get(name, 0) for name in ("n", "a", "s", "p", "d")))
    keys = [key for key, _totals in rows]
    names = labels(keys) if labels else {}
    counts = _answer_counts(figures, group_by) if layout else {}
    return [(key, GroupRow(str(names.get(key, key)), t["n"], t["a"], t["s"], t["p"], t["d"],
                           counts=counts.get(key, {}), layout=layout))
            for key, t in rows]


def _breakdown_names(figures):
    """{"procedure"/"sector"/"officer": {key: name}} of the groups the figures found, in one
    query (``UNION ALL`` of the three tables)."""
    wanted = {group: [key for key, _totals in figures.responses.get(group, [])
                      if key is not None] for group in ("procedure", "sector", "officer")}
    names = {group: {} for group in wanted}
    queries = [model.objects.filter(pk__in=wanted[group])
               .annotate(group=Value(group)).values_list("group", "pk", "name").order_by()
               for group, model in (("procedure", Procedure), ("sector", Sector),
                                    ("officer", Officer)) if wanted[group]]
    if queries:
        for group, pk, name in queries[0].union(*queries[1:], all=True):
            names[group][pk] = name
    return names


def _merge(label, rows, **extra):
    """One row adding up ``rows`` (their counts too: the result has its own indices)."""
    rows = list(rows)
    return GroupRow(label, *(sum(getattr(r, name) for r in rows) for name in
                             ("responses", "applicable", "satisfied", "points", "dissatisfied")),
                    counts=merge_counts(r.counts for r in rows),
                    layout=next((r.layout for r in rows if r.layout), None), **extra)


def _unit_breakdown(filters, layout, figures, units):
    """Every unit of the tree under the report's unit, indented by depth.

    A unit with sub-units gets two rows, its own responses ("own") and the unit with its
    sub-units ("tree"); a unit without sub-units one ("unit"). Rows without responses are
    left out. The rows overlap; ``Breakdown.partition`` holds the ones that do not.
    """
    root = filters.unit or filters.campaign.unit
    grouped = dict(_group_rows(figures, "unit", layout=layout))
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    tree, stack = [], [(root, 0)]  # depth first, sub-units by name under their parent
    while stack:
        unit, depth = stack.pop()
        tree.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.pk, [])))
    rows, partition = [], []
    for unit, depth in tree:
        has_children = bool(children.get(unit.pk))
        inside = [row for key, row in grouped.items()
                  if key in {u.pk for u in units if u.path.startswith(unit.path)}]
        whole = _merge(str(unit), inside, depth=depth, kind="tree" if has_children else "unit")
        own = _merge(str(unit), [grouped[unit.pk]] if unit.pk in grouped else [],
                     depth=depth, kind="own")
        if has_children and own.responses:
            rows.append(own)
        if whole.responses:
            rows.append(whole)
        if unit.pk == root.pk and own.responses:
            partition.append(own)
        elif depth == 1 and whole.responses:
            partition.append(whole)
    return Breakdown("unit", _("By unit"), rows, partition=partition)


def _units_under(root):
    """``root`` and every unit below it, by name (the unit breakdown's and the targets')."""
    return list(Unit.objects.within(root).order_by("name", "pk"))


def _month_label(value):
    """"MM/YYYY" of a month key (a date: grouping._month makes every source's one)."""
    return value.strftime("%m/%Y")


def _with_unnamed(rows, label):
    """Named groups first; the group without a name (key None) last, under ``label``."""
    named = [row for key, row in rows if key is not None]
    for key, row in rows:
        if key is None:
            row.label, row.kind = str(label), "none"
            named.append(row)
    return named


BREAKDOWNS = ("unit", "procedure", "sector", "officer", "channel")


@one_snapshot
def build_report(filters, comment_limit=None, breakdowns=BREAKDOWNS, comments=True,
                 layout=None, targets=False, compare=False, rounds=None):
    """Compute the whole report for :class:`~.filters.ReportFilters`.

    ``breakdowns``: the keys of the breakdowns to compute (all by default). Those read from
    raw answers (procedure, field, officer, channel) scan every answer of the selection, so
    callers that show none (the period comparison, public results) ask for none.
    ``comments``: False leaves the relevant comments out (the period comparison shows none).
    ``layout``: the campaign's :class:`Layout` when the caller has it (another report's).
    ``targets``: also the target lines (``report.targets``, see ``targets.target_progress``);
    ``compare``: also the previous period's report (``report.previous``, see
    ``comparison.compare_with_previous``) when the dates are one calendar period. Their
    sums are read in the same query as the report's figures, their dossier counts with its
    own: the admin page is one figures query however much it shows. ``rounds``: the
    campaign's rounds when the caller has read them (the filter bar's list).
    """
    from .comparison import previous_filters
    from .targets import TargetPlan, dossier_job, dossier_rows_of

    campaign = filters.campaign
    layout = layout or Layout(campaign)
    root = filters.unit or campaign.unit
    units = _units_under(root) if ("unit" in breakdowns or targets) else None
    plan = None
    if targets:
        plan = TargetPlan(campaign, filters, [root, *sorted(
            (u for u in units if u.parent_id == root.pk), key=lambda u: u.path)], rounds)
    previous = previous_filters(filters) if compare else None
    wanted = [Figures(filters, [None, "month", *breakdowns])]
    if previous is not None:
        wanted.append(Figures(previous, [None, "month"]))
    # Dossier counts know units and dates only: the Decision 766 base needs none when the
    # filters name a procedure, field, officer or channel; the targets always do.
    by_units_and_dates = not (filters.procedure or filters.sector or filters.officer
                              or filters.channel)
    jobs = [dossier_job(root)] if plan is not None or by_units_and_dates else []
    if plan is not None:
        jobs.append(plan.job())
    extra = Figures.read(*wanted, extra=jobs)
    rows = dossier_rows_of(extra[0]) if jobs else []
    report = _assemble(filters, layout, wanted[0], units, rows, breakdowns, comments,
                       comment_limit)
    if previous is not None:
        report.previous = _assemble(previous, layout, wanted[1], None, rows, (), False, None)
    if plan is not None:
        report.targets = plan.lines(plan.counts(extra[1]), rows)
    return report


def _assemble(filters, layout, figures, units, dossier_rows, breakdowns, comments,
              comment_limit):
    """The :class:`Report` of figures already read (:func:`build_report`)."""
    from .targets import dossiers_from_rows

    names = _breakdown_names(figures)
    totals = _group_rows(figures, None)
    report = Report(filters=filters, responses=totals.responses, totals=totals,
                    layout=layout)
    (report.questions, report.factors, report.indicators,
     report.expectations) = layout.score(_answer_counts(figures))
    report.expectations.sort(key=lambda q: (q.mean is None, -(q.mean or 0)))

    if "unit" in breakdowns:
        report.breakdowns.append(_unit_breakdown(filters, layout, figures, units))
    if "procedure" in breakdowns:
        report.breakdowns.append(Breakdown("procedure", _("By procedure"), _with_unnamed(
            _group_rows(figures, "procedure", lambda _keys: names["procedure"], layout),
            _("No procedure named"))))
    if "sector" in breakdowns:
        report.breakdowns.append(Breakdown("sector", _("By field"), _with_unnamed(
            _group_rows(figures, "sector", lambda _keys: names["sector"], layout),
            _("No field"))))
    if "officer" in breakdowns:
        report.breakdowns.append(_officer_breakdown(figures, names["officer"], layout))
    if "channel" in breakdowns:
        channel_labels = dict(Channel.choices)
        report.breakdowns.append(Breakdown("channel", _("By channel"), [
            row for _key, row in _group_rows(figures, "channel", lambda keys: channel_labels,
                                             layout)]))
    report.trend = [row for _key, row in _group_rows(
        figures, "month", lambda keys: {key: _month_label(key) for key in keys}, layout)]

    report.dossiers = dossiers_from_rows(dossier_rows, filters)
    if comments:
        # The count of them all with the first ``comment_limit`` (a window, one query).
        found = (filters.relevant_comments().select_related("response__unit")
                 .annotate(all_count=Window(Count("pk"))).order_by("-submitted_at"))
        report.comments = list(found[:comment_limit] if comment_limit else found)
        report.comment_count = (report.comments[0].all_count if report.comments
                                else 0)
    return report


def _officer_breakdown(figures, names, layout):
    """Officers by name where the small-group rule allows, the others pooled in one row
    (with their count), then the responses that name no officer in a row of their own.

    The no-officer row is no officer's figures, but when the pool's figures are withheld it
    is withheld too: the total minus that row would give the pool's figures.
    """
    grouped = _group_rows(figures, "officer", lambda _keys: names, layout)
    groups = [(key, row) for key, row in grouped if key is not None]
    disclosure = suppress_small_groups(groups)
    rows = [row for _key, row in disclosure.shown]
    if disclosure.pooled_keys:
        pool = _merge(pool_label(), [row for key, row in groups
                                     if key in disclosure.pooled_keys], kind="pool",
                      members=disclosure.hidden_groups)
        pool.withheld = disclosure.figures_withheld
        rows.append(pool)
    for key, row in grouped:
        if key is None:
            row.label, row.kind = str(_("No officer named")), "none"
            row.withheld = disclosure.figures_withheld
            rows.append(row)
    return Breakdown("officer", _("By officer"), rows, hidden_groups=disclosure.hidden_groups)


def _labels(question):
    pairs = [(int(value), label) for value, label in question.choices()
             if value.lstrip("-").isdigit()]
    if question.spec.allows_not_applicable:
        pairs.append((None, NOT_APPLICABLE_LABEL))
    return pairs
