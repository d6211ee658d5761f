"""The admin's integrity page: the last verification's result, and a button to run one.

Unit scopes (docs/scopes.md): a secretary bound to units verifies and reads only the
campaigns of those units; a check of every campaign (the nightly run) is shown to them with
the problems of their campaigns only.
"""

from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin.auth import PermissionPolicyChecker

from .. import permissions
from ..models import Campaign, IntegrityCheck
from ..models.scopes import is_scoped, restrict
from .verify import describe

checker = PermissionPolicyChecker(permissions.INTEGRITY_CHECKS)


class StartCheckForm(forms.Form):
    campaign = forms.ModelChoiceField(
        Campaign.objects.none(), required=False, label=gettext_lazy("Campaign"),
        empty_label=gettext_lazy("All campaigns"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        field.queryset = restrict(Campaign.objects.order_by("-opens_on"), user)
        if is_scoped(user):  # "every campaign" would reach other units' responses
            field.required, field.empty_label = True, None


class ShownCheck:
    """A check as ``user`` may see it: its problems narrowed to the user's campaigns."""

    def __init__(self, check, campaign_ids):
        self.check = check
        kept = check.problems
        if campaign_ids is not None:
            kept = [problem for problem in kept if problem.get("campaign") in campaign_ids]
        self.problems = [describe(problem) for problem in kept]
        complete = campaign_ids is None or check.problem_count == len(check.problems)
        self.problem_count = check.problem_count if campaign_ids is None else (
            len(kept) if complete else max(len(kept), 1))
        self.status = check.status
        if check.status == IntegrityCheck.Status.FAILED and complete and not kept:
            self.status = IntegrityCheck.Status.PASSED  # the problems are in other units
        self.more = self.problem_count > len(self.problems)
        self.status_label = IntegrityCheck.Status(self.status).label
        # A run over every campaign counted other units' responses too.
        self.responses_checked = (check.responses_checked
                                  if campaign_ids is None or check.campaign_id else None)


@checker.require("verify")
@require_http_methods(["GET", "POST"])
def integrity(request):
    """Show the latest checks; POST starts one as a background task."""
    user = request.user
    form = StartCheckForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        from .tasks import run_integrity_check

        check = IntegrityCheck.objects.create(started_by=user,
                                              campaign=form.cleaned_data["campaign"])
        run_integrity_check.enqueue(check.pk)
        return redirect("wagtail_satisfaction_integrity:index")
    checks = IntegrityCheck.objects.select_related("campaign", "started_by")
    campaign_ids = None
    if is_scoped(user):
        campaign_ids = set(restrict(Campaign.objects.all(), user).values_list("pk", flat=True))
        checks = checks.filter(campaign__isnull=True) | checks.filter(campaign__in=campaign_ids)
    checks = list(checks[:10])
    latest = checks[0] if checks else None
    finished = next((check for check in checks if check.finished_at), None)
    title = _("Integrity of the results")
    return TemplateResponse(request, "wagtail_satisfaction/integrity/index.html", {
        "page_title": title, "header_title": title, "header_icon": "lock",
        "form": form, "checks": [ShownCheck(check, campaign_ids) for check in checks],
        "latest": latest, "finished": ShownCheck(finished, campaign_ids) if finished else None,
        "running": latest is not None and latest.status in ("queued", "running"),
    })
