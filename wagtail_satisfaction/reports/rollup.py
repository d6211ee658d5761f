"""Daily tallies of answers and responses, kept in step with every stored response.

``record_response`` runs inside ``submit_response``'s transaction (one upsert per table), so
the tallies never disagree with the raw answers; ``rebuild_tallies`` recomputes them with one
``INSERT … SELECT`` per table (after a bulk load, or to repair).
"""

from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
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


# The monthly tallies (``models.reports._MonthTally``): (response model, answer model, their
# extra key columns, each key's expression over a response) — kept on PostgreSQL only,
# where the submission's one statement writes them (``services._statement``); elsewhere the
# report reads raw rows for what they would answer.
MONTH_TALLIES = (
    ("ProcedureResponseTally", "ProcedureAnswerTally", {"procedure_key": "procedure_id"}),
    ("OfficerResponseTally", "OfficerAnswerTally",
     {"sector_key": "procedure__sector_id", "officer_key": "officer_id"}),
)


def keeps_month_tallies(using=None):
    """Whether the monthly tallies are kept (and so may be read): on PostgreSQL."""
    from django.db import connections

    return connections[using or "default"].vendor == "postgresql"


def _models(apps):
    if apps is None:
        from django.apps import apps
    return [apps.get_model("wagtail_satisfaction", name)
            for name in ("Answer", "AnswerTally", "Response", "ResponseTally")]


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
    """False in the migrations before 0016, which rebuild the daily tallies only."""
    if apps is None:
        return True
    try:
        apps.get_model("wagtail_satisfaction", MONTH_TALLIES[0][0])
    except LookupError:
        return False
    return True


def rebuild_month_tallies(campaign_ids=None, apps=None):
    """Recompute the monthly tallies (PostgreSQL) of the given campaigns (default: all)."""
    if apps is None:
        from django.apps import apps
    Answer, _at, Response, _rt = _models(apps)
    responses, answers = Response.objects.all(), Answer.objects.all()
    if campaign_ids is not None:
        responses = responses.filter(campaign_id__in=campaign_ids)
        answers = answers.filter(response__campaign_id__in=campaign_ids)
    for response_name, answer_name, keys in MONTH_TALLIES:
        response_model = apps.get_model("wagtail_satisfaction", response_name)
        answer_model = apps.get_model("wagtail_satisfaction", answer_name)
        for model in (response_model, answer_model):
            tallies = model.objects.all()
            if campaign_ids is not None:
                tallies = tallies.filter(campaign_id__in=campaign_ids)
            tallies._raw_delete(tallies.db)
        _insert_select(response_model, ["campaign_id", "month", "unit_id", "channel", *keys,
                                        "responses", "index_applicable", "index_satisfied",
                                        "points", "dissatisfied"],
                       month_response_rows(responses, keys))
        _insert_select(answer_model, ["campaign_id", "month", "unit_id", "channel", *keys,
                                      "question_id", *TALLY_COLUMNS],
                       month_answer_rows(answers, keys))


def _key_value(path):
    return Coalesce(F(path), Value(0))


def month_response_rows(responses, keys):
    """What a monthly response tally with extra ``keys`` must hold for these responses:
    (campaign, month, unit, channel, *keys, responses, applicable, satisfied, points,
    dissatisfied)."""
    names = [f"k_{key}" for key in keys]
    return (
        responses.annotate(t_month=TruncMonth("submitted_at", tzinfo=report_zone(),
                                              output_field=DateField()),
                           **{name: _key_value(path) for name, path in
                              zip(names, keys.values(), strict=True)})
        .values("campaign_id", "t_month", "unit_id", "channel", *names)
        .annotate(t_responses=Count("id"), t_applicable=Sum("index_applicable"),
                  t_satisfied=Sum("index_satisfied"),
                  t_points=Coalesce(Sum("points"), Value(0)),
                  t_dissatisfied=Count("id", filter=Q(dissatisfied=True)))
        .values_list("campaign_id", "t_month", "unit_id", "channel", *names, "t_responses",
                     "t_applicable", "t_satisfied", "t_points", "t_dissatisfied")
        .order_by()
    )


def month_answer_rows(answers, keys):
    """What a monthly answer tally with extra ``keys`` must hold: (campaign, month, unit,
    channel, *keys, question, v0…v5, na)."""
    names = [f"k_{key}" for key in keys]
    counts = {f"t_{column}": Count("id", filter=Q(value=int(column[1:]))
                                   if column != "na" else Q(value__isnull=True))
              for column in TALLY_COLUMNS}
    return (
        answers.annotate(
            t_campaign=F("response__campaign_id"),
            t_month=TruncMonth("response__submitted_at", tzinfo=report_zone(),
                               output_field=DateField()),
            t_unit=F("response__unit_id"), t_channel=F("response__channel"),
            **{name: _key_value(f"response__{path}") for name, path in
               zip(names, keys.values(), strict=True)})
        .values("t_campaign", "t_month", "t_unit", "t_channel", *names, "question_id")
        .annotate(**counts)
        .values_list("t_campaign", "t_month", "t_unit", "t_channel", *names, "question_id",
                     *counts)
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
