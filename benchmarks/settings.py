"""Production-like settings for ``benchmarks/submit.py``: the example site plus the references.

DEBUG off, persistent connections (CONN_MAX_AGE=60), Redis cache (REDIS_URL), tasks queued to
the django_tasks_db backend; the Wagtail FormPage and the plain view are added here only.
"""

import os

from example_site.settings import *  # noqa: F403
from example_site.settings import DATABASES, INSTALLED_APPS

DEBUG = False
INSTALLED_APPS = ["benchmarks.formpage_app", *INSTALLED_APPS]
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
ROOT_URLCONF = "benchmarks.urls"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WAGTAIL_SATISFACTION_RATE_LIMIT = int(os.environ.get("SATISFACTION_RATE_LIMIT", "1000000"))
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
