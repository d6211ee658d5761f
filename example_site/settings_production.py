"""Production settings of the example site, read from environment variables.

Use with ``DJANGO_SETTINGS_MODULE=example_site.settings_production``; the README's
"Running in production" section lists the variables. ``manage.py check --deploy`` prints no
warning with them (tests/test_production_settings.py runs it).
"""

import os

import dj_database_url

from .settings import *  # noqa: F403  (the example site's settings, hardened below)


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default):
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


DEBUG = False
# Required: the site does not start without them.
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
DATABASES = {"default": dj_database_url.config(conn_max_age=600, conn_health_checks=True)}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}

# HTTPS only: redirect plain HTTP, tell browsers to stay on HTTPS, cookies only over HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Behind a reverse proxy that terminates TLS: it says the original scheme in a header, and
# the survey's rate limit reads the visitor's address from X-Forwarded-For, skipping our
# own proxies (see WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT in the README).
WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
if WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

WAGTAILADMIN_BASE_URL = os.environ["WAGTAILADMIN_BASE_URL"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)  # noqa: F405
# Invitations by email; by SMS only once a gateway is configured (docs/api.md), never to the
# console as in the demo.
WAGTAIL_SATISFACTION_MESSAGE_BACKENDS = {
    "email": {"CLASS": "wagtail_satisfaction.channels.backends.EmailBackend", "OPTIONS": {}},
    "sms": None,
}
