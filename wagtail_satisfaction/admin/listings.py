"""The admin listings of responses and comments (read-only, filterable)."""

from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Response
from ..moderation.admin import CommentListing
from .modeladmin import ListingGroup, ReadOnlyListing


class ResponseListing(ReadOnlyListing):
    model = Response
    permission_policy = permissions.RESPONSES
    permission_required = "view"
    menu_label = _("Responses")
    menu_icon = "list-ul"
    list_display = ("id", "submitted_at", "campaign", "channel", "unit", "procedure", "officer",
                    "dossier_code")
    list_filter = ("campaign", "channel", "unit", "procedure", "officer", "submitted_at")
    search_fields = ("dossier_code",)
    inspect_view_fields = ("campaign", "questionnaire", "channel", "submitted_at", "unit",
                           "procedure", "officer", "dossier_code")
    inspect_template_name = "wagtail_satisfaction/admin/response_inspect.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "campaign", "unit", "procedure", "officer")


class SatisfactionListings(ListingGroup):
    items = (ResponseListing, CommentListing)
