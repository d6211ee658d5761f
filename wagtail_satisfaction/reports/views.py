"""Admin views of the report, its exports and the import; thin over the plain functions."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.auth import PermissionPolicyChecker

from .. import permissions
from ..conf import get_setting
from ..imports import ImportFileError, read_dataset, read_sheets
from ..models import Campaign, ExportJob
from ..models.scopes import restrict, usable_campaigns
from . import document
from .charts import bar_chart, line_chart
from .comparison import compare_with_previous
from .disclosure import TooFewResponses, check_officer_filter
from .exports import ExportRequest, InvalidFilters, UnknownExport, export_links
from .filters import ReportFilterForm
from .imports import import_dossier_counts, import_responses
from .stats import build_report

responses_checker = PermissionPolicyChecker(permissions.RESPONSES)


def _filter_form(request):
    data = request.GET.copy()
    if not data.get("campaign"):
        latest = usable_campaigns(request.user).order_by("-opens_on").first()
        if latest:
            data["campaign"] = latest.pk
    return ReportFilterForm(data, user=request.user)


def _admin_page(request, template, title, context):
    return TemplateResponse(request, template, {
        "page_title": title, "header_title": title, "header_icon": "table", **context})


@responses_checker.require("view")
def report(request):
    """The satisfaction report for the filters in the query string."""
    form = _filter_form(request)
    context = {"form": form, "can_export": permissions.RESPONSES.user_has_permission(
        request.user, "export")}
    valid = form.is_bound and form.is_valid()
    form.load_choices()  # the filter bar's lists (the campaign's rounds among them), one query
    if valid:
        filters = form.filters()
        try:
            check_officer_filter(filters)
        except TooFewResponses as refusal:
            messages.warning(request, refusal.message)
            return _admin_page(request, "wagtail_satisfaction/reports/report.html",
                               _("Satisfaction report"), context)
        # The figures, the previous period's and the targets' sums in one query.
        result = build_report(filters, comment_limit=get_setting("REPORT_COMMENT_LIMIT"),
                              targets=True, compare=True,
                              rounds=form.rounds_of(filters.campaign))
        comparison = compare_with_previous(filters, result)
        questions = [q for q in result.questions if q.percent_satisfied is not None
                     or q.question.spec.satisfied_from is not None]
        context.update(
            filters=filters, report=result, export_links=export_links(request.GET),
            question_chart=bar_chart(
                [(f"{q.question.code}. {q.question.text}", q.percent_satisfied, q.applicable)
                 for q in questions], _("% satisfied per question")) if questions else "",
            trend_chart=line_chart(document.trend_points(result), _("Trend by month"),
                                   caption=document.trend_title(result))
            if result.trend else "",
            trend_table=document.trend_table(result) if result.trend else None,
            breakdowns=[(b, document.group_table(result, b.rows)) for b in result.breakdowns],
            comparison=comparison,
            comparison_table=document.comparison_table(comparison) if comparison else None,
            document_links=document.document_links(request.GET),
            d766_help=document.d766_explanation(),
            targets=result.targets,
            min_group_size=get_setting("MIN_GROUP_SIZE"),
        )
    return _admin_page(request, "wagtail_satisfaction/reports/report.html",
                       _("Satisfaction report"), context)


@responses_checker.require("view")
def report_document(request):
    """The report as a document to sign: DOCX, PDF or the print view (HTML).

    The same permission, filters and unit scope as the report page; personal data in the
    comments is masked unless the user may see it.
    """
    fmt = request.GET.get("format", "html")
    if fmt not in document.FORMATS:
        raise Http404
    form = _filter_form(request)
    if not form.is_valid():
        messages.error(request, _("The filters are not valid: %(errors)s")
                       % {"errors": "; ".join(e for errors in form.errors.values()
                                              for e in errors)})
        return redirect(reverse("wagtail_satisfaction_reports:report") + "?"
                        + request.GET.urlencode())
    filters = form.filters()
    try:
        check_officer_filter(filters)  # the page's and the exports' small-group rule
    except TooFewResponses as refusal:
        messages.warning(request, refusal.message)
        return redirect(reverse("wagtail_satisfaction_reports:report") + "?"
                        + request.GET.urlencode())
    built = document.build_document(
        filters, personal=permissions.can_see_personal_data(request.user))
    if fmt == "html":
        return HttpResponse(document.render_html(built, print_view=True))
    response = HttpResponse(document.render(built, fmt), content_type=document.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{built.filename(fmt)}"'
    return response


@responses_checker.require("export")
def export(request):
    """Download at once when small; otherwise start a background export and show its progress."""
    try:
        wanted = ExportRequest(_filter_form(request).data, request.GET.get("format", "xlsx"),
                               request.GET.get("kind", "responses"),
                               personal=permissions.can_see_personal_data(request.user),
                               user=request.user)
    except InvalidFilters as error:
        messages.error(request, _("The filters are not valid: %(errors)s") % {"errors": error})
        return redirect(reverse("wagtail_satisfaction_reports:report") + "?"
                        + request.GET.urlencode())
    except UnknownExport as error:
        raise Http404 from error
    except TooFewResponses as refusal:
        # The page refuses the same filters: the file must not show what the page hides.
        messages.warning(request, refusal.message)
        return redirect(reverse("wagtail_satisfaction_reports:report") + "?"
                        + request.GET.urlencode())
    return wanted.respond(request.user)


def _own_job(request, pk):
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


@responses_checker.require("export")
def export_job(request, pk):
    """Progress of a background export; the page refreshes itself until the file is ready."""
    job = _own_job(request, pk)
    return _admin_page(request, "wagtail_satisfaction/reports/export_job.html",
                       _("Export in progress") if job.status in ("queued", "running")
                       else _("Export"), {"job": job})


@responses_checker.require("export")
def export_job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=job.file.name.rsplit("/", 1)[-1])


class ImportForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.all(), label=gettext_lazy("Campaign"))
    file = forms.FileField(label=gettext_lazy("Workbook (xlsx) exported by a sub-unit"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = restrict(Campaign.objects.all(), user)


@responses_checker.require("export")
def import_results(request):
    """Combine a sub-unit's results: every row checked, all stored or none."""
    result = None
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_responses(form.cleaned_data["campaign"],
                                      read_sheets(upload.read(), upload.name),
                                      entered_by=request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if result.ok:
                messages.success(request, _(
                    "%(created)s new responses stored; %(present)s were already there.")
                    % {"created": result.stored, "present": result.skipped})
                return redirect("wagtail_satisfaction_reports:import")
    return _admin_page(request, "wagtail_satisfaction/reports/import.html",
                       _("Combine sub-units' results"), {"form": form, "result": result})


class DossierCountImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Dossier counts (csv or xlsx)"),
                           help_text=gettext_lazy(
                               "Columns: unit_code, from, to (YYYY-MM-DD), dossiers, "
                               "forms_handed_out."))


@PermissionPolicyChecker(permissions.DOSSIER_COUNTS).require("add")
def import_dossier_counts_view(request):
    """Upload dossier counts per unit and period; every row checked, all stored or none."""
    result = None
    form = DossierCountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_dossier_counts(read_dataset(upload.read(), upload.name))
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if result.ok:
                messages.success(request, _("Dossier counts imported."))
                return redirect("wagtail_satisfaction_reports:import_dossiers")
    return _admin_page(request, "wagtail_satisfaction/reports/import.html",
                       _("Import dossier counts"),
                       {"form": form, "result": result,
                        "intro": _("Dossier counts are the denominators of the targets and "
                                   "of the Decision 766 ratio. A row with the same unit and "
                                   "dates as a stored count replaces it.")})
