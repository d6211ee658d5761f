"""Public survey views. Thin: the survey's steps are in ``flow``, its rules in ``services``."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.i18n import JavaScriptCatalog
from wagtail.admin.localization import get_localized_response

from .flow import THANKS_TEMPLATE, SurveyFlow, keeps_answers
from .survey_cache import campaign_for


@keeps_answers
def survey(request, slug):
    """The campaign's own survey page, used by banners, links and the survey block."""
    return SurveyFlow(campaign_for(slug)).serve(request)


@never_cache
def thanks(request, slug):
    """The thank-you page at its own address (where a reload of the answer page lands)."""
    return TemplateResponse(request, THANKS_TEMPLATE, {"campaign": campaign_for(slug)})


def old_thanks(request, slug):
    return redirect("wagtail_satisfaction:thanks", slug=slug, permanent=True)


_js_catalogue = JavaScriptCatalog.as_view(packages=["wagtail_satisfaction"])


def admin_js_catalogue(request):
    """Our ``djangojs`` catalogue in the admin user's language (as Wagtail serves its own),
    loaded on every admin page after Wagtail's (see ``wagtail_hooks.admin_js_catalogue``)."""
    return get_localized_response(_js_catalogue, request)
