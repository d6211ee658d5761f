"""Spreadsheets out: responses, relevant comments and the report's summary tables.

Each table is described once by a django-import-export ``Resource``; rows are plain dicts
read in chunks (keyset pagination), so an export of any size runs in constant memory:
csv is streamed line by line (UTF-8 with BOM so Excel keeps Vietnamese text), xlsx goes
through openpyxl's write-only workbook, one sheet per table. Text cells that a spreadsheet
would run as a formula are neutralised with a leading apostrophe.

:class:`ExportRequest` is the one entry point of the report view, the background task and
the ``satisfaction_export`` command: it decides the file name, the content type, and whether
the export streams at once or runs in the background.
"""

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field

from ..conf import get_setting
from ..models import Answer, Channel, ExportJob
from ..moderation.privacy import mask_personal_data
from ..scales import NOT_APPLICABLE, NOT_APPLICABLE_LABEL
from .columns import (
    CHANNEL,
    COMMENT,
    COMMENT_COLUMNS,
    COMMENT_STATE,
    DOSSIER_CODE,
    DOSSIER_PROVEN,
    EMAIL,
    OFFICER,
    PROCEDURE_CODE,
    RESPONSE_COLUMNS,
    SUBMITTED_AT,
    UID,
    UNIT_CODE,
    answer_label_column,
    header,
    question_column,
)
from .disclosure import check_officer_filter, officer_disclosure, pool_label
from .filters import ReportFilterForm
from .rollup import report_zone
from .stats import build_report, round_percent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK = 2000



def neutralise(value):
    """Make a cell safe to open in a spreadsheet: never start text with = + - @ tab CR."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class RowResource(resources.Resource):
    """A resource over dict rows whose columns are given when it is built."""

    def __init__(self, columns):
        super().__init__()
        self.fields = {key: Field(attribute=key, column_name=str(label))
                       for key, label in columns}

    def get_export_order(self):
        return tuple(self.fields)

    def export_field(self, field, instance, **kwargs):
        return field.get_value(instance)


class ResponseResource(RowResource):
    """One row per response, one value column and one label column per question."""

    def __init__(self, questionnaire, personal=False):
        self.personal = personal
        self.questions = list(questionnaire.questions().order_by("factor__sort_order",
                                                                 "sort_order"))
        # Headers from the one table the import reads too (reports.columns).
        keys = [key for key in RESPONSE_COLUMNS if personal or key != EMAIL]
        for question in self.questions:
            keys += [question_column(question), answer_label_column(question)]
        super().__init__([(key, header(key)) for key in keys])
        # Labels resolved once, not per cell (they are lazy translations).
        self.labels = {q.pk: {value: str(label) for value, label in q.choices()}
                       for q in self.questions}

    def rows(self, filters, progress=None):
        """Dict rows of the filtered responses, read in chunks of ``CHUNK``."""
        zone = report_zone()
        channel_labels = {key: str(label) for key, label in Channel.choices}
        not_applicable = str(NOT_APPLICABLE_LABEL)
        # Officers the small-group rule hides are named by the pool's label, as on the page.
        pooled, pooled_as = officer_disclosure(filters).pooled_keys, pool_label()
        queryset = filters.responses().order_by("pk").values(
            "pk", "uid", "submitted_at", "channel", "unit__code", "unit__name",
            "procedure__code", "procedure__name", "procedure__sector__name", "officer_id",
            "officer__name", "dossier_code", "dossier_proven", "email", "comment__text",
            "comment__state")
        last, done = 0, 0
        while True:
            chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                return
            answers = {}
            for response_id, question_id, value in Answer.objects.filter(
                    response_id__in=[row["pk"] for row in chunk]).values_list(
                    "response_id", "question_id", "value"):
                answers.setdefault(response_id, {})[question_id] = value
            for row in chunk:
                out = {
                    UID: str(row["uid"]) if row["uid"] else "",
                    SUBMITTED_AT: _naive_local(row["submitted_at"], zone),
                    CHANNEL: row["channel"],
                    "channel_label": channel_labels.get(row["channel"], row["channel"]),
                    UNIT_CODE: row["unit__code"], "unit_name": row["unit__name"],
                    PROCEDURE_CODE: row["procedure__code"] or "",
                    "procedure_name": row["procedure__name"] or "",
                    "sector": row["procedure__sector__name"] or "",
                    OFFICER: (pooled_as if row["officer_id"] in pooled
                              else row["officer__name"] or ""),
                    DOSSIER_CODE: row["dossier_code"],
                    EMAIL: row["email"],
                    DOSSIER_PROVEN: int(row["dossier_proven"]),
                    COMMENT: self.comment_text(row["comment__text"]),
                    COMMENT_STATE: row["comment__state"] or "",
                }
                given = answers.get(row["pk"], {})
                for question in self.questions:
                    code, label = question_column(question), answer_label_column(question)
                    if question.pk not in given:
                        out[code] = out[label] = ""
                    elif given[question.pk] is None:
                        out[code] = NOT_APPLICABLE
                        out[label] = not_applicable
                    else:
                        value = given[question.pk]
                        out[code] = value
                        out[label] = self.labels[question.pk].get(str(value), value)
                yield out
            last = chunk[-1]["pk"]
            done += len(chunk)
            if progress:
                progress(done)


    def comment_text(self, text):
        """Every comment, whatever its moderation, so the file goes back in whole; personal
        data typed into it is masked unless the user may see it."""
        if not text:
            return ""
        return text if self.personal else mask_personal_data(text)


def _naive_local(moment, zone):
    return moment.astimezone(zone).replace(tzinfo=None)


class CommentResource(RowResource):
    """The comments moderated as relevant, with the response they belong to.

    Without ``personal``, phone numbers, ID numbers and emails typed into them are masked.
    """

    def __init__(self, personal=False):
        self.personal = personal
        super().__init__([(key, header(key)) for key in COMMENT_COLUMNS])

    def rows(self, filters):
        zone = report_zone()
        queryset = filters.relevant_comments().order_by("pk").values(
            "pk", "response__uid", "submitted_at", "response__unit__name", "text")
        last = 0
        while True:
            chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                return
            for row in chunk:
                yield {UID: str(row["response__uid"] or ""),
                       SUBMITTED_AT: _naive_local(row["submitted_at"], zone),
                       "unit": row["response__unit__name"],
                       "text": row["text"] if self.personal
                       else mask_personal_data(row["text"])}
            last = chunk[-1]["pk"]


def summary_tables(report):
    """The report's tables as (sheet title, resource, rows), the same figures as the screen."""
    tables = []
    summary = [
        {"item": _("Filters"), "value": report.filters.describe()},
        {"item": _("Responses"), "value": report.responses},
        {"item": _("Overall index (%)"), "value": round_percent(report.overall_index)},
        {"item": _("Decision 766 ratio (%)"), "value": round_percent(report.d766_ratio)},
        {"item": _("Dissatisfied responses"), "value": report.totals.dissatisfied},
        {"item": _("Decision 766 base"), "value": report.d766_base},
    ]
    if report.indicators:
        summary += [
            {"item": _("TTHC total points"), "value": round_percent(report.tthc_total)},
            {"item": _("TTHC maximum"), "value": report.tthc_maximum},
            {"item": _("TTHC band"), "value": report.tthc_band or ""},
        ]
    tables.append((_("Summary"), RowResource([("item", _("Item")), ("value", _("Value"))]),
                   summary))

    def value_key(question, value):
        return "na" if value is None else f"{question.question.scale}:{value}"

    value_columns = []
    for question in report.questions:
        for value, label in question.labels:
            key = value_key(question, value)
            if key not in dict(value_columns):
                value_columns.append((key, label))
    question_columns = ([("code", _("Code")), ("text", _("Question")), ("factor", _("Factor")),
                         ("n", _("N (applicable)")), ("satisfied", _("Satisfied answers")),
                         ("percent", _("% satisfied")), ("mean", _("Mean"))]
                        + [(key, str(label)) for key, label in value_columns])
    rows = []
    for q in report.questions:
        row = {"code": q.question.code, "text": q.question.text,
               "factor": q.question.factor.title, "n": q.applicable,
               "satisfied": q.satisfied, "percent": round_percent(q.percent_satisfied),
               "mean": round_percent(q.mean)}
        for value, _label in q.labels:
            row[value_key(q, value)] = q.counts.get(value, 0)
        rows.append(row)
    tables.append((_("Questions"), RowResource(question_columns), rows))

    if report.factors:
        tables.append((_("Factors"), RowResource(
            [("code", _("Code")), ("title", _("Factor")), ("index", _("Index (%)"))]),
            [{"code": f.factor.code, "title": f.factor.title, "index": round_percent(f.index)}
             for f in report.factors]))
    if report.indicators:
        tables.append((_("TTHC indicators"), RowResource(
            [("code", _("Code")), ("text", _("Indicator")), ("n", _("N")),
             ("points", _("Mean points"))]),
            [{"code": q.question.code, "text": q.question.text, "n": q.applicable,
              "points": round_percent(q.mean)} for q in report.indicators]))
    group_columns = [("label", _("Group")), ("responses", _("Responses")),
                     ("percent", _("% satisfied answers"))]
    if report.indicators:
        group_columns.append(("points", _("Mean points")))
    for breakdown in [*report.breakdowns, None]:
        title, rows = ((_("Trend by month"), report.trend) if breakdown is None
                       else (breakdown.title, breakdown.rows))
        tables.append((str(title), RowResource(group_columns), [
            {"label": row.label, "responses": row.responses,
             "percent": round_percent(row.percent_satisfied),
             "points": round_percent(row.mean_points)}
            for row in rows]))
    if report.expectations:
        tables.append((_("Expectations"), RowResource(
            [("rank", _("Rank")), ("code", _("Code")), ("text", _("Expectation")),
             ("n", _("N")), ("mean", _("Mean level (1–3)"))]),
            [{"rank": i, "code": q.question.code, "text": q.question.text, "n": q.applicable,
              "mean": round_percent(q.mean)} for i, q in enumerate(report.expectations, 1)]))
    return tables


def sheet_title(title, used):
    """Excel sheet names: at most 31 characters, no []:*?/\\, unique."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in str(title))[:31]
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]} {n}"
        n += 1
    used.add(name)
    return name


def write_xlsx(stream, filters, *, personal=False, progress=None,
               parts=("summary", "responses", "comments")):
    """Write one workbook (a sheet per table) for the filters to a binary stream."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used = set()

    def add(title, resource, rows):
        sheet = workbook.create_sheet(sheet_title(title, used))
        sheet.append(resource.get_export_headers())
        for row in rows:
            sheet.append([neutralise(value) for value in resource.export_resource(row)])

    if "summary" in parts:
        for title, resource, rows in summary_tables(build_report(filters)):
            add(title, resource, rows)
    if "responses" in parts:
        resource = ResponseResource(filters.campaign.questionnaire, personal=personal)
        add(_("Responses"), resource, resource.rows(filters, progress=progress))
    if "comments" in parts:
        resource = CommentResource(personal=personal)
        add(_("Comments"), resource, resource.rows(filters))
    workbook.save(stream)


class _Echo:
    def write(self, value):
        return value


def iter_csv(filters, kind="responses", personal=False):
    """Yield the csv export line by line (UTF-8 with BOM), for a streaming response."""
    resource = (ResponseResource(filters.campaign.questionnaire, personal=personal)
                if kind == "responses" else CommentResource(personal=personal))
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow(resource.get_export_headers())).encode()
    for row in resource.rows(filters):
        yield writer.writerow([_csv_cell(neutralise(v))
                               for v in resource.export_resource(row)]).encode()


def _csv_cell(value):
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value


def export_filename(filters, extension, kind=None):
    """Campaign, table (csv holds one: responses or comments) and day: two csv files differ."""
    table = f"-{kind}" if kind else ""
    return f"{filters.campaign.slug}{table}-{_local_today()}.{extension}"


def _local_today():
    from django.utils import timezone

    return timezone.now().astimezone(ZoneInfo(str(report_zone()))).strftime("%Y%m%d")


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KINDS = ("responses", "comments")  # csv holds one table; xlsx always holds them all
PROGRESS_LINES = 5000  # csv lines between two progress updates of a background export


class InvalidFilters(ValueError):
    """The report's filters do not validate; the message lists the form's errors."""


class UnknownExport(ValueError):
    """A format or table that does not exist."""


@dataclass
class ExportRequest:
    """One export: the report's filters (as form data), format, table, personal data.

    Without ``personal`` the respondents' emails are left out and personal data typed into
    comments is masked. Filters on one officer with too few responses raise
    :class:`~.disclosure.TooFewResponses`, as the report page refuses them.
    """

    query: dict
    format: str = "xlsx"
    kind: str = "responses"
    personal: bool = False
    user: object = None  # a unit-scoped user exports only their units (``models.scopes``)

    def __post_init__(self):
        data = QueryDict(mutable=True)
        data.update({key: value for key, value in self.query.items()
                     if key in ReportFilterForm.base_fields})
        self.query = data.dict()
        form = ReportFilterForm(data, user=self.user)
        if not form.is_valid():
            raise InvalidFilters(form.errors.as_text())
        if self.format not in CONTENT_TYPES or self.kind not in KINDS:
            raise UnknownExport(f"{self.format} {self.kind}")
        self.filters = form.filters()
        check_officer_filter(self.filters)  # the page's small-group refusal, for every file

    @classmethod
    def from_job(cls, job):
        """The request a background :class:`ExportJob` was started with."""
        return cls(job.filters, job.format, job.filters.get("kind", "responses"),
                   bool(job.filters.get("personal")), user=job.user)

    @property
    def filename(self):
        return export_filename(self.filters, self.format,
                               self.kind if self.format == "csv" else None)

    @property
    def content_type(self):
        return CONTENT_TYPES[self.format]

    def count(self):
        return self.filters.responses().count()

    def write(self, stream, progress=None):
        """Write the file to a binary stream; ``progress(done)`` is told how far it got."""
        if self.format == "xlsx":
            write_xlsx(stream, self.filters, personal=self.personal, progress=progress)
            return
        for done, line in enumerate(iter_csv(self.filters, self.kind, self.personal), 1):
            stream.write(line)
            if progress and done % PROGRESS_LINES == 0:
                progress(done)

    def respond(self, user):
        """The download for a small export; for a large one, start a background job and
        send the user to its progress page."""
        count = self.count()
        if count > get_setting("EXPORT_BACKGROUND_THRESHOLD"):
            return redirect("wagtail_satisfaction_reports:export_job",
                            self.start_job(user, count).pk)
        disposition = f'attachment; filename="{self.filename}"'
        if self.format == "csv":  # streamed: never the whole file in memory
            response = StreamingHttpResponse(
                iter_csv(self.filters, self.kind, personal=self.personal),
                content_type=self.content_type)
        else:
            stream = io.BytesIO()
            self.write(stream)
            response = HttpResponse(stream.getvalue(), content_type=self.content_type)
        response["Content-Disposition"] = disposition
        return response

    def start_job(self, user, total):
        from .tasks import run_export

        job = ExportJob.objects.create(
            user=user, format=self.format, total=total,
            filters={**self.query, "kind": self.kind, "personal": self.personal})
        run_export.enqueue(job.pk)
        return job


EXPORT_LINKS = [
    ("xlsx", gettext_lazy("Download xlsx (all tables)"), {"format": "xlsx"}),
    ("csv", gettext_lazy("Responses as csv"), {"format": "csv"}),
    ("comments-csv", gettext_lazy("Comments as csv"), {"format": "csv", "kind": "comments"}),
]


def export_links(query):
    """The report's download links for its filters, as dicts of name, label and url."""
    base = reverse("wagtail_satisfaction_reports:export")
    filters = dict(query.items())  # a QueryDict's items() gives values, not lists
    return [{"name": name, "label": label,
             "url": f"{base}?{urlencode({**filters, **params})}"}
            for name, label, params in EXPORT_LINKS]
