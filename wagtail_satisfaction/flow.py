"""The one survey flow: show a campaign's form, check it, apply the guards, store it, answer.

Every public way of answering a survey goes through :class:`SurveyFlow`: the campaign's
survey view (which the survey block posts to), the survey page, the kiosk and the dossier
rating. A channel only configures it (channel, template, form, extra context, success page)
and overrides the one step where its rule differs, such as how a dossier rating is stored
and refused.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .forms import SurveyForm
from .guards import count_submission, rate_limit_exceeded
from .models import Channel
from .services import CampaignNotOpen, campaign_closed_message, submit_response

BOT_MESSAGE = _("Your answers could not be accepted. Please leave the last field "
                "empty and send again.")
INVALID_MESSAGE = _("Some answers need your attention. Please check the highlighted "
                    "questions below.")
RATE_LIMITED_MESSAGE = _("Too many evaluations were sent from your connection. Please wait a "
                         "few minutes and send again; your answers are kept below.")

# A duplicate is shown on the field the visitor can correct, and answered 409 Conflict.
DUPLICATE_FIELDS = {"duplicate_dossier": "dossier_code", "duplicate_email": "email"}


class SurveyFlow:
    """A campaign's survey: GET shows the form; POST checks, stores and redirects.

    The parameters are class attributes a subclass sets, or keyword arguments of the
    constructor (``SurveyFlow(campaign, template_name=..., extra_context={...})``); the
    ``get_*``, ``store``, ``success`` and ``refused`` methods are the steps a channel may
    override.
    """

    channel = Channel.WEBSITE
    template_name = "wagtail_satisfaction/survey.html"
    form_class = SurveyForm
    form_kwargs = None
    extra_context = None
    # None: the campaign's survey view, the one address that stores the website's answers.
    action_url = None
    # Refuse a client over WAGTAIL_SATISFACTION_RATE_LIMIT stored submissions (429).
    rate_limited = True

    def __init__(self, campaign, **options):
        self.campaign = campaign
        for name, value in options.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no parameter {name!r}")
            setattr(self, name, value)

    # --- Parameters ------------------------------------------------------------------------

    def get_form_kwargs(self):
        return {"campaign": self.campaign, **(self.form_kwargs or {})}

    def get_form(self, data=None):
        return self.form_class(data, **self.get_form_kwargs())

    def get_template(self, request):
        return self.template_name

    def get_action_url(self):
        return self.action_url or reverse("wagtail_satisfaction:survey",
                                          args=[self.campaign.slug])

    def get_extra_context(self):
        return self.extra_context or {}

    def get_context_data(self, form=None, form_error=None):
        """The survey's context, shared by every survey template and the survey block."""
        status = self.campaign.status()
        return {
            "campaign": self.campaign,
            "campaign_status": status,
            "closed_message": (campaign_closed_message(self.campaign, status)
                               if not status.is_open else ""),
            "form": form if form is not None else self.get_form(),
            "form_error": form_error,
            "action_url": self.get_action_url(),
            **self.get_extra_context(),
        }

    # --- Steps -----------------------------------------------------------------------------

    def store(self, form):
        """Store the valid form; raises ``ValidationError`` (or a subclass) to refuse it."""
        return submit_response(self.campaign, channel=self.channel, **form.response_data())

    def success(self, request, response):
        return redirect("wagtail_satisfaction:thanks", slug=self.campaign.slug)

    def refused(self, request, form, error):
        """Answer a submission that ``store`` refused: closed campaign, duplicate, invalid."""
        if isinstance(error, CampaignNotOpen):
            return self.render(request, form, error.messages[0], status=403)
        field = DUPLICATE_FIELDS.get(getattr(error, "code", None))
        if field and field in form.fields:
            form.add_error(field, error)
        return self.render(request, form, " ".join(error.messages),
                           status=409 if field else 400)

    # --- The flow --------------------------------------------------------------------------

    def render(self, request, form=None, form_error=None, status=200):
        return TemplateResponse(request, self.get_template(request),
                                self.get_context_data(form, form_error), status=status)

    # The form holds what a visitor typed and a CSRF token: no shared cache may keep it.
    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def serve(self, request):
        if request.method != "POST":
            return self.render(request)
        form = self.get_form(request.POST)
        if form.is_bot():
            form.is_valid()  # keep what was typed
            return self.render(request, form, BOT_MESSAGE, status=400)
        if not form.is_valid():
            return self.render(request, form, INVALID_MESSAGE, status=400)
        if self.rate_limited and rate_limit_exceeded(request):
            return self.render(request, form, RATE_LIMITED_MESSAGE, status=429)
        try:
            response = self.store(form)
        except ValidationError as error:
            return self.refused(request, form, error)
        if self.rate_limited:
            count_submission(request)
        return self.success(request, response)


class PageSurveyFlow(SurveyFlow):
    """The flow of a :class:`~wagtail_satisfaction.models.SurveyPage`: the page's template
    and address, and the page in the context."""

    def __init__(self, page, **options):
        self.page = page
        super().__init__(page.campaign, **options)

    def get_template(self, request):
        return self.page.get_template(request)

    def get_action_url(self):
        return self.page.url or ""  # an unsaved page in preview posts to where it is shown

    def get_extra_context(self):
        return {"page": self.page, "self": self.page, **super().get_extra_context()}
