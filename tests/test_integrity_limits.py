"""Limits reserve before storing and give the slot back on refusal; an outage keeps the
visitor's answers (503) and stores nothing."""

import re

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from tests.channels_factories import dossier_setup, make_kiosk_key
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.flow import SurveyFlow
from wagtail_satisfaction.guards import take_slot
from wagtail_satisfaction.models import Comment, Response

pytestmark = [pytest.mark.django_db]


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def test_a_slot_is_reserved_and_given_back():
    slots = [take_slot("test", "client", 2) for _ in range(3)]
    assert [slot.granted for slot in slots] == [True, True, False]
    slots[0].give_back()
    slots[0].give_back()  # twice is once
    assert take_slot("test", "client", 2).granted
    assert not take_slot("test", "client", 2).granted
    assert take_slot("test", "another client", 2).granted


def test_refused_submissions_give_their_slot_back(client, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 2
    campaign = make_campaign(one_response_per_email=True)
    assert client.post(survey_url(campaign),
                       form_data(campaign, email="dan@example.vn")).status_code == 200
    for _ in range(3):  # duplicates refused: none of them uses up the second slot
        assert client.post(survey_url(campaign),
                           form_data(campaign, email="DAN@example.vn")).status_code == 409
    for _ in range(3):  # wrong dossier codes: the same
        assert client.post(survey_url(campaign), form_data(
            campaign, dossier_code="HS-1", dossier_secret="WRONG234")).status_code == 400
    assert client.post(survey_url(campaign), form_data(campaign)).status_code == 200
    limited = client.post(survey_url(campaign), form_data(campaign, comment="Ba"))
    assert limited.status_code == 429
    assert Response.objects.count() == 2


# --- Outage ------------------------------------------------------------------------------

@pytest.fixture
def database_down(monkeypatch):
    """Make the store step fail as when PostgreSQL restarts mid-request."""
    def down(self, form):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SurveyFlow, "store", down)


def checked_values(html):
    return dict(re.findall(r'name="(q_\d+)" value="(\d)"[^>]*checked', html))


@pytest.mark.usefixtures("english")
def test_outage_answers_503_with_the_form_and_every_answer_kept(client, database_down,
                                                                settings, monkeypatch):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    campaign = make_campaign(survey_layout="one_page")  # steps: tests/test_survey_steps.py
    data = form_data(campaign, value="2", comment="Chờ lâu quá", email="dan@example.vn")
    page = client.post(survey_url(campaign), data)
    html = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"]
    assert "briefly unavailable" in html and "Nothing was recorded" in html
    assert checked_values(html) == {k: v for k, v in data.items() if k.startswith("q_")}
    assert "Chờ lâu quá</textarea>" in html and 'value="dan@example.vn"' in html
    assert Response.objects.count() == 0 and Comment.objects.count() == 0
    # The slot of the failed submission was given back: sending again is not "too many".
    monkeypatch.undo()  # the database is back
    assert client.post(survey_url(campaign), data).status_code == 200
    assert Response.objects.count() == 1


def test_outage_page_is_in_vietnamese(client, database_down):
    campaign = make_campaign()
    html = client.post(survey_url(campaign), form_data(campaign)).content.decode()
    assert "hệ thống đang tạm gián đoạn" in html


@pytest.mark.usefixtures("english")
def test_when_even_the_form_cannot_be_drawn_the_answers_travel_as_hidden_fields(
        client, monkeypatch):
    campaign = make_campaign()

    def down(self, data=None):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(SurveyFlow, "get_form", down)
    data = form_data(campaign, value="5", comment="Tốt")
    page = client.post(survey_url(campaign), data)
    html = page.content.decode()
    assert page.status_code == 503 and "Send again" in html
    assert f'action="{survey_url(campaign)}"' in html
    for name, value in data.items():
        assert f'type="hidden" name="{name}" value="{value}"' in html
    assert Response.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_kiosk_outage_keeps_the_answers_too(client, database_down):
    campaign, dossier = dossier_setup()
    kiosk = make_kiosk_key(campaign)
    data = form_data(campaign, value="3", officer=dossier.officer.pk,
                     procedure=dossier.procedure.pk)
    page = client.post(reverse("wagtail_satisfaction:kiosk", args=[kiosk.key]), data)
    html = page.content.decode()
    assert page.status_code == 503 and "briefly unavailable" in html
    assert checked_values(html) == {k: v for k, v in data.items() if k.startswith("q_")}
    assert Response.objects.count() == 0


def test_the_example_site_has_500_and_503_pages_that_need_no_database(client):
    from django.template.loader import render_to_string

    for name in ("500.html", "503.html"):
        html = render_to_string(name)  # no request, no database access
        assert "Sở Khoa học và Công nghệ" in html and 'lang="vi"' in html
    assert "Đã có lỗi xảy ra" in render_to_string("500.html")
    assert "tạm gián đoạn" in render_to_string("503.html")


@pytest.mark.usefixtures("english")
def test_an_outage_before_the_flow_finds_the_campaign_keeps_the_answers(client, monkeypatch):
    campaign = make_campaign()
    from wagtail_satisfaction.models import Campaign

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Campaign.objects, "select_related", down)
    data = form_data(campaign, value="5", comment="Tốt")
    page = client.post(survey_url(campaign), data)
    html = page.content.decode()
    assert page.status_code == 503 and "Send again" in html
    for name, value in data.items():
        assert f'type="hidden" name="{name}" value="{value}"' in html
