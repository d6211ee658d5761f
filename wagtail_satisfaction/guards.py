"""Abuse guards for public submissions: per-client rate limit through Django's cache.

Only stored submissions count, so a person who corrects a few mistakes is not locked out;
a client over the limit is refused before anything is stored.
"""

import hashlib

from django.core.cache import caches

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


def _key(request, scope):
    # A hash of the address: no addresses are kept in clear in the cache.
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"wagtail_satisfaction:rl:{scope}:{digest}"


def rate_limit_exceeded(request, scope="survey"):
    """True when this client already made the allowed number of submissions in the window."""
    limit = get_setting("RATE_LIMIT")
    if not limit:
        return False
    cache = caches[get_setting("RATE_LIMIT_CACHE")]
    return (cache.get(_key(request, scope)) or 0) >= limit


def count_submission(request, scope="survey"):
    """Count one stored submission for this client (a fixed window from the first one)."""
    if not get_setting("RATE_LIMIT"):
        return
    cache = caches[get_setting("RATE_LIMIT_CACHE")]
    key = _key(request, scope)
    window = get_setting("RATE_LIMIT_WINDOW")
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
