"""Staff type in paper (post, fax, email, Zalo, phone) forms; every entry is audited."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.channels_factories import make_officer, make_procedure, make_staff
from tests.factories import make_campaign, refusal
from wagtail_satisfaction.channels.paper import LOG_ACTION, template_columns
from wagtail_satisfaction.models import Response, StaffEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def campaign():
    campaign = make_campaign()
    campaign.procedure = make_procedure(campaign.unit, code="2.000123")
    campaign.officer = make_officer(campaign.unit, name="Trần Thị Hoa")
    return campaign


@pytest.fixture
def clerk(client):
    user = make_staff("clerk", "add_staffentry")
    client.force_login(user)
    return user


def digits(campaign, digit="4"):
    data = {}
    for question in campaign.questionnaire.questions():
        values = {str(v) for v in question.spec.values}
        data[f"q_{question.pk}"] = digit if digit in values or (
            digit == "9" and question.spec.allows_not_applicable) else sorted(values)[-1]
    return data


def entry_url(campaign):
    return reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk])


def test_typed_form_is_stored_with_operator_batch_channel_and_audit(client, clerk, campaign):
    data = {"form_number": "p-001", "batch": "L01", "channel": "post",
            "procedure": campaign.procedure.pk, "officer": campaign.officer.pk,
            "comment": "Tốt", **digits(campaign)}
    response = client.post(entry_url(campaign), data)
    assert response.status_code == 302
    assert response["Location"] == entry_url(campaign) + "?batch=L01&channel=post"
    stored = Response.objects.get()
    assert stored.channel == "post" and stored.entered_by == clerk
    assert stored.procedure == campaign.procedure and stored.officer == campaign.officer
    entry = StaffEntry.objects.get()
    assert (entry.form_number, entry.batch, entry.entered_by) == ("P-001", "L01", clerk)
    log = ModelLogEntry.objects.get(action=LOG_ACTION)
    assert log.user == clerk and log.object_id == str(stored.pk)
    assert log.data["form_number"] == "P-001" and log.data["answers"]["15"] == 4
    # The next form starts empty but keeps the batch and channel.
    html = client.get(response["Location"]).content.decode()
    assert 'value="L01"' in html and 'value="post" selected' in html
    assert "P-001" in html  # in the list of last entries


def test_nine_means_not_applicable(client, clerk, campaign):
    client.post(entry_url(campaign), {"form_number": "1", "channel": "paper",
                                      **digits(campaign, "9")})
    assert set(Response.objects.get().answers.filter(
        question__scale="satisfaction5").values_list("value", flat=True)) == {None}


def test_wrong_digit_keeps_what_was_typed_and_stores_nothing(client, clerk, campaign):
    data = {"form_number": "7", "channel": "paper", **digits(campaign)}
    question = campaign.questionnaire.questions().first()
    data[f"q_{question.pk}"] = "7"
    page = client.post(entry_url(campaign), data)
    html = page.content.decode()
    assert page.status_code == 400 and Response.objects.count() == 0
    assert "Type one of 1, 2, 3, 4, 5, 9." in html
    assert f'name="q_{question.pk}" value="7"' in html


def test_the_same_paper_form_cannot_be_typed_in_twice(client, clerk, campaign):
    data = {"form_number": "42", "channel": "paper", **digits(campaign)}
    client.post(entry_url(campaign), data)
    again = client.post(entry_url(campaign), data)
    assert "Form 42 has already been entered" in again.content.decode()
    assert Response.objects.count() == 1


def test_staff_without_permission_cannot_enter(client, campaign):
    client.force_login(make_staff("reader", "view_response"))
    response = client.post(entry_url(campaign), {"form_number": "1", **digits(campaign)})
    assert refusal(response) == "dashboard" and Response.objects.count() == 0


def test_printable_forms_carry_campaign_and_numbers(client, clerk, campaign):
    url = reverse("wagtail_satisfaction_paper:print", args=[campaign.pk]) + "?count=3&start=8"
    html = client.get(url).content.decode()
    assert campaign.title in html
    for n in (8, 9, 10):
        assert f"{campaign.pk}-{n:05d}" in html
    assert "paper_print.css" in html
    assert html.count('class="paper-form"') == 3


def workbook(campaign, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    columns = template_columns(campaign)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def answers_by_code(campaign, digit="5"):
    return {q.code: (digit if int(digit) in q.spec.values else max(q.spec.values))
            for q in campaign.questionnaire.questions()}


def test_template_download_has_a_column_per_question(client, clerk, campaign):
    response = client.get(reverse("wagtail_satisfaction_paper:template", args=[campaign.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[:3] == ["form_number", "batch", "channel"] and "15" in header


def test_bulk_import_is_all_or_nothing_and_names_the_row(client, clerk, campaign):
    url = reverse("wagtail_satisfaction_paper:import", args=[campaign.pk])
    good = {"form_number": "B-1", "batch": "7", "channel": "fax", "procedure": "2.000123",
            "officer": "trần thị hoa", **answers_by_code(campaign)}
    bad = {**good, "form_number": "B-2", "15": "8"}
    content = workbook(campaign, [good, bad])
    page = client.post(url, {"file": SimpleUploadedFile("forms.xlsx", content)})
    assert page.status_code == 400 and 'data-line="3"' in page.content.decode()
    assert Response.objects.count() == 0 and StaffEntry.objects.count() == 0
    duplicate = workbook(campaign, [good, good])
    page = client.post(url, {"file": SimpleUploadedFile("forms.xlsx", duplicate)})
    assert "B-1 has already been entered" in page.content.decode()
    assert Response.objects.count() == 0
    ok = workbook(campaign, [good, {**good, "form_number": "B-2"}])
    assert client.post(url, {"file": SimpleUploadedFile("forms.xlsx", ok)}).status_code == 302
    assert Response.objects.filter(channel="fax", entered_by=clerk,
                                   officer=campaign.officer).count() == 2
    assert ModelLogEntry.objects.filter(action=LOG_ACTION).count() == 2


def test_an_unreadable_file_is_named_in_vietnamese(client, clerk, campaign, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "vi"
    url = reverse("wagtail_satisfaction_paper:import", args=[campaign.pk])
    with translation.override("vi"):
        page = client.post(url, {"file": SimpleUploadedFile("forms.xlsx", b"not a workbook")})
    assert page.status_code == 400
    assert 'data-line="1"' in page.content.decode()
    assert "Không đọc được tệp này dưới dạng bảng tính .xlsx hoặc .csv" in (
        page.content.decode())


def test_typed_forms_can_also_come_as_csv(client, clerk, campaign):
    url = reverse("wagtail_satisfaction_paper:import", args=[campaign.pk])
    columns = template_columns(campaign)
    row = {"form_number": "C-1", "channel": "post", **answers_by_code(campaign)}
    content = "\n".join([",".join(columns),
                         ",".join(str(row.get(column, "")) for column in columns)]).encode()
    page = client.post(url, {"file": SimpleUploadedFile("forms.csv", content)})
    assert page.status_code == 302
    assert StaffEntry.objects.get().form_number == "C-1"
    assert Response.objects.get().channel == "post"
