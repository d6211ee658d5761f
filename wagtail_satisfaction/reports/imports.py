"""Spreadsheets into the reports: sub-units' results and dossier counts.

Sub-units' results come back in the export's own format (the xlsx workbook, or the
responses csv), with its headers in English or Vietnamese (``reports.columns``, the table
the export writes from). A column the import does not know, or one it needs that is not
there, refuses the whole file, naming the column. Every row is checked before anything is
stored; one invalid row stores nothing. Each response carries the ``uid`` it was exported
with, so uploading the same file again stores nothing new. Stored rows go through
``services.submit_response`` like any other channel (scored, counted in the tallies,
sealed); a comment keeps the moderation decision it was exported with.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, widgets
from wagtail.log_actions import registry as log_registry

from ..imports import ImportFileError, ImportResult, ModelResource, import_with_resource, rows
from ..models import Channel, Comment, DossierCount, ModerationState, Response, Unit
from ..moderation.decisions import DECIDED_STATES, MODERATE_ACTION, log_title
from ..scales import NOT_APPLICABLE
from ..services import submit_response, validate_answers
from .columns import (
    CHANNEL,
    COMMENT,
    COMMENT_STATE,
    DOSSIER_CODE,
    DOSSIER_PROVEN,
    EMAIL,
    INFORMATIVE,
    OFFICER,
    PROCEDURE_CODE,
    RESPONSE_COLUMNS,
    SUBMITTED_AT,
    UID,
    UNIT_CODE,
    answer_label_column,
    header,
    lookup,
    normalise,
    question_column,
)
from .disclosure import pool_label_pattern
from .exports import FORMULA_STARTS
from .rollup import report_zone

TRUE = {"1", "true", "yes", "có", "x"}
FALSE = {"", "0", "false", "no", "không"}


def _text(value):
    if value is None:
        return ""
    text = str(value).strip()
    # Undo the export's formula neutralisation.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _find_responses_sheet(sheets):
    """The first sheet whose header holds the response id and the channel code."""
    wanted = lookup([UID, CHANNEL])
    for sheet in sheets:
        keys = {wanted.get(normalise(cell)) for cell in sheet.headers or []}
        if {UID, CHANNEL} <= keys:
            return sheet
    raise ImportFileError(_(
        "No sheet of responses found: the first row must hold the columns of the "
        "export (%(columns)s, …).") % {"columns": ", ".join(
            header(key) for key in (UID, SUBMITTED_AT, CHANNEL))})


def read_columns(sheet, questions):
    """``{header as in the file: column key}`` of the responses sheet.

    Raises :class:`ImportFileError` naming every unknown, repeated or missing column.
    """
    known = lookup([*RESPONSE_COLUMNS, *questions,
                    *(answer_label_column(q) for q in questions.values())])
    columns, unknown, repeated = {}, [], []
    for position, name in enumerate(sheet.headers or [], start=1):
        name = "" if name is None else str(name).strip()
        if not name:
            if any(_text(row[position - 1]) for row in sheet):
                unknown.append(_("column %(number)s (no header)") % {"number": position})
            continue
        key = known.get(normalise(name))
        if key is None:
            unknown.append(name)
        elif key in columns.values():
            repeated.append(name)
        else:
            columns[name] = key
    required = [key for key in RESPONSE_COLUMNS if key not in INFORMATIVE] + list(questions)
    missing = [header(key) for key in required if key not in columns.values()]
    problems = []
    if unknown:
        problems.append(_("Unknown column(s): %(columns)s.") % {"columns": ", ".join(
            f"“{name}”" for name in unknown)})
    if repeated:
        problems.append(_("Column(s) given twice: %(columns)s.") % {"columns": ", ".join(
            f"“{name}”" for name in repeated)})
    if missing:
        problems.append(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(
            f"“{name}”" for name in missing)})
    if problems:
        raise ImportFileError(" ".join(problems) + " " + _(
            "Upload the file as the report exported it (headers in English or Vietnamese)."))
    return columns


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


def _parse_flag(value):
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text.endswith(".0"):  # a spreadsheet may give 1 back as 1.0
        text = text[:-2]
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return None


def read_rows(campaign, sheets):
    """Parse and check every row of the export's sheets (tablib Datasets).

    Returns (ImportResult with the errors, parsed rows). Raises :class:`ImportFileError`
    when the file has no responses sheet or its columns are not the export's.
    """
    sheet = _find_responses_sheet(sheets)
    questions = {question_column(q): q for q in campaign.questionnaire.questions()}
    columns = read_columns(sheet, questions)

    units = {u.code: u for u in Unit.objects.within(campaign.unit)}
    procedures = {p.code: p for p in campaign.procedures()}
    officers = {}
    for officer in campaign.officers():
        officers.setdefault(officer.name, []).append(officer)
    channels = set(Channel.values)
    pooled = pool_label_pattern()
    states = set(ModerationState.values)

    result, parsed, seen = ImportResult(), [], set()
    for number, named in rows(sheet):
        row = {columns[name]: value for name, value in named.items() if name in columns}
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
        proven = _parse_flag(row.get(DOSSIER_PROVEN))
        if proven is None:
            problem(_("“%(value)s” in column %(column)s is neither 1 nor 0")
                    % {"value": _text(row.get(DOSSIER_PROVEN)),
                       "column": header(DOSSIER_PROVEN)})
        comment = _text(row.get(COMMENT))
        state = _text(row.get(COMMENT_STATE))
        if state not in states and state != "":
            problem(_("“%(value)s” is not a moderation state (%(states)s)")
                    % {"value": state, "states": ", ".join(sorted(states))})
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
                           dossier_code=_text(row.get(DOSSIER_CODE)), dossier_proven=proven,
                           email=_text(row.get(EMAIL)), comment=comment,
                           comment_state=state if comment else ""))
    return result, parsed


class _RollBack(Exception):
    pass


def import_responses(campaign, sheets, entered_by=None):
    """Check the whole file (its sheets, from :func:`~wagtail_satisfaction.imports.read_sheets`),
    then store its new responses in one transaction, or nothing.

    ``stored`` counts the new responses, ``skipped`` those already stored in this campaign
    (a response id stored in another campaign is an error: the file is not this one's).
    """
    result, parsed = read_rows(campaign, sheets)
    if result.errors:
        return result
    existing = dict(Response.objects.filter(uid__in=[row["uid"] for row in parsed])
                    .values_list("uid", "campaign_id"))
    try:
        with transaction.atomic():
            for row in parsed:
                if row["uid"] in existing:
                    if existing[row["uid"]] != campaign.pk:
                        result.add_error(row["number"], _(
                            "response %(uid)s is already stored in another campaign")
                            % {"uid": row["uid"]})
                    else:
                        result.skipped += 1
                    continue
                try:
                    response = submit_response(
                        campaign, answers=row["answers"], channel=row["channel"],
                        unit=row["unit"], procedure=row["procedure"], officer=row["officer"],
                        dossier_code=row["dossier_code"], email=row["email"],
                        dossier_proven=row["dossier_proven"],
                        comment=row["comment"], entered_by=entered_by,
                        submitted_at=row["submitted_at"], check_open=False, uid=row["uid"])
                except ValidationError as error:
                    result.add_error(row["number"], error.messages)
                    continue
                except IntegrityError:
                    # The same file imported at the same moment: the other import stored it.
                    if Response.objects.filter(uid=row["uid"], campaign=campaign).exists():
                        result.skipped += 1
                        continue
                    raise
                if row["comment_state"] in DECIDED_STATES:
                    keep_decision(response, row["comment_state"], entered_by)
                result.stored += 1
            if result.errors:
                raise _RollBack
    except _RollBack:
        result.stored = 0
        result.skipped = 0
    return result


def keep_decision(response, state, user):
    """Give an imported comment the moderation decision it was exported with (recorded in
    its history as decided in the imported file)."""
    comment = Comment.objects.get(response=response)
    if comment.state == state:
        return
    reason = _("Decided before export; imported with the file.")
    previous = comment.state
    Comment.objects.filter(pk=comment.pk).update(
        state=state, decided_by=user, decided_at=timezone.now(), reason=reason)
    log_registry.log(comment, MODERATE_ACTION, user=user, title=log_title(comment.pk),
                     data={"from": previous, "to": state, "reason": reason})


class DossierCountResource(ModelResource):
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
