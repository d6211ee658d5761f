"""One form, one response: a reload of the thank-you page without JavaScript stores nothing.

The thank-you page answers the POST itself; survey.js moves the address bar to the thanks'
own address, but without JavaScript a reload sends the same form again. Each drawn form
carries a one-time key (``satisfaction_key``) so that it is stored once.
"""

import re
import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import form_data, make_campaign
from wagtail_satisfaction.models import Response

KEY = re.compile(r'name="satisfaction_key" value="([^"]+)"')


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def drawn_key(client, campaign):
    """The one-time key of the form as a visitor's browser receives it."""
    return KEY.search(client.get(survey_url(campaign)).content.decode()).group(1)


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_stored_once_and_thanked_twice(client, campaign):
    data = form_data(campaign, satisfaction_key=drawn_key(client, campaign))
    first = client.post(survey_url(campaign), data)
    again = client.post(survey_url(campaign), data)  # the browser's "send again?" on reload
    assert first.status_code == again.status_code == 200
    assert "satisfaction-thanks" in again.content.decode()
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_each_drawn_form_has_its_own_key_so_two_visits_are_two_responses(client, campaign):
    first_key, second_key = drawn_key(client, campaign), drawn_key(client, campaign)
    assert first_key != second_key
    for key in (first_key, second_key):
        assert client.post(survey_url(campaign),
                           form_data(campaign, satisfaction_key=key)).status_code == 200
    assert Response.objects.count() == 2


@pytest.mark.django_db
def test_a_resent_form_gives_its_rate_limit_slot_back(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 2
    data = form_data(campaign, satisfaction_key=drawn_key(client, campaign))
    client.post(survey_url(campaign), data)
    client.post(survey_url(campaign), data)  # a reload: neither stored nor counted
    other = form_data(campaign, satisfaction_key=drawn_key(client, campaign))
    assert client.post(survey_url(campaign), other).status_code == 200
    assert Response.objects.count() == 2


@pytest.mark.django_db
def test_a_form_shown_again_with_its_errors_keeps_its_key_and_is_stored_once_corrected(
        client, campaign):
    key = drawn_key(client, campaign)
    data = form_data(campaign, satisfaction_key=key)
    question = campaign.questionnaire.questions().first()
    incomplete = {name: value for name, value in data.items() if name != f"q_{question.pk}"}
    refused = client.post(survey_url(campaign), incomplete)
    assert refused.status_code == 400
    assert KEY.search(refused.content.decode()).group(1) == key
    assert client.post(survey_url(campaign), data).status_code == 200
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_submission_frees_its_key_for_the_corrected_form(client, campaign):
    data = form_data(campaign, satisfaction_key=drawn_key(client, campaign))
    with mock.patch("wagtail_satisfaction.flow.SurveyFlow.store",
                    side_effect=ValidationError("Refused once.", code="refused")):
        assert client.post(survey_url(campaign), data).status_code == 400
    assert client.post(survey_url(campaign), data).status_code == 200
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_a_form_without_a_well_formed_key_is_not_deduplicated(client, campaign):
    for data in (form_data(campaign), form_data(campaign, satisfaction_key="short")):
        client.post(survey_url(campaign), data)
        client.post(survey_url(campaign), data)
    assert Response.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_posts_of_one_form_store_exactly_one_response():
    campaign = make_campaign()
    data = form_data(campaign, satisfaction_key=drawn_key(Client(), campaign))
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    statuses = []

    def send(index):
        try:
            barrier.wait(timeout=10)
            statuses.append(Client(REMOTE_ADDR=f"198.51.100.{index + 1}")
                            .post(survey_url(campaign), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * threads_count
    assert Response.objects.filter(campaign=campaign).count() == 1
