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

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cached_property

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from ..conf import get_setting
from ..models import (
    Aggregation,
    Answer,
    AnswerTally,
    Channel,
    Officer,
    Procedure,
    QuestionnaireKind,
    ResponseTally,
    Sector,
    Unit,
)
from ..scales import NOT_APPLICABLE_LABEL, Scale
from .disclosure import pool_label, suppress_small_groups
from .rollup import TALLY_COLUMNS, one_snapshot, report_zone

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


def _answer_counts(filters, group=None):
    """Answer counts per question and value with one GROUP BY query.

    Without ``group``: {question_id: {value: n}}; with a key of :data:`GROUPS`:
    {group key: {question_id: {value: n}}}.
    """
    response_field, tally_field = GROUPS[group] if group else (None, None)
    keys = []
    if filters.uses_answer_tallies and (group is None or tally_field in ("unit_id", "month")):
        qs = filters.tallies(AnswerTally)
        if group == "month":
            qs = qs.annotate(month=TruncMonth("day"))
        if group:
            keys.append(tally_field)
        rows = (qs.values(*keys, "question_id")
                .annotate(**{column: Sum(column) for column in TALLY_COLUMNS}).order_by())
        grouped = {}
        for row in rows:
            into = grouped.setdefault(_key(row[tally_field]) if group else None, {})
            into[row["question_id"]] = {
                None if column == "na" else int(column[1:]): row[column]
                for column in TALLY_COLUMNS if row[column]}
        return grouped if group else grouped.get(None, {})
    qs = Answer.objects.filter(response__in=filters.responses())
    if group == "month":
        qs = qs.annotate(g=TruncMonth("response__submitted_at", tzinfo=report_zone()))
    elif group:
        qs = qs.annotate(g=F(f"response__{response_field}"))
    if group:
        keys.append("g")
    rows = qs.values(*keys, "question_id", "value").annotate(n=Count("id")).order_by()
    grouped = {}
    for row in rows:
        (grouped.setdefault(_key(row["g"]) if group else None, {})
         .setdefault(row["question_id"], {})[row["value"]]) = row["n"]
    return grouped if group else grouped.get(None, {})


def _group_rows(filters, group_by, labels=None, layout=None):
    """Aggregate responses grouped by ``group_by`` (a key of :data:`GROUPS`; None = one total).

    ``labels`` maps the list of group keys found to {key: label}, looked up after grouping.
    With ``layout``, each row also gets its answer counts (one more grouped query), so that
    it can show its own factor indices, overall index and TTHC points.
    """
    response_field, tally_field = GROUPS[group_by] if group_by else (None, None)
    if filters.uses_tallies and (group_by is None or tally_field is not None):
        qs = filters.tallies(ResponseTally)
        sums = dict(n=Sum("responses"), a=Sum("index_applicable"), s=Sum("index_satisfied"),
                    p=Sum("points"), d=Sum("dissatisfied"))
        month = TruncMonth("day")
        key = tally_field
    else:
        qs = filters.responses()
        sums = dict(n=Count("id"), a=Sum("index_applicable"), s=Sum("index_satisfied"),
                    p=Coalesce(Sum("points"), Value(0)), d=Count("id", filter=Q(dissatisfied=True)))
        month = TruncMonth("submitted_at", tzinfo=report_zone())
        key = response_field
    if group_by is None:
        row = qs.aggregate(**sums)
        return GroupRow("", row["n"] or 0, row["a"] or 0, row["s"] or 0, row["p"] or 0,
                        row["d"] or 0)
    if group_by == "month":
        qs = qs.annotate(month=month)
    elif "__" in key:
        qs = qs.annotate(g=F(key))
        key = "g"
    rows = list(qs.values(key).annotate(**sums).order_by(key))
    names = labels([row[key] for row in rows]) if labels else {}
    counts = _answer_counts(filters, group_by) if layout else {}
    return [(row[key], GroupRow(str(names.get(row[key], row[key])), row["n"],
                                row["a"] or 0, row["s"] or 0, row["p"] or 0, row["d"] or 0,
                                counts=counts.get(_key(row[key]), {}), layout=layout))
            for row in rows]


def _key(value):
    """Group keys from the tallies (local dates) and from responses (aware datetimes) alike."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(report_zone()).date()
    return value


def _names(model, field="name"):
    def lookup(keys):
        return dict(model.objects.filter(pk__in=[k for k in keys if k is not None])
                    .values_list("pk", field))
    return lookup


def _merge(label, rows, **extra):
    """One row adding up ``rows`` (their counts too: the result has its own indices)."""
    rows = list(rows)
    return GroupRow(label, *(sum(getattr(r, name) for r in rows) for name in
                             ("responses", "applicable", "satisfied", "points", "dissatisfied")),
                    counts=merge_counts(r.counts for r in rows),
                    layout=next((r.layout for r in rows if r.layout), None), **extra)


def _unit_breakdown(filters, layout=None):
    """Every unit of the tree under the report's unit, indented by depth.

    A unit with sub-units gets two rows, its own responses ("own") and the unit with its
    sub-units ("tree"); a unit without sub-units one ("unit"). Rows without responses are
    left out. The rows overlap; ``Breakdown.partition`` holds the ones that do not.
    """
    root = filters.unit or filters.campaign.unit
    grouped = dict(_group_rows(filters, "unit", layout=layout))
    units = list(Unit.objects.within(root).order_by("name", "pk"))
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


def _month_label(value):
    if isinstance(value, datetime.datetime):
        value = value.astimezone(report_zone()).date()
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
def build_report(filters, comment_limit=None, breakdowns=BREAKDOWNS):
    """Compute the whole report for :class:`~.filters.ReportFilters`.

    ``breakdowns``: the keys of the breakdowns to compute (all by default). Those read from
    raw answers (procedure, field, officer, channel) scan every answer of the selection, so
    callers that show none (the period comparison, public results) ask for none.
    """
    campaign = filters.campaign
    layout = Layout(campaign)
    totals = _group_rows(filters, None)
    report = Report(filters=filters, responses=totals.responses, totals=totals)
    (report.questions, report.factors, report.indicators,
     report.expectations) = layout.score(_answer_counts(filters))
    report.expectations.sort(key=lambda q: (q.mean is None, -(q.mean or 0)))

    if "unit" in breakdowns:
        report.breakdowns.append(_unit_breakdown(filters, layout))
    if "procedure" in breakdowns:
        report.breakdowns.append(Breakdown("procedure", _("By procedure"), _with_unnamed(
            _group_rows(filters, "procedure", _names(Procedure), layout),
            _("No procedure named"))))
    if "sector" in breakdowns:
        report.breakdowns.append(Breakdown("sector", _("By field"), _with_unnamed(
            _group_rows(filters, "sector", _names(Sector), layout), _("No field"))))
    if "officer" in breakdowns:
        report.breakdowns.append(_officer_breakdown(filters, layout))
    if "channel" in breakdowns:
        channel_labels = dict(Channel.choices)
        report.breakdowns.append(Breakdown("channel", _("By channel"), [
            row for _key, row in _group_rows(filters, "channel", lambda keys: channel_labels,
                                             layout)]))
    report.trend = [row for _key, row in _group_rows(
        filters, "month", lambda keys: {key: _month_label(key) for key in keys}, layout)]

    from .targets import dossiers_in_scope

    report.dossiers = dossiers_in_scope(filters)
    comments = (filters.relevant_comments().select_related("response__unit")
                .order_by("-submitted_at"))
    report.comment_count = comments.count()
    report.comments = list(comments[:comment_limit] if comment_limit else comments)
    return report


def _officer_breakdown(filters, layout=None):
    """Officers by name where the small-group rule allows, the others pooled in one row
    (with their count), then the responses that name no officer in a row of their own.

    The no-officer row is no officer's figures, but when the pool's figures are withheld it
    is withheld too: the total minus that row would give the pool's figures.
    """
    grouped = _group_rows(filters, "officer", _names(Officer), layout)
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
