"""Spreadsheets into the reports: sub-units' results and dossier counts.

Sub-units' results come back in the export's own format (the xlsx workbook, or the
responses csv). Every row is checked before anything is stored; one invalid row stores
nothing. Each response carries the ``uid`` it was exported with, so uploading the same file
again stores nothing new. Stored rows go through ``services.submit_response`` like any other
channel.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from ..imports import ImportFileError, ImportResult, import_with_resource, rows
from ..models import Channel, DossierCount, Response, Unit
from ..scales import NOT_APPLICABLE
from ..services import submit_response, validate_answers
from .disclosure import pool_label_pattern
from .exports import (
    CHANNEL,
    DOSSIER_CODE,
    EMAIL,
    FORMULA_STARTS,
    OFFICER,
    PROCEDURE_CODE,
    SUBMITTED_AT,
    UID,
    UNIT_CODE,
    question_column,
)
from .rollup import report_zone


def _text(value):
    if value is None:
        return ""
    text = str(value).strip()
    # Undo the export's formula neutralisation.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _find_sheets(sheets):
    responses = comments = None
    for sheet in sheets:
        names = [_text(cell) for cell in sheet.headers or []]
        if UID in names and SUBMITTED_AT in names:
            if CHANNEL in names:
                responses = responses or sheet
            elif comments is None:
                comments = sheet
    return responses, comments


def _parse_moment(value):
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = datetime.datetime.fromisoformat(_text(value))
        except ValueError:
            return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=report_zone())
    return moment


def read_rows(campaign, sheets):
    """Parse and check every row of the export's sheets (tablib Datasets).

    Returns (ImportResult with the errors, parsed rows).
    """
    sheet, comment_sheet = _find_sheets(sheets)
    if not sheet:
        raise ImportFileError(_(
            "No sheet of responses found: the first row must hold the columns of the "
            "export (uid, submitted_at, channel, …)."))
    header = [_text(cell) for cell in sheet.headers]
    questions = {question_column(q): q for q in campaign.questionnaire.questions()}
    missing = [code for code, q in questions.items() if q.required and code not in header]
    if missing:
        raise ImportFileError(_("The file has no column for question(s) %(codes)s of this "
                                "campaign's questionnaire.") % {"codes": ", ".join(missing)})
    comments = {}
    if comment_sheet:
        for _line, row in rows(comment_sheet):
            if _text(row.get(UID)):
                comments[_text(row[UID])] = _text(row.get("text"))

    units = {u.code: u for u in Unit.objects.within(campaign.unit)}
    procedures = {p.code: p for p in campaign.procedures()}
    officers = {}
    for officer in campaign.officers():
        officers.setdefault(officer.name, []).append(officer)
    channels = set(Channel.values)
    pooled = pool_label_pattern()

    result, parsed, seen = ImportResult(), [], set()
    for number, row in rows(sheet):
        problems = []

        def problem(message, _problems=problems):
            _problems.append(message)

        try:
            uid = uuid.UUID(_text(row.get(UID)))
        except ValueError:
            uid = None
            problem(_("the response id (uid) is missing or not valid"))
        if uid and uid in seen:
            problem(_("the response id %(uid)s appears twice in the file") % {"uid": uid})
        seen.add(uid)
        moment = _parse_moment(row.get(SUBMITTED_AT))
        if moment is None:
            problem(_("the date “%(value)s” is not a date and time")
                    % {"value": _text(row.get(SUBMITTED_AT))})
        channel = _text(row.get(CHANNEL))
        if channel not in channels:
            problem(_("“%(value)s” is not a channel") % {"value": channel})
        unit = units.get(_text(row.get(UNIT_CODE)))
        if unit is None:
            problem(_("unit “%(code)s” is not %(unit)s or one of its sub-units")
                    % {"code": _text(row.get(UNIT_CODE)), "unit": campaign.unit})
        procedure = None
        if _text(row.get(PROCEDURE_CODE)):
            procedure = procedures.get(_text(row.get(PROCEDURE_CODE)))
            if procedure is None:
                problem(_("procedure “%(code)s” is not handled in this campaign")
                        % {"code": _text(row.get(PROCEDURE_CODE))})
        officer = None
        # An officer the small-group rule pooled in the export is not named: read as none.
        if _text(row.get(OFFICER)) and not pooled.fullmatch(_text(row.get(OFFICER))):
            matches = officers.get(_text(row.get(OFFICER)), [])
            if len(matches) != 1:
                problem(_("officer “%(name)s” is not known in this campaign")
                        % {"name": _text(row.get(OFFICER))})
            else:
                officer = matches[0]
        answers = {}
        for code, question in questions.items():
            raw = _text(row.get(code))
            if raw == "":
                continue
            if raw == NOT_APPLICABLE:
                answers[question] = None
                continue
            try:
                answers[question] = int(float(raw))
            except ValueError:
                problem(_("“%(value)s” is not an answer to question %(code)s")
                        % {"value": raw, "code": question.code})
        try:
            validate_answers(campaign.questionnaire, answers)
        except ValidationError as error:
            problems.extend(error.messages)
        if problems:
            result.add_error(number, problems)
            continue
        parsed.append(dict(number=number, uid=uid, submitted_at=moment, channel=channel,
                         unit=unit, procedure=procedure, officer=officer, answers=answers,
                         dossier_code=_text(row.get(DOSSIER_CODE)),
                         email=_text(row.get(EMAIL)), comment=comments.get(str(uid), "")))
    return result, parsed


class _RollBack(Exception):
    pass


def import_responses(campaign, sheets, entered_by=None):
    """Check the whole file (its sheets, from :func:`~wagtail_satisfaction.imports.read_sheets`),
    then store its new responses in one transaction, or nothing.

    ``stored`` counts the new responses, ``skipped`` those already stored.
    """
    result, parsed = read_rows(campaign, sheets)
    if result.errors:
        return result
    existing = set(Response.objects.filter(uid__in=[row["uid"] for row in parsed])
                   .values_list("uid", flat=True))
    try:
        with transaction.atomic():
            for row in parsed:
                if row["uid"] in existing:
                    result.skipped += 1
                    continue
                try:
                    submit_response(
                        campaign, answers=row["answers"], channel=row["channel"],
                        unit=row["unit"], procedure=row["procedure"], officer=row["officer"],
                        dossier_code=row["dossier_code"], email=row["email"],
                        comment=row["comment"], entered_by=entered_by,
                        submitted_at=row["submitted_at"], check_open=False, uid=row["uid"])
                except ValidationError as error:
                    result.add_error(row["number"], error.messages)
                    continue
                result.stored += 1
            if result.errors:
                raise _RollBack
    except _RollBack:
        result.stored = 0
    return result


class DossierCountResource(resources.ModelResource):
    """Dossier counts in a spreadsheet: unit code, from, to, dossiers, forms handed out.

    Rows are matched on (unit, from, to), so importing a corrected file updates the counts.
    """

    unit = fields.Field(attribute="unit", column_name="unit_code",
                        widget=widgets.ForeignKeyWidget(Unit, field="code"))
    starts_on = fields.Field(attribute="starts_on", column_name="from",
                             widget=widgets.DateWidget("%Y-%m-%d"))
    ends_on = fields.Field(attribute="ends_on", column_name="to",
                           widget=widgets.DateWidget("%Y-%m-%d"))

    class Meta:
        model = DossierCount
        fields = ("unit", "starts_on", "ends_on", "dossiers", "forms_handed_out")
        import_id_fields = ("unit", "starts_on", "ends_on")
        skip_unchanged = True
        clean_model_instances = True


def import_dossier_counts(dataset):
    """Import dossier counts (a tablib Dataset): all rows or none; an ImportResult."""
    return import_with_resource(DossierCountResource(), dataset)
