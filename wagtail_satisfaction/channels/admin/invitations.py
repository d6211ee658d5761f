"""Email invitations in the admin: pick a campaign, send, and follow the response rates."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView

from ... import permissions
from ...conf import get_setting
from ...models import Campaign
from ...models.scopes import restrict
from ...services import campaign_closed_message
from .. import invitations
from .base import TEMPLATES, ChannelScreenMixin, ScreenViewSet

INDEX = "wagtail_satisfaction_invitations:index"
PREVIEW_RECIPIENTS = 10  # recipients listed on the confirmation page


class PeriodColumn(Column):
    """A campaign's opening and closing dates."""

    cell_template_name = TEMPLATES + "period_cell.html"


class CampaignIndexView(IndexView):
    """The campaigns, each leading to its invitation screen; filtered by unit."""

    model = Campaign
    permission_policy = permissions.DOSSIERS
    permission_required = "send_invitations"
    any_permission_required = None
    page_title = gettext_lazy("Survey invitations")
    header_icon = "mail"
    index_url_name = INDEX
    index_results_url_name = "wagtail_satisfaction_invitations:index_results"
    list_filter = ["unit"]
    default_ordering = "-opens_on"
    columns = [
        TitleColumn("title", label=gettext_lazy("Campaign"),
                    url_name="wagtail_satisfaction_invitations:campaign"),
        Column("unit", label=gettext_lazy("Unit")),
        PeriodColumn("period", label=gettext_lazy("Period"), sort_key="opens_on"),
    ]

    def get_base_queryset(self):
        # A unit-scoped user sends only their units' own campaigns: a campaign's sending
        # reaches every dossier under its unit.
        return restrict(super().get_base_queryset(), self.request.user).select_related("unit")


class CampaignInvitationsView(ChannelScreenMixin, TemplateView):
    """One campaign: how many dossiers wait, the send buttons and the rates per unit."""

    permission_policy = permissions.DOSSIERS
    permission_required = "send_invitations"
    header_icon = "mail"
    index_url_name = INDEX
    index_label = gettext_lazy("Survey invitations")
    template_name = TEMPLATES + "invitations_campaign.html"

    @cached_property
    def campaign(self):
        return get_object_or_404(restrict(Campaign.objects.all(), self.request.user),
                                 pk=self.kwargs["pk"])

    def get_page_title(self):
        return self.campaign.title

    def post(self, request, *args, **kwargs):
        """The send buttons ask first: the count of recipients and the message they will
        get; only the confirmation (``confirm=1``) starts sending."""
        kind = request.POST.get("kind")
        if kind not in (invitations.INVITATION, invitations.REMINDER):
            raise BadRequest  # not a button of this page
        if not self.campaign.is_open():
            messages.error(request, campaign_closed_message(self.campaign))
        elif request.POST.get("confirm") != "1":
            return self.confirmation(kind)
        else:
            count = invitations.candidates(self.campaign, kind).count()
            invitations.enqueue(self.campaign, kind)
            messages.success(request, ngettext(
                "Sending to %(count)s recipient has started in the background; the figures "
                "below update as batches go out.",
                "Sending to %(count)s recipients has started in the background; the figures "
                "below update as batches go out.", count) % {"count": count})
        return redirect("wagtail_satisfaction_invitations:campaign", pk=self.campaign.pk)

    def confirmation(self, kind):
        recipients = invitations.candidates(self.campaign, kind).select_related(
            "unit", "procedure")
        count = recipients.count()
        first = recipients.first()
        preview = invitations.build_message(first, self.campaign, kind) if first else None
        return TemplateResponse(self.request, TEMPLATES + "invitations_confirm.html", {
            **self.get_context_data(),
            "kind": kind, "reminder": kind == invitations.REMINDER, "count": count,
            "recipients": recipients[:PREVIEW_RECIPIENTS],
            "more": max(0, count - PREVIEW_RECIPIENTS),
            "preview": preview, "preview_dossier": first,
        })

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        return super().get_context_data(
            campaign=campaign,
            rates=invitations.response_rates(campaign),
            total=invitations.response_total(campaign),
            pending_invitations=invitations.candidates(campaign).count(),
            pending_reminders=invitations.candidates(campaign, invitations.REMINDER).count(),
            reminder_days=get_setting("REMINDER_AFTER_DAYS"), **kwargs)


class InvitationsViewSet(ScreenViewSet):
    name = "wagtail_satisfaction_invitations"
    url_prefix = "satisfaction/invitations"
    icon = "mail"
    menu_label = gettext_lazy("Invitations")
    permission_policy = permissions.DOSSIERS
    permission_required = "send_invitations"

    def get_urlpatterns(self):
        return [path("", CampaignIndexView.as_view(), name="index"),
                path("results/", CampaignIndexView.as_view(results_only=True),
                     name="index_results"),
                path("<int:pk>/", CampaignInvitationsView.as_view(), name="campaign")]
