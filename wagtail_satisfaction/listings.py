"""The admin listings of responses and comments (read-only, filterable)."""

from django.utils.translation import gettext_lazy as _

from .admin_listings import ListingGroup, ReadOnlyListing
from .models import Comment, Response


class ResponseListing(ReadOnlyListing):
    model = Response
    required_permission = "wagtail_satisfaction.view_response"
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


class CommentListing(ReadOnlyListing):
    model = Comment
    required_permission = "wagtail_satisfaction.moderate_comment"
    menu_label = _("Comments")
    menu_icon = "comment"
    list_display = ("submitted_at", "campaign", "text", "state", "score")
    list_filter = ("state", "campaign", "response__unit", "response__procedure",
                   "response__officer", "response__channel", "submitted_at")
    search_fields = ("text",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign")


class SatisfactionListings(ListingGroup):
    items = (ResponseListing, CommentListing)
