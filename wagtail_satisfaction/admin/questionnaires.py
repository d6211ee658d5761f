"""Small admin views that are not listings: questionnaire versioning."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.auth import PermissionPolicyChecker
from wagtail.log_actions import log

from .. import permissions
from ..models import Questionnaire

permission_checker = PermissionPolicyChecker(permissions.QUESTIONNAIRES)


@permission_checker.require("add")
def questionnaire_new_version(request, pk):
    """Confirm, then copy an (answered) questionnaire as its next, editable version."""
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    if request.method == "POST":
        copy = questionnaire.new_version()
        log(copy, "wagtail.create", user=request.user)
        messages.success(request, _("Version %(version)s of “%(name)s” created; edit it here.")
                         % {"version": copy.version, "name": copy.name})
        return redirect(AdminURLFinder(request.user).get_edit_url(copy))
    return TemplateResponse(request, "wagtail_satisfaction/admin/questionnaire_new_version.html", {
        "questionnaire": questionnaire,
        "action_url": reverse("wagtail_satisfaction_admin:questionnaire_new_version", args=[pk]),
    })
