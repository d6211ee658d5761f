"""Imports (imports.py) at the edges mutation testing found unpinned (scripts/mutation.sh,
issue 10): what staff read when a row fails while it is stored, how a re-import counts, and how
each wrong cell is named.
"""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, connection

from tests.channels_factories import make_officer, make_procedure, make_unit, xlsx_bytes
from wagtail_satisfaction.channels.imports import COLUMNS, DossierResource, import_dossiers
from wagtail_satisfaction.imports import _validation_messages, import_with_resource, read_dataset
from wagtail_satisfaction.models import Dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def unit():
    unit = make_unit("Bộ phận Một cửa", code="mot-cua")
    make_procedure(unit, code="1.001234")
    make_officer(unit, name="Trần Thị Hoa")
    return unit


def dossier_rows(*codes, **changes):
    values = {"unit": "mot-cua", "procedure": "1.001234", "officer": "Trần Thị Hoa",
              "applicant_name": "An", "email": "", "phone": "", "received_on": "01/09/2026",
              "due_on": "15/09/2026", "returned_on": ""}
    return [[{**values, "code": code, **changes.get(code, {})}[column] for column in COLUMNS]
            for code in codes]


class DiskFull(DossierResource):
    """The dossier resource on a database that fails while storing one dossier."""

    def __init__(self, failing_code):
        super().__init__()
        self.failing_code = failing_code

    def save_instance(self, instance, is_create, row, **kwargs):
        if instance.code == self.failing_code:
            raise DatabaseError("the disk is full")
        return super().save_instance(instance, is_create, row, **kwargs)


def test_a_row_that_fails_while_stored_is_named_on_its_line_and_nothing_is_kept(unit):
    """Line 3 is stored before line 4 fails in the database: line 4 is named with the
    database's reason, line 5 (a wrong date) with its own, in line order, and line 3 is
    rolled back with the rest."""
    dataset = read_dataset(xlsx_bytes(COLUMNS, dossier_rows(
        "A-1", "B-2", "Z-3", "C-4", **{"C-4": {"due_on": "mai"}})), "dossiers.xlsx")
    result = import_with_resource(DiskFull("Z-3"), dataset)
    assert not result.ok and result.stored == 0
    assert [line for line, _messages in result.errors] == [4, 5]
    assert result.errors[0][1] == ["the disk is full"]
    assert result.errors[1][1] == ["due_on: “mai” is not a date; write it as dd/mm/yyyy."]
    assert Dossier.objects.count() == 0


class StatementFails(DossierResource):
    """The dossier resource on a database that refuses to store one dossier: the statement
    fails in the database itself, which on PostgreSQL aborts the transaction."""

    def __init__(self, failing_code):
        super().__init__()
        self.failing_code = failing_code

    def save_instance(self, instance, is_create, row, **kwargs):
        if instance.code == self.failing_code:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM dossier_store_refused")
        return super().save_instance(instance, is_create, row, **kwargs)


def test_a_row_the_database_refuses_is_named_and_the_rows_after_it_still_checked(unit):
    """On PostgreSQL a failed statement aborts the transaction: without a savepoint per row
    the import stopped with a server error instead of naming line 4 and checking the rest
    (line 5's wrong date, line 6 fine)."""
    dataset = read_dataset(xlsx_bytes(COLUMNS, dossier_rows(
        "A-1", "B-2", "Z-3", "C-4", "D-5", **{"C-4": {"due_on": "mai"}})), "dossiers.xlsx")
    result = import_with_resource(StatementFails("Z-3"), dataset)
    assert not result.ok and result.stored == 0
    assert [line for line, _messages in result.errors] == [4, 5]
    assert "dossier_store_refused" in result.errors[0][1][0]
    assert result.errors[1][1] == ["due_on: “mai” is not a date; write it as dd/mm/yyyy."]
    assert Dossier.objects.count() == 0
    # the connection is usable after the import
    assert import_with_resource(DossierResource(), read_dataset(xlsx_bytes(
        COLUMNS, dossier_rows("A-1")), "dossiers.xlsx")).stored == 1


class FileRefused(DossierResource):
    def before_import(self, dataset, **kwargs):
        raise DatabaseError("the database is read-only")


def test_a_file_that_fails_as_a_whole_is_named_on_line_one(unit):
    dataset = read_dataset(xlsx_bytes(COLUMNS, dossier_rows("A-1")), "dossiers.xlsx")
    result = import_with_resource(FileRefused(), dataset)
    assert result.errors == [(1, ["the database is read-only"])]
    assert Dossier.objects.count() == 0


def test_a_reimport_counts_updated_and_new_dossiers_as_stored(unit):
    assert import_dossiers(read_dataset(xlsx_bytes(COLUMNS, dossier_rows("A-1", "B-2")),
                                        "dossiers.xlsx")).stored == 2
    again = import_dossiers(read_dataset(xlsx_bytes(COLUMNS, dossier_rows(
        "A-1", "B-2", "C-3", "D-4", **{"B-2": {"returned_on": "10/09/2026"}})),
        "dossiers.xlsx"))
    assert (again.stored, again.updated, again.new, again.skipped) == (3, 1, 2, 1)
    assert Dossier.objects.count() == 4


def test_each_wrong_cell_of_a_dossier_row_is_named_by_its_column(unit):
    result = import_dossiers(read_dataset(xlsx_bytes(COLUMNS, dossier_rows(
        "A-1", **{"A-1": {"email": "khong-phai-email", "due_on": "01/08/2026"}})),
        "dossiers.xlsx"))
    (line, messages), = result.errors
    assert line == 2
    assert sorted(messages) == ["due_on: The due date cannot be before the dossier is "
                                "received.", "email: Enter a valid email address."]


def test_a_message_that_belongs_to_no_column_is_shown_without_a_column_name():
    assert _validation_messages(ValidationError("Không đọc được dòng này")) == [
        "Không đọc được dòng này"]
    assert _validation_messages(ValidationError({
        NON_FIELD_ERRORS: ["Trùng với dòng khác"], "phone": ["Quá dài"]})) == [
        "Trùng với dòng khác", "phone: Quá dài"]


def test_a_file_that_cannot_be_read_is_refused_in_these_words():
    from wagtail_satisfaction.imports import ImportFileError, read_dataset

    with pytest.raises(ImportFileError) as refused:
        read_dataset(b"code\n", "danh-sach.pdf")
    assert str(refused.value) == "Please upload an .xlsx or .csv file."
    with pytest.raises(ImportFileError) as refused:
        read_dataset(b"PK\x03\x04 not a workbook", "danh-sach.xlsx")
    assert str(refused.value) == ("This file could not be read as an .xlsx or .csv spreadsheet: "
                                  "save it again from Excel or LibreOffice and upload it once "
                                  "more.")


def test_every_sheet_of_a_workbook_and_a_one_column_csv_are_read():
    """The import of a sub-unit's export reads every sheet; a list of codes alone is a
    one-column csv, read as text or as uploaded bytes."""
    import io

    import openpyxl

    from wagtail_satisfaction.imports import read_dataset, read_sheets

    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "unit"])
    workbook.active.append(["H01", "mot-cua"])
    workbook.create_sheet("Góp ý").append(["comment"])
    content = io.BytesIO()
    workbook.save(content)
    sheets = read_sheets(content.getvalue(), "ket-qua.xlsx")
    assert [sheet.headers for sheet in sheets] == [["code", "unit"], ["comment"]]
    assert sheets[0].dict == [{"code": "H01", "unit": "mot-cua"}]
    for given in ("code\nH01\nH02\n", b"\xef\xbb\xbfcode\nH01\nH02\n"):
        dataset = read_dataset(given, "ma-ho-so.csv")
        assert dataset.headers == ["code"] and dataset["code"] == ["H01", "H02"]
