"""The responses sheet of the xlsx says cell for cell what the csv says.

The xlsx writer builds its cell XML itself (reports/exports.py ``_FastRows``): repeated text
goes to the shared strings, the rest inline, numbers and local times as such. Whatever the
path a value takes, the spreadsheet shows the same text as the csv: escaped formulas stay
escaped, text shaped like rich-text markup stays literal text, runs of spaces stay.
"""

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests.reports_factories import build_hand_dataset, local, respond
from wagtail_satisfaction.models import Response
from wagtail_satisfaction.reports import exports
from wagtail_satisfaction.reports.exports import ExportRequest

pytestmark = pytest.mark.django_db

TRICKY = ["<r>in đậm</r>", "=SUM(A1:A9) chậm", "hai  dấu   cách", "@lệnh", "a & b < c"]


@pytest.fixture
def campaign(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1  # officers named, not pooled
    data = build_hand_dataset()
    campaign = data["campaign"]
    for day, text in enumerate(TRICKY * 2, 1):  # each twice: the second is a repeat
        respond(campaign, local(2025, 12, day, 10, 15), {"1": 5, "2": "na", "3": 4},
                unit=data["unit_a1"], channel="paper", comment=text)
    return campaign


def export(campaign, file_format):
    stream = io.BytesIO()
    with translation.override("vi"):
        ExportRequest({"campaign": campaign.pk}, format=file_format, personal=True).write(
            stream)
    return stream.getvalue()


def as_csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def test_every_cell_of_the_xlsx_responses_sheet_reads_as_in_the_csv(campaign):
    table = list(csv.reader(io.StringIO(export(campaign, "csv").decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(export(campaign, "xlsx")))["Phiếu trả lời"]
    rows = [[as_csv_text(value) for value in row]
            for row in sheet.iter_rows(values_only=True)]
    width = len(table[0])
    assert len(rows) == len(table) == 1 + 5 + 2 * len(TRICKY)  # five: the hand dataset
    assert [row[:width] + [""] * (width - len(row)) for row in rows] == table
    uids = Response.objects.filter(campaign=campaign).values_list("uid", flat=True)
    assert sorted(row[0] for row in table[1:]) == sorted(str(uid) for uid in uids)
    comments = [row[table[0].index("Ý kiến")] for row in rows[1:]]
    for text in ("<r>in đậm</r>", "'=SUM(A1:A9) chậm", "hai  dấu   cách", "'@lệnh",
                 "a & b < c"):
        assert comments.count(text) == 2, text


def test_answer_labels_and_times_are_typed_cells(campaign):
    sheet = load_workbook(io.BytesIO(export(campaign, "xlsx")))["Phiếu trả lời"]
    header = [cell.value for cell in sheet[1]]
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[header.index("Thời điểm gửi")] == datetime.datetime(2025, 12, 10, 10, 15)
    assert last[header.index("Q1")] == 5  # a number, not the text "5"
    assert last[header.index("Q1 (nhãn)")] == "Rất hài lòng"
    assert last[header.index("Q2")] == "na"


def test_an_export_read_in_many_small_chunks_is_the_same_file(campaign, monkeypatch):
    whole = export(campaign, "csv")
    monkeypatch.setattr(exports, "PG_CHUNK", 2)  # PostgreSQL: keyset statements
    monkeypatch.setattr(exports, "CHUNK", 2)  # SQLite
    monkeypatch.setattr(exports, "PROGRESS_LINES", 4)
    told = []

    def progress(done):  # a background export writes its progress to the database
        told.append((done, Response.objects.filter(campaign=campaign).count()))

    stream = io.BytesIO()
    with translation.override("vi"):
        ExportRequest({"campaign": campaign.pk}, format="csv", personal=True).write(
            stream, progress=progress)
    assert stream.getvalue() == whole
    assert len(whole.decode("utf-8-sig").splitlines()) == 1 + 15
    assert told == [(4, 15), (8, 15), (12, 15), (16, 15)]


def test_the_shared_strings_count_every_citation(campaign):
    with zipfile.ZipFile(io.BytesIO(export(campaign, "xlsx"))) as archive:
        table = archive.read("xl/sharedStrings.xml").decode()
        cited = sum(archive.read(name).decode().count(' t="s"><v>')
                    for name in archive.namelist() if name.startswith("xl/worksheets/"))
    counts = re.search(r'count="(\d+)" uniqueCount="(\d+)"', table)
    assert int(counts[1]) == cited > int(counts[2]) == table.count("<si>")
