"""The report as a document to sign (issue 14): DOCX, PDF and print view from the page's figures."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.document_helpers import docx_row, docx_text_and_tables, page_figures, pdf_text
from tests.factories import make_user, refusal
from tests.reports_factories import build_hand_dataset, local, respond
from tests.test_reports_views import iso_secretary
from wagtail_satisfaction.models import Comment

pytestmark = pytest.mark.django_db

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
EXPECTATIONS = "Điều người dân mong được cải thiện nhất"
Q4_PHONG_A = {"period": "quarter", "year": "2025", "number": "4"}


@pytest.fixture
def data():
    return build_hand_dataset()


@pytest.fixture
def secretary_client(client):
    client.force_login(iso_secretary())
    return client


def _get(client, name, params):
    return client.get(reverse(f"wagtail_satisfaction_reports:{name}"), params)


def test_the_docx_has_the_administrative_layout_and_the_pages_figures(secretary_client, data):
    params = {"campaign": data["campaign"].pk, **Q4_PHONG_A, "unit": data["unit_a"].pk}
    page = page_figures(_get(secretary_client, "report", params).content.decode())
    response = _get(secretary_client, "document", {**params, "format": "docx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-khao-sat-2025-20251001_20251231-phong-a.docx"')
    paragraphs, tables = docx_text_and_tables(response.content)
    text = "\n".join(paragraphs)
    for line in (NATIONAL_TITLE, MOTTO, "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "PHÒNG A",
                 "Số: …… /BC-……", "BÁO CÁO", "Nơi nhận:", "THỦ TRƯỞNG CƠ QUAN"):
        assert line in text
    assert "ngày " in text and " tháng " in text and " năm " in text
    # Numbered sections, the last two left blank for the secretary to write by hand.
    headings = [p for p in paragraphs if re.match(r"(I|II|III|IV|V|VI|VII|VIII)\. ", p)]
    assert [h.split(". ", 1)[1] for h in headings] == [
        "Phạm vi và phương pháp khảo sát", "Kết quả khảo sát",
        "Những nội dung có mức độ hài lòng thấp nhất", EXPECTATIONS,
        "So sánh với kỳ trước", "Ý kiến góp ý liên quan",
        "Nguyên nhân của những nội dung chưa hài lòng", "Giải pháp, kiến nghị"]
    causes = paragraphs.index(headings[6])
    assert all(set(p) == {"."} for p in paragraphs[causes + 1:causes + 7])
    # The page's figures, as the page writes them: r2 (A1) and r5 in Q4.
    assert page["responses"] == "2" and page["overall"] == "62,50%"
    assert f"Số phiếu hợp lệ: {page['responses']}." in text
    assert f"Chỉ số chung: {page['overall']}." in text
    assert f"Tỷ lệ hài lòng theo QĐ 766: {page['d766']}" in text
    for cells in page["questions"].values():
        if cells[3].endswith("%"):
            row = docx_row(tables, cells[0])
            assert row[1:] == [cells[2], cells[3]]
    assert docx_row(tables, "F1. Tiếp cận")[1] == page["factors"]["F1. Tiếp cận"]
    # Channels with their counts, weakest items, expectations ranked.
    assert docx_row(tables, "Trang web")[1] == "1" and docx_row(tables, "Phiếu giấy")[1] == "1"
    weakest = next(t for t in tables if t[0][:2] == ["TT", "Câu hỏi"])
    assert [row[1][:2] for row in weakest[1:]] == ["1.", "3.", "2."]  # 50, 50 (a tie), 100 %


def test_the_pdf_comes_from_the_print_view_with_the_same_figures(secretary_client, data):
    params = {"campaign": data["campaign"].pk, **Q4_PHONG_A, "unit": data["unit_a"].pk}
    page = page_figures(_get(secretary_client, "report", params).content.decode())
    html = _get(secretary_client, "document", {**params, "format": "html"}).content.decode()
    assert NATIONAL_TITLE in html and "data-print" in html and "<svg" in html
    response = _get(secretary_client, "document", {**params, "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert MOTTO in text and "BÁO CÁO" in text
    assert f"Chỉ số chung: {page['overall']}." in text
    assert f"F1. Tiếp cận {page['factors']['F1. Tiếp cận']}" in text


def test_the_document_needs_the_report_permission(client, data):
    editor = make_user("editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = _get(client, "document", {"campaign": data["campaign"].pk, "format": "docx"})
    assert refusal(response) == "dashboard"  # Wagtail's "no permission" redirect, no file
    assert not response.get("Content-Disposition")


def test_comments_are_masked_without_the_personal_data_permission(client, data):
    response = respond(data["campaign"], local(2025, 11, 29), {"1": 5, "2": 5, "3": 5},
                       unit=data["unit_a"], channel="website",
                       comment="Gọi tôi số 0912345678 nếu cần")
    Comment.objects.filter(response=response).update(state="relevant")
    secretary = iso_secretary()
    client.force_login(secretary)
    params = {"campaign": data["campaign"].pk, "format": "docx"}
    tables = docx_text_and_tables(_get(client, "document", params).content)[1]
    text = " ".join(cell for table in tables for row in table for cell in row)
    assert "0912345678" not in text and "Gọi tôi số" in text
    secretary.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client.force_login(secretary)
    tables = docx_text_and_tables(_get(client, "document", params).content)[1]
    assert "0912345678" in " ".join(c for t in tables for r in t for c in r)


def test_the_document_follows_the_users_unit_scope(client, data):
    from wagtail_satisfaction.models import UnitScope

    secretary = iso_secretary("thuky-b")
    UnitScope.objects.create(user=secretary, unit=data["unit_b"])
    client.force_login(secretary)
    paragraphs, _tables = docx_text_and_tables(
        _get(client, "document", {"campaign": data["campaign"].pk, "format": "docx"}).content)
    assert "Số phiếu hợp lệ: 1." in paragraphs  # r3 only, Phòng B's
    assert "PHÒNG B" in paragraphs


def test_the_command_writes_docx_pdf_and_html(tmp_path, data):
    out = tmp_path / "report.docx"
    call_command("satisfaction_report", "--campaign", "khao-sat-2025", "--period", "quarter",
                 "--year", "2025", "--number", "4", "--unit", "phong-a", "--format", "docx",
                 "--output", str(out))
    paragraphs, _tables = docx_text_and_tables(out.read_bytes())
    assert NATIONAL_TITLE in paragraphs and "Chỉ số chung: 62,50%." in paragraphs
    call_command("satisfaction_report", "--campaign", "khao-sat-2025", "--format", "pdf",
                 "--output", str(tmp_path / "report.pdf"))
    assert "Số phiếu hợp lệ: 5." in pdf_text((tmp_path / "report.pdf").read_bytes())
    with pytest.raises(CommandError, match="number"):
        call_command("satisfaction_report", "--campaign", "khao-sat-2025", "--period",
                     "quarter", "--year", "2025", "--number", "5", "--output", str(out))


def test_the_command_works_on_the_demo(tmp_path):
    call_command("load_initial_data", responses=30, stdout=open("/dev/null", "w"))
    out = tmp_path / "report.docx"
    for slug in ("hai-long-2026", "danh-gia-tthc-phuong-xuan-huong"):
        call_command("satisfaction_report", "--campaign", slug, "--format", "docx",
                     "--output", str(out))
        paragraphs, tables = docx_text_and_tables(out.read_bytes())
        assert NATIONAL_TITLE in paragraphs
        assert any(p.startswith("Số phiếu hợp lệ: ") and not p.endswith(" 0.")
                   for p in paragraphs)
    assert any(p.startswith("Điểm giải quyết TTHC: ") for p in paragraphs)
