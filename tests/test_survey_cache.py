"""The survey cache: a changed campaign or question shows at the next request, in every process;
the thank-you page and the question fieldsets drawn once are the ones a visitor would get."""

import os
import uuid

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories import form_data, make_campaign
from wagtail_satisfaction import counters, survey_cache
from wagtail_satisfaction.models import Response

pytestmark = pytest.mark.django_db


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def test_an_edited_question_shows_at_the_next_request(client, campaign):
    assert "Ông/bà hài lòng" not in client.get(survey_url(campaign)).content.decode()
    question = campaign.questionnaire.question_list()[0]
    question.text = "Ông/bà hài lòng với giờ làm việc?"
    question.save()
    assert "Ông/bà hài lòng với giờ làm việc?" in client.get(survey_url(campaign)).content.decode()


def test_a_campaign_closed_in_the_admin_refuses_the_next_post(client, campaign):
    import datetime

    client.get(survey_url(campaign))  # now in this process's cache
    campaign.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save()
    assert client.post(survey_url(campaign), form_data(campaign)).status_code == 403
    assert Response.objects.count() == 0


def test_another_process_sees_the_change_through_the_shared_token(client, campaign,
                                                                  monkeypatch):
    from wagtail_satisfaction.models import Campaign

    monkeypatch.setattr(survey_cache, "TOKEN_CHECK_SECONDS", 0)  # read the token every time
    client.get(survey_url(campaign))  # now in this process's memory
    # Another process saves the campaign: the row changes and it sets a new shared token;
    # this process's memory still holds the old campaign.
    Campaign.objects.filter(pk=campaign.pk).update(thank_you="Cảm ơn ông/bà, lời nhắn mới.")
    caches["default"].set(survey_cache.TOKEN_KEY, uuid.uuid4().hex, None)
    answer = client.post(survey_url(campaign), form_data(campaign))
    assert "Cảm ơn ông/bà, lời nhắn mới." in answer.content.decode()


def test_a_change_behind_the_signals_back_shows_after_the_timeout(client, campaign, settings):
    from wagtail_satisfaction.models import Campaign

    client.get(survey_url(campaign))
    Campaign.objects.filter(pk=campaign.pk).update(intro="Giới thiệu đổi bằng SQL")
    settings.WAGTAIL_SATISFACTION_SURVEY_CACHE_TIMEOUT = 0
    assert "Giới thiệu đổi bằng SQL" in client.get(survey_url(campaign)).content.decode()


def test_unknown_campaign_is_404(client):
    assert client.get("/khao-sat/khong-co/").status_code == 404
    assert client.get(reverse("wagtail_satisfaction:thanks",
                              args=["khong-co"])).status_code == 404


@pytest.mark.parametrize("layout", ["one_page", "steps"])
def test_cached_questions_are_the_ones_a_fresh_form_draws(client, settings, layout):
    campaign = make_campaign(survey_layout=layout)
    first = client.get(survey_url(campaign)).content.decode()
    second = client.get(survey_url(campaign)).content.decode()  # from the cache
    settings.WAGTAIL_SATISFACTION_SURVEY_CACHE_TIMEOUT = 0  # drawn afresh
    fresh = client.get(survey_url(campaign)).content.decode()

    def without_token(html):
        import re

        return re.sub(r'name="(csrfmiddlewaretoken|satisfaction_key)" value="[^"]+"', "", html)

    assert without_token(first) == without_token(second) == without_token(fresh)
    # A refused form is drawn with what was typed, never from the cache.
    refused = client.post(survey_url(campaign), {"email": "giữ lại"})
    assert refused.status_code == 400 and "giữ lại" in refused.content.decode()
    assert "has-error" in refused.content.decode()


def test_thank_you_page_for_a_signed_in_editor_is_drawn_for_them(admin_client, campaign):
    answer = admin_client.post(survey_url(campaign), form_data(campaign))
    assert answer.status_code == 200 and 'class="satisfaction-thanks"' in answer.content.decode()
    assert Response.objects.count() == 1


def test_thank_you_page_is_kept_per_language(client, campaign):
    vietnamese = client.post(survey_url(campaign), form_data(campaign)).content.decode()
    english = client.post(survey_url(campaign), form_data(campaign),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Xin cảm ơn" in vietnamese and 'lang="vi"' in vietnamese
    assert 'lang="en"' in english and "Thank you" in english


@pytest.fixture
def redis_cache(settings):
    """A Django Redis cache of its own (CI and the developers' machines run Redis)."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "redis-counters": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
        "KEY_PREFIX": prefix}}
    cache = caches["redis-counters"]
    yield cache
    client = cache._cache.get_client(prefix, write=True)  # only this test's keys, not flushdb
    keys = client.keys(f"{prefix}:*")
    if keys:
        client.delete(*keys)


def test_counter_in_redis_is_one_round_trip_and_reads_back_as_a_number(redis_cache):
    assert counters.count(redis_cache, "k", timeout=60) == 1
    assert counters.count(redis_cache, "k", timeout=60) == 2
    assert redis_cache.get("k") == 2
    redis_cache.decr("k")
    assert redis_cache.get("k") == 1
    name = redis_cache.make_and_validate_key("k")
    client = redis_cache._cache.get_client(name)
    assert 0 < client.ttl(name) <= 60  # the expiry set when it was created
    assert counters.count(redis_cache, "v", initial=1) == 2
    assert client.ttl(redis_cache.make_and_validate_key("v")) == -1  # no expiry


def test_rate_limit_on_redis_gives_slots_back(client, campaign, settings, redis_cache):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT_CACHE = "redis-counters"
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    assert client.post(survey_url(campaign), form_data(campaign, email="sai@")).status_code == 400
    assert client.post(survey_url(campaign), form_data(campaign)).status_code == 200
    assert client.post(survey_url(campaign), form_data(campaign)).status_code == 429
    assert Response.objects.count() == 1


def test_counter_in_another_cache_starts_again_if_evicted(monkeypatch):
    cache = caches["default"]
    monkeypatch.setattr(type(cache), "incr", lambda self, key, delta=1, version=None: (
        (_ for _ in ()).throw(ValueError(key))))
    assert counters.count(cache, "gone", initial=1) == 2


def test_the_cache_starts_again_past_its_bound_and_after_a_racing_first_token(
        client, monkeypatch):
    monkeypatch.setattr(survey_cache, "MAX_ENTRIES", 1)
    monkeypatch.setattr(survey_cache, "TOKEN_CHECK_SECONDS", 0)
    first, second = make_campaign(), make_campaign()
    assert client.get(survey_url(first)).status_code == 200
    assert client.get(survey_url(second)).status_code == 200
    assert list(survey_cache._entries) == [second.slug]
    # Another process set the first token between this one's read and its add: use theirs.
    caches["default"].delete(survey_cache.TOKEN_KEY)
    cache_type = type(caches["default"])
    real_add = cache_type.add

    def racing_add(self, key, value, timeout=None, version=None):
        real_add(self, key, "theirs", timeout)
        return False

    monkeypatch.setattr(cache_type, "add", racing_add)
    assert survey_cache.current_token() == "theirs"
