"""Public pages for rating a dossier: by code + secret code, by signed link or QR code.

Thin views: every rule (returned yet? rated already? which campaign?) is in ``dossiers``.
"""

from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from ..flow import SurveyFlow, keeps_answers
from ..services import CampaignNotOpen
from . import dossiers

REFUSED_STATUS = {"already_rated": 409, "not_returned": 403, "no_campaign": 403,
                  "forged": 403, "expired": 403, "wrong_codes": 403, "too_many_attempts": 429}


class DossierCodesForm(forms.Form):
    """The two codes printed on the receipt, as on the national public-service portal."""

    code = forms.CharField(label=gettext_lazy("Dossier code"), max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "autocapitalize": "characters"}))
    secret = forms.CharField(label=gettext_lazy("Secret code"), max_length=32,
                             help_text=gettext_lazy("Printed on your receipt or result slip."),
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "autocapitalize": "characters"}))


def refused(request, error, status=None):
    return TemplateResponse(
        request, "wagtail_satisfaction/channels/refused.html",
        {"message": " ".join(error.messages), "code": getattr(error, "code", "")},
        status=status or REFUSED_STATUS.get(getattr(error, "code", ""), 400))


@never_cache
@csrf_protect
def dossier_lookup(request):
    """Enter the dossier code and secret code; on success go on to the rating form."""
    form = DossierCodesForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            dossier = dossiers.prove_codes(request, form.cleaned_data["code"],
                                           form.cleaned_data["secret"])
            dossiers.check_can_rate(dossier)
        except dossiers.DossierRefused as refusal:
            error = " ".join(refusal.messages)
            status = 429 if refusal.code == "too_many_attempts" else 400
        else:
            return redirect(dossiers.rating_path(dossier))
    elif request.method == "POST":
        status = 400
    return TemplateResponse(request, "wagtail_satisfaction/channels/dossier_lookup.html",
                            {"form": form, "form_error": error}, status=status)


class DossierSurveyFlow(SurveyFlow):
    """The survey of one dossier: who is rated is fixed, and the dossier's rules refuse."""

    template_name = "wagtail_satisfaction/channels/dossier_rate.html"
    # A dossier is rated once, behind a signed link or its two codes (whose wrong guesses
    # have their own limit): no per-address limit on top.
    rate_limited = False

    def __init__(self, dossier, campaign, **options):
        self.dossier = dossier
        super().__init__(campaign, **options)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fixed": dossiers.fixed_values(self.dossier)}

    def get_extra_context(self):
        return {"dossier": self.dossier, **super().get_extra_context()}

    def store(self, form):
        return dossiers.submit_dossier_rating(self.dossier, form, channel=self.channel)

    def refused(self, request, form, error):
        if isinstance(error, dossiers.DossierRefused):
            return refused(request, error)
        if isinstance(error, CampaignNotOpen):
            return refused(request, error, status=403)
        return super().refused(request, form, error)


@never_cache
@csrf_protect
@keeps_answers
def dossier_rate(request, token):
    """The survey for one dossier, reached by its signed link; who is rated is fixed."""
    try:
        dossier, channel = dossiers.read_token(token)
        campaign = dossiers.check_can_rate(dossier)
    except dossiers.DossierRefused as refusal:
        return refused(request, refusal)
    return DossierSurveyFlow(dossier, campaign, channel=channel,
                             action_url=request.path).serve(request)


@never_cache
@csrf_protect
def dossier_opt_out(request, token):
    """Stop survey emails for a dossier. GET asks, POST does it (mail scanners only GET)."""
    try:
        dossier = dossiers.read_opt_out_token(token)
    except dossiers.DossierRefused as refusal:
        return refused(request, refusal)
    done = False
    if request.method == "POST":
        if not dossier.opted_out:
            dossier.opted_out = True
            dossier.save(update_fields=["opted_out"])
        done = True
    return TemplateResponse(request, "wagtail_satisfaction/channels/opt_out.html",
                            {"dossier": dossier, "done": done})
