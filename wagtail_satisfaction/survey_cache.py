"""What a campaign's survey needs, loaded once per process instead of once per request.

The survey view and its POST read the campaign, its questionnaire, the questions (with their
factors) and the form's question fields from here. Each process keeps them in memory under a
*configuration token* held in the shared cache (Redis in production): saving or deleting a
campaign, questionnaire, factor, question or unit sets a new token, so every process of every
server loads them again (the process that saved at once, the others within a second: each
reads the token at most once a second).
Entries older than ``SURVEY_CACHE_TIMEOUT`` seconds are loaded again whatever the token
says, which bounds how long a change made behind the signals' back (a queryset ``update()``,
a database tool) can go unseen.

The rendered question fieldsets of an unbound form are kept too, per language: drawing 27
radio groups is most of the survey page's cost, and nothing in them depends on the visitor
(the CSRF token and any error are drawn outside them).
"""

import threading
import time
import uuid

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.http import Http404

from .conf import get_setting

TOKEN_KEY = "wagtail_satisfaction:survey-config"
MAX_ENTRIES = 500

_entries = {}
_lock = threading.Lock()


class Entry:
    """One campaign as its survey uses it; shared read-only by the requests of a process."""

    def __init__(self, token, campaign):
        self.token = token
        self.loaded_at = time.monotonic()
        self.campaign = campaign
        self.fragments = {}  # (language, form class) -> rendered question fieldsets

    def fresh(self, token):
        return (self.token == token and time.monotonic() - self.loaded_at
                < get_setting("SURVEY_CACHE_TIMEOUT"))


def _cache():
    return caches[get_setting("SURVEY_CACHE")]


# The token read last and when: a process reads the shared token at most once a second, so
# a change made through another process shows here within that second (at once here).
TOKEN_CHECK_SECONDS = 1.0
_token = {"value": None, "read_at": 0.0}


def current_token():
    """The configuration token every process compares its entries with."""
    now = time.monotonic()
    if _token["value"] is not None and now - _token["read_at"] < TOKEN_CHECK_SECONDS:
        return _token["value"]
    cache = _cache()
    token = cache.get(TOKEN_KEY)
    if token is None:  # first request, or the cache was cleared or evicted the key
        token = uuid.uuid4().hex
        if not cache.add(TOKEN_KEY, token, None):
            token = cache.get(TOKEN_KEY) or token
    _token.update(value=token, read_at=now)
    return token


def invalidate(**_kwargs):
    """Every process loads its surveys again (a campaign or its questions changed)."""
    token = uuid.uuid4().hex
    _cache().set(TOKEN_KEY, token, None)
    with _lock:
        _token.update(value=token, read_at=time.monotonic())
        _entries.clear()


def load(slug):
    from .models import Campaign

    try:
        campaign = Campaign.objects.select_related("questionnaire", "unit").get(slug=slug)
    except Campaign.DoesNotExist:
        raise Http404("No campaign with this address.") from None
    campaign.questionnaire.question_list()
    campaign.questionnaire.question_fields()
    return campaign


def entry_for(slug):
    """The cached :class:`Entry` of the campaign with this slug; 404 when there is none."""
    token = current_token()
    entry = _entries.get(slug)
    if entry is None or not entry.fresh(token):
        entry = Entry(token, load(slug))
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[slug] = entry
    return entry


def campaign_for(slug):
    """The campaign with this slug, its questionnaire and questions loaded (shared: read only)."""
    return entry_for(slug).campaign


def cached_fragment(campaign, key, render):
    """``render()``'s result, kept with the campaign's entry under ``key`` while it is fresh.

    For a campaign that did not come from this cache (a preview, a page's own instance),
    it is drawn each time.
    """
    entry = _entries.get(campaign.slug)
    if entry is None or entry.campaign is not campaign:
        return render()
    fragment = entry.fragments.get(key)
    if fragment is None:
        fragment = entry.fragments[key] = render()
    return fragment


def connect_signals():
    from .models import Campaign, Factor, Question, Questionnaire, Unit

    for model in (Campaign, Questionnaire, Factor, Question, Unit):
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model,
                           dispatch_uid=f"satisfaction_survey_cache_{signal is post_save}_"
                                        f"{model.__name__}")
