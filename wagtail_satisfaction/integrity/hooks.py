"""Wagtail hooks of the integrity page (imported by the app's ``wagtail_hooks``)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import permissions


class IntegrityMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.INTEGRITY_CHECKS.user_has_permission(request.user, "verify")


@hooks.register("register_admin_urls")
def register_integrity_urls():
    from . import urls

    return [path("satisfaction-integrity/", include(urls))]


@hooks.register("register_reports_menu_item")
def register_integrity_menu_item():
    return IntegrityMenuItem(_("Integrity of the results"),
                             reverse("wagtail_satisfaction_integrity:index"),
                             name="satisfaction-integrity", icon_name="lock", order=102)
