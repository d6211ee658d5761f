"""The admin listings of responses and comments (read-only, filterable)."""

from django.contrib.admin import SimpleListFilter
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.views import InspectView

from .. import permissions
from ..models import Response
from ..moderation.admin import CommentListing
from .modeladmin import ListingGroup, ReadOnlyListing


class ResponseInspectView(InspectView):
    """A response's detail, with the corrections of a typed form (who, when, why, before
    and after) and, for whoever may still correct it, the way to."""

    def get_context_data(self, **kwargs):
        from ..channels import corrections

        context = super().get_context_data(**kwargs)
        response, user = self.instance, self.request.user
        history = response.corrections.select_related("corrected_by")
        context["corrections_history"] = [(item, corrections.changes(item))
                                          for item in history]
        entry = corrections.correctable_entries(user).filter(response_id=response.pk).first()
        if entry is not None and corrections.can_correct(entry, user):
            context["correct_url"] = reverse("wagtail_satisfaction_paper:correct",
                                             args=[response.pk])
        return context


class CorrectedFilter(SimpleListFilter):
    """Typed forms that were corrected: the ISO secretary's audit of corrections."""

    title = _("corrections")
    parameter_name = "corrected"

    def lookups(self, request, model_admin):
        return [("yes", _("Corrected typed forms"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(corrections__isnull=False).distinct()
        return queryset


class ResponseListing(ReadOnlyListing):
    model = Response
    permission_policy = permissions.RESPONSES
    permission_required = "view"
    menu_label = _("Responses")
    menu_icon = "list-ul"
    list_display = ("id", "submitted_at", "campaign", "channel", "unit", "procedure", "officer",
                    "dossier_code")
    list_filter = ("campaign", "channel", "unit", "procedure", "officer", "submitted_at",
                   CorrectedFilter)
    search_fields = ("dossier_code",)
    inspect_view_fields = ("campaign", "questionnaire", "channel", "submitted_at", "unit",
                           "procedure", "officer", "dossier_code")
    inspect_template_name = "wagtail_satisfaction/admin/response_inspect.html"
    inspect_view_class = ResponseInspectView

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "campaign", "unit", "procedure", "officer")


class SatisfactionListings(ListingGroup):
    items = (ResponseListing, CommentListing)
