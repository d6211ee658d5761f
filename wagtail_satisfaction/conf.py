"""Every ``WAGTAIL_SATISFACTION_*`` setting, read in one place with its default.

Code reads settings through :func:`get_setting` so that tests can override them with
``override_settings`` and the README's settings reference stays the single list.
"""

from django.conf import settings

DEFAULTS = {
    # Cache alias used by the per-client rate limit (Redis in production).
    "RATE_LIMIT_CACHE": "default",
    # How many submissions one client (IP address) may make per window; 0 disables.
    "RATE_LIMIT": 10,
    # Length of the rate-limit window, in seconds.
    "RATE_LIMIT_WINDOW": 600,
    # Name of the honeypot field that humans never see and bots fill in.
    "HONEYPOT_FIELD": "website",
    # Trust X-Forwarded-For for the client address (only behind a trusted proxy).
    "TRUST_X_FORWARDED_FOR": False,
    # Bands for the 0–18 point TTHC total: (lowest score included, label), highest first.
    "TTHC_BANDS": [
        (15.0001, "Xuất sắc"),
        (12, "Tốt"),
        (9, "Khá"),
        (6, "Trung bình"),
        (0, "Yếu"),
    ],
    # Officer breakdowns hide groups with fewer responses than this.
    "MIN_GROUP_SIZE": 5,
    # Time zone used for periods (months, quarters, rounds) in reports.
    "REPORT_TIME_ZONE": "Asia/Ho_Chi_Minh",
    # --- reports (docs/reports.md) ---
    # Exports of more responses than this run as a background task (django-tasks).
    "EXPORT_BACKGROUND_THRESHOLD": 20_000,
    # How many relevant comments the report page lists (the export has them all).
    "REPORT_COMMENT_LIMIT": 100,
}


def get_setting(name):
    """Return ``WAGTAIL_SATISFACTION_<name>`` or its documented default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown wagtail-satisfaction setting: {name}")
    return getattr(settings, f"WAGTAIL_SATISFACTION_{name}", DEFAULTS[name])
