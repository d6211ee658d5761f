"""Kiosk mode: a touch tablet at the one-stop counter, locked by a kiosk key.

Every page is sent with ``Cache-Control: no-store`` and the form with
``autocomplete="off"``, and a response is followed by a redirect to a thank-you page that
returns to an empty start page, so the next person at the counter sees nothing of the last.
"""

from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from ..conf import get_setting
from ..flow import SurveyFlow, keeps_answers
from ..forms import SurveyForm
from ..models import Channel, KioskKey, SurveyLayout, Unit


class KioskForm(SurveyForm):
    """The survey form limited to the kiosk's unit, with big radio targets."""

    def __init__(self, *args, kiosk, **kwargs):
        kwargs.setdefault("fixed", {"unit": kiosk.unit, "email": "", "dossier_code": ""})
        super().__init__(*args, campaign=kiosk.campaign, **kwargs)
        units = Unit.objects.within(kiosk.unit)
        if "officer" in self.fields:
            field = self.fields["officer"]
            field.queryset = field.queryset.filter(unit__in=units).select_related("photo")
            field.empty_label = None
            field.widget = forms.RadioSelect(choices=field.choices)
        if "procedure" in self.fields:
            field = self.fields["procedure"]
            field.queryset = field.queryset.filter(unit__in=units)
            field.empty_label = None
            field.widget = forms.RadioSelect(choices=field.choices)

    def officer_choices(self):
        """(radio, officer) pairs so the template can show each officer's photo."""
        if "officer" not in self.fields:
            return []
        officers = {str(officer.pk): officer for officer in self.fields["officer"].queryset}
        return [(radio, officers.get(str(radio.data["value"])))
                for radio in self["officer"]]


def active_kiosk(key):
    return (KioskKey.objects.select_related("campaign__questionnaire", "campaign__unit", "unit")
            .filter(key=key, active=True).first())


def kiosk_context(kiosk, **extra):
    return {"kiosk": kiosk, "campaign": kiosk.campaign,
            "idle_seconds": get_setting("KIOSK_IDLE_SECONDS"), **extra}


def inactive(request):
    return TemplateResponse(request, "wagtail_satisfaction/channels/kiosk_inactive.html", {},
                            status=404)


class KioskSurveyFlow(SurveyFlow):
    """The survey flow on a counter tablet: the kiosk's pages, form and thank-you."""

    channel = Channel.KIOSK
    template_name = "wagtail_satisfaction/channels/kiosk.html"
    form_class = KioskForm
    # One tablet serves every visitor of the counter from one address, so a per-address
    # limit would turn people away; the kiosk key is what keeps others out.
    rate_limited = False
    # Its own one-page layout of big touch targets, reset when idle, whatever the campaign's.
    layout = SurveyLayout.ONE_PAGE

    def __init__(self, kiosk, **options):
        self.kiosk = kiosk
        super().__init__(kiosk.campaign, **options)

    def get_form_kwargs(self):
        return {"kiosk": self.kiosk, **(self.form_kwargs or {})}

    def get_action_url(self):
        return reverse("wagtail_satisfaction:kiosk", args=[self.kiosk.key])

    def get_extra_context(self):
        return kiosk_context(self.kiosk, **super().get_extra_context())

    def success(self, request, response):
        return redirect("wagtail_satisfaction:kiosk_thanks", key=self.kiosk.key)


@never_cache
@csrf_protect
@keeps_answers
def kiosk_start(request, key):
    """The kiosk's survey: pick the officer and the procedure, rate, send."""
    kiosk = active_kiosk(key)
    if kiosk is None:
        return inactive(request)
    return KioskSurveyFlow(kiosk).serve(request)


@never_cache
def kiosk_thanks(request, key):
    """Thank the person, then go back to an empty start page after a few seconds."""
    kiosk = active_kiosk(key)
    if kiosk is None:
        return inactive(request)
    return TemplateResponse(request, "wagtail_satisfaction/channels/kiosk_thanks.html",
                            kiosk_context(kiosk,
                                          thanks_seconds=get_setting("KIOSK_THANKS_SECONDS")))
