"""The rule modules at the edges mutation testing found unpinned (scripts/mutation.sh,
issue 10)."""

import pytest
from django.utils import translation

from wagtail_satisfaction.reports.disclosure import pool_label, pool_label_pattern

pytestmark = pytest.mark.django_db


# --- The small-group rule (reports/disclosure.py) ---------------------------------------------

def test_the_pooled_row_is_recognised_in_either_language_and_for_any_minimum():
    """A sub-unit's export names its pooled officers by the pool's label in the language it
    was made in; the import must read that cell as naming nobody, whichever the language
    and the minimum, and still read a real name as a name."""
    pattern = pool_label_pattern()
    labels = set()
    for language in ("vi", "en"):
        with translation.override(language):
            for minimum in (2, 5, 12):
                labels.add(pool_label(minimum))
    assert len(labels) == 6  # really two languages
    assert all(pattern.fullmatch(label) for label in labels)
    assert not pattern.fullmatch("Nguyễn Văn An")
    assert not pattern.fullmatch("Other officers")


def test_a_minimum_given_by_the_caller_wins_over_the_setting(settings):
    """The open data pages give their own minimum: with 2, an officer rated twice is shown
    although the site's setting (5) would pool everyone."""
    from wagtail_satisfaction.reports.disclosure import suppress_small_groups

    class Row:
        def __init__(self, responses):
            self.responses = responses

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 5
    result = suppress_small_groups([("a", Row(2)), ("b", Row(1)), ("c", Row(3))], 2)
    # b alone (1) would be singled out: a, the smallest shown, joins the pool.
    assert [key for key, _row in result.shown] == ["c"]
    assert result.pooled_keys == {"a", "b"} and result.pooled_responses == 3
    assert not result.figures_withheld


# --- The rate limits' counters (guards.py) ----------------------------------------------------

def test_a_rate_limit_counter_holds_through_its_window_and_is_gone_two_windows_later(
        monkeypatch):
    """The count that refuses a visitor lasts as long as its window; the counter then expires
    by itself (a key per window: nothing in the cache outlives two windows, however many
    visitors came)."""
    import time

    from django.core.cache import caches

    from wagtail_satisfaction import guards

    now = [600.0 * 10_000]  # the start of a 10-minute window
    monkeypatch.setattr(time, "time", lambda: now[0])
    caches["default"].clear()
    first = guards.take_slot("survey", "203.0.113.9", 1, window=600)
    assert first.granted
    now[0] += 599  # the last second of the same window
    assert not guards.take_slot("survey", "203.0.113.9", 1, window=600).granted
    assert caches["default"].get(first.key) == 1
    now[0] += 600  # the next window: a fresh count, the old counter still there
    assert guards.take_slot("survey", "203.0.113.9", 1, window=600).granted
    assert caches["default"].get(first.key) == 1
    now[0] += 2  # two windows after the first was made
    assert caches["default"].get(first.key) is None


def test_a_survey_form_sent_again_within_a_day_is_not_stored_twice_and_the_key_then_expires(
        monkeypatch):
    """A reload of the thank-you page (the same form sent again) a day later still stores
    nothing; the form's key is forgotten after that day, so the cache does not fill up."""
    import time

    from django.core.cache import caches

    from tests.factories import make_campaign
    from wagtail_satisfaction.guards import claim_submission_key, new_submission_key

    now = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    caches["default"].clear()
    campaign, key = make_campaign(), new_submission_key()
    assert claim_submission_key(campaign, key).first
    now[0] += 24 * 3600 - 60  # the next day, a minute before the day is over
    assert not claim_submission_key(campaign, key).first
    now[0] += 61
    assert claim_submission_key(campaign, key).first


def test_behind_a_proxy_a_request_without_the_forwarded_header_counts_by_its_connection(
        settings):
    """A request that reached Django without passing our proxy (no X-Forwarded-For) is
    counted by the address it came from; one with no address at all (a Unix socket) shares
    the empty address instead of failing."""
    from django.test import RequestFactory

    from wagtail_satisfaction.guards import client_address, reserve_submission

    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 1
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) == ""
    assert reserve_submission(request).granted
