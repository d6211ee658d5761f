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

import datetime
import functools
import time
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..conf import get_setting
from ..scales import SCALES, Scale

TALLY_COLUMNS = ["v0", "v1", "v2", "v3", "v4", "v5", "na"]


def report_zone():
    return ZoneInfo(get_setting("REPORT_TIME_ZONE"))


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
        f"{', '.join('r.' + c for c in scores)}), "
        f"rt AS (INSERT INTO {table(ResponseTally)} AS t (campaign_id, day, unit_id, channel, "
        f"responses, {', '.join(scores)}) SELECT campaign_id, day, unit_id, channel, count(*), "
        f"sum(index_applicable), sum(index_satisfied), COALESCE(sum(points), 0), "
        f"count(*) FILTER (WHERE dissatisfied) FROM d GROUP BY 1, 2, 3, 4 "
        f"ON CONFLICT (campaign_id, day, unit_id, channel) DO UPDATE SET {r_sums}), "
        f"at AS (INSERT INTO {table(AnswerTally)} AS t (campaign_id, day, unit_id, question_id, "
        f"{', '.join(TALLY_COLUMNS)}) SELECT d.campaign_id, d.day, d.unit_id, a.question_id, "
        f"{counts} FROM d JOIN {table(Answer)} a ON a.response_id = d.id GROUP BY 1, 2, 3, 4 "
        f"ON CONFLICT (campaign_id, day, unit_id, question_id) DO UPDATE SET {a_sums}) "
        f"SELECT count(*) FROM d"
    )


def roll_up_pending():
    """Add every queued response (``PendingTally``) to the daily tallies; return how many.

    One statement takes the queue (its rows stay locked until commit, so a response is added
    once however many roll-ups race), groups it by the tallies' keys and upserts both
    tables. Nothing to do on other databases, where ``record_response`` keeps the tallies
    in the submission's own transaction.
    """
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLL_UP_LOCK])
        cursor.execute(_roll_up_statement(), [get_setting("REPORT_TIME_ZONE")])
        return cursor.fetchone()[0]


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
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return build(filters, *args, **kwargs)

    return wrapper


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
