"""Public survey views. Thin: the survey's steps are in ``flow``, its rules in ``services``."""

from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from .flow import SurveyFlow, keeps_answers
from .models import Campaign


@keeps_answers
def survey(request, slug):
    """The campaign's own survey page, used by banners, links and the survey block."""
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire"), slug=slug)
    return SurveyFlow(campaign).serve(request)


@never_cache
def thanks(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    return TemplateResponse(request, "wagtail_satisfaction/thanks.html", {"campaign": campaign})


def old_thanks(request, slug):
    return redirect("wagtail_satisfaction:thanks", slug=slug, permanent=True)
