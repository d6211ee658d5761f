"""Abuse guards for public submissions: per-client rate limit through Django's cache."""

import hashlib

from django.core.cache import caches

from .conf import get_setting


def client_address(request):
    if get_setting("TRUST_X_FORWARDED_FOR"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_exceeded(request, scope="survey"):
    """Count this submission for the client; True once it is over the limit.

    A fixed window keyed by a hash of the address (no addresses are stored in clear).
    """
    limit = get_setting("RATE_LIMIT")
    if not limit:
        return False
    cache = caches[get_setting("RATE_LIMIT_CACHE")]
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"wagtail_satisfaction:rl:{scope}:{digest}"
    window = get_setting("RATE_LIMIT_WINDOW")
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return False
    return count > limit
