"""Rules for storing a response, shared by every channel (web, kiosk, paper, import)."""

import functools
import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import prepared
from .formats import short_date
from .integrity.seal import seal_response
from .models import Answer, Channel, Comment, Response
from .reports.rollup import record_response
from .reports.scoring import score_answers

logger = logging.getLogger(__name__)


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
        if (connection.vendor == "postgresql" and not connection.in_atomic_block
                and connection.get_autocommit()
                # Two statements in one message need client-side binding (Django's default).
                and not connection.settings_dict["OPTIONS"].get("server_side_binding")):
            # The request path (no caller's transaction): two round trips in all.
            store_postgresql(response, answers, comment)
            return response
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


def _insert_fields(model, skip=()):
    """The fields an INSERT of a new ``model`` row writes, as the ORM would (an
    auto-incremented primary key is left to the database)."""
    return [field for field in model._meta.concrete_fields
            if not (field.primary_key and field.get_internal_type().endswith("AutoField"))
            and field.name not in skip]


# Columns whose value goes to the driver as it is when it has one of these exact types (or is
# None): for them ``field.get_db_prep_save(field.pre_save(instance, True), connection)``,
# which ``_values`` would call, returns the attribute itself. Any other value, and every
# other field (dates, UUIDs, JSON), goes through the ORM's own preparation.
_PLAIN_COLUMNS = {
    **dict.fromkeys((models.CharField, models.TextField, models.EmailField), (str,)),
    **dict.fromkeys((models.IntegerField, models.SmallIntegerField, models.BigIntegerField,
                     models.PositiveIntegerField, models.PositiveSmallIntegerField,
                     models.PositiveBigIntegerField, models.ForeignKey), (int,)),
    models.BooleanField: (bool,), models.FloatField: (float,),
}


def _plain(field):
    """``(types, wrap)`` if ``field`` is a plain column, else None. ``wrap`` is the type the
    ORM wraps an integer in for this driver (psycopg's ``Int2``…, found by preparing one)
    or None when it passes the integer as it is."""
    types = _PLAIN_COLUMNS.get(type(field))
    if types is None:
        return None
    wrap = None
    if types == (int,):
        prepared = field.get_db_prep_save(1, connection)
        wrap = None if type(prepared) is int else type(prepared)
    return types, wrap


_plain_fields = {}


def _values(fields, instance):
    """The values an INSERT of ``instance`` writes to ``fields``, as the ORM prepares them."""
    values = []
    db = connections[connection.alias]  # the proxy looks it up on every attribute
    for field in fields:
        try:
            plain = _plain_fields[db.alias, field]
        except KeyError:
            plain = _plain_fields[db.alias, field] = _plain(field)
        if plain is not None:
            value = getattr(instance, field.attname)
            if value is None or type(value) in plain[0]:
                values.append(value if plain[1] is None or value is None
                              else plain[1](value))
                continue
        values.append(field.get_db_prep_save(field.pre_save(instance, True), db))
    return values


def _int_array(values):
    """A PostgreSQL array literal of integers (None: NULL), for a ``%s::bigint[]``
    parameter: one quoted string for the driver instead of an array of values to adapt."""
    return "{" + ",".join("NULL" if value is None else str(int(value))
                          for value in values) + "}"


def _sort_task():
    """The comment sort's task, its backend, and whether its rows go to django_tasks_db."""
    from django_tasks_db.backend import DatabaseBackend

    from .moderation.tasks import sort_comment_task

    backend = sort_comment_task.get_backend()
    return sort_comment_task, backend, isinstance(backend, DatabaseBackend)


@functools.cache
def _statement(with_comment, with_task):
    """The text of :func:`insert_response`'s statement and the fields it takes values of.

    Built once per process: the same text for every submission lets the driver parse it
    once (it caches statements of at most 50 parameters, hence the values shared through
    the CTEs: the comment's campaign and time come from ``r``).
    """
    from django_tasks_db.models import DBTaskResult

    from .models import PendingTally, SealChain

    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def columns(fields):
        return ", ".join(quote(field.column) for field in fields)

    def placeholders(fields):
        return ", ".join(["%s"] * len(fields))

    r_fields = _insert_fields(Response)
    parts = [
        f"r AS (INSERT INTO {table(Response)} ({columns(r_fields)}) "
        f"VALUES ({placeholders(r_fields)}) RETURNING id, campaign_id, submitted_at)",
        "u AS (SELECT * FROM UNNEST(%s::bigint[], %s::smallint[]) AS u(q, v))",
        f"a AS (INSERT INTO {table(Answer)} (response_id, question_id, value) "
        f"SELECT r.id, u.q, u.v FROM r, u)",
        # Queued for the daily tallies (see reports.rollup): rows that every submission
        # of the day would otherwise update, and lock until it commits.
        f"p AS (INSERT INTO {table(PendingTally)} (response_id) SELECT id FROM r)",
        # The chain's next number, its head locked until the commit; the campaign's first
        # submission creates the head (a racing first one then waits and takes number 2).
        # The digest returned is the head's, unchanged by this statement: the previous one.
        f"h AS (INSERT INTO {table(SealChain)} AS s (campaign_id, seq, digest) "
        f"SELECT campaign_id, 1, '' FROM r ON CONFLICT (campaign_id) "
        f"DO UPDATE SET seq = s.seq + 1 RETURNING seq, digest)",
    ]
    c_fields = t_fields = []
    comment_id = "NULL"
    if with_comment:
        c_fields = _insert_fields(Comment, skip={"response", "campaign", "submitted_at"})
        parts.append(
            f"c AS (INSERT INTO {table(Comment)} (response_id, campaign_id, submitted_at, "
            f"{columns(c_fields)}) SELECT r.id, r.campaign_id, r.submitted_at, "
            f"{placeholders(c_fields)} FROM r RETURNING id)")
        comment_id = "(SELECT id FROM c)"
        if with_task:
            t_fields = _insert_fields(DBTaskResult, skip={"args_kwargs"})
            parts.append(
                f"t AS (INSERT INTO {table(DBTaskResult)} ({columns(t_fields)}, "
                f"{quote('args_kwargs')}) SELECT {placeholders(t_fields)}, "
                f"jsonb_build_object('args', jsonb_build_array(c.id), 'kwargs', '{{}}'::jsonb) "
                f"FROM c)")
    sql = (f"WITH {', '.join(parts)} SELECT (SELECT id FROM r), {comment_id}, "
           f"(SELECT seq FROM h), (SELECT digest FROM h)")
    return sql, r_fields, c_fields, t_fields


def _insert_statement(response, answers, comment):
    """:func:`_statement`'s text and values for this response: ``(sql, params, finish)``.

    ``finish(row)`` takes the statement's one row: it sets ``response.pk`` and returns
    ``(chain head, send)``, ``send()`` announcing the comment's sort task (after the commit
    in :func:`store_postgresql`).
    """
    from django.db.models.signals import pre_save
    from django_tasks.signals import task_enqueued
    from django_tasks_db.models import DBTaskResult

    from .moderation.text import fold

    task, backend, task_rows = _sort_task()
    sql, r_fields, c_fields, t_fields = _statement(bool(comment), task_rows)
    params = [*_values(r_fields, response), _int_array([q.pk for q in answers]),
              _int_array(answers.values())]
    job = None
    if comment:
        params += _values(c_fields, Comment(text=comment, text_folded=fold(comment)))
        if task_rows:
            backend.validate_task(task)
            job = DBTaskResult(id=backend._get_id(), args_kwargs={"args": [], "kwargs": {}},
                               priority=task.priority, task_path=task.module_path,
                               queue_name=task.queue_name, run_after=task.run_after,
                               backend_name=backend.alias)
            # What the library does before an insert (it sets run_after), as for a save().
            pre_save.send(sender=DBTaskResult, instance=job, raw=False,
                          using=connection.alias, update_fields=None)
            params += _values(t_fields, job)

    def finish(row):
        response.pk, comment_id, seq, previous = row
        response._state.adding = False

        def send():
            if comment_id is None:
                return
            if job is not None:
                job.args_kwargs = {"args": [comment_id], "kwargs": {}}
                task_enqueued.send(type(backend), task_result=job.task_result)
            else:
                task.enqueue(comment_id)

        return (seq, previous), send

    return sql, params, finish


def insert_response(response, answers, comment):
    """PostgreSQL: a response and all it brings, in one statement; the seal chain's head.

    What ``response.save()``, ``bulk_create`` of the answers, ``store_comment`` and the
    comment's sort task do one statement each is here one ``INSERT … RETURNING`` with
    data-modifying CTEs, which also queues the response for the daily tallies
    (``reports.rollup``) and takes the campaign's next seal number (locking the chain's
    head, as :func:`integrity.seal.append_seal` would; the first submission of a campaign
    creates its head). Sets ``response.pk``; returns ``(seq, previous digest)`` of the
    chain. Runs in the caller's transaction; post_save signals are not sent, so the
    public figures are refreshed by the roll-up of the tallies (``reports.rollup``), which
    this schedules. With django_tasks_db, the comment's sort task is a row of the same
    statement, made as the library's ``enqueue`` makes it (its ``pre_save`` handlers run,
    its ``task_enqueued`` signal is sent); with another task backend it is enqueued the
    usual way after the statement.
    """
    from .reports.rollup import schedule_roll_up

    sql, params, finish = _insert_statement(response, answers, comment)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        chain_head, send = finish(cursor.fetchone())
    send()
    transaction.on_commit(schedule_roll_up)
    return chain_head


def _begin():
    """``BEGIN`` as psycopg would send it for this connection (its isolation level)."""
    level = connection.connection.isolation_level
    if level is None:
        return "BEGIN"
    from psycopg import IsolationLevel

    return "BEGIN ISOLATION LEVEL " + IsolationLevel(level).name.replace("_", " ")


def store_postgresql(response, answers, comment):
    """PostgreSQL outside any transaction (the request path): the submission in two round
    trips, ``BEGIN`` + :func:`insert_response`'s statement, then the seal + ``COMMIT``.

    The same rows, locks and seal as ``transaction.atomic()`` around
    :func:`insert_response` and :func:`seal_statement` would give in four round trips
    (``BEGIN``, statement, seal, ``COMMIT``): each message is one simple query holding two
    statements, the two statements prepared once per connection (see :mod:`.prepared`).
    The seal's digest is computed here between the two, once the chain's head is locked;
    the head stays locked until the ``COMMIT``. On any failure the transaction is rolled
    back before the error goes on (the caller's duplicate checks then query); a prepared
    statement missing from the server session (a pooler) sends the submission again,
    unprepared.
    """
    try:
        _store_postgresql(response, answers, comment)
    except DatabaseError as error:
        if not prepared.not_in_session(error):
            raise
        logger.warning("Prepared statements unavailable on this database connection "
                       "(a pooler?): the submission is sent again unprepared",
                       exc_info=True)
        prepared.stop_preparing(connection.connection)
        _store_postgresql(response, answers, comment)


def _store_postgresql(response, answers, comment):
    from .reports.rollup import schedule_roll_up

    sql, params, finish = _insert_statement(response, answers, comment)
    with connection.cursor() as cursor:
        raw = connection.connection
        try:
            text, before = prepared.prepared_call(raw, sql, len(params))
            cursor.execute(f"{_begin()}; {text}", params)
            for _result in range(1 + before):  # BEGIN's result (and PREPARE's), then the row
                cursor.nextset()
            chain_head, send = finish(cursor.fetchone())
            (seal_sql, seal_params), = seal_statement(response, answers, comment, chain_head)
            text, _before = prepared.prepared_call(raw, seal_sql, len(seal_params))
            cursor.execute(f"{text}; COMMIT", seal_params)
        except BaseException:
            _roll_back(cursor)
            raise
    send()
    schedule_roll_up()


def seal_statement(response, answers, comment, chain_head):
    """The seal of a response just inserted, as SQL: see :func:`integrity.seal.seal_statements`."""
    from .integrity.seal import response_row, seal_statements

    statements, _digest = seal_statements(
        response_row(response), [(question.pk, value) for question, value in answers.items()],
        comment or None, chain_head)
    return statements


def _roll_back(cursor):
    """End :func:`store_postgresql`'s transaction after a failure, if it is still open (a
    failed ``COMMIT`` has ended it already; a lost connection cannot be rolled back)."""
    from psycopg.pq import TransactionStatus

    raw = connection.connection
    if raw is None or raw.closed:
        return
    if raw.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        try:
            cursor.execute("ROLLBACK")
        except DatabaseError:
            # The submission's own error goes on to the caller. The connection is unusable:
            # Django marked it (errors_occurred) and closes it at the end of the request.
            logger.warning("Could not roll back a failed submission's transaction",
                           exc_info=True)
