"""Dossiers in the admin: the listing, the spreadsheet import and the printable slip."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from ... import permissions
from ...admin.scoping import UnitScopedViewMixin, UnitScopedViewSetMixin
from ...imports import ImportFileError, ImportResult, read_dataset
from ...models import Dossier, Response
from ...models.scopes import units_for
from .. import dossiers
from ..imports import COLUMNS, import_dossiers
from .base import TEMPLATES, ChannelScreenMixin, UploadForm

# A dossier's statuses, in the order of its life: (key, label).
STATUSES = (
    ("overdue", gettext_lazy("Overdue")),
    ("returned", gettext_lazy("Returned")),
    ("invited", gettext_lazy("Invited")),
    ("rated", gettext_lazy("Rated")),
)


def dossier_statuses(dossier, today=None):
    """The statuses that apply to ``dossier``: returned (the result was handed over),
    overdue (not returned and past its due date), invited (an email invitation was sent),
    rated (a proven rating exists; the listing annotates it as ``is_rated``)."""
    today = today or dossiers.local_today()
    found = set()
    if dossier.returned_on and dossier.returned_on <= today:
        found.add("returned")
    elif dossier.due_on and dossier.due_on < today:
        found.add("overdue")
    if dossier.invited_at:
        found.add("invited")
    if getattr(dossier, "is_rated", False):
        found.add("rated")
    return [(key, label) for key, label in STATUSES if key in found]


class StatusColumn(Column):
    cell_template_name = TEMPLATES + "dossier_status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["statuses"] = dossier_statuses(instance)
        return context


class ShortDateColumn(Column):
    """A date as 05/12/2026: the long form ("Ngày 05 tháng 12 năm 2026") wraps."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return date_format(value, "SHORT_DATE_FORMAT") if value else None


class DossierIndexView(IndexView):
    """The dossiers, with "Import dossiers" in the header and "Print slip" on each row.

    A dense table: the code never wraps, a status column (returned, overdue, invited,
    rated), the slip's button on the row itself rather than in the "more" menu.
    """

    table_classname = "listing satisfaction-dossier-list"

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        # Wagtail's title column (with the row's buttons), kept on one line.
        return super()._get_title_column(field_name, column_class,
                                         classname="satisfaction-nowrap", **kwargs)

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit", "procedure").annotate(
            is_rated=Exists(Response.objects.filter(dossier_code=OuterRef("code"),
                                                    dossier_proven=True)))

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.user_has_permission("import"):
            buttons.append(HeaderButton(_("Import dossiers"), url=reverse(
                "wagtail_satisfaction_dossiers:import"), icon_name="upload"))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            # A ListingButton stays on the row (not in the dropdown), its label whole.
            buttons.append(ListingButton(
                _("Print slip"), url=reverse("wagtail_satisfaction_dossiers:slip",
                                             args=[instance.pk]),
                icon_name="doc-full", classname="satisfaction-nowrap",
                attrs={"target": "_blank"}, priority=15))
        return buttons


class DossierImportView(ChannelScreenMixin, FormView):
    """Upload a spreadsheet of dossiers: all rows stored, or none and the bad lines named."""

    permission_policy = permissions.DOSSIERS
    permission_required = "import"
    page_title = gettext_lazy("Import dossiers")
    header_icon = "folder-open-inverse"
    index_url_name = "wagtail_satisfaction_dossiers:index"
    index_label = gettext_lazy("Dossiers")
    template_name = TEMPLATES + "dossier_import.html"
    form_class = UploadForm
    errors = ()

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = import_dossiers(read_dataset(upload.read(), upload.name),
                                     units=units_for(self.request.user))
        except ImportFileError as error:
            result = ImportResult.refused(error)
        if result.ok:
            messages.success(self.request, _(
                "Dossiers imported: %(created)s new, %(updated)s updated, %(unchanged)s "
                "unchanged.") % {"created": result.new, "updated": result.updated,
                                 "unchanged": result.skipped})
            return redirect("wagtail_satisfaction_dossiers:index")
        self.errors = result.errors
        return self.render_to_response(self.get_context_data(form=form),
                                       status=400 if self.errors else 200)

    def get_context_data(self, **kwargs):
        return super().get_context_data(errors=self.errors, columns=COLUMNS, **kwargs)


@method_decorator(never_cache, name="dispatch")
class DossierSlipView(UnitScopedViewMixin, PermissionCheckedMixin, DetailView):
    """A printable slip handed over with the result: QR code, link, codes."""

    permission_policy = permissions.DOSSIERS
    permission_required = "change"
    queryset = Dossier.objects.select_related("unit", "procedure")
    context_object_name = "dossier"
    template_name = TEMPLATES + "dossier_slip.html"

    def get_context_data(self, **kwargs):
        url = dossiers.rating_url(self.object)
        return super().get_context_data(
            rating_url=url, qr_svg=dossiers.qr_svg(url),
            lookup_url=dossiers.public_url(reverse("wagtail_satisfaction:dossier_lookup")),
            ratable=dossiers.is_ratable(self.object),
            base_mismatch=dossiers.base_address_mismatch(self.request), **kwargs)


class DossierViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Dossier
    name = "wagtail_satisfaction_dossiers"
    url_prefix = "satisfaction/dossiers"
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Dossiers")
    index_view_class = DossierIndexView
    list_display = [
        "code", "applicant_name", "unit", "procedure",
        ShortDateColumn("received_on", label=gettext_lazy("received on"), sort_key="received_on"),
        ShortDateColumn("due_on", label=gettext_lazy("due on"), sort_key="due_on"),
        ShortDateColumn("returned_on", label=gettext_lazy("result returned on"),
                        sort_key="returned_on"),
        StatusColumn("status", label=gettext_lazy("status")),
        BooleanColumn("opted_out", label=gettext_lazy("opted out of emails"))]
    list_filter = ["unit", "returned_on", "opted_out"]
    # Searched in the database (icontains), not through the search index: a dossier code such
    # as 000.21.36.H36-260905-0023 is split into odd tokens by PostgreSQL's parser, and the
    # SQLite backend cannot restrict a search to these fields.
    search_fields = ["code", "applicant_name"]
    search_backend_name = None
    inspect_view_enabled = True
    inspect_view_fields = ["code", "unit", "procedure", "officer", "applicant_name", "email",
                           "phone", "received_on", "due_on", "returned_on", "opted_out",
                           "invited_at", "reminded_at"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", DossierImportView.as_view(), name="import"),
            path("slip/<int:pk>/", DossierSlipView.as_view(), name="slip"),
        ]
