"""The admin home per role (Wagtail's ``construct_homepage_panels``): what each role's work
is today, within the units the user works for (``models.scopes``).

* IT team (moderates comments): the pending comments, the oldest first, and the queue.
* ISO secretary (reads responses): today's responses, each open campaign's responses against
  its target, the last integrity check.
* One-stop staff (sends invitations): dossiers whose result was returned but that were
  neither invited nor rated yet, and the way to invite them or print their slips.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from .. import permissions
from ..models import Campaign, Comment, Dossier, IntegrityCheck, Response
from ..models.scopes import restrict, usable_campaigns

PREFIX = "wagtail_satisfaction/admin/dashboard/"
LISTED = 5  # items listed in a panel


def local_midnight():
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class RolePanel(Component):
    """A panel of the admin home, shown to users who hold ``permission``."""

    name = ""
    order = 50
    heading = ""

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        return {"heading": self.heading, "panel_id": self.name, **self.figures()}


class PendingCommentsPanel(RolePanel):
    name = "satisfaction_pending_comments"
    order = 10
    heading = _("Comments waiting for moderation")
    template_name = PREFIX + "pending_comments.html"

    def figures(self):
        pending = restrict(Comment.objects.pending(), self.user)
        oldest = pending.order_by("submitted_at", "pk").values_list(
            "submitted_at", flat=True).first()
        return {"count": pending.count(), "oldest": oldest,
                "queue_url": reverse("wagtail_satisfaction_comment_modeladmin_index")}


class ResultsPanel(RolePanel):
    name = "satisfaction_results_today"
    order = 10
    heading = _("Results today")
    template_name = PREFIX + "results_today.html"

    def figures(self):
        responses = restrict(Response.objects.all(), self.user)
        today = local_midnight()
        campaigns = []
        open_today = usable_campaigns(self.user, Campaign.objects.filter(
            opens_on__lte=today.date(), closes_on__gte=today.date())).select_related("unit")
        for campaign in open_today.order_by("closes_on", "pk")[:LISTED]:
            count = responses.filter(campaign=campaign).count()
            target = campaign.target_responses
            campaigns.append({"campaign": campaign, "responses": count, "target": target,
                              "met": target is not None and count >= target})
        last_check = IntegrityCheck.objects.filter(finished_at__isnull=False).first()
        return {
            "today": responses.filter(submitted_at__gte=today).count(),
            "campaigns": campaigns,
            "last_check": last_check,
            "check_is_old": last_check is not None
            and last_check.finished_at < timezone.now() - datetime.timedelta(days=31),
            "report_url": reverse("wagtail_satisfaction_reports:report"),
            "integrity_url": reverse("wagtail_satisfaction_integrity:index"),
            "can_verify": self.user.has_perm(permissions.VERIFY_INTEGRITY),
        }


class DossiersToInvitePanel(RolePanel):
    name = "satisfaction_dossiers_to_invite"
    order = 10
    heading = _("Dossiers returned, not yet invited")
    template_name = PREFIX + "dossiers_to_invite.html"

    def figures(self):
        today = timezone.localdate()
        waiting = (restrict(Dossier.objects.all(), self.user)
                   .filter(returned_on__isnull=False, returned_on__lte=today,
                           invited_at__isnull=True)
                   .exclude(Exists(Response.objects.filter(dossier_code=OuterRef("code"),
                                                           dossier_proven=True))))
        listed = list(waiting.select_related("procedure").order_by("returned_on", "pk")[:LISTED])
        for dossier in listed:
            dossier.slip_url = reverse("wagtail_satisfaction_dossiers:slip", args=[dossier.pk])
        return {
            "count": waiting.count(),
            "with_email": waiting.exclude(email="").filter(opted_out=False).count(),
            "dossiers": listed,
            "invitations_url": reverse("wagtail_satisfaction_invitations:index"),
            "dossiers_url": reverse("wagtail_satisfaction_dossiers:index"),
        }


def panels_for(user):
    """The role panels ``user`` gets, by the permissions that make each role."""
    panels = []
    if permissions.COMMENTS.user_has_permission(user, "moderate"):
        panels.append(PendingCommentsPanel(user))
    if user.has_perm(permissions.VIEW_RESPONSE):
        panels.append(ResultsPanel(user))
    if user.has_perm(permissions.SEND_INVITATIONS):
        panels.append(DossiersToInvitePanel(user))
    return panels
