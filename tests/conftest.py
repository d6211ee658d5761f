import os

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings

from tests.factories import make_campaign

# Property tests: a few examples in every run ("ci"), many by hand (HYPOTHESIS_PROFILE=long).
# Examples build database rows, so no deadline; no example database left in the checkout.
settings.register_profile("ci", max_examples=5, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=300, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected (not skipped) on other databases."""
    if connection.vendor == "postgresql":
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Limits count in fixed windows (time // window): a test crossing a window's edge would
    # get a fresh count half-way. Windows of ~31 years keep every test inside one.
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT_WINDOW = 10**9
    settings.WAGTAIL_SATISFACTION_API_RATE_LIMIT_WINDOW = 10**9
    if not os.environ.get("REDIS_URL"):
        # With REDIS_URL (CI's PostgreSQL run) the rate limit is tested against real Redis.
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(db):
    return make_campaign()


@pytest.fixture
def english(settings):
    """Run a test in English, the source language, to assert messages by their msgid."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def tasks_inline(settings):
    """Run queued tasks (the comment's first sort, exports) at once, as a worker would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
