"""Importing a sub-unit's export: every kind of wrong cell and wrong column is named, on its
row, in the user's language, and nothing of the file is stored."""

import io

import pytest
from django.utils import translation

from tests.reports_factories import build_hand_dataset
from tests.test_reports_import import edited, exported, responses_sheet, sheets
from wagtail_satisfaction.imports import ImportFileError, read_sheets
from wagtail_satisfaction.models import Response
from wagtail_satisfaction.reports.exports import iter_csv
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.imports import import_responses

pytestmark = pytest.mark.django_db


def cell(stream, row, key):
    """The value in ``row`` of the column ``key`` of an exported workbook's responses."""
    from openpyxl import load_workbook

    from wagtail_satisfaction.reports.columns import lookup, normalise

    sheet = responses_sheet(load_workbook(io.BytesIO(stream.getvalue())))
    keys = lookup([key])
    column = next(c.column for c in sheet[1] if keys.get(normalise(c.value)) == key)
    return sheet.cell(row, column).value


def errors_of(campaign, stream):
    with translation.override("en"):
        result = import_responses(campaign, sheets(stream))
    assert not result.ok and result.stored == 0
    return {row: " ".join(messages) for row, messages in result.errors}


def test_every_wrong_cell_is_named_on_its_row():
    data = build_hand_dataset()
    campaign = data["campaign"]
    uids = [str(r.uid) for r in data["responses"]]
    stream = exported(campaign)
    Response.objects.filter(uid__in=uids[:3]).delete()  # three rows would be new
    count = Response.objects.count()
    bad = edited(stream, {
        (2, "submitted_at"): "hôm qua",
        (3, "procedure_code"): "KHONG-CO",
        (4, "officer"): "Người Lạ",
        (5, "dossier_proven"): "có lẽ",
        (5, "comment_state"): "lost",
        (6, "uid"): uids[3],  # row 5's response id again
        (6, "Q1"): "nhiều",
    })
    assert errors_of(campaign, bad) == {
        2: "the date “hôm qua” is not a date and time",
        3: "procedure “KHONG-CO” is not handled in this campaign",
        4: "officer “Người Lạ” is not known in this campaign",
        5: "“có lẽ” in column dossier_proven is neither 1 nor 0 "
           "“lost” is not a moderation state (off_topic, pending, relevant, spam)",
        6: f"the response id {uids[3]} appears twice in the file "
           "“nhiều” is not an answer to question 1 Question 1 needs an answer.",
    }
    assert Response.objects.count() == count


def test_a_missing_or_broken_response_id_is_named():
    data = build_hand_dataset()
    bad = edited(exported(data["campaign"]), {(3, "uid"): "không-phải-mã"})
    assert errors_of(data["campaign"], bad) == {
        3: "the response id (uid) is missing or not valid"}


@pytest.mark.parametrize("typed, proven", [(True, True), ("1.0", True), ("x", True),
                                           ("0", False), ("không", False)])
def test_the_proven_flag_is_read_as_a_spreadsheet_gives_it(typed, proven):
    data = build_hand_dataset()
    campaign = data["campaign"]
    stream = edited(exported(campaign), {(2, "dossier_proven"): typed,
                                         (2, "dossier_code"): "HS-77"})
    uid = cell(stream, 2, "uid")
    Response.objects.filter(uid=uid).delete()
    result = import_responses(campaign, sheets(stream))
    assert result.ok and (result.stored, result.skipped) == (1, 4)
    assert Response.objects.get(uid=uid).dossier_proven is proven


def csv_of(campaign):
    return b"".join(iter_csv(ReportFilters(campaign=campaign))).decode("utf-8-sig")


def refusal(campaign, content, name="responses.csv"):
    with translation.override("en"), pytest.raises(ImportFileError) as refused:
        import_responses(campaign, read_sheets(content.encode(), name))
    return str(refused.value)


def test_a_column_without_a_header_but_with_data_is_refused():
    data = build_hand_dataset()
    lines = csv_of(data["campaign"]).splitlines()
    width = lines[0].count(",") + 2
    content = "\n".join([lines[0] + ",", *(line + ",bí ẩn" for line in lines[1:])])
    message = refusal(data["campaign"], content)
    assert f"Unknown column(s): “column {width} (no header)”." in message
    assert "Upload the file as the report exported it" in message


def test_an_empty_column_without_a_header_is_ignored():
    data = build_hand_dataset()
    lines = csv_of(data["campaign"]).splitlines()
    content = "\n".join([lines[0] + ",", *(line + "," for line in lines[1:])])
    result = import_responses(data["campaign"], read_sheets(content.encode(), "r.csv"))
    assert result.ok and (result.stored, result.skipped) == (0, 5)


def test_a_column_given_twice_is_refused():
    data = build_hand_dataset()
    lines = csv_of(data["campaign"]).splitlines()
    first = lines[0].split(",")[0]  # the response id's header
    content = "\n".join([lines[0] + "," + first,
                         *(line + "," + line.split(",")[0] for line in lines[1:])])
    assert f"Column(s) given twice: “{first}”." in refusal(data["campaign"], content)


def test_a_file_without_a_responses_sheet_says_which_columns_it_needs():
    data = build_hand_dataset()
    message = refusal(data["campaign"], "tên,tuổi\nAn,30\n")
    assert message.startswith("No sheet of responses found: the first row must hold the "
                              "columns of the export (")


def test_missing_question_columns_are_named():
    data = build_hand_dataset()
    lines = csv_of(data["campaign"]).splitlines()
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name not in ("Q1", "Q2")]
    assert len(keep) < len(header), header

    def cut(line):
        cells = line.split(",")
        return ",".join(cells[i] for i in keep)

    content = "\n".join(cut(line) for line in lines)
    message = refusal(data["campaign"], content)
    assert "Missing column(s): “Q1”, “Q2”." in message
