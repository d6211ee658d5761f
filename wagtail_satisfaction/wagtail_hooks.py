from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import channel_hooks  # noqa: F401  (collection channels: admin menu, perms, log)
from .admin_listings import register_listings
from .listings import SatisfactionListings
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
