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

from django.db.models import Count, Q, Sum, Value
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
    Unit,
)
from ..scales import NOT_APPLICABLE_LABEL, Scale
from .disclosure import pool_label, suppress_small_groups
from .rollup import TALLY_COLUMNS, report_zone

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


@dataclass
class GroupRow:
    """One line of a breakdown: a unit, procedure, officer, channel or month."""

    label: str
    responses: int
    applicable: int
    satisfied: int
    points: int
    dissatisfied: int
    # Figures withheld by the small-group rule (reports.disclosure): the count stays.
    withheld: bool = False

    @property
    def percent_satisfied(self):
        return None if self.withheld else share(self.satisfied, self.applicable)

    @property
    def mean_points(self):
        if self.withheld or not self.responses:
            return None
        return Fraction(self.points, self.responses)

    @property
    def band(self):
        """The TTHC band of the group's mean points per response."""
        return band_for(self.mean_points)

    @property
    def d766_ratio(self):
        """Share of the group's responses with no dissatisfied answer (base: responses)."""
        return share(self.responses - self.dissatisfied, self.responses)


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list
    hidden_groups: int = 0


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
        means = [q.mean for q in self.indicators if q.mean is not None]
        return sum(means, Fraction(0)) if means else None

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


def _answer_counts(filters):
    """{question_id: {value: count}} with one GROUP BY query."""
    counts = {}
    if filters.uses_answer_tallies:
        rows = (filters.tallies(AnswerTally).values("question_id")
                .annotate(**{column: Sum(column) for column in TALLY_COLUMNS}).order_by())
        for row in rows:
            counts[row["question_id"]] = {
                None if column == "na" else int(column[1:]): row[column]
                for column in TALLY_COLUMNS if row[column]}
        return counts
    rows = (Answer.objects.filter(response__in=filters.responses())
            .values("question_id", "value").annotate(n=Count("id")).order_by())
    for row in rows:
        counts.setdefault(row["question_id"], {})[row["value"]] = row["n"]
    return counts


def _group_rows(filters, group_by, labels=None):
    """Aggregate responses grouped by ``group_by`` (a field or "month"; None = one total).

    ``labels`` maps the list of group keys found to {key: label}, looked up after grouping.
    """
    if filters.uses_tallies and group_by in ("unit_id", "channel", "month", None):
        qs = filters.tallies(ResponseTally)
        sums = dict(n=Sum("responses"), a=Sum("index_applicable"), s=Sum("index_satisfied"),
                    p=Sum("points"), d=Sum("dissatisfied"))
        month = TruncMonth("day")
    else:
        qs = filters.responses()
        sums = dict(n=Count("id"), a=Sum("index_applicable"), s=Sum("index_satisfied"),
                    p=Coalesce(Sum("points"), Value(0)), d=Count("id", filter=Q(dissatisfied=True)))
        month = TruncMonth("submitted_at", tzinfo=report_zone())
    if group_by is None:
        row = qs.aggregate(**sums)
        return GroupRow("", row["n"] or 0, row["a"] or 0, row["s"] or 0, row["p"] or 0,
                        row["d"] or 0)
    if group_by == "month":
        qs = qs.annotate(month=month)
    rows = list(qs.values(group_by).annotate(**sums).order_by(group_by))
    names = labels([row[group_by] for row in rows]) if labels else {}
    return [(row[group_by], GroupRow(str(names.get(row[group_by], row[group_by])), row["n"],
                                     row["a"] or 0, row["s"] or 0, row["p"] or 0,
                                     row["d"] or 0))
            for row in rows]


def _names(model, field="name"):
    def lookup(keys):
        return dict(model.objects.filter(pk__in=[k for k in keys if k is not None])
                    .values_list("pk", field))
    return lookup


def _merge(label, rows):
    return GroupRow(label, *(sum(getattr(r, name) for r in rows) for name in
                             ("responses", "applicable", "satisfied", "points", "dissatisfied")))


def _unit_breakdown(filters):
    """One line for the chosen unit's own responses and one per direct sub-unit (with its tree)."""
    root = filters.unit or filters.campaign.unit
    grouped = _group_rows(filters, "unit_id")
    paths = dict(Unit.objects.filter(pk__in=[k for k, _row in grouped]).values_list("pk", "path"))
    children = list(Unit.objects.filter(parent=root).order_by("path"))
    rows = [_merge(str(root), [row for key, row in grouped if key == root.pk])]
    for child in children:
        rows.append(_merge(str(child), [row for key, row in grouped
                                        if paths.get(key, "").startswith(child.path)]))
    return [row for row in rows if row.responses]


def _month_label(value):
    if isinstance(value, datetime.datetime):
        value = value.astimezone(report_zone()).date()
    return value.strftime("%m/%Y")


def build_report(filters, comment_limit=None):
    """Compute the whole report for :class:`~.filters.ReportFilters`."""
    campaign = filters.campaign
    questionnaire = campaign.questionnaire
    totals = _group_rows(filters, None)
    report = Report(filters=filters, responses=totals.responses, totals=totals)

    counts = _answer_counts(filters)
    by_factor = {}
    for question in questionnaire.questions().order_by("factor__sort_order", "sort_order"):
        stats = QuestionStats(question, counts.get(question.pk, {}), _labels(question))
        report.questions.append(stats)
        by_factor.setdefault(question.factor, []).append(stats)
        if question.factor.counts_in_index and question.scale == Scale.POINTS_0_2:
            report.indicators.append(stats)
        if question.scale == Scale.EXPECTATION_3:
            report.expectations.append(stats)
    for factor, questions in by_factor.items():
        if factor.counts_in_index and all(q.question.spec.satisfied_from is not None
                                          for q in questions):
            report.factors.append(FactorStats(factor, questions, campaign.aggregation))
    report.expectations.sort(key=lambda q: (q.mean is None, -(q.mean or 0)))

    report.breakdowns.append(Breakdown("unit", _("By unit"), _unit_breakdown(filters)))
    report.breakdowns.append(Breakdown("procedure", _("By procedure"), [
        row for key, row in _group_rows(filters, "procedure_id", _names(Procedure))
        if key is not None]))
    report.breakdowns.append(_officer_breakdown(filters))
    channel_labels = dict(Channel.choices)
    report.breakdowns.append(Breakdown("channel", _("By channel"), [
        row for _key, row in _group_rows(filters, "channel", lambda keys: channel_labels)]))
    report.trend = [row for _key, row in _group_rows(
        filters, "month", lambda keys: {key: _month_label(key) for key in keys})]

    from .targets import dossiers_in_scope

    report.dossiers = dossiers_in_scope(filters)
    comments = (filters.relevant_comments().select_related("response__unit")
                .order_by("-submitted_at"))
    report.comment_count = comments.count()
    report.comments = list(comments[:comment_limit] if comment_limit else comments)
    return report


def _officer_breakdown(filters):
    """Officers by name where the small-group rule allows, the others pooled in one row."""
    groups = [(key, row) for key, row in _group_rows(filters, "officer_id", _names(Officer))
              if key is not None]
    disclosure = suppress_small_groups(groups)
    rows = [row for _key, row in disclosure.shown]
    if disclosure.pooled_keys:
        pool = _merge(pool_label(), [row for key, row in groups
                                     if key in disclosure.pooled_keys])
        pool.withheld = disclosure.figures_withheld
        rows.append(pool)
    return Breakdown("officer", _("By officer"), rows, hidden_groups=disclosure.hidden_groups)


def _labels(question):
    pairs = [(int(value), label) for value, label in question.choices()
             if value.lstrip("-").isdigit()]
    if question.spec.allows_not_applicable:
        pairs.append((None, NOT_APPLICABLE_LABEL))
    return pairs
