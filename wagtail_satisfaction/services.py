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
                chain_head = insert_response(response, answers, comment)
            else:
                response.save()
                Answer.objects.bulk_create(
                    Answer(response=response, question=question, value=value)
                    for question, value in answers.items()
                )
                if comment:
                    from .moderation.tasks import sort_comment_task

                    sort_comment_task.enqueue(store_comment(response, comment).pk)
                record_response(response, answers)
                chain_head = None
            # Tamper evidence: last, so the chain's lock is held for the shortest time.
            seal_response(response, answers, comment, chain_head)
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
    """Column names and values of a new ``instance``, as the ORM would insert them (an
    auto-incremented primary key is left to the database)."""
    fields = [field for field in model._meta.concrete_fields
              if not (field.primary_key and field.get_internal_type().endswith("AutoField"))
              and field.name not in skip]
    return ([connection.ops.quote_name(field.column) for field in fields],
            [field.get_db_prep_save(field.pre_save(instance, True), connection)
             for field in fields])


def _queued_sort(comment_ref):
    """The comment's sort task as a row to insert, when tasks go to django_tasks_db.

    Returns ``(columns, values, finish)`` for an INSERT whose ``args_kwargs`` is the
    SQL expression ``comment_ref`` makes of the comment's id; ``finish(comment_id)``
    sends django-tasks' ``task_enqueued`` signal afterwards, as ``enqueue`` does. None for
    any other backend (the caller enqueues the usual way).
    """
    from django.db.models.signals import pre_save
    from django_tasks.signals import task_enqueued
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .moderation.tasks import sort_comment_task

    task = sort_comment_task
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    backend.validate_task(task)
    row = DBTaskResult(id=backend._get_id(), args_kwargs={"args": [], "kwargs": {}},
                       priority=task.priority, task_path=task.module_path,
                       queue_name=task.queue_name, run_after=task.run_after,
                       backend_name=backend.alias)
    # What the library does before an insert (it sets run_after) runs as for a save().
    pre_save.send(sender=DBTaskResult, instance=row, raw=False, using=connection.alias,
                  update_fields=None)
    columns, values = _insert_sql(DBTaskResult, row, skip={"args_kwargs"})
    columns.append(connection.ops.quote_name("args_kwargs"))
    select = ", ".join(["%s"] * len(values)) + (
        f", jsonb_build_object('args', jsonb_build_array({comment_ref}), "
        f"'kwargs', '{{}}'::jsonb)")

    def finish(comment_id):
        row.args_kwargs = {"args": [comment_id], "kwargs": {}}
        task_enqueued.send(type(backend), task_result=row.task_result)

    return columns, values, select, finish


def insert_response(response, answers, comment):
    """PostgreSQL: a response and all it brings, in one statement; the seal chain's head.

    What ``response.save()``, ``bulk_create`` of the answers, ``store_comment``, the
    comment's sort task and ``record_response`` do one statement each is here one
    ``INSERT … RETURNING`` with data-modifying CTEs, which also takes the campaign's next
    seal number (locking the chain's head, as :func:`integrity.seal.append_seal` would).
    The answers and the answer tallies come from the same two arrays (``UNNEST``), so the
    statement's text is the same for every submission of a questionnaire and the driver
    parses it once. Sets ``response.pk``; returns ``(seq, previous digest)`` of the chain,
    or None when the campaign has no chain yet. Runs in the caller's transaction;
    post_save signals are not sent, so the public figures' refresh is scheduled here.
    """
    from .models import AnswerTally, ResponseTally, SealChain
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
        f"h AS (UPDATE {table(SealChain)} SET seq = seq + 1 WHERE campaign_id = %s "
        f"RETURNING seq, digest)",
    ]
    params = [*r_values, questions, values,
              *key, response.channel, response.index_applicable, response.index_satisfied,
              response.points or 0, int(response.dissatisfied),
              *key, questions, values, response.campaign_id]
    comment_id, finish = "NULL", None
    if comment:
        row = Comment(campaign_id=response.campaign_id, submitted_at=response.submitted_at,
                      text=comment, text_folded=fold(comment))
        c_columns, c_values = _insert_sql(Comment, row, skip={"response"})
        parts.append(
            f"c AS (INSERT INTO {table(Comment)} (response_id, {', '.join(c_columns)}) "
            f"SELECT r.id, {', '.join(['%s'] * len(c_columns))} FROM r RETURNING id)")
        params += c_values
        comment_id = "(SELECT id FROM c)"
        queued = _queued_sort("c.id")
        if queued is not None:
            t_columns, t_values, select, finish = queued
            parts.append(f"t AS (INSERT INTO {table_of_task()} ({', '.join(t_columns)}) "
                         f"SELECT {select} FROM c)")
            params += t_values
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT (SELECT id FROM r), {comment_id}, "
                       f"(SELECT seq FROM h), (SELECT digest FROM h)", params)
        response.pk, comment_id, seq, previous = cursor.fetchone()
    response._state.adding = False
    if comment_id is not None:
        if finish is not None:
            finish(comment_id)
        else:
            from .moderation.tasks import sort_comment_task

            sort_comment_task.enqueue(comment_id)
    campaign_id = response.campaign_id
    transaction.on_commit(lambda: bump_version(campaign_id))
    return None if seq is None else (seq, previous)


def table_of_task():
    from django_tasks_db.models import DBTaskResult

    return connection.ops.quote_name(DBTaskResult._meta.db_table)
