"""Every ``WAGTAIL_SATISFACTION_*`` setting, read in one place with its default.

Code reads settings through :func:`get_setting` so that tests can override them with
``override_settings`` and the README's settings reference stays the single list.
"""

from django.conf import settings

DEFAULTS = {
    # Cache alias used by the per-client rate limit (Redis in production).
    "RATE_LIMIT_CACHE": "default",
    # Cache alias holding the token that tells every process to reload a changed survey.
    "SURVEY_CACHE": "default",
    # Seconds a process keeps a campaign's survey (questions, form fields) before it
    # reloads it even without a change signalled; 0 reloads on every request.
    "SURVEY_CACHE_TIMEOUT": 60,
    # How many submissions one client (IP address) may make per window; 0 disables.
    "RATE_LIMIT": 10,
    # Length of the rate-limit window, in seconds.
    "RATE_LIMIT_WINDOW": 600,
    # Name of the honeypot field that humans never see and bots fill in.
    "HONEYPOT_FIELD": "website",
    # Seconds a visitor takes per question: the minutes the survey form, its banner and the
    # invitation emails announce (rounded up from the number of questions).
    "SECONDS_PER_QUESTION": 10,
    # How many proxies of the site's own stand in front of Django; the client address is
    # the entry that many places from the right of X-Forwarded-For (0: REMOTE_ADDR).
    "TRUSTED_PROXY_COUNT": 0,
    # Older switch, same as TRUSTED_PROXY_COUNT = 1 when that is 0.
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
    # PostgreSQL: seconds after a submission before the task worker adds it (and every
    # other submission of those seconds) to the daily tallies in one statement. Reports
    # never wait for it: reading the tallies rolls the queue up first.
    "TALLY_ROLL_UP_DELAY": 2,
    # PostgreSQL: prepare a submission's two statements once per database connection
    # (wagtail_satisfaction.prepared). False behind a pooler in transaction mode (PgBouncer)
    # that does not keep a client's SQL-level prepared statements.
    "PREPARE_STATEMENTS": True,
    # --- Comment moderation ---
    # The automatic first sort of new comments: {"CLASS": dotted path of a
    # BaseCommentClassifier subclass, "OPTIONS": {...} passed to it}. See docs/moderation.md.
    "COMMENT_CLASSIFIER": {
        "CLASS": "wagtail_satisfaction.moderation.learned.LearnedClassifier",
        "OPTIONS": {},
    },
    # Comments shown per page in the moderation queue.
    "MODERATION_PAGE_SIZE": 50,
    # --- Collection channels (dossiers, kiosk, paper, invitations, re-verification) ---
    # Length of the secret code ("mã xác thực") generated for each dossier.
    "DOSSIER_SECRET_LENGTH": 8,
    # Let a dossier past its due date be rated even if its result was not returned.
    "RATE_OVERDUE_DOSSIERS": True,
    # Wrong secret codes one dossier code may receive per RATE_LIMIT_WINDOW, from anyone
    # (stops the guessing of one dossier; docs/channels.md has the arithmetic); 0 disables.
    "DOSSIER_CODE_ATTEMPTS": 10,
    # Wrong dossier code / secret code pairs one client may type per RATE_LIMIT_WINDOW, over
    # all codes (stops guessing across codes; high enough for a shared address); 0 disables.
    "DOSSIER_CLIENT_ATTEMPTS": 100,
    # How long a signed dossier link (QR code, email) stays valid, in days.
    "DOSSIER_LINK_MAX_AGE_DAYS": 90,
    # How long a signed opt-out link stays valid, in days.
    "OPT_OUT_LINK_MAX_AGE_DAYS": 365,
    # Absolute base of links in emails and slips; None uses WAGTAILADMIN_BASE_URL.
    "PUBLIC_BASE_URL": None,
    # How long a reviewer (the ISO secretary) may still correct a typed form after its
    # campaign closes, in days, when no round of the campaign has a report deadline
    # (docs/channels.md); the staff member who typed a form corrects it the same day.
    "CORRECTION_DAYS_AFTER_CLOSE": 15,
    # Invitations sent per SMTP connection (one batch = one connection).
    "INVITATION_BATCH_SIZE": 100,
    # How invitations reach people, per channel: {"email": {"CLASS": ..., "OPTIONS": {...}},
    # "sms": {...} or None (no SMS)}. Classes in channels.backends: EmailBackend (Django's
    # email), HttpSmsBackend (an SMS gateway's HTTP API), ConsoleBackend (development).
    # docs/api.md lists every option.
    "MESSAGE_BACKENDS": {
        "email": {"CLASS": "wagtail_satisfaction.channels.backends.EmailBackend",
                  "OPTIONS": {}},
        "sms": None,
    },
    # --- Dossier API for the one-stop software (docs/api.md) ---
    # Calls one API client (token) may make per API_RATE_LIMIT_WINDOW; 0 disables.
    "API_RATE_LIMIT": 120,
    # Length of the API's rate-limit window, in seconds.
    "API_RATE_LIMIT_WINDOW": 60,
    # Days to wait after the invitation before the single reminder.
    "REMINDER_AFTER_DAYS": 7,
    # Return-rate target (%) for per-unit response rates when the campaign sets none.
    "RETURN_RATE_TARGET": 80,
    # Seconds the kiosk thank-you screen shows before going back to the start.
    "KIOSK_THANKS_SECONDS": 8,
    # Seconds without a touch after which a half-filled kiosk form is cleared.
    "KIOSK_IDLE_SECONDS": 120,
    # Share of responses (%) drawn for re-verification calls ("phúc tra") by default.
    "REVERIFICATION_SHARE": 25,
    # --- Retention of personal data (docs/retention.md) ---
    # Days personal data is kept: respondents' emails and the phone numbers and emails in
    # comments and re-verification notes after their campaign closes; applicants' names,
    # emails and phones after their dossier's result is returned (else received). None keeps
    # them forever (the purge does nothing).
    "PERSONAL_DATA_RETENTION_DAYS": 365,
    # --- reports (docs/reports.md) ---
    # Exports of more responses than this run as a background task (django-tasks).
    "EXPORT_BACKGROUND_THRESHOLD": 20_000,
    # How many relevant comments the report page lists (the export has them all).
    "REPORT_COMMENT_LIMIT": 100,
    # The place written before the date of the report document ("Lâm Đồng, ngày …");
    # empty: dots, to be written by hand.
    "REPORT_PLACE": "",
    # --- public results and open data (docs/public.md) ---
    # Cache alias holding the public results and the open-data figures.
    "PUBLIC_CACHE": "default",
    # Seconds public figures stay cached at most; a new response refreshes them sooner.
    "PUBLIC_CACHE_TIMEOUT": 300,
    # max-age (seconds) of the open-data responses' Cache-Control header.
    "OPEN_DATA_MAX_AGE": 900,
    # The licence stated in every open-data payload.
    "OPEN_DATA_LICENCE": {"name": "CC BY 4.0",
                          "url": "https://creativecommons.org/licenses/by/4.0/"},
    # --- tamper evidence (docs/integrity.md) ---
    # Keys that seal responses: {"CLASS": dotted path of an integrity.keys.BaseKeyring,
    # "OPTIONS": {...}}. The default derives them from SECRET_KEY (+ SECRET_KEY_FALLBACKS);
    # production names its own with SettingsKeyring: {"KEYS": {id: secret}, "CURRENT": id}.
    "SEAL_KEYS": {
        "CLASS": "wagtail_satisfaction.integrity.keys.SecretKeyKeyring",
        "OPTIONS": {},
    },
    # Problems an integrity check keeps for the admin page (the command prints them all).
    "INTEGRITY_PROBLEMS_KEPT": 500,
}


def get_setting(name):
    """Return ``WAGTAIL_SATISFACTION_<name>`` or its documented default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown wagtail-satisfaction setting: {name}")
    return getattr(settings, f"WAGTAIL_SATISFACTION_{name}", DEFAULTS[name])
