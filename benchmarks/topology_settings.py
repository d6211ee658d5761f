"""Settings of ``benchmarks/topology.py``: the submit benchmark's production-like settings,
behind one proxy of our own (the visitor's address is the last X-Forwarded-For entry, as in
``example_site.settings_production``), with the app's default limits unless the environment
says otherwise."""

import os

from benchmarks.settings import *  # noqa: F403

WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
# The 409s and 429s the cases provoke on purpose are counted, not logged one by one.
LOGGING = {**LOGGING, "loggers": {"django.request": {"level": "ERROR"}}}  # noqa: F405
# As example_site.settings_production: a worker keeps its connection through a whole run, so
# PostgreSQL's CPU per POST can be read from the same backends before and after.
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
