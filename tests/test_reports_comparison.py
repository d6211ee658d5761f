"""This period against the previous one (issue 14), counted by hand on the hand dataset."""

import datetime

import pytest
from django.urls import reverse

from tests.document_helpers import docx_row, docx_text_and_tables, page_figures
from tests.reports_factories import build_hand_dataset
from tests.test_reports_views import iso_secretary
from wagtail_satisfaction.reports.comparison import previous_period

D = datetime.date


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2026, 1, 1), D(2026, 3, 31), ("quarter", D(2025, 10, 1), D(2025, 12, 31))),
    (D(2026, 1, 1), D(2026, 6, 30), ("half", D(2025, 7, 1), D(2025, 12, 31))),
    (D(2025, 7, 1), D(2025, 12, 31), ("half", D(2025, 1, 1), D(2025, 6, 30))),
    (D(2026, 1, 1), D(2026, 12, 31), ("year", D(2025, 1, 1), D(2025, 12, 31))),
    (D(2026, 3, 1), D(2026, 3, 31), ("month", D(2026, 2, 1), D(2026, 2, 28))),
    (D(2026, 1, 5), D(2026, 3, 31), None),  # custom dates: nothing to compare with
    (D(2026, 2, 1), D(2026, 4, 30), None),  # three months, but not a calendar quarter
    (None, D(2026, 3, 31), None),
])
def test_the_previous_period_is_the_calendar_period_just_before(start, end, expected):
    assert previous_period(start, end) == expected


@pytest.mark.django_db
def test_q4_against_q3_on_the_page_and_in_the_document(client):
    data = build_hand_dataset()
    client.force_login(iso_secretary())
    params = {"campaign": data["campaign"].pk, "period": "quarter", "year": "2025",
              "number": "4"}
    page = page_figures(client.get(reverse("wagtail_satisfaction_reports:report"),
                                   params).content.decode())
    # Q3: r1 only (Q1 5, Q2 4, Q3 3): Q1 100 %, Q2 100 %, Q3 0 %, F1 100, F2 0, overall 50;
    # D766 1 of 1 not dissatisfied. Q4: r2–r5: Q1 1/3, Q2 2/2, Q3 1/2; F1 66.67, F2 50,
    # overall 58.33; D766 1 of 4.
    assert page["comparison"] == {
        "Phiếu trả lời": ["1", "4", "+3"],
        "Chỉ số chung": ["50,00%", "58,33%", "+8,33"],
        "F1. Tiếp cận": ["100,00%", "66,67%", "−33,33"],
        "F2. Kết quả": ["0,00%", "50,00%", "+50,00"],
        "Tỷ lệ hài lòng theo QĐ 766": ["100,00%", "25,00%", "−75,00"],
        "1. Thông tin dễ hiểu": ["100,00%", "33,33%", "−66,67"],
        "2. Trụ sở sạch sẽ": ["100,00%", "100,00%", "0,00"],
        "3. Trả kết quả đúng hẹn": ["0,00%", "50,00%", "+50,00"],
    }
    content = client.get(reverse("wagtail_satisfaction_reports:document"),
                         {**params, "format": "docx"}).content
    paragraphs, tables = docx_text_and_tables(content)
    comparison = [next(t for t in tables if t[0][1:] == ["Kỳ trước", "Kỳ này", "Thay đổi"])]
    for label, cells in page["comparison"].items():
        assert docx_row(comparison, label)[1:] == cells
    assert "Kỳ trước: từ ngày 01/07/2025 đến ngày 30/09/2025 (1 phiếu)." in paragraphs


@pytest.mark.django_db
def test_custom_dates_say_there_is_nothing_to_compare_with(client):
    data = build_hand_dataset()
    client.force_login(iso_secretary())
    html = client.get(reverse("wagtail_satisfaction_reports:report"), {
        "campaign": data["campaign"].pk, "period": "custom", "date_from": "2025-10-05",
        "date_to": "2025-11-30"}).content.decode()
    assert "Chọn kỳ là tháng, quý, 6 tháng hoặc năm để so sánh với kỳ trước." in html
