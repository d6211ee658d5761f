"""Dates are shown and read in the active locale's formats, day-first for Vietnamese."""

import datetime

import pytest
from django.utils import translation

from tests.factories import make_campaign
from wagtail_satisfaction.formats import parse_date, short_date
from wagtail_satisfaction.services import campaign_closed_message


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_written_and_read_day_first(language):
    with translation.override(language):
        assert short_date(datetime.date(2026, 9, 4)) == "04/09/2026"
        assert parse_date("04/09/2026") == datetime.date(2026, 9, 4)
        assert parse_date(" 4-9-2026 ") == datetime.date(2026, 9, 4)
        assert parse_date("2026-09-04") == datetime.date(2026, 9, 4)  # ISO, always
        assert parse_date("09/31/2026") is None


@pytest.mark.django_db
def test_a_closed_survey_says_when_it_closed_in_the_visitors_format():
    closed = make_campaign(opens_on=datetime.date(2025, 1, 2), closes_on=datetime.date(2025, 3, 9))
    assert closed.status().is_closed
    with translation.override("vi"):
        assert "09/03/2025" in campaign_closed_message(closed)
