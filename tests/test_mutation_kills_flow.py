"""The one survey flow (flow.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): a survey that closes while a visitor fills it in."""

import datetime

import pytest
from django.core.cache import cache

from tests.factories import form_data
from tests.test_survey_flow import survey_address
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("where", ["website", "survey block", "survey page", "kiosk"])
def test_a_survey_that_closed_while_its_form_was_open_refuses_with_its_closing_date(
        client, where):
    """The form was drawn while the survey was open; it closed yesterday before the answers
    were sent: every place answers 403 with the date it closed, and stores nothing."""
    campaign, address = survey_address(client, where)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    campaign.closes_on = yesterday
    campaign.save()
    cache.clear()  # the survey cache's copy of the campaign has expired
    refused = client.post(address, form_data(campaign))
    html = refused.content.decode()
    assert refused.status_code == 403
    assert f"This survey closed on {yesterday:%d/%m/%Y}. Thank you for your interest." in html
    assert Response.objects.count() == 0
