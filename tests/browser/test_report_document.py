"""In real Chromium: the demo's ISO secretary filters a quarter and a unit, downloads the report
as DOCX and PDF, and both hold the page's figures (issue 14)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from tests.browser.conftest import login
from tests.document_helpers import docx_row, docx_text_and_tables, page_figures, pdf_text
from wagtail_satisfaction.models import Campaign, Response, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_initial_data", responses=90, stdout=io.StringIO())
    return Campaign.objects.get(slug="hai-long-2026")


def _quarter_and_unit(campaign):
    """A quarter of the campaign and the sub-unit of the Sở with the most responses in it."""
    day = campaign.opens_on + datetime.timedelta(days=75)
    year, number = day.year, (day.month - 1) // 3 + 1
    first = datetime.date(year, 3 * number - 2, 1)
    root = Unit.objects.get(code="so-khcn")
    children = list(Unit.objects.filter(parent=root))
    counts = {child: Response.objects.filter(
        campaign=campaign, unit__path__startswith=child.path,
        submitted_at__date__gte=first).aggregate(n=Count("id"))["n"] for child in children}
    return year, number, max(counts, key=counts.get)


def test_the_iso_secretary_downloads_the_report_as_docx_and_pdf(page, demo, tmp_path):
    year, number, unit = _quarter_and_unit(demo)
    login(page, "thuky", "demo12345")
    page.goto("/admin/satisfaction-report/")
    page.select_option("#id_campaign", str(demo.pk))
    page.select_option("#id_period", "quarter")
    page.fill("#id_year", str(year))
    page.fill("#id_number", str(number))
    page.select_option("#id_unit", str(unit.pk))
    page.locator("form.sr-filters button[type=submit]").click()
    page.wait_for_selector("#figure-responses")
    shown = page_figures(page.content())
    assert int(shown["responses"]) > 0 and shown["overall"].endswith("%")

    files = {}
    for fmt in ("docx", "pdf"):
        with page.expect_download() as download_info:
            page.locator(f"a[data-document={fmt}]").click()
        download = download_info.value
        assert download.suggested_filename.startswith("bao-cao-hai-long-2026-")
        assert download.suggested_filename.endswith(f"-{unit.code}.{fmt}")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        files[fmt] = path.read_bytes()

    paragraphs, tables = docx_text_and_tables(files["docx"])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in paragraphs
    assert "Độc lập - Tự do - Hạnh phúc" in paragraphs
    assert unit.name.upper() in paragraphs
    assert f"Số phiếu hợp lệ: {shown['responses']}." in paragraphs
    assert f"Chỉ số chung: {shown['overall']}." in paragraphs
    assert any(p.startswith(f"Tỷ lệ hài lòng theo QĐ 766: {shown['d766']} ")
               for p in paragraphs)
    for label, index in shown["factors"].items():
        assert docx_row(tables, label)[-1] == index
    compared = 0
    for cells in shown["questions"].values():
        if cells[3]:  # a rated question: a percentage, or "–" without applicable answers
            assert docx_row(tables, cells[0])[1:] == [cells[2], cells[3]]
            compared += 1
    assert compared == 19  # every rated question of the SIPAS questionnaire (15–33)
    # The breakdowns: each unit of the tree (indented) and each officer row with its own
    # indices, as on the page.
    for section in ("by-unit", "by-officer"):
        table = next(t for t in tables if t[0][0] == "Nhóm" and t[1:] and t[1][0] == page.locator(
            f"#{section} tbody tr td").first.text_content().strip(" \n"))
        rows = page.locator(f"#{section} tbody tr").all()
        assert rows and len(table) == len(rows) + 1
        for row, in_docx in zip(rows, table[1:], strict=True):
            assert [cell.text_content().strip(" \n") for cell in row.locator("td").all()] == (
                in_docx)
    comparison = next(t for t in tables if t[0][1:] == ["Kỳ trước", "Kỳ này", "Thay đổi"])
    for label, cells in shown["comparison"].items():
        assert docx_row([comparison], label)[1:] == cells

    text = pdf_text(files["pdf"])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO" in text
    assert f"Số phiếu hợp lệ: {shown['responses']}." in text
    assert f"Chỉ số chung: {shown['overall']}." in text
    for index in shown["factors"].values():
        assert index in text

    # The print view opens from the same page, with the same figures.
    page.locator("a[data-document=html]").click()
    page.wait_for_selector("article.rd")
    assert f"Chỉ số chung: {shown['overall']}." in page.inner_text("article.rd")
