"""``satisfaction_export``: the report's filters from the command line."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reports_factories import build_hand_dataset

pytestmark = pytest.mark.django_db


def test_csv_of_a_quarter_and_a_unit(tmp_path):
    build_hand_dataset()
    out = tmp_path / "q4.csv"
    call_command("satisfaction_export", "--campaign", "khao-sat-2025", "--period", "quarter",
                 "--year", "2025", "--number", "4", "--unit", "phong-a", "--format", "csv",
                 "--output", str(out))
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffMã phiếu,Thời điểm gửi,Mã kênh")  # the site speaks vi
    lines = text.strip().splitlines()
    assert len(lines) == 3  # r2 (00:30 on 1 October, sub-unit A1) and r5
    assert "2025-10-01 00:30:00" in text and "bo-phan-a1" in text


def test_xlsx_and_bad_filters(tmp_path):
    build_hand_dataset()
    out = tmp_path / "all.xlsx"
    call_command("satisfaction_export", "--campaign", "khao-sat-2025", "--output", str(out))
    assert load_workbook(out).worksheets[0]["B3"].value == 5  # Summary: responses
    with pytest.raises(CommandError, match="unit"):
        call_command("satisfaction_export", "--campaign", "khao-sat-2025", "--unit", "nowhere",
                     "--output", str(out))
    with pytest.raises(CommandError):
        call_command("satisfaction_export", "--campaign", "khao-sat-2025", "--period",
                     "quarter", "--year", "2025", "--number", "5", "--output", str(out))
