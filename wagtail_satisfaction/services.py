"""Rules for storing a response, shared by every channel (web, kiosk, paper, import)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .formats import short_date
from .integrity.seal import seal_response
from .models import Answer, Channel, Comment, Response
from .reports.rollup import record_response
from .reports.scoring import score_answers


class DuplicateResponse(ValidationError):
    """The campaign already holds a response for this dossier code or email."""


class CampaignNotOpen(ValidationError):
    """The campaign does not accept responses today."""


def campaign_closed_message(campaign, status=None):
    status = status or campaign.status()
    if status.is_upcoming:
        return _("This survey opens on %(date)s.") % {
            "date": short_date(campaign.opens_on)}
    return _("This survey closed on %(date)s. Thank you for your interest.") % {
        "date": short_date(campaign.closes_on)}


def normalise_email(email):
    return (email or "").strip().lower()


def validate_answers(questionnaire, answers):
    """Check that answers belong to the questionnaire and fit each question's scale."""
    questions = {q.pk: q for q in questionnaire.question_list()}
    errors = []
    for question, value in answers.items():
        own = questions.get(question.pk)
        if own is None:
            errors.append(_("Question %(code)s is not part of this questionnaire.")
                          % {"code": question.code})
        elif value is None:
            if own.required and not own.spec.allows_not_applicable:
                errors.append(_("Question %(code)s needs an answer.") % {"code": own.code})
        elif value not in own.spec.values:
            errors.append(_("%(value)s is not a possible answer to question %(code)s.")
                          % {"value": value, "code": own.code})
    answered = {question.pk for question in answers}
    missing = [q for pk, q in questions.items() if q.required and pk not in answered]
    for question in missing:
        errors.append(_("Question %(code)s needs an answer.") % {"code": question.code})
    if errors:
        raise ValidationError(errors)


def submit_response(campaign, *, answers, channel=Channel.WEBSITE, unit=None, procedure=None,
                    officer=None, dossier_code="", email="", comment="", entered_by=None,
                    submitted_at=None, check_open=True, uid=None, dossier_proven=False):
    """Store a response with all its answers and its comment in one transaction.

    Raises ``CampaignNotOpen``, ``ValidationError`` or ``DuplicateResponse``; in every
    such case nothing is stored. The duplicate guards are the database's unique
    constraints, so two racing submissions cannot both succeed. Only a ``dossier_proven``
    code (the caller checked the dossier's link, secret code or list) is one rating per
    dossier; any other code is a free reference that never collides.
    """
    if check_open and not campaign.is_open():
        raise CampaignNotOpen(campaign_closed_message(campaign))
    validate_answers(campaign.questionnaire, answers)
    email = (email or "").strip()
    dossier_code = (dossier_code or "").strip().upper()
    comment = (comment or "").strip()
    response = Response(
        campaign=campaign, questionnaire=campaign.questionnaire, channel=channel,
        submitted_at=submitted_at or timezone.now(),
        unit_id=(unit.pk if unit else None) or (procedure.unit_id if procedure else None)
        or (officer.unit_id if officer else None) or campaign.unit_id,
        procedure=procedure, officer=officer, dossier_code=dossier_code, email=email,
        dossier_proven=bool(dossier_proven and dossier_code),
        email_key=normalise_email(email) if campaign.one_response_per_email else "",
        entered_by=entered_by,
    )
    if uid:  # an imported response keeps the id it was exported with
        response.uid = uid
    score = score_answers(answers)
    response.index_applicable, response.index_satisfied = (score.index_applicable,
                                                           score.index_satisfied)
    response.points, response.dissatisfied = score.points, score.dissatisfied
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                comment_id = insert_response(response, answers, comment)
            else:
                response.save()
                Answer.objects.bulk_create(
                    Answer(response=response, question=question, value=value)
                    for question, value in answers.items()
                )
                comment_id = store_comment(response, comment).pk if comment else None
                record_response(response, answers)
            if comment_id is not None:
                from .moderation.tasks import sort_comment_task

                sort_comment_task.enqueue(comment_id)
            seal_response(response, answers, comment)  # tamper evidence: last, briefest lock
    except IntegrityError as error:
        if response.dossier_proven and Response.objects.filter(
                campaign=campaign, dossier_code=dossier_code, dossier_proven=True).exists():
            raise DuplicateResponse(
                _("Dossier %(code)s has already been rated in this survey. "
                  "Each dossier can be rated once.") % {"code": dossier_code},
                code="duplicate_dossier") from error
        if response.email_key and Response.objects.filter(
                campaign=campaign, email_key=response.email_key).exists():
            raise DuplicateResponse(
                _("A response with this email has already been recorded in this survey."),
                code="duplicate_email") from error
        raise
    return response


def store_comment(response, text):
    """Create the comment of a response (``submit_response`` queues its first sort).

    Until the worker has sorted it, the comment waits in the moderation queue unscored
    (shown as not yet sorted), so a late or stopped worker loses nothing. The task is
    queued in the submission's transaction: stored together or not at all.
    """
    return Comment.objects.create(
        response=response, campaign=response.campaign, submitted_at=response.submitted_at,
        text=text,
    )


def _insert_sql(model, instance, skip=()):
    """Column names and values of a new ``instance``, as the ORM would insert them."""
    fields = [field for field in model._meta.concrete_fields
              if not field.primary_key and field.name not in skip]
    return ([connection.ops.quote_name(field.column) for field in fields],
            [field.get_db_prep_save(field.pre_save(instance, True), connection)
             for field in fields])


def insert_response(response, answers, comment):
    """PostgreSQL: store a response, its answers, comment and daily tallies in one statement.

    What ``response.save()``, ``bulk_create`` of the answers, ``store_comment`` and
    ``record_response`` do one statement each, as one ``INSERT … RETURNING`` with
    data-modifying CTEs: the answers and the answer tallies come from the same two arrays
    (``UNNEST``), so the statement's text is the same for every submission of a
    questionnaire and the driver parses it once. Sets ``response.pk``; returns the
    comment's id, or None. Runs in the caller's transaction; post_save signals are not
    sent, so the public figures' refresh is scheduled here.
    """
    from .models import AnswerTally, ResponseTally
    from .moderation.text import fold
    from .public.results import bump_version
    from .reports.rollup import TALLY_COLUMNS, local_day

    def table(model):
        return connection.ops.quote_name(model._meta.db_table)

    r_columns, r_values = _insert_sql(Response, response)
    questions = [question.pk for question in answers]
    values = list(answers.values())
    day = local_day(response.submitted_at)
    key = [response.campaign_id, day, response.unit_id]
    counts = ", ".join(f"(u.v IS NOT DISTINCT FROM {value})::int" for value in AnswerTally.VALUES)
    sums = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in TALLY_COLUMNS)
    r_sums = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in (
        "responses", "index_applicable", "index_satisfied", "points", "dissatisfied"))
    rows = "UNNEST(%s::bigint[], %s::smallint[]) AS u(q, v)"
    parts = [
        f"r AS (INSERT INTO {table(Response)} ({', '.join(r_columns)}) "
        f"VALUES ({', '.join(['%s'] * len(r_columns))}) RETURNING id)",
        f"a AS (INSERT INTO {table(Answer)} (response_id, question_id, value) "
        f"SELECT r.id, u.q, u.v FROM r, {rows})",
        f"rt AS (INSERT INTO {table(ResponseTally)} AS t (campaign_id, day, unit_id, channel, "
        f"responses, index_applicable, index_satisfied, points, dissatisfied) "
        f"VALUES (%s, %s, %s, %s, 1, %s, %s, %s, %s) "
        f"ON CONFLICT (campaign_id, day, unit_id, channel) DO UPDATE SET {r_sums})",
        f"at AS (INSERT INTO {table(AnswerTally)} AS t (campaign_id, day, unit_id, question_id, "
        f"{', '.join(TALLY_COLUMNS)}) SELECT %s, %s, %s, u.q, {counts}, (u.v IS NULL)::int "
        f"FROM {rows} ON CONFLICT (campaign_id, day, unit_id, question_id) "
        f"DO UPDATE SET {sums})",
    ]
    params = [*r_values, questions, values,
              *key, response.channel, response.index_applicable, response.index_satisfied,
              response.points or 0, int(response.dissatisfied),
              *key, questions, values]
    comment_id = "NULL"
    if comment:
        row = Comment(campaign_id=response.campaign_id, submitted_at=response.submitted_at,
                      text=comment, text_folded=fold(comment))
        c_columns, c_values = _insert_sql(Comment, row, skip={"response"})
        parts.append(
            f"c AS (INSERT INTO {table(Comment)} (response_id, {', '.join(c_columns)}) "
            f"SELECT r.id, {', '.join(['%s'] * len(c_columns))} FROM r RETURNING id)")
        params += c_values
        comment_id = "(SELECT id FROM c)"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT (SELECT id FROM r), {comment_id}",
                       params)
        response.pk, comment_id = cursor.fetchone()
    response._state.adding = False
    campaign_id = response.campaign_id
    transaction.on_commit(lambda: bump_version(campaign_id))
    return comment_id
