"""Combining sub-units' results: read back the export's own xlsx format.

Every row is checked before anything is stored; one invalid row stores nothing. Each
response carries the ``uid`` it was exported with, so uploading the same file again stores
nothing new. Stored rows go through ``services.submit_response`` like any other channel.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Channel, Response, Unit
from ..scales import NOT_APPLICABLE
from ..services import submit_response, validate_answers
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


@dataclass
class ImportResult:
    created: int = 0
    already_present: int = 0
    errors: list = field(default_factory=list)  # (row number, message)

    @property
    def ok(self):
        return not self.errors


class ImportFileError(ValueError):
    """The file is not a workbook in the export's format."""


def _text(value):
    if value is None:
        return ""
    text = str(value).strip()
    # Undo the export's formula neutralisation.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _find_sheets(workbook):
    responses = comments = None
    for sheet in workbook.worksheets:
        header = next(sheet.iter_rows(max_row=1, values_only=True), ())
        names = [_text(cell) for cell in header]
        if UID in names and SUBMITTED_AT in names:
            if CHANNEL in names:
                responses = (sheet, names)
            elif comments is None:
                comments = (sheet, names)
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


def read_rows(campaign, upload):
    """Parse and check every row; returns (ImportResult with errors, parsed rows)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for a non-xlsx file
        raise ImportFileError(_("This file is not an xlsx workbook.")) from error
    found, comment_sheet = _find_sheets(workbook)
    if not found:
        raise ImportFileError(_(
            "No sheet of responses found: the first row must hold the columns of the "
            "export (uid, submitted_at, channel, …)."))
    sheet, header = found
    questions = {question_column(q): q for q in campaign.questionnaire.questions()}
    missing = [code for code, q in questions.items() if q.required and code not in header]
    if missing:
        raise ImportFileError(_("The file has no column for question(s) %(codes)s of this "
                                "campaign's questionnaire.") % {"codes": ", ".join(missing)})
    comments = {}
    if comment_sheet:
        c_sheet, c_header = comment_sheet
        for values in c_sheet.iter_rows(min_row=2, values_only=True):
            row = dict(zip(c_header, values, strict=False))
            if _text(row.get(UID)):
                comments[_text(row[UID])] = _text(row.get("text"))

    units = {u.code: u for u in Unit.objects.within(campaign.unit)}
    procedures = {p.code: p for p in campaign.procedures()}
    officers = {}
    for officer in campaign.officers():
        officers.setdefault(officer.name, []).append(officer)
    channels = set(Channel.values)

    result, rows, seen = ImportResult(), [], set()
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(value in (None, "") for value in values):
            continue
        row = dict(zip(header, values, strict=False))
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
        if _text(row.get(OFFICER)):
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
            result.errors.append((number, "; ".join(problems)))
            continue
        rows.append(dict(number=number, uid=uid, submitted_at=moment, channel=channel,
                         unit=unit, procedure=procedure, officer=officer, answers=answers,
                         dossier_code=_text(row.get(DOSSIER_CODE)),
                         email=_text(row.get(EMAIL)), comment=comments.get(str(uid), "")))
    return result, rows


class _RollBack(Exception):
    pass


def import_responses(campaign, upload, entered_by=None):
    """Check the whole file, then store its new responses in one transaction, or nothing."""
    result, rows = read_rows(campaign, upload)
    if result.errors:
        return result
    existing = set(Response.objects.filter(uid__in=[row["uid"] for row in rows])
                   .values_list("uid", flat=True))
    try:
        with transaction.atomic():
            for row in rows:
                if row["uid"] in existing:
                    result.already_present += 1
                    continue
                try:
                    submit_response(
                        campaign, answers=row["answers"], channel=row["channel"],
                        unit=row["unit"], procedure=row["procedure"], officer=row["officer"],
                        dossier_code=row["dossier_code"], email=row["email"],
                        comment=row["comment"], entered_by=entered_by,
                        submitted_at=row["submitted_at"], check_open=False, uid=row["uid"])
                except ValidationError as error:
                    result.errors.append((row["number"], "; ".join(error.messages)))
                    continue
                result.created += 1
            if result.errors:
                raise _RollBack
    except _RollBack:
        result.created = 0
    return result
