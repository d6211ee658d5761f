"""Migration 0003_reports on a site that already has responses: each gets its own uid,
its scores, and a place in the daily tallies."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wagtail_satisfaction.standard_questionnaires import install_standard_questionnaires

# Transactional: the test migrates the schema back and forth. (No serialized_rollback: after
# an earlier transactional test's flush, post_migrate has already recreated content types,
# and restoring the serialized copy would insert them twice. Tests that need the standard
# questionnaires install them through tests.factories.)
pytestmark = pytest.mark.django_db(transaction=True)

APP = "wagtail_satisfaction"


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([(APP, target)])
    return executor.loader.project_state([(APP, target)]).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_responses_get_uids_scores_and_tallies():
    old = migrate("0002_standard_questionnaires")
    install_standard_questionnaires(old)  # an earlier transactional test may have flushed them
    Unit = old.get_model(APP, "Unit")
    Campaign = old.get_model(APP, "Campaign")
    Questionnaire = old.get_model(APP, "Questionnaire")
    Question = old.get_model(APP, "Question")
    Response = old.get_model(APP, "Response")
    Answer = old.get_model(APP, "Answer")
    unit = Unit.objects.create(name="Sở", code="so", path="")
    Unit.objects.filter(pk=unit.pk).update(path=f"{unit.pk}/")
    sipas = Questionnaire.objects.get(code="sipas-dich-vu")
    campaign = Campaign.objects.create(title="Cũ", slug="cu", unit=unit, questionnaire=sipas,
                                       opens_on=datetime.date(2025, 1, 1),
                                       closes_on=datetime.date(2025, 12, 31))
    q15, q16 = (Question.objects.get(factor__questionnaire=sipas, code=c) for c in ("15", "16"))
    for value in (5, 2):
        response = Response.objects.create(
            campaign=campaign, questionnaire=sipas, unit=unit, channel="paper",
            submitted_at=datetime.datetime(2025, 9, 30, 17, 30, tzinfo=datetime.UTC))
        Answer.objects.create(response=response, question=q15, value=value)
        Answer.objects.create(response=response, question=q16, value=None)

    new = migrate("0003_reports")
    Response = new.get_model(APP, "Response")
    AnswerTally = new.get_model(APP, "AnswerTally")
    ResponseTally = new.get_model(APP, "ResponseTally")
    rows = list(Response.objects.order_by("pk").values_list(
        "uid", "index_applicable", "index_satisfied", "dissatisfied"))
    assert len({row[0] for row in rows}) == 2 and None not in {row[0] for row in rows}
    assert [row[1:] for row in rows] == [(1, 1, False), (1, 0, True)]
    tally = ResponseTally.objects.get()
    assert (tally.day, tally.responses, tally.index_satisfied) == (
        datetime.date(2025, 10, 1), 2, 1)  # 00:30 local on 1 October
    q15_tally = AnswerTally.objects.get(question=q15.pk)
    assert (q15_tally.v5, q15_tally.v2, q15_tally.na) == (1, 1, 0)
    assert AnswerTally.objects.get(question=q16.pk).na == 2
