"""One survey flow: every place a visitor answers a survey refuses the same way."""

import datetime
import re

import pytest
from django.urls import reverse
from wagtail.models import Site

from example_site.home.models import ContentPage
from tests.channels_factories import dossier_setup, make_kiosk_key
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Response, SurveyPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BOT = "Your answers could not be accepted. Please leave the last field empty"
INVALID = "Some answers need your attention. Please check the highlighted questions"


def publish(page):
    Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def survey_address(client, where):
    """(campaign, the address the visitor's form posts to) for each place a survey lives."""
    if where == "dossier link":
        campaign, dossier = dossier_setup()
        return campaign, dossiers.rating_path(dossier)
    campaign = make_campaign()
    if where == "website":
        return campaign, reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    if where == "kiosk":
        return campaign, reverse("wagtail_satisfaction:kiosk",
                                 args=[make_kiosk_key(campaign).key])
    if where == "survey page":
        return campaign, publish(SurveyPage(title="Đánh giá", slug="danh-gia",
                                            campaign=campaign)).url
    page = publish(ContentPage(title="Tin tức", slug="tin-tuc", body=[
        ("survey", {"campaign": campaign, "heading": "Mời đánh giá", "intro": ""})]))
    return campaign, re.search(r'<form method="post" action="([^"]+)"',
                               client.get(page.url).content.decode()).group(1)


PLACES = ["website", "survey block", "survey page", "kiosk", "dossier link"]


@pytest.mark.parametrize("where", PLACES)
def test_a_filled_honeypot_is_refused_with_the_same_message_everywhere(client, where):
    campaign, address = survey_address(client, where)
    response = client.post(address, form_data(campaign, website="http://spam"))
    assert response.status_code == 400 and BOT in response.content.decode()
    assert Response.objects.count() == 0


@pytest.mark.parametrize("where", PLACES)
def test_a_missing_answer_is_refused_with_the_same_message_everywhere(client, where):
    campaign, address = survey_address(client, where)
    data = form_data(campaign)
    del data[f"q_{campaign.questionnaire.questions().first().pk}"]
    response = client.post(address, data)
    assert response.status_code == 400 and INVALID in response.content.decode()
    assert Response.objects.count() == 0


def test_the_kiosk_shows_its_closed_page_and_refuses_answers_once_the_campaign_closed(client):
    today = datetime.date.today()
    closed = make_campaign(opens_on=today - datetime.timedelta(days=60),
                           closes_on=today - datetime.timedelta(days=1))
    address = reverse("wagtail_satisfaction:kiosk", args=[make_kiosk_key(closed).key])
    page = client.get(address)
    assert page.status_code == 200 and "This survey closed on" in page.content.decode()
    refused = client.post(address, form_data(closed))
    assert refused.status_code == 403 and "This survey closed on" in refused.content.decode()
    assert "no-store" in refused["Cache-Control"]
    assert Response.objects.count() == 0


def test_one_counter_tablet_is_not_held_to_the_per_address_limit(client, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    campaign = make_campaign()
    address = reverse("wagtail_satisfaction:kiosk", args=[make_kiosk_key(campaign).key])
    for _person in range(3):
        assert client.post(address, form_data(campaign)).status_code == 302
    assert Response.objects.count() == 3
