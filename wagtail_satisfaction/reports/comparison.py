"""This period against the previous one: the same ``build_report`` on shifted dates.

A period is comparable when its dates are one whole calendar month, quarter, half-year or
year (what the filter's "Period" gives); the previous period is the one just before, of the
same length. Every other filter (unit, procedure, channel, unit scope…) stays as it is.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..templatetags.satisfaction_reports import decimal, percent
from .filters import PERIOD_PARTS, Period
from .stats import build_report, round_percent

# Comparable periods, longest first: (kind, months).
KINDS = [(kind, 12 // parts) for kind, parts in sorted(PERIOD_PARTS.items(),
                                                        key=lambda item: item[1])]


def _month_start(year, month):
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime.date(year, month, 1)


def previous_period(start, end):
    """(kind, previous start, previous end) when start–end is one calendar period, else None."""
    if not start or not end or start.day != 1:
        return None
    for kind, months in KINDS:
        if (start.month - 1) % months:
            continue
        last = _month_start(start.year, start.month + months) - datetime.timedelta(days=1)
        if last == end:
            before = _month_start(start.year, start.month - months)
            return kind, before, start - datetime.timedelta(days=1)
    return None


@dataclass
class ChangeLine:
    """One compared figure: exact values and how to show them."""

    label: str
    previous: object
    current: object
    kind: str = "percent"  # "percent" (change in percentage points), "points" or "count"

    @property
    def change(self):
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    def change_text(self):
        """The change as shown: signed, in percentage points, points or responses."""
        change = self.change
        if change is None:
            return "–"
        if self.kind == "count":
            return f"{change:+d}".replace("-", "−")
        text = decimal(abs(change))
        rounded = round_percent(change)
        return ("+" if rounded > 0 else "−" if rounded < 0 else "") + text

    def _text(self, value):
        if self.kind == "count":
            return str(value)
        if value is None:
            return "–"
        return percent(value) if self.kind == "percent" else decimal(value)

    @property
    def previous_text(self):
        return self._text(self.previous)

    @property
    def current_text(self):
        return self._text(self.current)


@dataclass
class Comparison:
    kind: str
    current: object
    previous: object
    lines: list

    @property
    def kind_label(self):
        return Period(self.kind).label


def previous_filters(filters):
    """The filters of the period just before ``filters``' dates (no round, whose dates would
    clip them), or None when the dates are not one calendar period."""
    found = previous_period(filters.start, filters.end)
    if found is None:
        return None
    _kind, start, end = found
    shifted = dataclasses.replace(filters, start=start, end=end, round=None)
    shifted._rolled_up = filters._rolled_up  # the queue was rolled up for this page
    return shifted


def compare_with_previous(filters, report):
    """The :class:`Comparison` of ``report`` with the previous period, or None.

    The previous period's report comes from the same :func:`~.stats.build_report` with the
    dates shifted (:func:`previous_filters`): ``report.previous`` when the report was built
    with ``compare=True``, else built here.
    """
    found = previous_period(filters.start, filters.end)
    if found is None:
        return None
    kind = found[0]
    previous = report.previous
    if previous is None:
        previous = build_report(previous_filters(filters), breakdowns=(), comments=False,
                                layout=report.layout)
    lines = [ChangeLine(_("Responses"), previous.responses, report.responses, "count")]
    if report.factors:
        lines.append(ChangeLine(_("Overall index"), previous.overall_index,
                                report.overall_index))
        before = {f.factor.pk: f for f in previous.factors}
        for factor in report.factors:
            old = before.get(factor.factor.pk)
            lines.append(ChangeLine(f"{factor.factor.code}. {factor.factor.title}",
                                    old.index if old else None, factor.index))
    if report.indicators:
        lines.append(ChangeLine(_("TTHC points"), previous.tthc_total, report.tthc_total,
                                "points"))
    lines.append(ChangeLine(_("Decision 766 ratio"), previous.d766_ratio, report.d766_ratio))
    before = {q.question.pk: q for q in previous.questions}
    for question in report.questions:
        old = before.get(question.question.pk)
        if question.question.spec.satisfied_from is not None:
            lines.append(ChangeLine(f"{question.question.code}. {question.question.text}",
                                    old.percent_satisfied if old else None,
                                    question.percent_satisfied))
        elif question in report.indicators:
            lines.append(ChangeLine(f"{question.question.code}. {question.question.text}",
                                    old.mean if old else None, question.mean, "points"))
    return Comparison(kind, report, previous, lines)

