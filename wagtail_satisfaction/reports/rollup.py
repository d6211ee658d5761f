"""Daily tallies of answers and responses, kept in step with every stored response.

On SQLite ``record_response`` runs inside ``submit_response``'s transaction (one upsert per
table). On PostgreSQL a submission only queues its response (``PendingTally``, a row of the
submission's own statement): updating the same day's tally rows from every submission made
them the hottest rows of the database (each a lock held until commit and a dead version per
submission). ``roll_up_pending`` adds the whole queue to the tallies in one statement; the
task worker runs it shortly after submissions (``schedule_roll_up``) and every reader of the
tallies runs it first (``ReportFilters.tallies``, ``integrity.verify``), so the tallies seen
never disagree with the raw answers. ``rebuild_tallies`` recomputes them with one
``INSERT … SELECT`` per table (after a bulk load, or to repair).
"""

import contextlib
import datetime
import functools
import logging
import time
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncWeek
from django.dispatch import Signal
from django.utils import timezone

from ..conf import get_setting
from ..scales import SCALES, Scale

logger = logging.getLogger(__name__)

TALLY_COLUMNS = ["v0", "v1", "v2", "v3", "v4", "v5", "na"]


def report_zone():
    return ZoneInfo(get_setting("REPORT_TIME_ZONE"))


def week_of(day):
    """The Monday of a day's week (the weekly tallies' key, PostgreSQL's
    ``date_trunc('week', …)``)."""
    return day - datetime.timedelta(days=day.weekday())


def local_day(moment):
    return timezone.localtime(moment, report_zone()).date()


def _upsert(model, key_fields, count_fields, rows):
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in key_fields + count_fields]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}"
                        for c in columns[len(key_fields):])
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
           f"{', '.join([placeholders] * len(rows))} "
           f"ON CONFLICT ({', '.join(columns[:len(key_fields)])}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


# The tallies keyed by procedure, field and officer (``models.reports._MonthTally`` and
# ``_DayTally``): (response model, answer model, their extra key columns with each key's
# expression over a response, their period column: "month" with the channel, "day" without)
# — kept on PostgreSQL only, where the roll-up writes them; elsewhere the report reads raw
# rows for what they would answer.
PROCEDURE_KEYS = {"procedure_key": "procedure_id"}
OFFICER_KEYS = {"sector_key": "procedure__sector_id", "officer_key": "officer_id"}
KEYED_TALLIES = (
    ("ProcedureResponseTally", "ProcedureAnswerTally", PROCEDURE_KEYS, "month"),
    ("OfficerResponseTally", "OfficerAnswerTally", OFFICER_KEYS, "month"),
    ("ProcedureDayResponseTally", "ProcedureDayAnswerTally", PROCEDURE_KEYS, "day"),
    ("OfficerDayResponseTally", "OfficerDayAnswerTally", OFFICER_KEYS, "day"),
    # Answers by day and channel (``ResponseTally`` has the channel already).
    (None, "ChannelDayAnswerTally", {}, "channel_day"),
    ("ProcedureOfficerResponseTally", "ProcedureOfficerAnswerTally",
     {"procedure_key": "procedure_id", "officer_key": "officer_id"}, "unit_month"),
    # Every channel together: what a report without a channel filter reads.
    ("ProcedureAllChannelsResponseTally", "ProcedureAllChannelsAnswerTally", PROCEDURE_KEYS,
     "unit_month"),
    ("OfficerAllChannelsResponseTally", "OfficerAllChannelsAnswerTally", OFFICER_KEYS,
     "unit_month"),
    (None, "ChannelMonthAnswerTally", {}, "month"),
    # By day, channel and field: the days around whole months of a report with a channel
    # and a field.
    ("ChannelSectorDayResponseTally", "ChannelSectorDayAnswerTally",
     {"sector_key": "procedure__sector_id"}, "channel_day"),
    # By week, channel and procedure, or field and officer: the whole weeks of the days
    # around whole months of a report with a channel and a procedure or an officer.
    ("ProcedureWeekResponseTally", "ProcedureWeekAnswerTally", PROCEDURE_KEYS, "week"),
    ("OfficerWeekResponseTally", "OfficerWeekAnswerTally", OFFICER_KEYS, "week"),
)
MONTH_TALLIES = tuple(t[:3] for t in KEYED_TALLIES if t[3] == "month")


def period_columns(period):
    """The key columns a keyed tally has before its extra keys."""
    return {"month": ["month", "unit", "channel"], "day": ["day", "unit"],
            "channel_day": ["day", "unit", "channel"], "unit_month": ["month", "unit"],
            "week": ["week", "unit", "channel"]}[period]


def keeps_month_tallies(using=None):
    """Whether the monthly tallies are kept (and so may be read): on PostgreSQL."""
    from django.db import connections

    return connections[using or "default"].vendor == "postgresql"


def _models(apps):
    if apps is None:
        from django.apps import apps
    return [apps.get_model("wagtail_satisfaction", name)
            for name in ("Answer", "AnswerTally", "Response", "ResponseTally")]


# pg_advisory_xact_lock key of the roll-up: one at a time, so two never upsert the same
# tally rows in different orders (the queue's row locks alone would keep the counts right).
ROLL_UP_LOCK = 0x5A715F_0001


@functools.cache
def _roll_up_statement():
    """The text of ``roll_up_pending``'s statement (built once per process)."""
    from django.apps import apps

    Answer, AnswerTally, Response, ResponseTally = _models(apps)
    PendingTally = apps.get_model("wagtail_satisfaction", "PendingTally")
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    scores = ["index_applicable", "index_satisfied", "points", "dissatisfied"]
    r_sums = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in ["responses", *scores])
    a_sums = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in TALLY_COLUMNS)
    counts = ", ".join([*(f"count(*) FILTER (WHERE a.value = {value})"
                          for value in AnswerTally.VALUES),
                        "count(*) FILTER (WHERE a.value IS NULL)"])
    return (
        f"WITH d AS (DELETE FROM {table(PendingTally)} p USING {table(Response)} r "
        f"WHERE r.id = p.response_id RETURNING r.id, r.campaign_id, "
        f"(r.submitted_at AT TIME ZONE %s)::date AS day, r.unit_id, r.channel, "
        f"r.procedure_id, r.officer_id, {', '.join('r.' + c for c in scores)}), "
        f"rt AS (INSERT INTO {table(ResponseTally)} AS t (campaign_id, day, unit_id, channel, "
        f"responses, {', '.join(scores)}) SELECT campaign_id, day, unit_id, channel, count(*), "
        f"sum(index_applicable), sum(index_satisfied), COALESCE(sum(points), 0), "
        f"count(*) FILTER (WHERE dissatisfied) FROM d GROUP BY 1, 2, 3, 4 "
        f"ON CONFLICT (campaign_id, day, unit_id, channel) DO UPDATE SET {r_sums}), "
        f"at AS (INSERT INTO {table(AnswerTally)} AS t (campaign_id, day, unit_id, question_id, "
        f"{', '.join(TALLY_COLUMNS)}) SELECT d.campaign_id, d.day, d.unit_id, a.question_id, "
        f"{counts} FROM d JOIN {table(Answer)} a ON a.response_id = d.id GROUP BY 1, 2, 3, 4 "
        f"ON CONFLICT (campaign_id, day, unit_id, question_id) DO UPDATE SET {a_sums})"
        f"{_month_roll_up_parts(apps, table, scores, r_sums, a_sums, counts)} "
        f"SELECT count(*), array_agg(DISTINCT campaign_id) FROM d"
    )


def _month_roll_up_parts(apps, table, scores, r_sums, a_sums, counts):
    """The roll-up's CTEs adding the queue ``d`` to the keyed tallies (``KEYED_TALLIES``):
    one per table, the field from the response's procedure."""
    procedure = table(apps.get_model("wagtail_satisfaction", "Procedure"))
    keys = {"procedure_id": "COALESCE(d.procedure_id, 0)",
            "officer_id": "COALESCE(d.officer_id, 0)",
            "procedure__sector_id": "COALESCE(s.sector_id, 0)"}
    sector = f"LEFT JOIN {procedure} s ON s.id = d.procedure_id"
    parts = []
    for i, (response_name, answer_name, extra, period) in enumerate(KEYED_TALLIES):
        head, head_values = {
            "month": ("month, unit_id, channel",
                      "date_trunc('month', d.day)::date, d.unit_id, d.channel"),
            "day": ("day, unit_id", "d.day, d.unit_id"),
            "channel_day": ("day, unit_id, channel", "d.day, d.unit_id, d.channel"),
            "unit_month": ("month, unit_id", "date_trunc('month', d.day)::date, d.unit_id"),
            "week": ("week, unit_id, channel",
                     "date_trunc('week', d.day)::date, d.unit_id, d.channel"),
        }[period]
        names = "".join(f", {name}" for name in extra)
        values = "".join(f", {keys[path]}" for path in extra.values())
        width = 2 + head.count(",") + len(extra)
        by = ", ".join(str(n) for n in range(1, width + 1))
        join = sector if "procedure__sector_id" in extra.values() else ""
        if response_name is not None:
            response_table = table(apps.get_model("wagtail_satisfaction", response_name))
            parts.append(
                f", mr{i} AS (INSERT INTO {response_table} AS t (campaign_id, {head}{names}, "
                f"responses, {', '.join(scores)}) SELECT d.campaign_id, {head_values}{values}, "
                f"count(*), sum(d.index_applicable), sum(d.index_satisfied), "
                f"COALESCE(sum(d.points), 0), count(*) FILTER (WHERE d.dissatisfied) FROM d "
                f"{join} GROUP BY {by} ON CONFLICT (campaign_id, {head}{names}) "
                f"DO UPDATE SET {r_sums})")
        parts.append(
            f", ma{i} AS (INSERT INTO {table(apps.get_model('wagtail_satisfaction', answer_name))}"
            f" AS t (campaign_id, {head}{names}, question_id, "
            f"{', '.join(TALLY_COLUMNS)}) SELECT d.campaign_id, {head_values}"
            f"{values}, a.question_id, {counts} FROM d {join} JOIN "
            f"{table(apps.get_model('wagtail_satisfaction', 'Answer'))} a "
            f"ON a.response_id = d.id GROUP BY {by}, {width + 1} ON CONFLICT (campaign_id, "
            f"{head}{names}, question_id) DO UPDATE SET {a_sums})")
    return "".join(parts)


# Sent by a roll-up, with the ids of the campaigns whose responses it added
# (``campaign_ids``): the public figures of those campaigns are refreshed (public.signals).
tallies_rolled_up = Signal()


def roll_up_pending(queued=None):
    """Add every queued response (``PendingTally``) to the daily tallies and the monthly
    ones; return how many. ``queued``: whether the queue held responses when the caller
    read it just before (the report reads it with its campaign), None to look here.

    One statement takes the queue (its rows stay locked until commit, so a response is added
    once however many roll-ups race), groups it by the tallies' keys and upserts both
    tables. An empty queue costs one ``SELECT`` (no transaction, no lock); otherwise the lock
    and the statement go in one message. Nothing to do on other databases, where
    ``record_response`` keeps the tallies in the submission's own transaction.
    ``tallies_rolled_up`` names the campaigns it added to.
    """
    if connection.vendor != "postgresql" or queued is False:
        return 0
    if queued is None:
        with connection.cursor() as cursor:
            cursor.execute(_pending_statement())
            if not cursor.fetchone()[0]:
                return 0
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT off for this transaction (same query as the lock): the statement's many
        # upserts were compiled on every roll-up, 4.5 s for an empty queue at a million
        # responses (the planner guesses a queue of thousands), 7 ms without.
        lock = "SELECT set_config('jit', 'off', true), pg_advisory_xact_lock(%s)"
        params = [ROLL_UP_LOCK]
        if connection.settings_dict["OPTIONS"].get("server_side_binding"):
            cursor.execute(lock, params)  # one statement per message
            cursor.execute(_roll_up_statement(), [get_setting("REPORT_TIME_ZONE")])
        else:
            # One message: the statement starts (and takes its snapshot) once the lock is held.
            cursor.execute(f"{lock}; {_roll_up_statement()}",
                           [*params, get_setting("REPORT_TIME_ZONE")])
            cursor.nextset()
        added, campaign_ids = cursor.fetchone()
        if added:
            # Sent before the commit, and safe so: whoever reads the tallies rolls the queue
            # up first, which waits for this roll-up's lock, so no reader caches figures
            # without these responses once the signal has been seen.
            # Robust: a receiver's failure (the cache unreachable) must not undo the roll-up.
            for receiver, error in tallies_rolled_up.send_robust(
                    sender=roll_up_pending, campaign_ids=sorted(campaign_ids)):
                if isinstance(error, Exception):
                    logger.warning("tallies_rolled_up receiver %r failed", receiver,
                                   exc_info=error)
        return added


@functools.cache
def _pending_statement():
    PendingTally = django_apps.get_model("wagtail_satisfaction", "PendingTally")
    return f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(PendingTally._meta.db_table)})"


def one_snapshot(build):
    """Decorate ``build(filters, …)`` to read the database in one snapshot (PostgreSQL).

    The queue of new responses is rolled up first; the report's queries (totals, answer
    counts, breakdowns) then all see the same committed rows, so its figures agree with
    each other however many responses arrive meanwhile.
    """
    @functools.wraps(build)
    def wrapper(filters, *args, **kwargs):
        filters.roll_up()  # ReportFilters.roll_up: roll_up_pending once
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return build(filters, *args, **kwargs)
        with _repeatable_read_only() as begun, transaction.atomic():
            if not begun:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return build(filters, *args, **kwargs)

    return wrapper


@contextlib.contextmanager
def _repeatable_read_only():
    """With psycopg 3, the next transaction begins REPEATABLE READ READ ONLY (its BEGIN
    says so: no ``SET TRANSACTION`` of its own); yields whether it does."""
    from django.db.backends.postgresql.psycopg_any import IsolationLevel, is_psycopg3

    if not is_psycopg3:
        yield False
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.isolation_level, raw.read_only
    raw.isolation_level, raw.read_only = IsolationLevel.REPEATABLE_READ, True
    try:
        yield True
    finally:
        if not raw.closed:
            raw.isolation_level, raw.read_only = before


def schedule_roll_up():
    """Queue the roll-up task to run ``TALLY_ROLL_UP_DELAY`` seconds from now, unless this
    process queued one that has not run yet.

    Called after a submission commits: every submission a process commits before its task
    runs is added by that task, so a burst costs one task per process and the worker adds
    it in one statement. Should the worker be down, nothing is lost: the queue waits, and
    every reader of the tallies rolls it up.
    """
    from .tasks import roll_up_tallies

    delay = get_setting("TALLY_ROLL_UP_DELAY")
    now = time.monotonic()
    if now < _scheduled_until[0]:
        return
    _scheduled_until[0] = now + delay
    roll_up_tallies.using(
        run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue()


_scheduled_until = [0.0]  # when this process's queued roll-up runs (time.monotonic())


def record_response(response, answers):
    """Add one stored response (with its scores already set) to the daily tallies."""
    _answer, AnswerTally, _response, ResponseTally = _models(None)
    key = [response.campaign_id, local_day(response.submitted_at), response.unit_id,
           response.channel]
    _upsert(ResponseTally, ["campaign", "day", "unit", "channel"],
            ["responses", "index_applicable", "index_satisfied", "points", "dissatisfied"],
            [key + [1, response.index_applicable, response.index_satisfied,
                    response.points or 0, int(response.dissatisfied)]])
    if answers:
        _upsert(AnswerTally, ["campaign", "day", "unit", "question"], TALLY_COLUMNS,
                [key[:3] + [question.pk] + [int(value == v) for v in AnswerTally.VALUES]
                 + [int(value is None)] for question, value in answers.items()])


RESPONSE_COUNT_FIELDS = ["responses", "index_applicable", "index_satisfied", "points",
                         "dissatisfied"]


def _tally_counts(response, answers):
    """Every tally row one response adds: ``[(model, key fields, count fields, {key: counts})]``.

    ``response`` has the campaign, submission time, unit, channel, procedure, officer and
    scores; ``answers`` is ``[(question id, value)]`` in the questionnaire's order. The
    monthly tallies are included where they are kept (PostgreSQL).
    """
    from django.apps import apps

    _answer, AnswerTally, _response, ResponseTally = _models(None)
    day = local_day(response.submitted_at)
    scores = (1, response.index_applicable, response.index_satisfied, response.points or 0,
              int(response.dissatisfied))
    values = {question: tuple(int(value == v) for v in AnswerTally.VALUES)
              + (int(value is None),) for question, value in answers}
    key = (response.campaign_id, day, response.unit_id)
    tables = [
        (ResponseTally, ["campaign", "day", "unit", "channel"], RESPONSE_COUNT_FIELDS,
         {(*key, response.channel): scores}),
        (AnswerTally, ["campaign", "day", "unit", "question"], TALLY_COLUMNS,
         {(*key, question): counts for question, counts in values.items()}),
    ]
    if keeps_month_tallies():
        procedure_id = response.procedure_id
        sector_id = (apps.get_model("wagtail_satisfaction", "Procedure").objects
                     .filter(pk=procedure_id).values_list("sector_id", flat=True).first()
                     if procedure_id else None)
        known = {"procedure_id": procedure_id or 0, "officer_id": response.officer_id or 0,
                 "procedure__sector_id": sector_id or 0}
        heads = {"month": (response.campaign_id, day.replace(day=1), response.unit_id,
                           response.channel),
                 "day": (response.campaign_id, day, response.unit_id),
                 "channel_day": (response.campaign_id, day, response.unit_id,
                                 response.channel),
                 "unit_month": (response.campaign_id, day.replace(day=1), response.unit_id),
                 "week": (response.campaign_id, week_of(day), response.unit_id,
                          response.channel)}
        for response_name, answer_name, extra, period in KEYED_TALLIES:
            fields = ["campaign", *period_columns(period), *extra]
            key_values = (*heads[period], *(known[path] for path in extra.values()))
            if response_name is not None:
                tables.append((apps.get_model("wagtail_satisfaction", response_name), fields,
                               RESPONSE_COUNT_FIELDS, {key_values: scores}))
            tables.append((apps.get_model("wagtail_satisfaction", answer_name),
                           [*fields, "question"], TALLY_COLUMNS,
                           {(*key_values, question): counts
                            for question, counts in values.items()}))
    return tables


def take_pending(response_id):
    """Take one response out of the roll-up queue (PostgreSQL); whether it was queued.

    The ``DELETE`` waits for a roll-up that holds the queued row and then finds it gone: the
    response is in the tallies as that roll-up read it. If it is still queued, the caller
    adds the response's contribution itself and no roll-up will add it again.
    """
    if connection.vendor != "postgresql":
        return False
    PendingTally = django_apps.get_model("wagtail_satisfaction", "PendingTally")
    deleted, _by_model = PendingTally.objects.filter(response_id=response_id).delete()
    return bool(deleted)


def move_response(before, after):
    """Move one response's contribution to the tallies from its ``before`` state to its
    ``after`` state (a corrected typed form): ``before`` and ``after`` are
    ``(response, [(question id, value)])`` as for :func:`_tally_counts`; ``before`` is
    None for a response not in the tallies yet (taken out of the queue by
    :func:`take_pending`), which is then only added.

    Only the rows that change are written, by difference (a row the response was counted
    in exists, so it is decremented in place; a new row is upserted), in the caller's
    transaction: concurrent submissions to the same rows add to them meanwhile, and the
    rows are taken in the order a submission takes them (responses, then answers in the
    questionnaire's order).
    """
    from django.db.models import F

    new = _tally_counts(*after)
    old = (_tally_counts(*before) if before is not None
           else [(model, keys, counts, {}) for model, keys, counts, _rows in new])
    for (model, key_fields, count_fields, was), (*_same, now) in zip(old, new, strict=True):
        zero = (0,) * len(count_fields)
        added = []  # rows the response was not counted in: one upsert for them all
        for key in [*was, *(key for key in now if key not in was)]:
            delta = [a - b for a, b in zip(now.get(key, zero), was.get(key, zero),
                                           strict=True)]
            if not any(delta):
                continue
            if key in was:
                lookup = {f"{name}_id" if name in ("campaign", "unit", "question") else name:
                          value for name, value in zip(key_fields, key, strict=True)}
                model.objects.filter(**lookup).update(**{
                    column: F(column) + change
                    for column, change in zip(count_fields, delta, strict=True) if change})
            else:
                added.append(list(key) + delta)
        if added:
            _upsert(model, key_fields, count_fields, added)


def _insert_select(model, columns, queryset):
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)


def rescore_responses(campaign_ids=None, apps=None):
    """Recompute every response's scores (see ``scoring``) with one UPDATE."""
    Answer, _at, Response, _rt = _models(apps)
    index = Q(question__factor__counts_in_index=True, value__isnull=False)
    satisfied, applicable, unhappy = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for scale, spec in SCALES.items():
        if spec.satisfied_from is not None:
            applicable |= Q(question__scale=scale)
            satisfied |= Q(question__scale=scale, value__gte=spec.satisfied_from)
            unhappy |= Q(question__scale=scale, value__lt=spec.satisfied_from - 1)
    points = Q(question__scale=Scale.POINTS_0_2)
    unhappy |= Q(points, value=0)

    def per_response(aggregate):
        return Coalesce(Subquery(
            Answer.objects.filter(index, response=OuterRef("pk")).order_by()
            .values("response").annotate(x=aggregate).values("x")), Value(0))

    responses = Response.objects.all()
    if campaign_ids is not None:
        responses = responses.filter(campaign_id__in=campaign_ids)
    responses.update(
        index_applicable=per_response(Count("id", filter=applicable)),
        index_satisfied=per_response(Count("id", filter=satisfied)),
        points=Subquery(Answer.objects.filter(index, points, response=OuterRef("pk"))
                        .order_by().values("response").annotate(x=Sum("value")).values("x")),
        dissatisfied=Exists(Answer.objects.filter(index & unhappy, response=OuterRef("pk"))),
    )


@transaction.atomic
def rebuild_tallies(campaign_ids=None, apps=None):
    """Recompute the tallies of the given campaigns (default: all) from the raw answers."""
    Answer, AnswerTally, Response, ResponseTally = _models(apps)
    responses = Response.objects.all()
    answers = Answer.objects.all()
    tallies_r, tallies_a = ResponseTally.objects.all(), AnswerTally.objects.all()
    if campaign_ids is not None:
        responses = responses.filter(campaign_id__in=campaign_ids)
        answers = answers.filter(response__campaign_id__in=campaign_ids)
        tallies_r = tallies_r.filter(campaign_id__in=campaign_ids)
        tallies_a = tallies_a.filter(campaign_id__in=campaign_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLL_UP_LOCK])
    try:
        PendingTally = (apps or django_apps).get_model("wagtail_satisfaction", "PendingTally")
    except LookupError:  # a migration older than the queue
        PendingTally = None
    if PendingTally is not None:
        pending = PendingTally.objects.all()
        if campaign_ids is not None:
            pending = pending.filter(response__campaign_id__in=campaign_ids)
        # Rebuilt from every raw answer: their queued additions would count twice.
        pending.delete()
    tallies_r.delete()
    tallies_a.delete()
    _insert_select(
        ResponseTally,
        ["campaign_id", "day", "unit_id", "channel", "responses", "index_applicable",
         "index_satisfied", "points", "dissatisfied"],
        response_tally_rows(responses),
    )
    _insert_select(AnswerTally, ["campaign_id", "day", "unit_id", "question_id", *TALLY_COLUMNS],
                   answer_tally_rows(answers))
    if keeps_month_tallies() and _has_month_tallies(apps):
        rebuild_month_tallies(campaign_ids, apps)


def _has_month_tallies(apps):
    """False in the migrations before 0018, which rebuild the daily tallies only."""
    if apps is None:
        return True
    try:
        apps.get_model("wagtail_satisfaction", MONTH_TALLIES[0][0])
    except LookupError:
        return False
    return True


def _keyed_tallies(apps):
    """``KEYED_TALLIES`` with their models, those the migration state ``apps`` has."""
    found = []
    for response_name, answer_name, keys, period in KEYED_TALLIES:
        try:
            found.append((response_name and apps.get_model("wagtail_satisfaction",
                                                           response_name),
                          apps.get_model("wagtail_satisfaction", answer_name), keys, period))
        except LookupError:  # a migration older than these tallies
            continue
    return found


def rebuild_month_tallies(campaign_ids=None, apps=None, only=None):
    """Recompute the keyed tallies, monthly and daily (PostgreSQL), of the given campaigns
    (default: all); ``only``: the names of the answer tallies to recompute (with their
    response tallies), for a migration that adds some (default: every one)."""
    if apps is None:
        from django.apps import apps
    Answer, _at, Response, _rt = _models(apps)
    responses, answers = Response.objects.all(), Answer.objects.all()
    if campaign_ids is not None:
        responses = responses.filter(campaign_id__in=campaign_ids)
        answers = answers.filter(response__campaign_id__in=campaign_ids)
    try:
        queued = apps.get_model("wagtail_satisfaction", "PendingTally").objects.values(
            "response_id")
    except LookupError:  # a migration older than the queue
        queued = None
    if queued is not None:
        # Responses still queued are added by the next roll-up (``rebuild_tallies`` has
        # emptied the queue; a migration filling new tallies has not).
        responses = responses.exclude(pk__in=queued)
        answers = answers.exclude(response_id__in=queued)
    for response_model, answer_model, keys, period in _keyed_tallies(apps):
        if only is not None and answer_model.__name__ not in only:
            continue
        for model in filter(None, (response_model, answer_model)):
            tallies = model.objects.all()
            if campaign_ids is not None:
                tallies = tallies.filter(campaign_id__in=campaign_ids)
            tallies._raw_delete(tallies.db)
        head = [f"{c}_id" if c == "unit" else c for c in period_columns(period)]
        if response_model is not None:
            _insert_select(response_model, ["campaign_id", *head, *keys,
                                             "responses", "index_applicable",
                                             "index_satisfied", "points", "dissatisfied"],
                           month_response_rows(responses, keys, period))
        _insert_select(answer_model, ["campaign_id", *head, *keys,
                                      "question_id", *TALLY_COLUMNS],
                       month_answer_rows(answers, keys, period))


def _key_value(path):
    return Coalesce(F(path), Value(0))


def _period(path, period):
    if period in ("month", "unit_month"):
        return TruncMonth(path, tzinfo=report_zone(), output_field=DateField())
    if period == "week":
        return TruncWeek(path, tzinfo=report_zone(), output_field=DateField())
    return TruncDate(path, tzinfo=report_zone())


def month_response_rows(responses, keys, period="month"):
    """What a keyed response tally with extra ``keys`` must hold for these responses:
    (campaign, month, unit, channel, *keys, responses, applicable, satisfied, points,
    dissatisfied); with ``period`` "day": (campaign, day, unit, *keys, …)."""
    names = [f"k_{key}" for key in keys]
    head = ["t_period", "unit_id", *(["channel"] if "channel" in period_columns(period) else [])]
    return (
        responses.annotate(t_period=_period("submitted_at", period),
                           **{name: _key_value(path) for name, path in
                              zip(names, keys.values(), strict=True)})
        .values("campaign_id", *head, *names)
        .annotate(t_responses=Count("id"), t_applicable=Sum("index_applicable"),
                  t_satisfied=Sum("index_satisfied"),
                  t_points=Coalesce(Sum("points"), Value(0)),
                  t_dissatisfied=Count("id", filter=Q(dissatisfied=True)))
        .values_list("campaign_id", *head, *names, "t_responses",
                     "t_applicable", "t_satisfied", "t_points", "t_dissatisfied")
        .order_by()
    )


def month_answer_rows(answers, keys, period="month"):
    """What a keyed answer tally with extra ``keys`` must hold: (campaign, month, unit,
    channel, *keys, question, v0…v5, na); with ``period`` "day": (campaign, day, unit, …)."""
    names = [f"k_{key}" for key in keys]
    counts = {f"t_{column}": Count("id", filter=Q(value=int(column[1:]))
                                   if column != "na" else Q(value__isnull=True))
              for column in TALLY_COLUMNS}
    head = ["t_period", "t_unit", *(["t_channel"] if "channel" in period_columns(period) else [])]
    return (
        answers.annotate(
            t_campaign=F("response__campaign_id"),
            t_period=_period("response__submitted_at", period),
            t_unit=F("response__unit_id"), t_channel=F("response__channel"),
            **{name: _key_value(f"response__{path}") for name, path in
               zip(names, keys.values(), strict=True)})
        .values("t_campaign", *head, *names, "question_id")
        .annotate(**counts)
        .values_list("t_campaign", *head, *names, "question_id", *counts)
        .order_by()
    )


def response_tally_rows(responses):
    """What ``ResponseTally`` must hold for these responses, computed by the database.

    Rows of (campaign, day, unit, channel, responses, index applicable, index satisfied,
    points, dissatisfied); ``rebuild_tallies`` stores them, ``integrity.verify`` compares.
    """
    return (
        responses.annotate(t_day=TruncDate("submitted_at", tzinfo=report_zone()))
        .values("campaign_id", "t_day", "unit_id", "channel")
        .annotate(t_responses=Count("id"), t_applicable=Sum("index_applicable"),
                  t_satisfied=Sum("index_satisfied"),
                  t_points=Coalesce(Sum("points"), Value(0)),
                  t_dissatisfied=Count("id", filter=Q(dissatisfied=True)))
        .values_list("campaign_id", "t_day", "unit_id", "channel", "t_responses",
                     "t_applicable", "t_satisfied", "t_points", "t_dissatisfied")
        .order_by()
    )


def answer_tally_rows(answers):
    """What ``AnswerTally`` must hold: (campaign, day, unit, question, v0…v5, na)."""
    counts = {f"t_{column}": Count("id", filter=Q(value=int(column[1:]))
                                   if column != "na" else Q(value__isnull=True))
              for column in TALLY_COLUMNS}
    return (
        answers.annotate(
            t_campaign=F("response__campaign_id"),
            t_day=TruncDate("response__submitted_at", tzinfo=report_zone()),
            t_unit=F("response__unit_id"),
        )
        .values("t_campaign", "t_day", "t_unit", "question_id")
        .annotate(**counts)
        .values_list("t_campaign", "t_day", "t_unit", "question_id", *counts)
        .order_by()
    )
