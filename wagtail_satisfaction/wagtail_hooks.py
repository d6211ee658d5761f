from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .admin_listings import register_listings
from .listings import SatisfactionListings
from .reports.menu import DossierCountViewSet
from .viewsets import SurveySetupGroup

register_snippet(SurveySetupGroup)
register_listings(SatisfactionListings)


@hooks.register("register_permissions")
def register_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="wagtail_satisfaction",
        codename__in=["view_response", "export_response", "view_personal_data",
                      "moderate_comment", "view_comment"],
    )


# --- reports -----------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_report_urls():
    from django.urls import include, path

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
