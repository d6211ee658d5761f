"""Re-verification calls in the admin: draw a sample, list the calls, record an outcome.

Every screen here shows respondents' contact details, so the policy
(``permissions.REVERIFICATIONS``) also needs ``VIEW_PERSONAL_DATA`` for any action.
"""

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from ... import permissions
from ...admin.scoping import UnitScopedViewSetMixin, scope_choices
from ...conf import get_setting
from ...models import Campaign, Channel, Dossier, Reverification
from ...models.scopes import units_for
from .. import reverification
from .base import TEMPLATES, ChannelScreenMixin

INDEX = "wagtail_satisfaction_reverification:index"


class DrawForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("Campaign"), queryset=None)
    share = forms.DecimalField(label=gettext_lazy("Share to draw (%)"), min_value=1,
                               max_value=100, decimal_places=2)
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Only responses received by"), required=False,
        choices=Channel.choices, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for every channel."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-opens_on")
        self.fields["share"].initial = get_setting("REVERIFICATION_SHARE")


class DrawView(ChannelScreenMixin, FormView):
    """Draw a random share of a campaign's reachable responses; the calls so far below."""

    permission_policy = permissions.REVERIFICATIONS
    permission_required = "add"
    page_title = gettext_lazy("Draw a re-verification sample")
    header_icon = "resubmit"
    index_url_name = INDEX
    index_label = gettext_lazy("Re-verification")
    template_name = TEMPLATES + "reverification_draw.html"
    form_class = DrawForm

    def get_form(self, form_class=None):
        return scope_choices(super().get_form(form_class), self.request.user)

    def form_valid(self, form):
        drawn = reverification.draw_sample(
            form.cleaned_data["campaign"], form.cleaned_data["share"],
            form.cleaned_data["channels"] or None, self.request.user,
            units=units_for(self.request.user))
        messages.success(self.request, _("%(count)s responses drawn for re-verification "
                                         "calls.") % {"count": len(drawn)})
        return redirect(INDEX)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            summary=reverification.outcome_summary(self.request.user), **kwargs)


class ReverificationIndexView(IndexView):
    """The calls with the respondent's contact details, and "Draw a sample" in the header."""

    def get_base_queryset(self):
        # Contact details come from the dossier the response rates (one subquery per
        # column, not one query per row).
        dossier = Dossier.objects.filter(code=OuterRef("response__dossier_code"))
        return super().get_base_queryset().select_related("campaign", "response").annotate(
            applicant_name=Subquery(dossier.values("applicant_name")[:1]),
            phone=Subquery(dossier.values("phone")[:1]),
            contact_email=Coalesce(NullIf("response__email", Value("")),
                                   Subquery(dossier.values("email")[:1])))

    @property
    def header_buttons(self):
        buttons = []
        if self.user_has_permission("add"):
            buttons.append(HeaderButton(_("Draw a sample"), url=reverse(
                "wagtail_satisfaction_reverification:draw"), icon_name="plus"))
        return buttons


class RecordOutcomeView(EditView):
    """Editing a call records its outcome, who called and when."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        return reverification.record_outcome(
            instance, instance.outcome, instance.note, self.request.user)


class ReverificationViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Reverification
    name = "wagtail_satisfaction_reverification"
    url_prefix = "satisfaction/reverification"
    icon = "resubmit"
    menu_label = gettext_lazy("Re-verification")
    index_view_class = ReverificationIndexView
    edit_view_class = RecordOutcomeView
    list_display = ["response", "campaign",
                    Column("channel", label=gettext_lazy("channel"),
                           accessor="response.get_channel_display"),
                    Column("dossier_code", label=gettext_lazy("dossier code"),
                           accessor="response.dossier_code"),
                    Column("applicant_name", label=gettext_lazy("applicant name"),
                           accessor="applicant_name"),
                    Column("phone", label=gettext_lazy("phone"), accessor="phone"),
                    Column("email", label=gettext_lazy("email"), accessor="contact_email"),
                    "outcome", "called_at"]
    list_filter = ["campaign", "outcome"]
    form_fields = ["outcome", "note"]
    # Calls are drawn, never typed in or copied: no add or copy form (it could not even
    # say which response the call is about).
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"add_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "add"] + [
            path("draw/", DrawView.as_view(), name="draw")]
