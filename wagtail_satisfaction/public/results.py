"""The published results of one selection (campaign, unit, period), cached.

Figures come from :func:`~..reports.stats.build_report`. Public output names no officer, and a
selection or month with fewer than ``MIN_GROUP_SIZE`` responses shows its count only. The
figures are cached under the selection, the language and a version per campaign that
:func:`bump_version` changes whenever a response or comment of the campaign is stored (on
PostgreSQL, when the tallies take in its new responses, which reading the version does
first); a short timeout (``PUBLIC_CACHE_TIMEOUT``) catches changes made without signals
(bulk imports).
"""

from dataclasses import dataclass

from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import counters
from ..conf import get_setting
from ..moderation.privacy import mask_personal_data
from ..reports import document
from ..reports.charts import line_chart
from ..reports.disclosure import minimum_group_size
from ..reports.filters import PERIOD_PARTS, Period, ReportFilters, period_dates
from ..reports.rollup import roll_up_pending
from ..reports.stats import build_report


def _cache():
    return caches[get_setting("PUBLIC_CACHE")]


def _version_key(campaign_id):
    return f"wagtail_satisfaction:public:version:{campaign_id}"


def current_version(campaign_id):
    """The campaign's version of cached figures, once the responses still queued for the
    tallies are in them (PostgreSQL: a submission is one statement and sends no signal; the
    roll-up bumps the version of the campaigns it adds to, see ``public.signals``)."""
    roll_up_pending()
    return _cache().get_or_set(_version_key(campaign_id), 1, None)


def bump_version(campaign_id):
    """Make every cached public figure of the campaign stale (a new response or comment)."""
    counters.count(_cache(), _version_key(campaign_id), initial=1)


@dataclass(frozen=True)
class Selection:
    """What an editor chose to publish: a campaign, optionally a unit and a period."""

    campaign: object
    unit: object = None
    period: str = ""
    year: int | None = None
    number: int | None = None
    comments: int = 0  # how many relevant comments to show (0: none)

    def filters(self):
        start = end = None
        if self.period in PERIOD_PARTS and self.year:
            start, end = period_dates(self.period, self.year, self.number or 1)
        return ReportFilters(campaign=self.campaign, start=start, end=end, unit=self.unit)

    def cache_key(self):
        return "wagtail_satisfaction:public:results:{}:{}:{}:{}:{}:{}:{}:{}".format(
            self.campaign.pk, self.unit.pk if self.unit else "", self.period, self.year or "",
            self.number or "", self.comments, translation.get_language(),
            current_version(self.campaign.pk))


def describe_period(selection):
    if selection.period in PERIOD_PARTS and selection.year:
        start, end = period_dates(selection.period, selection.year, selection.number or 1)
        return "{} – {}".format(start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y"))
    return str(Period.ALL.label)


def method_note(minimum):
    return _(
        "Each answer counts as satisfied when it is “satisfied” or “very satisfied” (for TTHC "
        "indicators: 2 points); “not applicable” answers are left out. A factor's index is the "
        "share of satisfied answers to its questions, and the overall index is the mean of the "
        "factors. Figures of a group with fewer than %(minimum)s responses are not shown, and "
        "no officer is named, so that no respondent can be singled out.") % {"minimum": minimum}


def compute_results(selection):
    """The public figures of ``selection`` as plain values (cacheable), from build_report."""
    minimum = minimum_group_size()
    report = build_report(selection.filters(), comment_limit=selection.comments or None,
                          breakdowns=())  # no breakdown is published here
    shown = report.responses >= minimum
    # A month with fewer than ``minimum`` responses shows its count only.
    points = [(label, value if n >= minimum else None, n)
              for label, value, n in document.trend_points(report)]
    results = {
        "campaign": str(selection.campaign),
        "unit": str(selection.unit or selection.campaign.unit),
        "period": describe_period(selection),
        "responses": report.responses,
        "shown": shown,
        "minimum": minimum,
        "is_tthc": report.is_tthc,
        "overall_index": report.overall_index if shown else None,
        "factors": [(str(f.factor), f.index) for f in report.factors] if shown else [],
        "tthc_total": report.tthc_total if shown and report.indicators else None,
        "tthc_maximum": report.tthc_maximum,
        "tthc_band": report.tthc_band if shown and report.indicators else None,
        "d766_ratio": report.d766_ratio if shown else None,
        "d766_help": str(document.d766_explanation()),
        "trend": points if shown else [],
        "trend_chart": (line_chart(points, _("Trend by month"),
                                   caption=str(document.trend_title(report)))
                        if shown and points else ""),
        "comments": [{"text": mask_personal_data(c.text), "date": c.submitted_at,
                      "unit": str(c.response.unit) if c.response.unit_id else ""}
                     for c in report.comments] if shown and selection.comments else [],
        "method": method_note(minimum),
        "computed_at": timezone.now(),
    }
    return results


def public_results(selection):
    """:func:`compute_results`, from the cache when nothing changed since."""
    key = selection.cache_key()
    cache = _cache()
    results = cache.get(key)
    if results is None:
        results = compute_results(selection)
        cache.set(key, results, get_setting("PUBLIC_CACHE_TIMEOUT"))
    return results
