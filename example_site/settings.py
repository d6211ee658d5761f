"""Settings of the example site (also used by the test suite).

SQLite by default; PostgreSQL when ``DATABASE_URL`` is set. Redis for the cache (and so the
survey rate limit) when ``REDIS_URL`` is set, else a per-process memory cache.
"""

import datetime
import os
from pathlib import Path

import dj_database_url

from wagtail_satisfaction.public.schema import SCHEMA_SETTINGS
from wagtail_satisfaction.security import PUBLIC_DIRECTIVES

BASE_DIR = Path(__file__).resolve().parent.parent
SITE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("SECRET_KEY", "example-site-not-secret-change-me")
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")

INSTALLED_APPS = [
    "example_site.home",
    "wagtail_satisfaction",
    "wagtail_modeladmin",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Content-Security-Policy (django-csp): the strict public policy, Wagtail's admin its own.
    "wagtail_satisfaction.security.AdminAwareCSPMiddleware",
    # Last, as django-axes asks: it turns a locked sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "example_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "example_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Let concurrent requests wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (large exports, email invitations) through django-tasks, which
# Wagtail 8 ships. The database backend needs no extra service; run a worker with
# ``manage.py db_worker``. Set TASKS_IMMEDIATE=1 to run tasks inline.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_IMMEDIATE") == "1"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

CONTENT_SECURITY_POLICY = {"DIRECTIVES": PUBLIC_DIRECTIVES}
# Avatars from the site itself: no admin's email hash goes to gravatar.com (and the policy
# allows no other origin).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The admin does not fetch releases.wagtail.org (an agency's intranet may not reach it, and the
# policy allows no other origin); upgrades are the site's deployment's business.
WAGTAIL_ENABLE_UPDATE_CHECK = False

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out sign-in is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing on the admin sign-in (django-axes): after 5 wrong passwords for one
# account from one address, that pair waits 15 minutes. Locking the pair, not the address,
# keeps an office behind one public address working while one person is locked out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wagtail_satisfaction.admin.login.locked_out"
# The same client address as the survey's rate limit (WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "wagtail_satisfaction.guards.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
# Day-first dates (dd/mm/yyyy) shown and read by the app, in both languages.
FORMAT_MODULE_PATH = ["wagtail_satisfaction.formats"]
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND",
                               "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = "khaosat@so-kh-cn.example.gov.vn"
# Rating invitations: email as above; SMS printed on the console in the demo (docs/api.md
# shows an SMS gateway's settings).
WAGTAIL_SATISFACTION_MESSAGE_BACKENDS = {
    "email": {"CLASS": "wagtail_satisfaction.channels.backends.EmailBackend", "OPTIONS": {}},
    "sms": {"CLASS": "wagtail_satisfaction.channels.backends.ConsoleBackend", "OPTIONS": {}},
}

WAGTAIL_SITE_NAME = "Sở Khoa học và Công nghệ (demo)"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# wagtail-satisfaction: every setting and its default is in the README.
WAGTAIL_SATISFACTION_RATE_LIMIT = int(os.environ.get("SATISFACTION_RATE_LIMIT", "10"))

# Open data (wagtail_satisfaction.public): the OpenAPI schema of `manage.py spectacular`.
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
SPECTACULAR_SETTINGS = SCHEMA_SETTINGS
