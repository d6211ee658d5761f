"""Public survey views. Thin: the survey's steps are in ``flow``, its rules in ``services``."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from .flow import SurveyFlow, keeps_answers
from .models import Campaign


@keeps_answers
def survey(request, slug):
    """The campaign's own survey page, used by banners, links and the survey block."""
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire"), slug=slug)
    return SurveyFlow(campaign).serve(request)


def thanks(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    return TemplateResponse(request, "wagtail_satisfaction/thanks.html", {"campaign": campaign})
