"""Spreadsheets out: responses, relevant comments and the report's summary tables.

Each table is described once by a django-import-export ``Resource``; rows are plain dicts
read in chunks (keyset pagination), so an export of any size runs in constant memory:
csv is streamed line by line (UTF-8 with BOM so Excel keeps Vietnamese text), xlsx goes
through xlsxwriter's constant-memory workbook, one sheet per table. Text cells that a spreadsheet
would run as a formula are neutralised with a leading apostrophe.

:class:`ExportRequest` is the one entry point of the report view, the background task and
the ``satisfaction_export`` command: it decides the file name, the content type, and whether
the export streams at once or runs in the background.
"""

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from operator import getitem
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection
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
    COMMENT_COLUMNS,
    EMAIL,
    RESPONSE_COLUMNS,
    SUBMITTED_AT,
    UID,
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
PG_CHUNK = 5000  # responses per statement of the PostgreSQL export



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

    def value_rows(self, filters, progress=None):
        """The filtered responses as lists of cell values in column order, text already
        made safe for a spreadsheet (:func:`neutralise`).

        PostgreSQL: keyset statements of ``PG_CHUNK`` responses, each with its answers
        aggregated into two arrays and its local time computed by the database, the next
        read ahead by a thread; elsewhere (SQLite), keyset chunks of ``CHUNK`` responses and
        one query for their answers.
        No model instances and no per-cell field lookups: the export of a million
        responses is a loop over tuples.
        """
        # The cells below are built in this order (EMAIL only in personal exports).
        assert RESPONSE_COLUMNS == [
            UID, SUBMITTED_AT, "channel", "channel_label", "unit_code", "unit_name",
            "procedure_code", "procedure_name", "sector", "officer", "dossier_code",
            "dossier_proven", EMAIL, "comment", "comment_state"], RESPONSE_COLUMNS
        personal = self.personal
        safe = neutralise
        # Names that repeat on every row (channel, unit, procedure, field, officer, state)
        # are made safe once each; they come from reference tables, so the cache is small.
        named = _SafeText()
        channel_labels = {key: safe(str(label)) for key, label in Channel.choices}
        na_value, na_label = safe(NOT_APPLICABLE), safe(str(NOT_APPLICABLE_LABEL))
        # Officers the small-group rule hides are named by the pool's label, as on the page.
        pooled, pooled_as = officer_disclosure(filters).pooled_keys, safe(str(pool_label()))
        # Per question (in column order), its two cells for each value: the value and its
        # label; not applicable and unanswered have theirs; an unknown value is its own label.
        order = [question.pk for question in self.questions]
        answer_cells = [_AnswerCells(
            {**{int(value): (int(value), safe(str(label))) for value, label in question.choices()
                if value.lstrip("-").isdigit()},
             None: (na_value, na_label), _UNANSWERED: ("", "")})
            for question in self.questions]
        comment_text = self.comment_text
        done = 0
        for (_pk, uid, local_time, channel, unit_code, unit_name, procedure_code,
             procedure_name, sector, officer_id, officer_name, dossier_code, proven, email,
             comment, comment_state, question_ids, values) in _response_tuples(filters):
            row = [str(uid) if uid else "", local_time, named[channel],
                   channel_labels.get(channel) or named[channel], named[unit_code],
                   named[unit_name], named[procedure_code or ""],
                   named[procedure_name or ""], named[sector or ""],
                   pooled_as if officer_id in pooled else named[officer_name or ""],
                   safe(dossier_code), int(proven)]
            if personal:
                row.append(safe(email))
            row += (safe(comment_text(comment)), named[comment_state or ""])
            # An answer to a question outside the questionnaire has no column: left out.
            answers = dict(zip(question_ids or (), values or (), strict=True))
            row.extend(chain.from_iterable(map(
                getitem, answer_cells, map(answers.get, order, repeat(_UNANSWERED)))))
            yield row
            done += 1
            if progress and done % CHUNK == 0:
                progress(done)
        if progress and done % CHUNK:
            progress(done)

    def comment_text(self, text):
        """Every comment, whatever its moderation, so the file goes back in whole; personal
        data typed into it is masked unless the user may see it."""
        if not text:
            return ""
        return text if self.personal else mask_personal_data(text)


_UNANSWERED = object()  # a question the response has no answer for: two empty cells


class _SafeText(dict):
    """:func:`neutralise` with memory, for text that repeats from row to row."""

    def __missing__(self, text):
        safe = self[text] = neutralise(text)
        return safe


class _AnswerCells(dict):
    """A question's (value, label) cells by answer value; a value without a label (a
    scale changed since) is shown as its own label."""

    def __missing__(self, value):
        return (value, value)


def _naive_local(moment, zone):
    return moment.astimezone(zone).replace(tzinfo=None)


RESPONSE_FIELDS = ("pk", "uid", "submitted_at", "channel", "unit__code", "unit__name",
                   "procedure__code", "procedure__name", "procedure__sector__name",
                   "officer_id", "officer__name", "dossier_code", "dossier_proven", "email",
                   "comment__text", "comment__state")


def _response_tuples(filters):
    """(the fields of :data:`RESPONSE_FIELDS` with ``submitted_at`` as a naive local time,
    question ids, values) of each filtered response, in id order."""
    if connection.vendor == "postgresql":
        yield from _response_tuples_postgresql(filters)
        return
    zone = report_zone()
    queryset = filters.responses().order_by("pk").values_list(*RESPONSE_FIELDS)
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        answers = {}
        for response_id, question_id, value in Answer.objects.filter(
                response_id__in=[row[0] for row in chunk]).order_by(
                "response_id", "question_id").values_list("response_id", "question_id",
                                                          "value"):
            pair = answers.setdefault(response_id, ([], []))
            pair[0].append(question_id)
            pair[1].append(value)
        for row in chunk:
            question_ids, values = answers.get(row[0], ((), ()))
            yield (*row[:2], _naive_local(row[2], zone), *row[3:], question_ids, values)
        last = chunk[-1][0]


def _response_tuples_postgresql(filters):
    """The filtered responses (as the ORM selects them) joined to their answers, aggregated
    per response (the two arrays of one aggregation list the answers in the same order,
    whatever it is), in keyset chunks of ``PG_CHUNK`` responses.

    While the rows of one chunk are turned into cells, a thread reads the next one: the
    database works on one core as Python does on another. Each chunk is its own short
    statement, so nothing is held open between chunks (a background export updates its
    progress on the same connection meanwhile; psycopg serialises the two).
    """
    from django.db.models import F

    names = [f"x{i}" for i in range(len(RESPONSE_FIELDS))]
    queryset = (filters.responses().order_by()
                .annotate(**{name: F(field) for name, field in zip(names, RESPONSE_FIELDS,
                                                                    strict=True)})
                .values_list(*names))
    inner, params = queryset.query.sql_with_params()
    answer = Answer._meta.db_table
    # The uid as text (PostgreSQL writes it as str(UUID) does), the local time as such.
    computed = {"x1": "r.x1::text", "x2": "(r.x2 AT TIME ZONE %s)"}
    columns = ", ".join(computed.get(name, f"r.{name}") for name in names)
    sql = (f"SELECT {columns}, a.question_ids, a.answer_values FROM ({inner}) r "
           f"LEFT JOIN LATERAL (SELECT array_agg(question_id) AS question_ids, "
           f"array_agg(value) AS answer_values "
           f"FROM {answer} WHERE response_id = r.x0) a ON true "
           f"WHERE r.x0 > %s ORDER BY r.x0 LIMIT {PG_CHUNK}")
    zone = str(report_zone())
    connection.ensure_connection()
    database = connection.connection  # psycopg's connection: safe to share with a thread

    def chunk(last):
        with database.cursor() as cursor:
            cursor.execute(sql, [zone, *params, last])
            return cursor.fetchall()

    with _without_jit(), ThreadPoolExecutor(1) as reader:
        pending = reader.submit(chunk, 0)
        while rows := pending.result():
            pending = reader.submit(chunk, rows[-1][0])
            yield from rows


@contextmanager
def _without_jit():
    """JIT compilation off for the export's statement: the planner's cost (one answer
    lookup per response) calls for it, and it costs a second for nothing (the statement
    is one pass over rows). Inside a transaction only until it ends; else put back after."""
    local = connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('jit', 'off', %s)", [local])
    try:
        yield
    finally:
        if not local:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('jit', %s, false)", [previous])


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


class SheetResource(RowResource):
    """A human-readable table of the workbook: its columns and how each is formatted.

    ``formats`` maps a column key to "percent" (an exact percentage, written as a
    percentage cell), "decimal" (two decimals) or "text" (wide); ``chart`` names the
    column drawn as a chart beside the table, with its kind ("bar" or "line").
    """

    def __init__(self, columns, formats=None, chart=None):
        super().__init__(columns)
        self.formats = formats or {}
        self.chart = chart


def _targets_table(report):
    from .targets import target_progress, target_units

    lines = target_progress(report.filters.campaign, units=target_units(report.filters),
                            filters=report.filters)
    if not lines or not lines[0].checks():
        return None
    columns = [("unit", _("Unit")), ("period", _("Round")), ("responses", _("Responses")),
               ("target_responses", _("Target responses")), ("dossiers", _("Dossiers")),
               ("dossier_share", _("% of dossiers")), ("target_share", _("Target % of dossiers")),
               ("forms", _("Forms handed out")), ("return_rate", _("% of forms returned")),
               ("target_return", _("Target % returned")), ("status", _("Status")),
               ("unmet", _("Not yet met"))]
    rows = [{"unit": str(line.unit), "period": line.period or _("Whole campaign"),
             "responses": line.responses, "target_responses": line.target_responses,
             "dossiers": line.dossiers, "dossier_share": line.dossier_share,
             "target_share": line.target_share, "forms": line.forms,
             "return_rate": line.return_rate, "target_return": line.target_return,
             "status": _("met") if line.met else _("not yet"),
             "unmet": "; ".join(line.shortfalls())} for line in lines]
    percent = {key: "percent" for key in ("dossier_share", "target_share", "return_rate",
                                         "target_return")}
    return (_("Targets"), SheetResource(columns, {**percent, "unit": "text", "unmet": "text"}),
            rows)


def summary_tables(report):
    """The report's tables as (sheet title, resource, rows), the same figures as the screen.

    Percentages stay exact here; the workbook writes them rounded half-up to 2 decimals as
    percentage cells (:func:`write_xlsx`).
    """
    from .document import group_columns, group_label, group_values

    tables = []
    summary = [
        {"item": _("Filters"), "value": report.filters.describe()},
        {"item": _("Responses"), "value": report.responses},
        {"item": _("Overall index (%)"), "value": report.overall_index, "format": "percent"},
        {"item": _("Decision 766 ratio (%)"), "value": report.d766_ratio, "format": "percent"},
        {"item": _("Dissatisfied responses"), "value": report.totals.dissatisfied},
        {"item": _("Decision 766 base"), "value": report.d766_base},
    ]
    if report.indicators:
        summary += [
            {"item": _("TTHC total points"), "value": report.tthc_total, "format": "decimal"},
            {"item": _("TTHC maximum"), "value": report.tthc_maximum},
            {"item": _("TTHC band"), "value": report.tthc_band or ""},
        ]
    tables.append((_("Summary"), SheetResource([("item", _("Item")), ("value", _("Value"))],
                                               {"item": "text"}), summary))

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
               "satisfied": q.satisfied, "percent": q.percent_satisfied, "mean": q.mean}
        for value, _label in q.labels:
            row[value_key(q, value)] = q.counts.get(value, 0)
        rows.append(row)
    tables.append((_("Questions"), SheetResource(
        question_columns, {"text": "text", "factor": "text", "percent": "percent",
                           "mean": "decimal"},
        chart=("bar", "percent") if report.factors else None), rows))

    if report.factors:
        tables.append((_("Factors"), SheetResource(
            [("code", _("Code")), ("title", _("Factor")), ("index", _("Index (%)"))],
            {"title": "text", "index": "percent"}),
            [{"code": f.factor.code, "title": f.factor.title, "index": f.index}
             for f in report.factors]))
    if report.indicators:
        tables.append((_("TTHC indicators"), SheetResource(
            [("code", _("Code")), ("text", _("Indicator")), ("n", _("N")),
             ("points", _("Mean points"))], {"text": "text", "points": "decimal"}),
            [{"code": q.question.code, "text": q.question.text, "n": q.applicable,
              "points": q.mean} for q in report.indicators]))
    # Breakdowns and the trend: each group's own indices (or TTHC points, band, ratio).
    columns = group_columns(report)
    formats = {key: ("decimal" if key == "points" else "percent") for key, _h in columns
               if key not in ("responses", "band")}
    for breakdown in [*report.breakdowns, None]:
        title, rows = ((_("Trend by month"), report.trend) if breakdown is None
                       else (breakdown.title, breakdown.rows))
        first = _("Month") if breakdown is None else _("Group")
        trend_column = "index" if report.factors else "d766"
        tables.append((str(title), SheetResource(
            [("label", first), *columns], {**formats, "label": "text"},
            chart=("line", trend_column) if breakdown is None else None),
            [{"label": group_label(row), **group_values(report, row)} for row in rows]))
    if report.expectations:
        tables.append((_("Expectations"), SheetResource(
            [("rank", _("Rank")), ("code", _("Code")), ("text", _("Expectation")),
             ("n", _("N")), ("mean", _("Mean level (1–3)"))],
            {"text": "text", "mean": "decimal"}),
            [{"rank": i, "code": q.question.code, "text": q.question.text, "n": q.applicable,
              "mean": q.mean} for i, q in enumerate(report.expectations, 1)]))
    targets = _targets_table(report)
    if targets:
        tables.append(targets)
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


class _Sheets:
    """Writes tables to an xlsxwriter workbook: bold frozen header row, column widths,
    percentages as percentage cells, decimals with two places, local times as dates."""

    WIDE, NARROW, MAX = 48, 10, 60

    def __init__(self, workbook):
        self.workbook = workbook
        self.used = set()
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                           "bg_color": "#DDE5F0", "border": 1})
        self.cell = {
            "percent": workbook.add_format({"num_format": "0.00%"}),
            "decimal": workbook.add_format({"num_format": "0.00"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        }

    def write(self, title, resource, rows, *, summary=False, fast=False):
        """A sheet of ``rows`` (dicts; with ``fast``, lists of neutralised values in
        column order, written by :class:`_FastRows`)."""
        from decimal import Decimal
        from fractions import Fraction

        name = sheet_title(title, self.used)
        sheet = self.workbook.add_worksheet(name)
        keys = list(resource.fields)
        headers = resource.get_export_headers()
        formats = getattr(resource, "formats", {})
        for col, (key, text) in enumerate(zip(keys, headers, strict=True)):
            kind = formats.get(key)
            width = (self.WIDE if kind == "text" else
                     min(self.MAX, max(self.NARROW, len(str(text)) + 2)))
            if key == SUBMITTED_AT:
                width = max(width, 20)
            sheet.set_column(col, col, width, self.cell.get(kind) if kind == "text" else None)
            sheet.write_string(0, col, str(text), self.header)
        sheet.freeze_panes(1, 1 if summary else 0)
        n = 0
        if fast:
            n = _FastRows(sheet, self.cell["date"], len(keys),
                          self.workbook.str_table).write(1, rows)
            rows = ()
        for n, row in enumerate(rows, 1):
            values = resource.export_resource(row)
            for col, (key, value) in enumerate(zip(keys, values, strict=True)):
                kind = row.get("format") if key == "value" else formats.get(key)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(n, col, neutralise(value), self.cell.get(kind))
                elif hasattr(value, "hour"):
                    sheet.write_datetime(n, col, value, self.cell["date"])
                elif kind == "percent":
                    sheet.write_number(n, col, float(round_percent(Fraction(value)) / 100),
                                       self.cell["percent"])
                elif kind == "decimal" or isinstance(value, Fraction | Decimal):
                    sheet.write_number(n, col, float(round_percent(Fraction(value))),
                                       self.cell["decimal"])
                else:
                    sheet.write_number(n, col, value)
        chart = getattr(resource, "chart", None)
        if chart and n:
            kind, key = chart
            col = keys.index(key)
            drawing = self.workbook.add_chart({"type": kind})
            drawing.add_series({"name": str(headers[col]),
                                "categories": [name, 1, 0, n, 0],
                                "values": [name, 1, col, n, col]})
            drawing.set_legend({"none": True})
            drawing.set_title({"name": str(headers[col])})
            sheet.insert_chart(1, len(keys) + 1, drawing)
        return sheet


ROW = "\0"  # stands for the row number in remembered cell XML (text never holds it)
SHARED = ROW + '" t="s"'  # how a cell citing a shared string reads, before its number


class _FastRows:
    """The data rows of a constant-memory worksheet, written straight as cell XML.

    What ``write_string``/``write_number``/``write_datetime`` would write (numbers, dates as
    Excel serials with the date format, text), without their per-cell checks and objects:
    the responses sheet has a hundred thousand rows of sixty cells. Text must already be
    neutralised; ``None`` and "" leave the cell empty.

    Each column remembers the XML of the values it has seen (up to ``REMEMBERED``), with
    :data:`ROW` for the row number: codes, names and answer labels are built once, and a row
    is one lookup per cell (:class:`_Column`) and one replace. Remembered text goes to the
    workbook's shared strings (written once, cited by number: a smaller file, less to
    compress); the rest (identifiers, comments) is written inline, so memory stays flat
    whatever the row count.
    """

    REMEMBERED = 2000  # values per column

    def __init__(self, sheet, date_format, columns, strings):
        from xlsxwriter.utility import xl_col_to_name

        self.sheet = sheet
        self.strings = strings  # the workbook's shared string table
        self.date_style = f'" s="{date_format._get_xf_index()}"'
        self.columns = [_Column(self, f'<c r="{xl_col_to_name(col)}{ROW}')
                        for col in range(columns)]

    def cell(self, head, value, remember):
        """A cell's XML (with :data:`ROW` for its row number)."""
        import datetime

        from xlsxwriter.utility import _datetime_to_excel_datetime, _preserve_whitespace

        if isinstance(value, datetime.datetime):
            serial = _datetime_to_excel_datetime(value, False, False)
            return f"{head}{self.date_style}><v>{serial:.16G}</v></c>"
        if value.__class__ is not str:
            return f'{head}"><v>{value:.16G}</v></c>'
        if remember and not (value.startswith("<r>") and value.endswith("</r>")):
            # (text shaped like rich text stays inline: shared, it would be read as markup)
            return f'{head}" t="s"><v>{self.strings._get_shared_string_index(value)}</v></c>'
        sheet = self.sheet
        escaped = sheet._escape_data(sheet._escape_control_characters(value))
        space = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
        return f'{head}" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'

    def write(self, first_row, rows):
        """Write ``rows`` (lists of values) from ``first_row`` on; return the last row."""
        sheet = self.sheet
        sheet._write_single_row(first_row)  # flush what the worksheet holds (the header)
        out, columns = sheet.fh.write, self.columns
        n = first_row - 1
        cited = 0  # shared strings cited (the table counts every citation)
        for n, values in enumerate(rows, first_row):
            cells = "".join(map(getitem, columns, values))
            cited += cells.count(SHARED)
            number = str(n + 1)
            out(f'<row r="{number}">{cells.replace(ROW, number)}</row>')
        # A string put in the table was counted once there, when it was first cited.
        self.strings.count += cited - sum(column.shared for column in columns)
        if n >= first_row:
            # The sheet's range: down to the last row (the header already spans every
            # column); its next row is past ours.
            sheet.dim_rowmax = n
            sheet.previous_row = n + 1
        return n


class _Column(dict):
    """One column of :class:`_FastRows`: value → cell XML, built on first sight."""

    def __init__(self, rows, head):
        super().__init__({None: "", "": ""})  # empty: no cell
        self.rows, self.head = rows, head
        self.shared = 0  # shared strings this column put in the table

    def __missing__(self, value):
        import datetime

        remember = len(self) < _FastRows.REMEMBERED and not isinstance(value,
                                                                       datetime.datetime)
        xml = self.rows.cell(self.head, value, remember)
        if remember:
            self[value] = xml
            self.shared += xml.startswith(SHARED, len(self.head) - 1)
        return xml


def write_xlsx(stream, filters, *, personal=False, progress=None,
               parts=("summary", "responses", "comments")):
    """Write one workbook (a sheet per table) for the filters to a binary stream.

    xlsxwriter in ``constant_memory`` mode: each row goes to a temporary file as soon as it
    is written, so the responses sheet of any size runs in flat memory, with formats.
    """
    import xlsxwriter

    # Every cell is written by its typed method (write_string, write_number, ...), which
    # never turns text into a formula, a link or a number as the generic write() may.
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True})
    sheets = _Sheets(workbook)
    if "summary" in parts:
        for title, resource, rows in summary_tables(build_report(filters)):
            sheets.write(title, resource, rows, summary=title == _("Summary"))
    if "responses" in parts:
        resource = ResponseResource(filters.campaign.questionnaire, personal=personal)
        sheets.write(_("Responses"), resource, resource.value_rows(filters, progress=progress),
                     fast=True)
    if "comments" in parts:
        resource = CommentResource(personal=personal)
        resource.formats = {"text": "text"}
        sheets.write(_("Comments"), resource, resource.rows(filters))
    workbook.close()


class _Echo:
    def write(self, value):
        return value


def iter_csv(filters, kind="responses", personal=False):
    """Yield the csv export line by line (UTF-8 with BOM), for a streaming response."""
    writer = csv.writer(_Echo())
    if kind == "responses":
        resource = ResponseResource(filters.campaign.questionnaire, personal=personal)
        yield (BOM + writer.writerow(resource.get_export_headers())).encode()
        at = list(resource.fields).index(SUBMITTED_AT)
        for values in resource.value_rows(filters):  # text already neutralised
            values[at] = _csv_cell(values[at])
            yield writer.writerow(values).encode()
        return
    resource = CommentResource(personal=personal)
    yield (BOM + writer.writerow(resource.get_export_headers())).encode()
    for row in resource.rows(filters):
        yield writer.writerow([_csv_cell(neutralise(v))
                               for v in resource.export_resource(row)]).encode()


def _csv_cell(value):
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value


def ascii_slug(text):
    """A file-name part without accents: "Hộ tịch" → "ho-tich"."""
    import unicodedata

    from django.utils.text import slugify

    text = str(text).replace("đ", "d").replace("Đ", "D")
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not unicodedata.combining(c))
    return slugify(folded)


def filter_parts(filters):
    """The filters as file-name parts: dates (or round), unit, field, procedure, officer,
    channel — so that two downloads of different selections never share a name."""
    parts = []
    if filters.round:
        parts.append(ascii_slug(filters.round.name))
    if filters.start or filters.end:
        parts.append("{}_{}".format(filters.start.strftime("%Y%m%d") if filters.start else "",
                                    filters.end.strftime("%Y%m%d") if filters.end else ""))
    if filters.unit:
        parts.append(filters.unit.code)
    if filters.sector:
        parts.append(ascii_slug(filters.sector.name))
    if filters.procedure:
        parts.append(ascii_slug(filters.procedure.code))
    if filters.officer:
        parts.append(f"cb{filters.officer.pk}")
    if filters.channel:
        parts.append(filters.channel)
    return [part for part in parts if part]


def export_filename(filters, extension, kind=None):
    """Campaign, table (csv holds one: responses or comments), filters and day: two csv
    files differ, and so do two selections."""
    parts = [filters.campaign.slug, *([kind] if kind else []), *filter_parts(filters),
             _local_today()]
    return "-".join(parts) + f".{extension}"


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
