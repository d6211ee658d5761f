"""The admin's integrity page: the last verification's result, and a button to run one."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..models import Campaign, IntegrityCheck
from .verify import describe

VERIFY = "wagtail_satisfaction.verify_integrity"


class StartCheckForm(forms.Form):
    campaign = forms.ModelChoiceField(
        Campaign.objects.order_by("-opens_on"), required=False,
        label=gettext_lazy("Campaign"), empty_label=gettext_lazy("All campaigns"))


@permission_required(VERIFY, raise_exception=True)
@require_http_methods(["GET", "POST"])
def integrity(request):
    """Show the latest checks; POST starts one as a background task."""
    form = StartCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from .tasks import run_integrity_check

        check = IntegrityCheck.objects.create(started_by=request.user,
                                              campaign=form.cleaned_data["campaign"])
        run_integrity_check.enqueue(check.pk)
        return redirect("wagtail_satisfaction_integrity:index")
    checks = list(IntegrityCheck.objects.select_related("campaign", "started_by")[:10])
    latest = checks[0] if checks else None
    finished = next((check for check in checks if check.finished_at), None)
    problems = [describe(problem) for problem in finished.problems] if finished else []
    title = _("Integrity of the results")
    return TemplateResponse(request, "wagtail_satisfaction/integrity/index.html", {
        "page_title": title, "header_title": title, "header_icon": "lock",
        "form": form, "checks": checks, "latest": latest, "finished": finished,
        "problems": problems,
        "running": latest is not None and latest.status in ("queued", "running"),
    })
