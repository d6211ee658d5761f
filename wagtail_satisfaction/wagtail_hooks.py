from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.snippets.models import register_snippet

from . import permissions
from .admin import urls as admin_urls
from .admin.listings import SatisfactionListings
from .admin.modeladmin import register_listings
from .admin.snippets import SurveySetupGroup
from .channels import hooks as channel_hooks  # noqa: F401  (registers its hooks)
from .integrity import hooks as integrity_hooks  # noqa: F401  (registers its hooks)
from .models import Questionnaire
from .moderation import hooks as moderation_hooks  # noqa: F401  (registers its hooks)
from .reports.menu import DossierCountViewSet
from .retention import hooks as retention_hooks  # noqa: F401  (registers its hooks)

# Before any view asks the registry for a policy (Wagtail would make a fallback one).
permissions.register_policies()

register_snippet(SurveySetupGroup)
register_listings(SatisfactionListings)


@hooks.register("before_serve_page")
def survey_block_submission(page, request, serve_args, serve_kwargs):
    from .flow import serve_block_submission

    return serve_block_submission(page, request, serve_args, serve_kwargs)


@hooks.register("register_permissions")
def register_permissions():
    return permissions.permission_objects([
        permissions.VIEW_RESPONSE, permissions.EXPORT_RESPONSE, permissions.VIEW_PERSONAL_DATA,
        permissions.MODERATE_COMMENT, permissions.VIEW_COMMENT,
        permissions.VERIFY_INTEGRITY])


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("satisfaction/", include(admin_urls))]


@hooks.register("register_snippet_listing_buttons")
def questionnaire_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Questionnaire) and permissions.QUESTIONNAIRES.user_has_permission(
            user, "add"):
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


@hooks.register("insert_global_admin_css")
def satisfaction_admin_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">',
                       static("wagtail_satisfaction/css/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_js_catalogue():
    """Vietnamese for the strings Wagtail's admin scripts draw (the sidebar, the editor's
    blocks) that Wagtail's own catalogue lacks: our catalogue, loaded after Wagtail's,
    adds its entries to the one ``gettext`` reads (``i18n/js/wagtail.vi.po``)."""
    from django.utils.html import format_html

    return format_html('<script src="{}"></script>',
                       reverse("wagtail_satisfaction:admin_js_catalogue"))


@hooks.register("construct_help_menu")
def whats_new_in_the_users_language(request, items):
    """Wagtail builds its help menu's "What's new in Wagtail 8.0" once per process, already
    formatted in the language of the first admin request: redrawn here in the user's."""
    import copy

    from django.utils.translation import gettext
    from wagtail.utils.version import get_main_version

    version = get_main_version(include_patch=False)
    for index, item in enumerate(items):
        if item.name == f"whats-new-in-wagtail-{version}":
            items[index] = copy.copy(item)  # the registered item is shared by every request
            items[index].label = gettext("What's new in Wagtail %(version)s") % {
                "version": version}


@hooks.register("construct_homepage_panels")
def satisfaction_home_panels(request, panels):
    """Each role's work of the day on the admin home (``admin/dashboard.py``)."""
    from .admin.dashboard import panels_for

    panels[:0] = panels_for(request.user)
