"""Staff typing paper forms: the rules a clerk runs into (dates, dossier codes, spreadsheet
rows that name nothing known), each refused with the reason and nothing half-stored."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.channels_factories import make_dossier, make_officer, make_procedure, make_staff
from tests.factories import make_campaign
from wagtail_satisfaction.channels.paper import StaffEntryForm, enter_response, template_columns
from wagtail_satisfaction.models import Response, StaffEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def campaign():
    campaign = make_campaign(ask_dossier_code=True)
    campaign.procedure = make_procedure(campaign.unit, code="2.000123")
    campaign.officer = make_officer(campaign.unit, name="Trần Thị Hoa")
    return campaign


@pytest.fixture
def clerk(client):
    user = make_staff("clerk", "add_staffentry")
    client.force_login(user)
    return user


def digits(campaign):
    return {f"q_{q.pk}": str(max(q.spec.values)) for q in campaign.questionnaire.questions()}


def entry_url(campaign):
    return reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk])


def import_url(campaign):
    return reverse("wagtail_satisfaction_paper:import", args=[campaign.pk])


def test_a_date_outside_the_campaign_is_refused_and_kept(client, clerk, campaign):
    outside = campaign.opens_on - datetime.timedelta(days=1)
    page = client.post(entry_url(campaign), {
        "form_number": "D-1", "channel": "paper", "filled_on": outside.strftime("%d/%m/%Y"),
        **digits(campaign)})
    html = page.content.decode()
    assert page.status_code == 400 and "The date must be within the campaign" in html
    assert 'value="D-1"' in html
    assert not Response.objects.exists() and not StaffEntry.objects.exists()


def test_the_date_on_the_form_dates_the_response_at_noon_local_time(client, clerk, campaign):
    day = campaign.opens_on + datetime.timedelta(days=1)
    page = client.post(entry_url(campaign), {
        "form_number": "D-2", "channel": "paper", "filled_on": day.strftime("%d/%m/%Y"),
        **digits(campaign)})
    assert page.status_code == 302
    local = Response.objects.get().submitted_at.astimezone(
        datetime.timezone(datetime.timedelta(hours=7)))
    assert (local.date(), local.hour) == (day, 12)


def test_an_unknown_dossier_code_is_named_and_a_listed_one_is_proven(client, clerk, campaign):
    page = client.post(entry_url(campaign), {
        "form_number": "H-1", "channel": "paper", "dossier_code": "hs-404", **digits(campaign)})
    assert "No dossier with the code HS-404 is in the list" in page.content.decode()
    assert not Response.objects.exists()
    make_dossier(campaign.unit, code="HS-777")
    page = client.post(entry_url(campaign), {
        "form_number": "H-1", "channel": "paper", "dossier_code": "hs-777", **digits(campaign)})
    assert page.status_code == 302
    stored = Response.objects.get()
    assert (stored.dossier_code, stored.dossier_proven) == ("HS-777", True)


def test_forms_cannot_be_entered_before_the_campaign_opens(clerk):
    # The view lists only campaigns that have opened; the rule itself also holds for
    # imports and any other caller of enter_response.
    today = datetime.date.today()
    upcoming = make_campaign(opens_on=today + datetime.timedelta(days=3),
                             closes_on=today + datetime.timedelta(days=30))
    form = StaffEntryForm({"form_number": "U-1", "channel": "paper", **digits(upcoming)},
                          campaign=upcoming)
    assert form.is_valid(), form.errors
    with pytest.raises(ValidationError) as refused:
        enter_response(form, clerk)
    assert refused.value.messages == ["This campaign has not opened yet."]
    assert not Response.objects.exists() and not StaffEntry.objects.exists()


def sheet(campaign, rows):
    book = openpyxl.Workbook()
    ws = book.active
    columns = template_columns(campaign)
    ws.append(columns)
    for row in rows:
        ws.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("forms.xlsx", buffer.getvalue())


def answers(campaign):
    return {q.code: max(q.spec.values) for q in campaign.questionnaire.questions()}


def test_rows_naming_an_unknown_procedure_or_officer_are_named(client, clerk, campaign):
    row = {"form_number": "S-1", "procedure": "9.999999", "officer": "Không Ai",
           **answers(campaign)}
    page = client.post(import_url(campaign), {"file": sheet(campaign, [row])})
    html = page.content.decode()
    assert page.status_code == 400
    assert "no procedure has the code “9.999999”" in html
    assert "no officer named “Không Ai” works in this unit" in html
    assert not Response.objects.exists()


def test_spreadsheet_dates_and_numbers_are_read_as_typed(client, clerk, campaign):
    day = campaign.opens_on + datetime.timedelta(days=2)
    # Excel gives a date cell as a datetime and a typed number as a float.
    row = {"form_number": 1001.0, "filled_on": datetime.datetime.combine(day, datetime.time()),
           **{code: float(value) for code, value in answers(campaign).items()}}
    page = client.post(import_url(campaign), {"file": sheet(campaign, [row])})
    assert page.status_code == 302
    entry = StaffEntry.objects.get()
    assert entry.form_number == "1001"
    local = entry.response.submitted_at.astimezone(
        datetime.timezone(datetime.timedelta(hours=7)))
    assert local.date() == day
