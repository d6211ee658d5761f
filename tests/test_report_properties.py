"""Property-based tests of the report: for random small datasets, every figure the report
gives — from the daily tallies, from the raw answers, in the xlsx and on the page — equals a
reference counted here in a few lines of plain Python, written from DOMAIN.md's rules and not
from the product's code.

The datasets mix units at three levels, "not applicable" answers, times within 90 minutes of
a local midnight that starts a month or a quarter in Asia/Ho_Chi_Minh (UTC+7, so the UTC date
is often the day before), and officers rated about as often as the minimum group size.

Examples per run come from the Hypothesis profile: "ci" (default, a few seconds) or
``HYPOTHESIS_PROFILE=long`` by hand (see tests/conftest.py).
"""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl import load_workbook

from tests.factories import make_campaign, make_officer, make_unit, make_user
from tests.reports_factories import make_small_questionnaire
from wagtail_satisfaction.reports.exports import write_xlsx
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report
from wagtail_satisfaction.services import submit_response

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Local midnights that start a month (1 Nov), a quarter (1 Oct) and a year (1 Jan).
BOUNDARIES = [datetime.datetime(2025, 10, 1, tzinfo=VN), datetime.datetime(2025, 11, 1, tzinfo=VN),
              datetime.datetime(2026, 1, 1, tzinfo=VN)]
UNITS = {"root": None, "A": "root", "A1": "A", "B": "root"}  # unit → parent
OFFICERS = {"An": "A", "Bình": "A1", "Chi": "B"}  # officer → unit
INDEX = {"F1": ["1", "2"], "F2": ["3"]}  # the small questionnaire's index factors
SATISFACTION = st.one_of(st.none(), st.integers(1, 5))  # None: "not applicable"

response_strategy = st.fixed_dictionaries({
    "unit": st.sampled_from(list(UNITS)),
    "officer": st.one_of(st.none(), st.sampled_from(list(OFFICERS))),
    "at": st.builds(lambda boundary, minutes: boundary + datetime.timedelta(minutes=minutes),
                    st.sampled_from(BOUNDARIES), st.integers(-90, 90)),
    "answers": st.fixed_dictionaries({"1": SATISFACTION, "2": SATISFACTION, "3": SATISFACTION,
                                      "E1": st.integers(1, 3)}),
})
filters_strategy = st.fixed_dictionaries({
    "unit": st.sampled_from([None, "root", "A", "B"]),
    # (the report page's period fields, the local dates they stand for)
    "period": st.sampled_from([
        None,
        ({"period": "quarter", "year": 2025, "number": 4},
         (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))),
        ({"period": "month", "year": 2025, "number": 11},
         (datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))),
        ({"period": "custom", "date_from": "2025-09-30", "date_to": "2025-10-31"},
         (datetime.date(2025, 9, 30), datetime.date(2025, 10, 31))),
    ]),
})


# --- The reference: plain Python over the generated rows --------------------------------------

def within(unit, ancestor):
    while unit is not None:
        if unit == ancestor:
            return True
        unit = UNITS[unit]
    return False


def pct(part, whole):
    return Fraction(100 * part, whole) if whole else None


def average(values):
    values = [v for v in values if v is not None]
    return sum(values, Fraction(0)) / len(values) if values else None


def group_index(rows):
    """The overall index of these responses: each question's % satisfied, the mean per
    factor, the mean of the factors (the campaign's default aggregation)."""
    percents = {}
    for q in ("1", "2", "3"):
        values = [row["answers"][q] for row in rows if row["answers"][q] is not None]
        percents[q] = pct(sum(v >= 4 for v in values), len(values))
    return average(average(percents[q] for q in qs) for qs in INDEX.values())


def pooled(rows):
    """% of satisfied (4 or 5) among the applicable index answers of these responses."""
    answers = [v for row in rows for q in ("1", "2", "3") if (v := row["answers"][q]) is not None]
    return pct(sum(v >= 4 for v in answers), len(answers))


def check_officers(figures, expected, minimum):
    """The small-group rule (reports/disclosure.py) may pool more officers than those under
    the minimum (so that no small group can be recovered by subtraction): every officer the
    product names is named by the reference with the same figures, every officer-rated
    response is in a named row or the pooled one, and the pool is empty or not small."""
    assert set(figures["officers"]) <= set(expected["officers"])
    shown = sum(n for _name, n, _share in figures["officers"])
    assert shown + figures["pooled"] == expected["officer_total"]
    assert figures["pooled"] == 0 or figures["pooled"] >= minimum or not figures["officers"]
    assert figures["hidden_officers"] >= expected["hidden_officers"]


def without_officers(figures):
    return {key: value for key, value in figures.items()
            if key not in ("officers", "pooled", "hidden_officers", "officer_total",
                           "officer_index")}


def reference(rows, chosen, minimum):
    """Every figure the test compares, from the rows and filters as the test generated them."""
    root = chosen["unit"] or "root"
    scope = [row for row in rows if within(row["unit"], root) and (
        chosen["period"] is None
        or chosen["period"][1][0] <= row["at"].astimezone(VN).date() <= chosen["period"][1][1])]
    questions = {}
    for q in ("1", "2", "3"):
        values = [row["answers"][q] for row in scope if row["answers"][q] is not None]
        questions[q] = (len(values), sum(v >= 4 for v in values),
                        pct(sum(v >= 4 for v in values), len(values)))
    factors = {f: average(questions[q][2] for q in qs) for f, qs in INDEX.items()}
    officers = {}
    for row in scope:
        if row["officer"]:
            officers.setdefault(row["officer"], []).append(row)
    months = {}
    for row in scope:
        local = row["at"].astimezone(VN)
        months.setdefault((local.year, local.month), []).append(row)
    children = [unit for unit, parent in UNITS.items() if parent == root]
    units = [(root, [row for row in scope if row["unit"] == root])] + [
        (child, [row for row in scope if within(row["unit"], child)]) for child in children]
    return {
        "responses": len(scope),
        "dissatisfied": sum(any(row["answers"][q] is not None and row["answers"][q] <= 2
                                for q in ("1", "2", "3")) for row in scope),
        "questions": questions,
        "factors": factors,
        "overall": average(factors.values()),
        "officers": sorted((name, len(group), pooled(group)) for name, group in officers.items()
                           if len(group) >= minimum),
        "officer_index": {name: group_index(group) for name, group in officers.items()},
        "hidden_officers": sum(len(group) < minimum for group in officers.values()),
        "officer_total": sum(len(group) for group in officers.values()),
        "trend": [(f"{month:02d}/{year}", len(group), pooled(group), group_index(group))
                  for (year, month), group in sorted(months.items())],
        "units": [(unit, len(group), pooled(group), group_index(group))
                  for unit, group in units if group],
    }


def rounded(value):
    if value is None:
        return None
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP))


# --- The product, seen four ways --------------------------------------------------------------

class ReportFiguresProperty(TestCase):
    """Each example runs in its own transaction, rolled back afterwards."""

    def build(self, rows):
        units = {}
        for name, parent in UNITS.items():  # parents first (dict order)
            units[name] = make_unit(f"Đơn vị {name}", parent=units.get(parent),
                                    code=f"unit-{name.lower()}")
        officers = {name: make_officer(units[unit], name=f"Cán bộ {name}")
                    for name, unit in OFFICERS.items()}
        campaign = make_campaign(unit=units["root"], questionnaire=make_small_questionnaire(),
                                 opens_on=datetime.date(2025, 9, 1),
                                 closes_on=datetime.date(2026, 1, 31))
        questions = {q.code: q for q in campaign.questionnaire.questions()}
        for row in rows:
            submit_response(campaign, answers={questions[code]: value
                                               for code, value in row["answers"].items()},
                            unit=units[row["unit"]], submitted_at=row["at"],
                            officer=officers[row["officer"]] if row["officer"] else None,
                            check_open=False)
        return campaign, units

    def product_filters(self, campaign, units, chosen, raw=False):
        start, end = chosen["period"][1] if chosen["period"] else (None, None)
        return ReportFilters(campaign=campaign, start=start, end=end, raw=raw,
                             unit=units[chosen["unit"]] if chosen["unit"] else None)

    def report_figures(self, report):
        by_code = {q.question.code: q for q in report.questions}
        breakdowns = {b.key: b for b in report.breakdowns}
        label = {f"Cán bộ {name}": name for name in OFFICERS}
        unit_label = {f"Đơn vị {name}": name for name in UNITS}
        return {
            "responses": report.responses,
            "dissatisfied": report.totals.dissatisfied,
            "questions": {code: (by_code[code].applicable, by_code[code].satisfied,
                                 by_code[code].percent_satisfied) for code in ("1", "2", "3")},
            "factors": {f.factor.code: f.index for f in report.factors},
            "overall": report.overall_index,
            "officers": sorted((label[row.label], row.responses, row.percent_satisfied)
                               for row in breakdowns["officer"].rows if row.label in label),
            # The pooled row only: responses naming no officer have a row of their own.
            "pooled": sum(row.responses for row in breakdowns["officer"].rows
                          if row.kind == "pool"),
            "hidden_officers": breakdowns["officer"].hidden_groups,
            "trend": [(row.label, row.responses, row.percent_satisfied, row.index)
                      for row in report.trend],
            # The unit tree's rows that do not overlap: own responses, each child's tree.
            "units": [(unit_label[row.label], row.responses, row.percent_satisfied, row.index)
                      for row in breakdowns["unit"].partition],
        }

    def xlsx_figures(self, filters):
        stream = io.BytesIO()
        with translation.override("en"):
            write_xlsx(stream, filters)
        workbook = load_workbook(io.BytesIO(stream.getvalue()))

        def table(title):
            rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
            return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]] if rows else []

        def percent(cell):  # a percentage cell holds the share: 0.5417 is 54.17 %
            return None if cell is None else round(cell * 100, 2)

        summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
        questions = {row["Code"]: row for row in table("Questions")}
        return {
            "responses": summary["Responses"],
            "overall": percent(summary.get("Overall index (%)")),
            "dissatisfied": summary["Dissatisfied responses"],
            "questions": {code: (questions[code]["N (applicable)"],
                                 questions[code]["Satisfied answers"],
                                 percent(questions[code]["% satisfied"]))
                          for code in ("1", "2", "3")},
            "officers": sorted((row["Group"], row["Responses"], percent(row["Overall index"]))
                               for row in table("By officer")),
            "trend": [(row["Month"], row["Responses"], percent(row["Overall index"]))
                      for row in table("Trend by month")],
        }

    def page_figures(self, campaign, units, chosen):
        query = {"campaign": campaign.pk}
        if chosen["unit"]:
            query["unit"] = units[chosen["unit"]].pk
        if chosen["period"]:
            query.update(chosen["period"][0])
        html = self.client.get(reverse("wagtail_satisfaction_reports:report"),
                               query).content.decode()

        def strong(figure):
            found = re.search(rf'id="{figure}">[^<]*<strong>([^<]*)</strong>', html)
            return found and found.group(1)

        return {"responses": strong("figure-responses"), "overall": strong("figure-overall")}

    @given(rows=st.lists(response_strategy, max_size=10), chosen=filters_strategy,
           minimum=st.integers(1, 3))
    def test_every_source_gives_the_reference_figures(self, rows, chosen, minimum):
        with override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=minimum):
            campaign, units = self.build(rows)
            expected = reference(rows, chosen, minimum)

            for raw in (False, True):  # daily tallies, then raw answers
                report = build_report(self.product_filters(campaign, units, chosen, raw=raw))
                figures = self.report_figures(report)
                check_officers(figures, expected, minimum)
                assert without_officers(figures) == without_officers(expected), f"raw={raw}"

            sheet = self.xlsx_figures(self.product_filters(campaign, units, chosen))
            assert sheet["responses"] == expected["responses"]
            assert sheet["dissatisfied"] == expected["dissatisfied"]
            assert sheet["overall"] == rounded(expected["overall"])
            assert sheet["questions"] == {q: (n, satisfied, rounded(share)) for q, (
                n, satisfied, share) in expected["questions"].items()}
            named = {row[0]: row for row in sheet["officers"] if row[0].startswith("Cán bộ ")}
            assert set(named.values()) <= {
                (f"Cán bộ {name}", n, rounded(expected["officer_index"][name]))
                for name, n, _share in expected["officers"]}
            assert sheet["trend"] == [(label, n, rounded(index))
                                      for label, n, _share, index in expected["trend"]]

            self.client.force_login(make_user(f"thuky-{len(rows)}", is_superuser=True,
                                              is_staff=True))
            if not expected["responses"]:
                return  # an empty selection shows a message, not figures (test_reports_defects)
            with translation.override("vi"):
                page = self.page_figures(campaign, units, chosen)
            assert page["responses"] == str(expected["responses"])
            overall = rounded(expected["overall"])
            assert page["overall"] == ("–" if overall is None
                                       else f"{overall:.2f}".replace(".", ",") + "%"), page
