"""Snippet viewsets: how editors and campaign managers edit the app's content models."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.permissions import policy_registry
from wagtail.snippets.views import chooser, snippets
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ..models import Banner, Campaign, Officer, Procedure, Questionnaire, Sector, Unit, UnitScope
from .scoping import UnitScopedViewSetMixin


class ChoosePermissionMixin:
    """Open a chooser view only to users the model's policy allows to "choose".

    Wagtail's snippet choosers check no permission of their own: any admin user could
    list every campaign, unit or officer through them. The "choose" action of each
    policy in :mod:`wagtail_satisfaction.permissions` says who fills in forms that need it.
    """

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(self.model_class)
        if not policy.user_has_permission(request.user, "choose"):
            raise PermissionDenied  # the chooser is a modal: a plain 403, no redirect
        return super().dispatch(request, *args, **kwargs)


class ChooseView(ChoosePermissionMixin, chooser.ChooseView):
    pass


class ChooseResultsView(ChoosePermissionMixin, chooser.ChooseResultsView):
    pass


class ChosenView(ChoosePermissionMixin, chooser.SnippetChosenView):
    pass


class ChosenMultipleView(ChoosePermissionMixin, chooser.SnippetChosenMultipleView):
    pass


class ChooserCreateView(ChoosePermissionMixin, chooser.SnippetCreateView):
    """Objects are created on their own forms: with no creation form in the chooser
    (our viewsets set none) there is nothing here, rather than Wagtail's server error."""

    def dispatch(self, request, *args, **kwargs):
        if self.get_creation_form_class() is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PolicyCheckedChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = ChooserCreateView


class DeleteView(snippets.DeleteView):
    """Refuse with a message, not a server error, to delete what responses still use.

    Wagtail's own protection only knows references it indexes; responses, comments and
    re-verification calls point at campaigns, units and officers with ``PROTECT``.
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, _(
                "“%(object)s” cannot be deleted: responses or other records still refer "
                "to it.") % {"object": self.object})
            return redirect(self.get_success_url())


class AppSnippetViewSet(SnippetViewSet):
    """The app's snippet viewsets: choosers checked like every other view, and deleting
    what is still in use refused with a message."""

    chooser_viewset_class = PolicyCheckedChooserViewSet
    delete_view_class = DeleteView


class UnitScopedChooserViewSet(UnitScopedViewSetMixin, PolicyCheckedChooserViewSet):
    """A snippet chooser that offers only the user's units' rows."""


class UnitScopedSnippetViewSet(UnitScopedViewSetMixin, AppSnippetViewSet):
    """A snippet whose listing, object URLs, forms and chooser follow the unit scopes."""

    chooser_viewset_class = UnitScopedChooserViewSet


class CampaignViewSet(UnitScopedSnippetViewSet):
    model = Campaign
    icon = "date"
    menu_label = _("Campaigns")
    list_display = ["title", "unit", "questionnaire", "opens_on", "closes_on"]
    list_filter = ["unit"]
    search_fields = ["title"]


class QuestionnaireViewSet(AppSnippetViewSet):
    model = Questionnaire
    icon = "list-ol"
    menu_label = _("Questionnaires")
    list_display = ["name", "version", "kind"]


class BannerViewSet(AppSnippetViewSet):
    model = Banner
    icon = "pick"
    menu_label = _("Banners")
    list_display = ["title", "campaign", "shows_from", "shows_until"]


class UnitViewSet(UnitScopedSnippetViewSet):
    model = Unit
    icon = "group"
    menu_label = _("Units")
    list_display = ["name", "code", "kind", "parent"]
    search_fields = ["name"]


class SectorViewSet(AppSnippetViewSet):
    model = Sector
    icon = "tag"
    menu_label = _("Fields (lĩnh vực)")


class ProcedureViewSet(UnitScopedSnippetViewSet):
    model = Procedure
    icon = "doc-full"
    menu_label = _("Procedures")
    list_display = ["code", "name", "sector", "unit"]
    list_filter = ["sector", "unit"]
    search_fields = ["name", "code"]


class OfficerViewSet(UnitScopedSnippetViewSet):
    model = Officer
    icon = "user"
    menu_label = _("Officers")
    list_display = ["name", "title", "unit"]
    list_filter = ["unit"]
    search_fields = ["name"]


class UnitScopeViewSet(AppSnippetViewSet):
    """Who works for which units; only a superuser has its permissions."""

    model = UnitScope
    icon = "lock"
    menu_label = _("Unit scopes")
    list_display = ["unit", "user", "group"]
    list_filter = ["unit"]


class SurveySetupGroup(SnippetViewSetGroup):
    menu_label = _("Survey set-up")
    menu_icon = "form"
    menu_order = 240
    items = (CampaignViewSet, QuestionnaireViewSet, BannerViewSet, UnitViewSet, SectorViewSet,
             ProcedureViewSet, OfficerViewSet, UnitScopeViewSet)
