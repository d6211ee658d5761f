"""The one survey flow: show a campaign's form, check it, apply the guards, store it, answer.

Every public way of answering a survey goes through :class:`SurveyFlow`: the campaign's
survey view (which the survey block posts to), the survey page, the kiosk and the dossier
rating. A channel only configures it (channel, template, form, extra context, success page)
and overrides the one step where its rule differs, such as how a dossier rating is stored
and refused.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import steps
from .forms import SurveyForm
from .guards import admit_submission, new_submission_key
from .models import Channel, SurveyLayout
from .services import CampaignNotOpen, campaign_closed_message, submit_response

BOT_MESSAGE = _("Your answers could not be accepted. Please leave the last field "
                "empty and send again.")
INVALID_MESSAGE = _("Some answers need your attention. Please check the highlighted "
                    "questions below.")
UNAVAILABLE_MESSAGE = _("Your evaluation could not be saved: the service is briefly "
                        "unavailable. Nothing was recorded. Your answers are kept below; "
                        "please send them again in a moment.")
RATE_LIMITED_MESSAGE = _("Too many evaluations were sent from your connection. Please wait a "
                         "few minutes and send again; your answers are kept below.")

# The database cannot be reached (restart, failover, lost connection).
DATABASE_DOWN = (OperationalError, InterfaceError)
logger = logging.getLogger(__name__)

THANKS_TEMPLATE = "wagtail_satisfaction/thanks.html"

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
    # None: the campaign's ``survey_layout``; a SurveyLayout value imposes one (the kiosk).
    layout = None

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

    def in_steps(self):
        """Whether the survey is drawn one factor per step (see :mod:`.steps`)."""
        return (self.layout or self.campaign.survey_layout) == SurveyLayout.STEPS

    def get_context_data(self, form=None, form_error=None):
        """The survey's context, shared by every survey template and the survey block."""
        status = self.campaign.status()
        form = form if form is not None else self.get_form()
        # The form's one-time key: kept when the form is shown again with its errors.
        key = (form.data.get("satisfaction_key") if form.is_bound else None) or \
            new_submission_key()
        return {
            "campaign": self.campaign,
            "campaign_status": status,
            "closed_message": (campaign_closed_message(self.campaign, status)
                               if not status.is_open else ""),
            "form": form,
            "form_error": form_error,
            "submission_key": key,
            "action_url": self.get_action_url(),
            # The step shown, its place and the signed answers of the others (steps only).
            "survey_steps": (steps.StepView(self.campaign, form, key) if self.in_steps()
                             else None),
            **self.get_extra_context(),
        }

    # --- Steps -----------------------------------------------------------------------------

    def prove_dossier(self, request, form):
        """Bind a typed dossier code to its dossier when the form asked its secret code.

        Raises ``DossierRefused`` with the replies of the code + secret page; a code
        typed as a free reference (or none) passes unproven.
        """
        if "dossier_secret" not in form.fields or not form.cleaned_data.get("dossier_code"):
            return
        from .channels.dossiers import prove_for_campaign

        form.prove(prove_for_campaign(request, self.campaign,
                                      form.cleaned_data["dossier_code"],
                                      form.cleaned_data["dossier_secret"]))

    def store(self, form):
        """Store the valid form; raises ``ValidationError`` (or a subclass) to refuse it."""
        return submit_response(self.campaign, channel=self.channel, **form.response_data())

    def success(self, request, response):
        """The thank-you page, as the answer to the POST itself (no second request).

        The page carries the thank-you page's own address, which survey.js puts in the
        address bar (``history.replaceState``): a reload then shows the thanks again
        instead of sending the answers a second time.
        """
        def context():
            return {"campaign": self.campaign,
                    "thanks_url": reverse("wagtail_satisfaction:thanks",
                                          args=[self.campaign.slug])}

        if request.user.is_authenticated:  # an editor's page may show Wagtail's user bar
            return TemplateResponse(request, THANKS_TEMPLATE, context())
        # The same page for every anonymous visitor: drawn once per campaign, language and
        # host while the survey cache keeps the campaign (SURVEY_CACHE_TIMEOUT at most).
        from django.http import HttpResponse
        from django.template.loader import render_to_string
        from django.utils.translation import get_language

        from .survey_cache import cached_fragment

        return HttpResponse(cached_fragment(
            self.campaign, ("thanks", get_language(), request.get_host()),
            lambda: render_to_string(THANKS_TEMPLATE, context(), request=request)))

    def refused(self, request, form, error):
        """Answer a submission that ``store`` refused: closed campaign, duplicate, invalid."""
        if isinstance(error, CampaignNotOpen):
            return self.render(request, form, error.messages[0], status=403)
        code = getattr(error, "code", None)
        if code in ("wrong_codes", "too_many_attempts", "not_returned", "no_campaign",
                    "already_rated", "other_campaign"):
            # A typed dossier code refused: the code + secret page's replies and statuses.
            form.add_error("dossier_secret" if code == "wrong_codes" else "dossier_code",
                           error)
            status = {"too_many_attempts": 429, "already_rated": 409}.get(code, 400)
            return self.render(request, form, " ".join(error.messages), status=status)
        field = DUPLICATE_FIELDS.get(code)
        if field and field in form.fields:
            form.add_error(field, error)
        return self.render(request, form, " ".join(error.messages),
                           status=409 if field else 400)

    def unavailable(self, request, form, data):
        """The database cannot be reached: 503 with the visitor's form and every answer.

        The full form is shown again when it can be drawn; when drawing it needs the
        database too, a page that needs none carries the answers as hidden fields to send
        again. Either way it works without JavaScript.
        """
        try:
            if form is None:
                raise OperationalError("no form")
            response = self.render(request, form, UNAVAILABLE_MESSAGE, status=503)
            response.render()
        except DATABASE_DOWN:
            return unavailable_page(request, self.campaign.title)
        response["Retry-After"] = "30"
        return response

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
        form = None
        try:
            if steps.STATE_FIELD not in request.POST:  # the one-page form, all answers
                form = self.get_form(request.POST)
                return self.submit(request, form)
            try:
                form, move = steps.bind(self, request.POST)
            except steps.Tampered:
                return self.render(request, None, steps.TAMPERED_MESSAGE, status=400)
            if move == steps.SEND:
                return self.submit(request, form)
            return self.move(request, form, move)
        except DATABASE_DOWN:
            # store() runs in one transaction: nothing of this submission was kept.
            logger.warning("Database unreachable during a %s survey submission",
                           self.channel, exc_info=True)
            return self.unavailable(request, form, request.POST)

    def move(self, request, form, move):
        """A step form's "Continue" (check the step shown, then the next) or "Back" (no
        check). Nothing is stored: the answers travel with the form (see :mod:`.steps`)."""
        if move == steps.BACK:
            steps.keep_errors_of(form, None)
            form.step = max(0, form.step - 1)
            return self.render(request, form)
        if steps.keep_errors_of(form, form.step):
            return self.render(request, form, INVALID_MESSAGE, status=400)
        form.step += 1
        return self.render(request, form)

    def submit(self, request, form):
        """Check, reserve a slot of the rate limit, store; the slot is given back on refusal."""
        if form.is_bot():
            form.is_valid()  # keep what was typed
            return self.render(request, form, BOT_MESSAGE, status=400)
        if not form.is_valid():
            return self.render(request, form, INVALID_MESSAGE, status=400)
        slot, sent = admit_submission(request, self.campaign,
                                      request.POST.get("satisfaction_key"), self.rate_limited)
        if not slot.granted:
            sent.release()
            return self.render(request, form, RATE_LIMITED_MESSAGE, status=429)
        if not sent.first:
            # The same form sent again (a reload of the thanks without JavaScript): it is
            # stored already, so the thanks again and nothing stored.
            slot.give_back()
            return self.success(request, None)
        try:
            self.prove_dossier(request, form)
            response = self.store(form)
        except ValidationError as error:
            sent.release()
            slot.give_back()
            return self.refused(request, form, error)
        except BaseException:
            sent.release()
            slot.give_back()
            raise
        return self.success(request, response)


def unavailable_page(request, title=""):
    """A 503 that needs no database, carrying the POSTed answers as hidden fields."""
    from django.template.loader import select_template

    template = select_template(["503.html", "wagtail_satisfaction/unavailable.html"])
    response = TemplateResponse(request, template, {
        "message": UNAVAILABLE_MESSAGE, "action_url": request.path,
        "kept": [(name, value) for name, values in request.POST.lists() for value in values],
        "campaign_title": title}, status=503)
    response["Retry-After"] = "30"
    return response


def keeps_answers(view):
    """For a view that finds its campaign (or kiosk, or dossier) before the flow runs: a
    POST that meets an unreachable database there gets the same 503 with its answers."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DATABASE_DOWN:
            if request.method != "POST":
                raise
            logger.warning("Database unreachable before a survey submission", exc_info=True)
            return unavailable_page(request)
    return wrapper


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


BLOCK_FIELD = "satisfaction_block"


def survey_campaigns(value):
    """The campaigns of the survey blocks in a StreamField value, nested blocks included
    (in a StructBlock, a ListBlock or an inner StreamBlock)."""
    from wagtail.blocks import StreamValue, StructValue
    from wagtail.blocks.list_block import ListValue

    from .blocks import SurveyBlock

    if isinstance(value, StreamValue | ListValue):
        children = [(child.block, child.value) for child in (
            value if isinstance(value, StreamValue) else value.bound_blocks)]
    elif isinstance(value, StructValue):
        children = [(bound.block, bound.value) for bound in value.bound_blocks.values()]
    else:
        return []
    found = []
    for block, child in children:
        if isinstance(block, SurveyBlock):
            if child["campaign"] is not None:
                found.append(child["campaign"])
        else:
            found += survey_campaigns(child)
    return found


def page_survey_blocks(page):
    """The campaigns of the survey blocks a page holds, in any of its StreamFields."""
    from wagtail.fields import StreamField

    return [campaign for field in page._meta.get_fields() if isinstance(field, StreamField)
            for campaign in survey_campaigns(getattr(page, field.name))]


def page_holds_survey(page):
    """A survey page, or a page with a survey block: no banner leads away from it."""
    from .models import SurveyPage

    page = getattr(page, "specific", page)
    return isinstance(page, SurveyPage) or bool(page_survey_blocks(page))


class BlockSurveyFlow(SurveyFlow):
    """A survey block's submission, posted to the page that holds the block: a refusal shows
    the page again with the block's errors and every answer, not the campaign's own page."""

    def __init__(self, campaign, page, serve_args=(), serve_kwargs=None, **options):
        self.page = page
        self.serve_args, self.serve_kwargs = serve_args, serve_kwargs or {}
        super().__init__(campaign, **options)

    def render(self, request, form=None, form_error=None, status=200):
        # The block reads the bound form and message back while the page renders.
        request.satisfaction_block_forms = {self.campaign.pk: (form, form_error)}
        response = self.page.serve(request, *self.serve_args, **self.serve_kwargs)
        response.status_code = status
        return response


def serve_block_submission(page, request, serve_args, serve_kwargs):
    """Wagtail's ``before_serve_page`` hook: a POST from one of the page's survey blocks."""
    if request.method != "POST":
        return None
    campaigns = {str(campaign.pk): campaign for campaign in page_survey_blocks(page.specific)}
    if BLOCK_FIELD in request.POST:
        campaign = campaigns.get(request.POST[BLOCK_FIELD])
    else:  # a form without the block's marker, on a page holding one survey
        campaign = next(iter(campaigns.values())) if len(campaigns) == 1 else None
    if campaign is None:
        return None  # no survey block of this page: the page answers as it would
    return keeps_answers(BlockSurveyFlow(campaign, page.specific, serve_args,
                                         serve_kwargs).serve)(request)
