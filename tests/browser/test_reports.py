"""In real Chromium: the ISO secretary filters a quarter and a unit, reads the report with
its charts, downloads the xlsx, and the workbook holds the same figures as the screen."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from openpyxl import load_workbook

from tests.browser.conftest import login
from tests.factories import make_user
from tests.reports_factories import build_hand_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def secretary(db):
    # The demo builds this group too; the test makes its own so it stands alone.
    group, _ = Group.objects.get_or_create(name="Thư ký ISO")
    group.permissions.add(*Permission.objects.filter(
        codename__in=["access_admin", "view_response", "export_response"]))
    return make_user("thuky", "Thư ký ISO")


def number(text):
    """"62,50%" / "62.50%" → Decimal("62.50")."""
    return Decimal(text.strip().rstrip("%").replace(".", "").replace(",", ".")
                   if "," in text else text.strip().rstrip("%"))


def percent_cell(value):
    """A percentage cell's value (0.625) as the page's percentage (62.50)."""
    return (Decimal(str(value)) * 100).quantize(Decimal("0.01"))


def test_iso_secretary_filters_reads_and_downloads(page, secretary, tmp_path):
    data = build_hand_dataset()
    login(page, "thuky", "pw-thuky")
    page.goto("/admin/")
    page.get_by_role("button", name="Reports").or_(
        page.get_by_role("button", name="Báo cáo")).first.click()
    # Through the menu (the admin home's panel links the report too).
    page.locator('a.sidebar-menu-item__link[href="/admin/satisfaction-report/"]').click()
    page.wait_for_url("**/admin/satisfaction-report/**")

    page.select_option("#id_campaign", str(data["campaign"].pk))
    page.select_option("#id_period", "quarter")
    page.fill("#id_year", "2025")
    page.fill("#id_number", "4")
    page.select_option("#id_unit", str(data["unit_a"].pk))
    page.locator("form.sr-filters button[type=submit]").click()
    page.wait_for_selector("#figure-responses")

    responses = int(page.locator("#figure-responses strong").inner_text())
    overall = number(page.locator("#figure-overall strong").inner_text())
    assert (responses, overall) == (2, Decimal("62.50"))  # r2 (A1, 00:30 on 1 Oct) and r5
    charts = page.locator("svg.satisfaction-chart")
    assert charts.count() == 2
    assert charts.first.is_visible() and charts.nth(1).is_visible()
    on_screen = {}
    for row in page.locator("#questions tr[data-question]").all():
        cells = row.locator("td").all_inner_texts()
        on_screen[row.get_attribute("data-question")] = (int(cells[2]), cells[3])
    assert on_screen["1"] == (2, on_screen["1"][1]) and number(on_screen["1"][1]) == 50

    with page.expect_download() as download_info:
        page.locator("a[data-export=xlsx]").click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)
    workbook = load_workbook(path)
    summary = [row for row in workbook.worksheets[0].iter_rows(values_only=True)][1:]
    assert summary[1][1] == responses
    assert percent_cell(summary[2][1]) == overall  # a percentage cell: 0.625 is 62.50 %
    questions = list(workbook.worksheets[1].iter_rows(values_only=True))[1:]
    for code, n, percent in ((row[0], row[3], row[5]) for row in questions):
        screen_n, screen_percent = on_screen[code]
        assert n == screen_n
        if percent is not None:
            assert percent_cell(percent) == number(screen_percent)
    responses_sheet = next(ws for ws in workbook.worksheets  # headers in en or vi
                           if ws.cell(1, 1).value in ("uid", "Mã phiếu")
                           and ws.cell(1, 3).value in ("channel", "Mã kênh"))
    assert responses_sheet.max_row - 1 == responses
