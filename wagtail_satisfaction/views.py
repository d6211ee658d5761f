"""Public survey views. Thin: rules live in ``services`` and ``guards``."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from .forms import SurveyForm
from .guards import count_submission, rate_limit_exceeded
from .models import Campaign, Channel
from .services import CampaignNotOpen, campaign_closed_message, submit_response

SURVEY_TEMPLATE = "wagtail_satisfaction/survey.html"


def render_survey(request, campaign, *, form=None, template=SURVEY_TEMPLATE,
                  extra_context=None, action_url=None, status=200, form_error=None):
    campaign_status = campaign.status()
    context = {
        "campaign": campaign,
        "campaign_status": campaign_status,
        "closed_message": (campaign_closed_message(campaign, campaign_status)
                           if not campaign_status.is_open else ""),
        "form": form if form is not None else SurveyForm(campaign=campaign),
        "form_error": form_error,
        "action_url": action_url or reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
        **(extra_context or {}),
    }
    return TemplateResponse(request, template, context, status=status)


@csrf_protect
def handle_survey(request, campaign, *, template=SURVEY_TEMPLATE, extra_context=None,
                  action_url=None, channel=Channel.WEBSITE):
    """GET shows the form; POST validates and stores it, then redirects to the thank-you."""
    if request.method != "POST":
        return render_survey(request, campaign, template=template,
                             extra_context=extra_context, action_url=action_url)

    form = SurveyForm(request.POST, campaign=campaign)

    def again(message, status=400):
        return render_survey(request, campaign, form=form, template=template,
                             extra_context=extra_context, action_url=action_url,
                             status=status, form_error=message)

    if form.is_bot():
        form.is_valid()  # keep what was typed
        return again(_("Your answers could not be accepted. Please leave the last field "
                       "empty and send again."))
    if not form.is_valid():
        return again(_("Some answers need your attention. Please check the highlighted "
                       "questions below."))
    if rate_limit_exceeded(request):
        return again(_("Too many evaluations were sent from your connection. Please wait a "
                       "few minutes and send again; your answers are kept below."), status=429)
    try:
        submit_response(campaign, channel=channel, **form.response_data())
    except CampaignNotOpen as error:
        return again(error.messages[0], status=403)
    except ValidationError as error:
        field = {"duplicate_dossier": "dossier_code", "duplicate_email": "email"}.get(
            getattr(error, "code", None))
        if field and field in form.fields:
            form.add_error(field, error)
        return again(" ".join(error.messages), status=409 if field else 400)
    count_submission(request)
    return redirect("wagtail_satisfaction:thanks", slug=campaign.slug)


def survey(request, slug):
    """The campaign's own survey page, used by banners, links and the survey block."""
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire"), slug=slug)
    return handle_survey(request, campaign)


def thanks(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    return TemplateResponse(request, "wagtail_satisfaction/thanks.html", {"campaign": campaign})
