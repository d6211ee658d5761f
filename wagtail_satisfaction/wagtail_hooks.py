from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.snippets.models import register_snippet

from .admin import urls as admin_urls
from .admin.listings import SatisfactionListings
from .admin.modeladmin import register_listings
from .admin.snippets import SurveySetupGroup
from .channels import hooks as channel_hooks  # noqa: F401  (registers its hooks)
from .integrity import hooks as integrity_hooks  # noqa: F401  (registers its hooks)
from .models import Questionnaire
from .moderation import hooks as moderation_hooks  # noqa: F401  (registers its hooks)
from .reports.menu import DossierCountViewSet

register_snippet(SurveySetupGroup)
register_listings(SatisfactionListings)


@hooks.register("register_permissions")
def register_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="wagtail_satisfaction",
        codename__in=["view_response", "export_response", "view_personal_data",
                      "moderate_comment", "view_comment", "verify_integrity"],
    )


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("satisfaction/", include(admin_urls))]


@hooks.register("register_snippet_listing_buttons")
def questionnaire_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Questionnaire) and user.has_perm(
            "wagtail_satisfaction.add_questionnaire"):
        url = reverse("wagtail_satisfaction_admin:questionnaire_new_version", args=[snippet.pk])
        yield MenuItem(_("New version"), url, icon_name="copy", priority=90)
# --- reports -----------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_report_urls():
    from .reports import urls

    return [path("satisfaction-report/", include(urls))]


@hooks.register("register_reports_menu_item")
def register_satisfaction_report_menu_item():
    from .reports.menu import ReportMenuItem

    return ReportMenuItem()


@hooks.register("register_reports_menu_item")
def register_combine_results_menu_item():
    from .reports.menu import ImportMenuItem

    return ImportMenuItem()


register_snippet(DossierCountViewSet)
