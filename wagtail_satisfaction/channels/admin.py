"""Admin screens of the collection channels, grouped in one "Collection channels" menu.

Dossiers, kiosk keys and re-verification calls are Wagtail ``ModelViewSet``s; dossier
import, the printable slip, invitations and paper entry are small views on top. Every
screen checks a real permission; the rules they call live in ``dossier_import``,
``dossiers``, ``invitations``, ``paper`` and ``reverification``.
"""

import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy

from ..conf import get_setting
from ..models import Campaign, Channel, Dossier, KioskKey, Reverification
from ..services import campaign_closed_message
from . import dossiers, invitations, paper, reverification
from .imports import COLUMNS, import_dossiers, read_dataset

APP = "wagtail_satisfaction"


def require_perms(*perms):
    """Refuse the view (403) unless the user has every permission."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not all(request.user.has_perm(f"{APP}.{perm}") for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, perms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.perms = perms

    def is_shown(self, request):
        return all(request.user.has_perm(f"{APP}.{perm}") for perm in self.perms)


class ScreensViewSet(ViewSet):
    """A plain admin section (not a model) shown to users with ``perms``."""

    perms = ()

    def get_menu_item(self, order=None):
        return PermissionMenuItem(label=self.menu_label, url=self.menu_url,
                                  name=self.menu_name, icon_name=self.menu_icon,
                                  order=order or self.menu_order, perms=self.perms)


def admin_page(request, template, title, icon="folder-open-inverse", status=200, **context):
    return render(request, f"wagtail_satisfaction/admin/channels/{template}",
                  {"page_title": title, "header_title": title, "header_icon": icon, **context},
                  status=status)


# --- Dossiers ---------------------------------------------------------------------------

class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))


@require_perms("add_dossier", "change_dossier")
def dossier_import_view(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_dossiers(read_dataset(upload.read(), upload.name))
        except Exception as error:  # tablib/openpyxl raise many types for a bad file
            errors = [(1, [_("The file could not be read: %(error)s") % {"error": error}])]
        else:
            if result.ok:
                messages.success(request, _(
                    "Dossiers imported: %(created)s new, %(updated)s updated, %(unchanged)s "
                    "unchanged.") % {"created": result.created, "updated": result.updated,
                                     "unchanged": result.unchanged})
                return redirect("wagtail_satisfaction_dossiers:index")
            errors = result.errors
    return admin_page(request, "dossier_import.html", _("Import dossiers"), form=form,
                      errors=errors, columns=COLUMNS, status=400 if errors else 200)


@never_cache
@require_perms("change_dossier")
def dossier_slip_view(request, pk):
    """A printable slip handed over with the result: QR code, link, codes."""
    dossier = get_object_or_404(Dossier.objects.select_related("unit", "procedure"), pk=pk)
    url = dossiers.rating_url(dossier)
    return render(request, "wagtail_satisfaction/admin/channels/dossier_slip.html", {
        "dossier": dossier, "rating_url": url, "qr_svg": dossiers.qr_svg(url),
        "lookup_url": dossiers.public_url(reverse("wagtail_satisfaction:dossier_lookup")),
        "ratable": dossiers.is_ratable(dossier),
    })


class DossierViewSet(ModelViewSet):
    model = Dossier
    name = "wagtail_satisfaction_dossiers"
    url_prefix = "satisfaction/dossiers"
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Dossiers")
    list_display = ["code", "applicant_name", "unit", "procedure", "received_on",
                    "returned_on", BooleanColumn("opted_out",
                                                 label=gettext_lazy("opted out of emails"))]
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
            path("import/", dossier_import_view, name="import"),
            path("slip/<int:pk>/", dossier_slip_view, name="slip"),
        ]

    @property
    def index_view_class(self):
        from wagtail.admin.views.generic import IndexView

        class DossierIndexView(IndexView):
            @property
            def header_more_buttons(self):
                buttons = list(super().header_more_buttons)
                user = self.request.user
                if user.has_perm(f"{APP}.add_dossier") and user.has_perm(
                        f"{APP}.change_dossier"):
                    buttons.append(HeaderButton(_("Import dossiers"), url=reverse(
                        "wagtail_satisfaction_dossiers:import"), icon_name="upload"))
                return buttons

            def get_list_more_buttons(self, instance):
                buttons = super().get_list_more_buttons(instance)
                if self.request.user.has_perm(f"{APP}.change_dossier"):
                    buttons.append(ListingButton(
                        _("Print slip"), url=reverse("wagtail_satisfaction_dossiers:slip",
                                                     args=[instance.pk]),
                        icon_name="doc-full", attrs={"target": "_blank"}, priority=15))
                return buttons

        return DossierIndexView


# --- Kiosk keys -------------------------------------------------------------------------

class KioskLinkColumn(Column):
    def get_value(self, instance):
        return dossiers.public_url(instance.get_absolute_url())


class KioskKeyViewSet(ModelViewSet):
    model = KioskKey
    name = "wagtail_satisfaction_kiosks"
    url_prefix = "satisfaction/kiosks"
    icon = "desktop"
    menu_label = gettext_lazy("Kiosk keys")
    list_display = ["name", "campaign", "unit", BooleanColumn("active",
                                                              label=gettext_lazy("active")),
                    KioskLinkColumn("kiosk_url", label=gettext_lazy("Kiosk address"))]
    list_filter = ["campaign", "active"]


# --- Invitations ------------------------------------------------------------------------

@require_perms("send_invitations")
def invitations_index(request):
    campaigns = Campaign.objects.select_related("unit").order_by("-opens_on")
    return admin_page(request, "invitations_index.html", _("Survey invitations"),
                      icon="mail", campaigns=campaigns)


@require_perms("send_invitations")
def invitations_campaign(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in (invitations.INVITATION, invitations.REMINDER):
            raise PermissionDenied
        if not campaign.is_open():
            messages.error(request, campaign_closed_message(campaign))
        else:
            invitations.enqueue(campaign, kind)
            messages.success(request, _("Sending has started in the background; the "
                                        "figures below update as batches go out."))
        return redirect("wagtail_satisfaction_invitations:campaign", pk=campaign.pk)
    return admin_page(
        request, "invitations_campaign.html", campaign.title, icon="mail", campaign=campaign,
        rates=invitations.response_rates(campaign),
        total=invitations.response_total(campaign),
        pending_invitations=invitations.candidates(campaign).count(),
        pending_reminders=invitations.candidates(campaign, invitations.REMINDER).count(),
        reminder_days=get_setting("REMINDER_AFTER_DAYS"))


class InvitationsViewSet(ScreensViewSet):
    name = "wagtail_satisfaction_invitations"
    url_prefix = "satisfaction/invitations"
    icon = "mail"
    menu_label = gettext_lazy("Invitations")
    perms = ("send_invitations",)

    def get_urlpatterns(self):
        return [path("", invitations_index, name="index"),
                path("<int:pk>/", invitations_campaign, name="campaign")]


# --- Paper forms ------------------------------------------------------------------------

def staff_campaigns():
    return Campaign.objects.select_related("unit", "questionnaire").order_by("-opens_on")


@require_perms("add_staffentry")
def paper_index(request):
    return admin_page(request, "paper_index.html", _("Paper forms"), icon="doc-full",
                      campaigns=staff_campaigns())


@never_cache
@require_perms("add_staffentry")
def paper_entry(request, pk):
    """Type in one paper form; after saving, a fresh form keeps the batch and channel."""
    campaign = get_object_or_404(staff_campaigns(), pk=pk)
    if campaign.status().is_upcoming:
        messages.error(request, campaign_closed_message(campaign))
        return redirect("wagtail_satisfaction_paper:index")
    initial = {"batch": request.GET.get("batch", ""),
               "channel": request.GET.get("channel") or Channel.PAPER}
    form = paper.StaffEntryForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            paper.enter_response(form, request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Form %(number)s saved.") % {
                "number": form.cleaned_data["form_number"]})
            return redirect(reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk])
                            + "?" + _query(batch=form.cleaned_data["batch"],
                                           channel=form.cleaned_data["channel"]))
    recent = (campaign.staff_entries.filter(entered_by=request.user)
              .select_related("response").order_by("-entered_at")[:10])
    return admin_page(request, "paper_entry.html", _("Type in a form: %(campaign)s") % {
        "campaign": campaign.title}, icon="doc-full", campaign=campaign, form=form,
        recent=recent, na_digit=paper.NOT_APPLICABLE_DIGIT,
        status=400 if form.is_bound and form.errors else 200)


def _query(**params):
    from urllib.parse import urlencode

    return urlencode({key: value for key, value in params.items() if value})


@require_perms("add_staffentry")
def paper_print(request, pk):
    """Printable blank forms, each with the campaign and its own form number."""
    campaign = get_object_or_404(staff_campaigns(), pk=pk)
    try:
        count = max(1, min(int(request.GET.get("count", 1)), 500))
        start = max(1, int(request.GET.get("start", 1)))
    except ValueError:
        count, start = 1, 1
    form = paper.StaffEntryForm(campaign=campaign)
    groups = [(factor, [(field, field.field.choices) for field in fields])
              for factor, fields in form.factor_groups()]
    numbers = [f"{campaign.pk}-{n:05d}" for n in range(start, start + count)]
    return render(request, "wagtail_satisfaction/admin/channels/paper_print.html", {
        "campaign": campaign, "numbers": numbers, "groups": groups,
        "procedures": campaign.procedures()[:40] if campaign.ask_procedure else [],
        "ask_officer": campaign.ask_officer, "ask_dossier_code": campaign.ask_dossier_code,
    })


@require_perms("add_staffentry")
def paper_template(request, pk):
    campaign = get_object_or_404(staff_campaigns(), pk=pk)
    response = HttpResponse(
        paper.template_workbook(campaign),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="paper-forms-{campaign.slug}.xlsx"'
    return response


@require_perms("add_staffentry")
def paper_import(request, pk):
    campaign = get_object_or_404(staff_campaigns(), pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        count, errors = paper.import_workbook(campaign, form.cleaned_data["file"].read(),
                                              request.user)
        if not errors:
            messages.success(request, _("%(count)s forms imported.") % {"count": count})
            return redirect("wagtail_satisfaction_paper:index")
    return admin_page(request, "paper_import.html", _("Import typed forms: %(campaign)s") % {
        "campaign": campaign.title}, icon="upload", campaign=campaign, form=form,
        errors=errors, status=400 if errors else 200)


class PaperViewSet(ScreensViewSet):
    name = "wagtail_satisfaction_paper"
    url_prefix = "satisfaction/paper"
    icon = "doc-full"
    menu_label = gettext_lazy("Paper forms")
    perms = ("add_staffentry",)

    def get_urlpatterns(self):
        return [path("", paper_index, name="index"),
                path("<int:pk>/entry/", paper_entry, name="entry"),
                path("<int:pk>/print/", paper_print, name="print"),
                path("<int:pk>/template/", paper_template, name="template"),
                path("<int:pk>/import/", paper_import, name="import")]


# --- Re-verification --------------------------------------------------------------------

class PersonalDataPolicy(ModelPermissionPolicy):
    """Re-verification shows contact details: it also needs ``view_personal_data``."""

    def user_has_permission(self, user, action):
        return (user.has_perm(f"{APP}.view_personal_data")
                and super().user_has_permission(user, action))

    def user_has_any_permission(self, user, actions):
        return (user.has_perm(f"{APP}.view_personal_data")
                and super().user_has_any_permission(user, actions))


class DrawForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("Campaign"), queryset=None)
    share = forms.DecimalField(label=gettext_lazy("Share to draw (%)"), min_value=1,
                               max_value=100, decimal_places=2)
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Only responses received by"), required=False,
        choices=Channel.choices, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for every channel."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-opens_on")
        self.fields["share"].initial = get_setting("REVERIFICATION_SHARE")


@require_perms("add_reverification", "view_personal_data")
def reverification_draw(request):
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        drawn = reverification.draw_sample(
            form.cleaned_data["campaign"], form.cleaned_data["share"],
            form.cleaned_data["channels"] or None, request.user)
        messages.success(request, _("%(count)s responses drawn for re-verification calls.")
                         % {"count": len(drawn)})
        return redirect("wagtail_satisfaction_reverification:index")
    return admin_page(request, "reverification_draw.html", _("Draw a re-verification sample"),
                      icon="resubmit", form=form, summary=reverification.outcome_summary())


class ReverificationViewSet(ModelViewSet):
    model = Reverification
    name = "wagtail_satisfaction_reverification"
    url_prefix = "satisfaction/reverification"
    icon = "resubmit"
    menu_label = gettext_lazy("Re-verification")
    list_display = ["response", "campaign",
                    Column("channel", label=gettext_lazy("channel"),
                           accessor="response.get_channel_display"),
                    Column("dossier_code", label=gettext_lazy("dossier code"),
                           accessor="response.dossier_code"),
                    Column("applicant_name", label=gettext_lazy("applicant name"),
                           accessor="applicant_name"),
                    Column("phone", label=gettext_lazy("phone"), accessor="phone"),
                    Column("email", label=gettext_lazy("email"), accessor="contact_email"),
                    "outcome", "called_at"]
    list_filter = ["campaign", "outcome"]
    form_fields = ["outcome", "note"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("draw/", reverification_draw, name="draw"),
        ]

    @property
    def index_view_class(self):
        from wagtail.admin.views.generic import IndexView

        class ReverificationIndexView(IndexView):
            def get_base_queryset(self):
                # Contact details come from the dossier the response rates (one subquery
                # per column, not one query per row).
                dossier = Dossier.objects.filter(code=OuterRef("response__dossier_code"))
                return super().get_base_queryset().select_related(
                    "campaign", "response").annotate(
                    applicant_name=Subquery(dossier.values("applicant_name")[:1]),
                    phone=Subquery(dossier.values("phone")[:1]),
                    contact_email=Coalesce(NullIf("response__email", Value("")),
                                           Subquery(dossier.values("email")[:1])))

            @property
            def header_buttons(self):
                buttons = []
                if self.request.user.has_perm(f"{APP}.add_reverification"):
                    buttons.append(HeaderButton(_("Draw a sample"), url=reverse(
                        "wagtail_satisfaction_reverification:draw"), icon_name="plus"))
                return buttons

        return ReverificationIndexView

    @property
    def edit_view_class(self):
        from wagtail.admin.views.generic import EditView

        class RecordOutcomeView(EditView):
            def save_instance(self):
                instance = self.form.save(commit=False)
                return reverification.record_outcome(
                    instance, instance.outcome, instance.note, self.request.user)

        return RecordOutcomeView


class ChannelsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Collection channels")
    menu_icon = "mail"
    menu_order = 245
    items = (DossierViewSet, KioskKeyViewSet, InvitationsViewSet, PaperViewSet,
             ReverificationViewSet)
