"""Daily tallies of answers and responses, kept in step with every stored response.

``record_response`` runs inside ``submit_response``'s transaction (one upsert per table), so
the tallies never disagree with the raw answers; ``rebuild_tallies`` recomputes them with one
``INSERT … SELECT`` per table (after a bulk load, or to repair).
"""

from zoneinfo import ZoneInfo

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


def _tally_counts(response, answers):
    """``(response tally rows, answer tally rows)`` one response adds: ``{key: counts}``.

    ``response`` has the campaign, submission time, unit, channel and scores; ``answers``
    is ``[(question id, value)]`` in the questionnaire's order.
    """
    _answer, AnswerTally, _response, _rt = _models(None)
    key = (response.campaign_id, local_day(response.submitted_at), response.unit_id)
    responses = {(*key, response.channel): (1, response.index_applicable,
                                            response.index_satisfied, response.points or 0,
                                            int(response.dissatisfied))}
    answer_rows = {(*key, question): tuple(int(value == v) for v in AnswerTally.VALUES)
                   + (int(value is None),) for question, value in answers}
    return responses, answer_rows


def move_response(before, after):
    """Move one response's contribution to the tallies from its ``before`` state to its
    ``after`` state (a corrected typed form): ``before`` and ``after`` are
    ``(response, [(question id, value)])`` as for :func:`_tally_counts`.

    Only the rows that change are written, by difference (a row the response was counted
    in exists, so it is decremented in place; a new row is upserted), in the caller's
    transaction: concurrent submissions to the same rows add to them meanwhile, and the
    rows are taken in the order a submission takes them (responses, then answers in the
    questionnaire's order).
    """
    from django.db.models import F

    _answer, AnswerTally, _response, ResponseTally = _models(None)
    old, new = _tally_counts(*before), _tally_counts(*after)
    tables = ((ResponseTally, ["campaign", "day", "unit", "channel"],
               ["responses", "index_applicable", "index_satisfied", "points", "dissatisfied"]),
              (AnswerTally, ["campaign", "day", "unit", "question"], TALLY_COLUMNS))
    for (model, key_fields, count_fields), was, now in zip(tables, old, new, strict=True):
        zero = (0,) * len(count_fields)
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
                _upsert(model, key_fields, count_fields, [list(key) + delta])


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
