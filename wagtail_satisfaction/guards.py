"""Abuse guards for public submissions, counted in Django's cache (Redis in production).

Every limit is a *reservation*: a slot is taken with one atomic ``incr`` before the work it
guards, and given back when the work is refused. So a burst of concurrent requests can never
store more than the limit (each request sees its own count), and a person who corrects a
mistake is not locked out by the submission that was refused. Counts live in fixed windows
(the window's number is part of the key), so a key never outlives its window and no
request has to set an expiry after the fact.
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from django.core.cache import caches

from . import counters
from .conf import get_setting


def trusted_proxy_count():
    """How many proxies of the site's own sit in front of Django (0: none)."""
    count = get_setting("TRUSTED_PROXY_COUNT")
    if not count and get_setting("TRUST_X_FORWARDED_FOR"):
        return 1  # the older switch: one proxy of ours
    return count


def client_address(request):
    """The visitor's address, read from the right of ``X-Forwarded-For``.

    Each proxy appends the address it was reached from, so behind ``n`` proxies of our own
    the ``n``-th entry from the right is the one our outermost proxy saw; anything left of
    it the client may have written itself. A header with fewer entries than that did not
    come through our proxies, so the connection's own address is used.
    """
    count = trusted_proxy_count()
    if count:
        forwarded = [entry.strip() for entry in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def _cache():
    return caches[get_setting("RATE_LIMIT_CACHE")]


def _key(scope, identity, window):
    # A hash: no address or dossier code is kept in clear in the cache.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"wagtail_satisfaction:rl:{scope}:{digest}:{int(time.time() // window)}"


@dataclass
class Slot:
    """One reserved unit of a limit; ``granted`` is False when the limit was reached."""

    key: str | None = None
    granted: bool = True

    def give_back(self):
        """Return the slot (the work it guarded was refused); safe to call twice."""
        if self.key is None:
            return
        key, self.key = self.key, None
        try:
            _cache().decr(key)
        except ValueError:  # the window ended meanwhile: nothing left to give back
            pass


def take_slot(scope, identity, limit, window=None):
    """Reserve one of ``limit`` slots of ``identity`` in the current window (0: no limit)."""
    if not limit:
        return Slot()
    window = window or get_setting("RATE_LIMIT_WINDOW")
    cache = _cache()
    key = _key(scope, identity, window)
    # Atomic in Redis and in LocMemCache. The key lives two windows, so it cannot expire
    # while its own window is current.
    if counters.count(cache, key, timeout=2 * window) > limit:
        cache.decr(key)
        return Slot(granted=False)
    return Slot(key)


SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SENT_KEY_TIMEOUT = 24 * 3600  # a reload of the thank-you page a day later still stores nothing


def new_submission_key():
    """A fresh one-time key for a survey form as drawn (``satisfaction_key``)."""
    return secrets.token_urlsafe(16)


@dataclass
class SentKey:
    """A survey form's one-time key, claimed while its submission is stored."""

    key: str | None = None
    first: bool = True

    def release(self):
        """Free the key again (the submission was not stored); safe to call twice."""
        if self.key is None:
            return
        key, self.key = self.key, None
        _cache().delete(key)


def _sent_key(campaign, key):
    if not key or not SUBMISSION_KEY.match(key):
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"wagtail_satisfaction:sent:{campaign.pk}:{digest}"


def admit_submission(request, campaign, form_key, rate_limited=True):
    """A submission's slot of the rate limit and its claimed one-time key: ``(Slot, SentKey)``.

    A slot of this client's ``RATE_LIMIT`` submissions per window (as :func:`take_slot`
    gives) and the claim of the form's one-time key, in one round trip to the shared cache.
    The caller gives the slot back and releases the key on refusal.

    Without JavaScript the thank-you page stays at the survey's address, and a reload
    sends the same form again: its key is then already claimed (``first`` is False) and
    the visitor sees the thanks again without a second response. A form without a valid
    key (an older page, a script) is not deduplicated.
    """
    limit = get_setting("RATE_LIMIT") if rate_limited else 0
    window = get_setting("RATE_LIMIT_WINDOW")
    slot_key = _key("survey", client_address(request), window) if limit else None
    sent_key = _sent_key(campaign, form_key)
    counted, added = counters.count_and_add(_cache(), slot_key, 2 * window, sent_key,
                                            SENT_KEY_TIMEOUT)
    if slot_key is None:
        slot = Slot()
    elif counted > limit:
        _cache().decr(slot_key)
        slot = Slot(granted=False)
    else:
        slot = Slot(slot_key)
    if sent_key is None:
        sent = SentKey()
    else:
        sent = SentKey(sent_key) if added else SentKey(first=False)
    return slot, sent


@dataclass
class CodeAttempt:
    """The right to compare one dossier code + secret code pair (see :func:`code_attempt`)."""

    slots: tuple

    def right(self):
        """The pair was right: it costs neither the code nor the client anything."""
        for slot in self.slots:
            slot.give_back()

    def wrong(self):
        """The pair was wrong: it stays counted against the code and the client."""


def code_attempt(request, code):
    """Reserve the comparison of a secret code for ``code`` from this client, or None.

    Two limits, both counting wrong pairs only (a right pair gives its slots back):
    DOSSIER_CODE_ATTEMPTS per dossier code, whoever types it, stops the guessing of one
    dossier; DOSSIER_CLIENT_ATTEMPTS per client, a higher bound, stops one client from
    guessing across many codes. The code's slot is taken first, so guesses refused for a
    locked code never count against the client: the people behind a one-stop centre's
    shared address keep typing their own right codes while one of them guesses wrong.
    The code is counted whether or not a dossier has it, so the reply says nothing about
    which codes exist.
    """
    code_slot = take_slot("dossier-code", code, get_setting("DOSSIER_CODE_ATTEMPTS"))
    if not code_slot.granted:
        return None
    client_slot = take_slot("dossier-client", client_address(request),
                            get_setting("DOSSIER_CLIENT_ATTEMPTS"))
    if not client_slot.granted:
        code_slot.give_back()
        return None
    return CodeAttempt((code_slot, client_slot))
