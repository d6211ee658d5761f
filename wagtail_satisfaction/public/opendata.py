"""The open-data tables: aggregated figures of a published campaign, never a response.

Four tables (per unit, month, question and factor), all from
:func:`~..reports.stats.build_report`. The small-group rule
(:func:`~..reports.disclosure.suppress_small_groups`) applies to units and months: groups under
``MIN_GROUP_SIZE`` responses are pooled into one row (with complementary suppression), whose
figures are withheld when it is still too small; question and factor figures are withheld
when the selection itself is too small. No officer appears anywhere.
"""

from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..conf import get_setting
from ..reports.disclosure import minimum_group_size, suppress_small_groups
from ..reports.filters import ReportFilters
from ..reports.stats import _merge, build_report, round_percent
from .results import current_version, method_note

TABLES = ("units", "months", "questions", "factors")


def published_campaigns():
    from ..models import Campaign

    return Campaign.objects.filter(publish_results=True).select_related("unit", "questionnaire")


def _number(value):
    """An exact figure as the payload gives it: rounded half-up to 2 decimals (a JSON number
    and the same text in CSV), or None."""
    return None if value is None else float(round_percent(value))


def _group_table(rows, key_name, pool_label, minimum):
    # Keyed by position: two units may share a name.
    disclosure = suppress_small_groups(list(enumerate(rows)), minimum)
    out = [_group_row(key_name, row.label, row, False) for _key, row in disclosure.shown]
    if disclosure.pooled_keys:
        pooled = [row for i, row in enumerate(rows) if i in disclosure.pooled_keys]
        out.append({key_name: pool_label, "responses": sum(r.responses for r in pooled),
                    "percent_satisfied": None, "mean_points": None, "d766_ratio": None,
                    "withheld": True} if disclosure.figures_withheld else
                   _group_row(key_name, pool_label, _merge(pool_label, pooled), False))
    return out


def _group_row(key_name, label, row, withheld):
    return {key_name: label, "responses": row.responses,
            "percent_satisfied": _number(row.percent_satisfied),
            "mean_points": _number(row.mean_points), "d766_ratio": _number(row.d766_ratio),
            "withheld": withheld}


def compute_tables(campaign, unit=None):
    """{table name: rows} and the campaign's totals, for ``campaign`` (and ``unit``)."""
    minimum = minimum_group_size()
    report = build_report(ReportFilters(campaign=campaign, unit=unit), comment_limit=1,
                          breakdowns=("unit",))
    shown = report.responses >= minimum
    # The unit tree's rows overlap (a unit, then its sub-units): only the rows that do not
    # (the unit's own responses, each direct sub-unit with its tree) are pooled and added up.
    units = next(b.partition for b in report.breakdowns if b.key == "unit")
    questions = [{
        "code": q.question.code, "question": q.question.text, "factor": str(q.question.factor),
        "applicable": q.applicable if shown else None,
        "not_applicable": q.not_applicable if shown else None,
        "percent_satisfied": _number(q.percent_satisfied) if shown else None,
        "mean": _number(q.mean) if shown else None,
        "withheld": not shown,
    } for q in report.questions]
    factors = [{"code": f.factor.code, "factor": str(f.factor),
                "index": _number(f.index) if shown else None, "withheld": not shown}
               for f in report.factors]
    return {
        "totals": {
            "responses": report.responses,
            "overall_index": _number(report.overall_index) if shown else None,
            "tthc_points": _number(report.tthc_total) if shown and report.indicators else None,
            "tthc_maximum": report.tthc_maximum if report.indicators else None,
            "tthc_band": report.tthc_band if shown and report.indicators else None,
            "d766_ratio": _number(report.d766_ratio) if shown else None,
            "withheld": not shown,
        },
        "units": _group_table(units, "unit", _("Other units (fewer than %(minimum)s responses "
                                               "each)") % {"minimum": minimum}, minimum),
        "months": _group_table(report.trend, "month", _("Other months (fewer than %(minimum)s "
                                                        "responses each)") % {"minimum": minimum},
                               minimum),
        "questions": questions,
        "factors": factors,
    }


def open_data(campaign, table, unit=None):
    """The payload of one table: the rows, with the licence, method and campaign stated."""
    assert table in TABLES
    key = "wagtail_satisfaction:public:opendata:{}:{}:{}:{}".format(
        campaign.pk, unit.pk if unit else "", translation.get_language(),
        current_version(campaign.pk))
    cache = caches[get_setting("PUBLIC_CACHE")]
    tables = cache.get(key)
    if tables is None:
        tables = compute_tables(campaign, unit)
        tables["generated_at"] = timezone.now().isoformat(timespec="seconds")
        cache.set(key, tables, get_setting("PUBLIC_CACHE_TIMEOUT"))
    licence = get_setting("OPEN_DATA_LICENCE")
    return {
        "campaign": {"slug": campaign.slug, "title": campaign.title,
                     "unit": campaign.unit.name, "opens_on": campaign.opens_on,
                     "closes_on": campaign.closes_on,
                     "questionnaire": campaign.questionnaire.get_kind_display()},
        "unit": unit.name if unit else campaign.unit.name,
        "table": table,
        "licence": dict(licence),
        "method": method_note(minimum_group_size()),
        "min_group_size": minimum_group_size(),
        "generated_at": tables["generated_at"],
        "totals": tables["totals"],
        "rows": tables[table],
    }
