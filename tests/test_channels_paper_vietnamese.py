"""Paper entry for Vietnamese staff (issue 17): the spreadsheet template speaks Vietnamese
(headers and channel names) and is read back as written; the screens name the two ways of
entering forms apart; the procedure list fits the screen."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.channels_factories import make_staff
from tests.factories import make_campaign, make_officer, make_procedure
from wagtail_satisfaction.models import Response, Sector, StaffEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = make_campaign()
    campaign.procedure = make_procedure(campaign.unit, code="2.000123")
    campaign.officer = make_officer(campaign.unit, name="Trần Thị Hoa")
    return campaign


@pytest.fixture
def clerk(client, settings):
    settings.LANGUAGE_CODE = "vi"
    user = make_staff("clerk", "add_staffentry")
    client.force_login(user)
    return user


def answers(campaign):
    return {q.code: str(max(q.spec.values)) for q in campaign.questionnaire.questions()}


def test_the_template_is_vietnamese_and_a_filled_copy_imports_as_written(client, clerk,
                                                                         campaign):
    with translation.override("vi"):
        template = client.get(reverse("wagtail_satisfaction_paper:template",
                                      args=[campaign.pk]))
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet, notes = book.worksheets
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Số phiếu", "Số lô", "Hình thức nhận", "Ngày trên phiếu"]
    assert "Ý kiến" in header and "form_number" not in header
    channel_note = [row for row in notes.iter_rows(values_only=True)
                    if row[0] == "Hình thức nhận"][0]
    assert "Phiếu giấy" in channel_note[2] and "Bưu chính" in channel_note[2]
    # Filled in as a clerk would: Vietnamese channel names, in the template's own columns.
    values = {"Số phiếu": "VN-1", "Số lô": "3", "Hình thức nhận": "Bưu chính",
              "Mã thủ tục": "2.000123", "Công chức": "Trần Thị Hoa", "Ý kiến": "Tốt",
              **answers(campaign)}
    sheet.append([values.get(name, "") for name in header])
    sheet.append([{**values, "Số phiếu": "VN-2", "Hình thức nhận": "phiếu giấy"}.get(name, "")
                  for name in header])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("vi"):
        page = client.post(reverse("wagtail_satisfaction_paper:import", args=[campaign.pk]),
                           {"file": SimpleUploadedFile("phieu.xlsx", buffer.getvalue())})
    assert page.status_code == 302, page.content.decode()[:2000]
    entries = {entry.form_number: entry.response for entry in StaffEntry.objects.all()}
    assert {number: response.channel for number, response in entries.items()} == {
        "VN-1": "post", "VN-2": "paper"}
    assert entries["VN-1"].procedure == campaign.procedure
    assert entries["VN-1"].comment.text == "Tốt"


def test_an_unknown_channel_name_is_refused_with_the_row(client, clerk, campaign):
    book = openpyxl.Workbook()
    sheet = book.active
    header = ["Số phiếu", "Hình thức nhận", *answers(campaign)]
    sheet.append(header)
    sheet.append(["X-1", "bồ câu đưa thư", *answers(campaign).values()])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("vi"):
        page = client.post(reverse("wagtail_satisfaction_paper:import", args=[campaign.pk]),
                           {"file": SimpleUploadedFile("phieu.xlsx", buffer.getvalue())})
    assert page.status_code == 400 and 'data-line="2"' in page.content.decode()
    assert Response.objects.count() == 0


def test_the_two_ways_of_entering_forms_are_named_apart(client, clerk, campaign):
    with translation.override("vi"):
        html = client.get(reverse("wagtail_satisfaction_paper:index")).content.decode()
    assert "Gõ từng phiếu" in html and "Tải lên bảng tính phiếu đã gõ" in html
    assert "Nhập phiếu đã gõ" not in html


def test_procedures_are_grouped_by_field_in_the_entry_form(client, clerk, campaign):
    civil = Sector.objects.create(name="Chứng thực")
    procedure = make_procedure(campaign.unit, code="1.001193", name="Đăng ký khai sinh")
    procedure.sector = civil
    procedure.save()
    campaign.ask_procedure = True
    campaign.save()
    with translation.override("vi"):
        html = client.get(reverse("wagtail_satisfaction_paper:entry",
                                  args=[campaign.pk])).content.decode()
    group = html.split('<optgroup label="Chứng thực">')[1].split("</optgroup>")[0]
    assert "Đăng ký khai sinh" in group and "2.000123" not in group
    assert 'class="paper-procedure"' in html  # the select is kept to the screen's width
