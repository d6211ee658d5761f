"""Paper forms in the admin: type them in, print blanks, import a typed-in spreadsheet."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ... import permissions
from ...imports import ImportFileError, ImportResult, read_dataset
from ...models import Campaign, Channel
from ...models.scopes import restrict
from ...services import campaign_closed_message
from .. import corrections, paper
from .base import TEMPLATES, ChannelScreenMixin, ScreenViewSet, UploadForm
from .invitations import PeriodColumn

INDEX = "wagtail_satisfaction_paper:index"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_campaigns(user):
    """The campaigns ``user`` types in forms for: their units' own (see ``models.scopes``)."""
    return restrict(Campaign.objects.all(), user).select_related(
        "unit", "questionnaire").order_by("-opens_on")


class PaperPermissionMixin(PermissionCheckedMixin):
    """Every paper screen needs ``add_staffentry`` and works on one campaign."""

    permission_policy = permissions.STAFF_ENTRIES
    permission_required = "add"

    @cached_property
    def campaign(self):
        return get_object_or_404(staff_campaigns(self.request.user), pk=self.kwargs["pk"])


class PaperActionsColumn(Column):
    """Type in, print, download the template, import: the four ways to enter forms."""

    cell_template_name = TEMPLATES + "paper_actions_cell.html"


class PaperIndexView(IndexView):
    """The campaigns, each with its entry, print, template and import links."""

    model = Campaign
    permission_policy = permissions.STAFF_ENTRIES
    permission_required = "add"
    any_permission_required = None
    page_title = gettext_lazy("Paper forms")
    header_icon = "doc-full"
    index_url_name = INDEX
    index_results_url_name = "wagtail_satisfaction_paper:index_results"
    list_filter = ["unit"]
    default_ordering = "-opens_on"
    columns = [
        Column("title", label=gettext_lazy("Campaign")),
        PeriodColumn("period", label=gettext_lazy("Period"), sort_key="opens_on"),
        PaperActionsColumn("actions", label=gettext_lazy("Actions")),
    ]

    def get_base_queryset(self):
        return restrict(super().get_base_queryset(), self.request.user).select_related(
            "unit", "questionnaire")


class PaperScreenMixin(PaperPermissionMixin, ChannelScreenMixin):
    index_url_name = INDEX
    index_label = gettext_lazy("Paper forms")


@method_decorator(never_cache, name="dispatch")
class PaperEntryView(PaperScreenMixin, FormView):
    """Type in one paper form; after saving, a fresh form keeps the batch and channel."""

    header_icon = "doc-full"
    template_name = TEMPLATES + "paper_entry.html"

    def get_page_title(self):
        return _("Type in a form: %(campaign)s") % {"campaign": self.campaign.title}

    def get(self, request, *args, **kwargs):
        return self.refuse_upcoming() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse_upcoming() or super().post(request, *args, **kwargs)

    def refuse_upcoming(self):
        if self.campaign.status().is_upcoming:
            messages.error(self.request, campaign_closed_message(self.campaign))
            return redirect(INDEX)
        return None

    def get_form(self, form_class=None):
        initial = {"batch": self.request.GET.get("batch", ""),
                   "channel": self.request.GET.get("channel") or Channel.PAPER}
        return paper.StaffEntryForm(self.request.POST or None, campaign=self.campaign,
                                    initial=initial)

    def form_valid(self, form):
        try:
            paper.enter_response(form, self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Form %(number)s saved.") % {
            "number": form.cleaned_data["form_number"]})
        query = urlencode({key: value for key, value in (
            ("batch", form.cleaned_data["batch"]), ("channel", form.cleaned_data["channel"]))
            if value})
        return redirect(reverse("wagtail_satisfaction_paper:entry", args=[self.campaign.pk])
                        + "?" + query)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        recent = list(self.campaign.staff_entries.filter(entered_by=self.request.user)
                      .select_related("response", "campaign").order_by("-entered_at")[:10])
        for entry in recent:
            entry.correctable = corrections.can_correct(entry, self.request.user)
        return super().get_context_data(campaign=self.campaign, recent=recent,
                                        na_digit=paper.NOT_APPLICABLE_DIGIT, **kwargs)


@method_decorator(never_cache, name="dispatch")
class PaperCorrectView(ChannelScreenMixin, FormView):
    """Correct a typed form: the entry form prefilled, a reason, sealed as a correction.

    The typist's own forms the same day, or any in a reviewer's units until the report
    closes (``channels.corrections``); any other response answers 404, as if it did not
    exist (a citizen's own response has no staff entry, so it is never found here).
    """

    header_icon = "edit"
    template_name = TEMPLATES + "paper_correct.html"
    index_url_name = INDEX
    index_label = gettext_lazy("Paper forms")
    permission_policy = permissions.STAFF_ENTRIES
    permission_required = None
    any_permission_required = ["add", "change"]  # the typist's own, or a reviewer's

    @cached_property
    def entry(self):
        return get_object_or_404(corrections.correctable_entries(self.request.user),
                                 response_id=self.kwargs["pk"])

    def get_page_title(self):
        return _("Correct form %(number)s: %(campaign)s") % {
            "number": self.entry.form_number, "campaign": self.entry.campaign.title}

    def refuse_closed(self):
        if not corrections.can_correct(self.entry, self.request.user):
            messages.error(self.request, _("The time for correcting form %(number)s has "
                                           "passed.") % {"number": self.entry.form_number})
            return redirect(self.back_url())
        return None

    def back_url(self):
        user = self.request.user
        if self.entry.entered_by_id == user.pk:
            return reverse("wagtail_satisfaction_paper:entry", args=[self.entry.campaign_id])
        if permissions.RESPONSES.user_has_permission(user, "view"):
            return reverse("wagtail_satisfaction_response_modeladmin_inspect",
                           args=[self.entry.response_id])
        return reverse(INDEX)

    def get(self, request, *args, **kwargs):
        return self.refuse_closed() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse_closed() or super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return corrections.CorrectionForm(self.request.POST or None, entry=self.entry,
                                          user=self.request.user)

    def form_valid(self, form):
        try:
            corrections.correct_entry(self.entry, form, self.request.user)
        except ValidationError as error:
            if error.messages == [corrections.stale_message()]:
                # Show what is stored now, drawn afresh, with the message.
                fresh = corrections.CorrectionForm(entry=type(self.entry).objects
                                                   .select_related("response", "campaign")
                                                   .get(pk=self.entry.pk),
                                                   user=self.request.user)
                messages.error(self.request, error.messages[0])
                return self.render_to_response(self.get_context_data(form=fresh), status=409)
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Form %(number)s corrected.") % {
            "number": self.entry.form_number})
        return redirect(self.back_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        history = self.entry.response.corrections.select_related("corrected_by")
        return super().get_context_data(
            entry=self.entry, campaign=self.entry.campaign, na_digit=paper.NOT_APPLICABLE_DIGIT,
            history=[(item, corrections.changes(item)) for item in history],
            until=corrections.correctable_until(self.entry, self.request.user), **kwargs)


class PaperPrintView(PaperPermissionMixin, TemplateView):
    """Printable blank forms, each with the campaign and its own form number."""

    template_name = TEMPLATES + "paper_print.html"

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        try:
            count = max(1, min(int(self.request.GET.get("count", 1)), 500))
            start = max(1, int(self.request.GET.get("start", 1)))
        except ValueError:
            count, start = 1, 1
        form = paper.StaffEntryForm(campaign=campaign)
        groups = [(factor, [(field, field.field.choices) for field in fields])
                  for factor, fields in form.factor_groups()]
        return super().get_context_data(
            campaign=campaign, groups=groups,
            numbers=[f"{campaign.pk}-{n:05d}" for n in range(start, start + count)],
            procedures=campaign.procedures()[:40] if campaign.ask_procedure else [],
            ask_officer=campaign.ask_officer, ask_dossier_code=campaign.ask_dossier_code,
            **kwargs)


class PaperTemplateView(PaperPermissionMixin, View):
    """The spreadsheet template of a campaign's paper forms, one column per question."""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(paper.template_workbook(self.campaign), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="paper-forms-{self.campaign.slug}.xlsx"')
        return response


class PaperImportView(PaperScreenMixin, FormView):
    """Upload typed-in forms: all rows stored, or none and the bad lines named."""

    header_icon = "upload"
    template_name = TEMPLATES + "paper_import.html"
    form_class = UploadForm
    errors = ()

    def get_page_title(self):
        return _("Import typed forms: %(campaign)s") % {"campaign": self.campaign.title}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = paper.import_workbook(
                self.campaign, read_dataset(upload.read(), upload.name), self.request.user)
        except ImportFileError as error:
            result = ImportResult.refused(error)
        if result.ok:
            messages.success(self.request, _("%(count)s forms imported.") % {
                "count": result.stored})
            return redirect(INDEX)
        self.errors = result.errors
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.campaign, errors=self.errors, **kwargs)


class PaperViewSet(ScreenViewSet):
    name = "wagtail_satisfaction_paper"
    url_prefix = "satisfaction/paper"
    icon = "doc-full"
    menu_label = gettext_lazy("Paper forms")
    permission_policy = permissions.STAFF_ENTRIES
    permission_required = "add"

    def get_urlpatterns(self):
        return [path("", PaperIndexView.as_view(), name="index"),
                path("results/", PaperIndexView.as_view(results_only=True),
                     name="index_results"),
                path("<int:pk>/entry/", PaperEntryView.as_view(), name="entry"),
                path("<int:pk>/print/", PaperPrintView.as_view(), name="print"),
                path("<int:pk>/template/", PaperTemplateView.as_view(), name="template"),
                path("<int:pk>/import/", PaperImportView.as_view(), name="import"),
                path("responses/<int:pk>/correct/", PaperCorrectView.as_view(),
                     name="correct")]
