"""Snippet viewsets: how editors and campaign managers edit the app's content models."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ..models import Banner, Campaign, Officer, Procedure, Questionnaire, Sector, Unit, UnitScope
from .scoping import UnitScopedViewSetMixin


class UnitScopedChooserViewSet(UnitScopedViewSetMixin, SnippetChooserViewSet):
    """A snippet chooser that offers only the user's units' rows."""


class UnitScopedSnippetViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    """A snippet whose listing, object URLs, forms and chooser follow the unit scopes."""

    chooser_viewset_class = UnitScopedChooserViewSet


class CampaignViewSet(UnitScopedSnippetViewSet):
    model = Campaign
    icon = "date"
    menu_label = _("Campaigns")
    list_display = ["title", "unit", "questionnaire", "opens_on", "closes_on"]
    list_filter = ["unit"]
    search_fields = ["title"]


class QuestionnaireViewSet(SnippetViewSet):
    model = Questionnaire
    icon = "list-ol"
    menu_label = _("Questionnaires")
    list_display = ["name", "version", "kind"]


class BannerViewSet(SnippetViewSet):
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


class SectorViewSet(SnippetViewSet):
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


class UnitScopeViewSet(SnippetViewSet):
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
