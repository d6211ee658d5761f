"""Admin menu entries of the reports, shown only to those who may use them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from .. import permissions
from ..admin.snippets import AppSnippetViewSet
from ..models import DossierCount


class ReportMenuItem(MenuItem):
    def __init__(self):
        super().__init__(_("Satisfaction report"), reverse("wagtail_satisfaction_reports:report"),
                         name="satisfaction-report", icon_name="table", order=100)

    def is_shown(self, request):
        return permissions.RESPONSES.user_has_permission(request.user, "view")


class ImportMenuItem(MenuItem):
    def __init__(self):
        super().__init__(_("Combine sub-units' results"),
                         reverse("wagtail_satisfaction_reports:import"),
                         name="satisfaction-import", icon_name="upload", order=101)

    def is_shown(self, request):
        return permissions.RESPONSES.user_has_permission(request.user, "export")


class DossierCountViewSet(AppSnippetViewSet):
    """Dossier counts typed in per unit and period: the denominators of the targets."""

    model = DossierCount
    icon = "list-ol"
    menu_label = _("Dossier counts")
    add_to_admin_menu = False
    list_display = ["unit", "starts_on", "ends_on", "dossiers", "forms_handed_out"]
    list_filter = ["unit"]
