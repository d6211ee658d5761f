"""OpenAPI schema settings: the app's own API only (not Wagtail's internal admin API)."""

SCHEMA_SETTINGS = {
    "TITLE": "wagtail-satisfaction API",
    "DESCRIPTION": "Open data: aggregated satisfaction figures of published campaigns, "
                   "never individual responses or personal data (docs/public.md). Dossier "
                   "API: the one-stop software creates dossiers, marks results returned and "
                   "reads rating status with an API client's token (docs/api.md).",
    "VERSION": "1",
    "PREPROCESSING_HOOKS": ["wagtail_satisfaction.public.schema.app_endpoints_only"],
}


def app_endpoints_only(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: keep the views defined by this app."""
    return [endpoint for endpoint in endpoints
            if getattr(endpoint[3], "cls", None) is not None
            and endpoint[3].cls.__module__.startswith("wagtail_satisfaction.")]
