"""Combining sub-units' results: the export's own xlsx (or csv) goes back in, once, or not at
all."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.imports import ImportFileError, read_sheets
from wagtail_satisfaction.models import Answer, Comment, Response
from wagtail_satisfaction.reports.columns import (
    CHANNEL,
    RESPONSE_COLUMNS,
    UID,
    lookup,
    normalise,
)
from wagtail_satisfaction.reports.exports import write_xlsx
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.imports import import_responses
from wagtail_satisfaction.reports.stats import build_report, round_percent

pytestmark = pytest.mark.django_db


def exported(campaign):
    stream = io.BytesIO()
    write_xlsx(stream, ReportFilters(campaign=campaign))
    stream.seek(0)
    return stream


def sheets(stream, name="export.xlsx"):
    return read_sheets(stream.getvalue(), name)


def responses_sheet(workbook):
    """The responses sheet of an exported workbook, whatever the language of its headers."""
    keys = lookup([UID, CHANNEL])
    return next(ws for ws in workbook.worksheets
                if {UID, CHANNEL} <= {keys.get(normalise(c.value)) for c in ws[1]})


def edited(stream, changes):
    """Apply {(row, column code): value} to the responses sheet of an exported workbook."""
    workbook = load_workbook(stream)
    sheet = responses_sheet(workbook)
    keys = lookup([*RESPONSE_COLUMNS, "Q1", "Q2", "Q3", "QE1", "QE2"])
    header = [keys.get(normalise(cell.value)) for cell in sheet[1]]
    for (row, column), value in changes.items():
        sheet.cell(row, header.index(column) + 1).value = value
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_reimporting_an_unchanged_export_stores_nothing_new():
    data = build_hand_dataset()
    before = (Response.objects.count(), Answer.objects.count(), Comment.objects.count())
    result = import_responses(data["campaign"], sheets(exported(data["campaign"])))
    assert result.ok and result.stored == 0 and result.skipped == 5
    assert (Response.objects.count(), Answer.objects.count(), Comment.objects.count()) == before


def test_a_sub_units_file_is_combined_once(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1  # every officer named in the file
    data = build_hand_dataset()
    campaign = data["campaign"]
    stream = exported(campaign)
    # The sub-unit's file: the same rows, as if collected elsewhere (stored nowhere here yet).
    uids = [r.uid for r in data["responses"]]
    before = build_report(ReportFilters(campaign=campaign))
    Response.objects.filter(uid__in=uids[:2]).delete()
    from wagtail_satisfaction.reports.rollup import rebuild_tallies

    rebuild_tallies()
    result = import_responses(campaign, sheets(stream))
    assert result.ok and (result.stored, result.skipped) == (2, 3)
    restored = Response.objects.get(uid=uids[1])
    assert restored.unit == data["unit_a1"] and restored.officer == data["an"]
    assert restored.answers.get(question__code="2").value is None  # "na" stays N/A
    after = build_report(ReportFilters(campaign=campaign))
    # The hand-counted figures of tests/test_reports_figures.py, not the report's own.
    assert (before.responses, after.responses) == (5, 5)
    assert round_percent(after.overall_index) == Decimal("54.17")
    assert [(row.label, row.responses, round_percent(row.percent_satisfied))
            for row in after.trend] == [  # 00:30 on 1 October is still October
        ("09/2025", 1, Decimal("66.67")), ("10/2025", 2, 50), ("11/2025", 2, Decimal("66.67"))]
    again = import_responses(campaign, sheets(stream))
    assert (again.stored, again.skipped) == (0, 5)
    assert Response.objects.count() == 5


def test_one_bad_row_stores_nothing_and_names_the_row_and_problem():
    data = build_hand_dataset()
    campaign = data["campaign"]
    stream = exported(campaign)
    Response.objects.filter(uid__in=[r.uid for r in data["responses"][:2]]).delete()
    bad = edited(stream, {(4, "Q3"): 7})  # row 4 of the sheet: question 3 answered 7 of 1–5
    count = Response.objects.count()
    with translation.override("en"):
        result = import_responses(campaign, sheets(bad))
    assert not result.ok
    assert result.stored == 0
    assert len(result.errors) == 1
    row, messages = result.errors[0]
    assert row == 4
    assert "7 is not a possible answer to question 3" in "; ".join(messages)
    assert Response.objects.count() == count  # the two valid new rows were not stored


def test_errors_in_the_users_language():
    data = build_hand_dataset()
    bad = edited(exported(data["campaign"]), {(2, "channel"): "bồ câu", (3, "unit_code"): "xyz"})
    with translation.override("en"):
        result = import_responses(data["campaign"], sheets(bad))
    assert [row for row, _message in result.errors] == [2, 3]
    assert "“bồ câu” is not a channel" in "; ".join(result.errors[0][1])
    assert "unit “xyz” is not" in "; ".join(result.errors[1][1])


def test_a_file_that_is_not_a_workbook_is_refused():
    data = build_hand_dataset()
    with pytest.raises(ImportFileError):
        import_responses(data["campaign"], sheets(io.BytesIO(b"uid,submitted_at\n")))


def test_the_responses_csv_goes_back_in_too(settings):
    from wagtail_satisfaction.reports.exports import iter_csv

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1  # every officer named in the file
    data = build_hand_dataset()
    campaign = data["campaign"]
    content = b"".join(iter_csv(ReportFilters(campaign=campaign)))
    uids = [r.uid for r in data["responses"]]
    Response.objects.filter(uid__in=uids[:2]).delete()
    result = import_responses(campaign, read_sheets(content, "responses.csv"))
    assert result.ok and (result.stored, result.skipped) == (2, 3)
    restored = Response.objects.get(uid=uids[1])
    assert restored.unit == data["unit_a1"] and restored.officer == data["an"]
    assert restored.answers.get(question__code="2").value is None


@pytest.mark.parametrize("language", ["vi", "en"])
def test_officers_pooled_by_the_small_group_rule_come_back_with_no_officer(settings, language):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 5  # An (3) and Bình (1) are not named
    data = build_hand_dataset()
    campaign = data["campaign"]
    with translation.override(language):
        stream = exported(campaign)
    uids = [r.uid for r in data["responses"]]
    Response.objects.filter(uid__in=uids[:2]).delete()
    result = import_responses(campaign, sheets(stream))
    assert result.ok and (result.stored, result.skipped) == (2, 3)
    restored = Response.objects.get(uid=uids[1])
    assert restored.unit == data["unit_a1"] and restored.officer is None
