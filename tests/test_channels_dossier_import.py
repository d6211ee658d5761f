"""Staff import the list of dossiers from a spreadsheet: all or nothing, no duplicates."""

import pytest

from tests.channels_factories import (
    make_officer,
    make_procedure,
    make_unit,
    xlsx_bytes,
)
from wagtail_satisfaction.channels.imports import COLUMNS, import_dossiers
from wagtail_satisfaction.imports import read_dataset
from wagtail_satisfaction.models import Dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    unit = make_unit("Bộ phận Một cửa", code="mot-cua")
    procedure = make_procedure(unit, code="1.001234")
    officer = make_officer(unit, name="Trần Thị Hoa")
    return unit, procedure, officer


def rows(count=3, changes=None):
    changes = changes or {}
    result = []
    for n in range(1, count + 1):
        row = {"code": f"h01.2{n:03d}", "unit": "mot-cua", "procedure": "1.001234",
               "officer": "Trần Thị Hoa", "applicant_name": f"Người nộp {n}",
               "email": f"nguoi{n}@example.vn", "phone": "0901000000",
               "received_on": "01/09/2026", "due_on": "15/09/2026",
               "returned_on": "14/09/2026"}
        row.update(changes.get(n, {}))
        result.append([row[column] for column in COLUMNS])
    return result


def load(content, name="dossiers.xlsx"):
    return import_dossiers(read_dataset(content, name))


def test_import_creates_dossiers_with_their_links_and_secret_codes(world):
    unit, procedure, officer = world
    result = load(xlsx_bytes(COLUMNS, rows()))
    assert result.ok and result.new == 3
    dossier = Dossier.objects.get(code="H01.2001")
    assert (dossier.unit, dossier.procedure, dossier.officer) == (unit, procedure, officer)
    assert dossier.returned_on.isoformat() == "2026-09-14"
    assert len(dossier.secret_code) == 8
    assert Dossier.objects.values("secret_code").distinct().count() == 3


def test_one_bad_row_stores_nothing_and_names_the_row(world):
    content = xlsx_bytes(COLUMNS, rows(4, {3: {"email": "not-an-email",
                                                 "procedure": "9.999"}}))
    result = load(content)
    assert not result.ok
    assert Dossier.objects.count() == 0
    (line, messages), = result.errors
    assert line == 4  # header is line 1, the third dossier is on line 4
    text = " ".join(messages)
    assert "9.999" in text and "email" in text


def test_returned_before_received_is_refused(world):
    result = load(xlsx_bytes(COLUMNS, rows(2, {2: {"returned_on": "01/08/2026"}})))
    assert [line for line, _ in result.errors] == [3]
    assert Dossier.objects.count() == 0


def test_importing_the_same_file_twice_creates_no_duplicates_and_keeps_secrets(world):
    content = xlsx_bytes(COLUMNS, rows())
    load(content)
    secrets = dict(Dossier.objects.values_list("code", "secret_code"))
    again = load(content)
    assert again.ok and again.new == 0 and again.skipped == 3
    assert Dossier.objects.count() == 3
    assert dict(Dossier.objects.values_list("code", "secret_code")) == secrets


def test_reimport_updates_a_changed_row(world):
    load(xlsx_bytes(COLUMNS, rows(2, {2: {"returned_on": ""}})))
    assert Dossier.objects.get(code="H01.2002").returned_on is None
    result = load(xlsx_bytes(COLUMNS, rows(2)))
    assert result.updated == 1 and Dossier.objects.count() == 2
    assert Dossier.objects.get(code="H01.2002").returned_on is not None


def test_csv_is_accepted_and_a_code_twice_in_one_file_is_named(world):
    lines = [",".join(COLUMNS)] + [",".join(str(v) for v in row) for row in rows(2)]
    lines.append(lines[1])
    result = load("\n".join(lines).encode(), "dossiers.csv")
    assert result.errors == [(4, ["dossier H01.2001 already appears on line 2"])]
    assert Dossier.objects.count() == 0
    assert load("\n".join(lines[:3]).encode(), "dossiers.csv").new == 2


def test_officer_from_another_unit_is_refused(world):
    other = make_unit("Phòng khác", code="khac")
    make_officer(other, name="Phạm Văn Khác")
    result = load(xlsx_bytes(COLUMNS, rows(1, {1: {"officer": "Phạm Văn Khác"}})))
    assert result.errors and result.errors[0][0] == 2
    assert "Phạm Văn Khác" in " ".join(result.errors[0][1])
