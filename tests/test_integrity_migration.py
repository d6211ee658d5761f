"""Migration 0008 on a site that already has responses: each is sealed and the site verifies."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wagtail_satisfaction.reports.rollup import rebuild_tallies
from wagtail_satisfaction.standard_questionnaires import install_standard_questionnaires

pytestmark = pytest.mark.django_db(transaction=True)  # migrates the schema back and forth

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


def test_existing_responses_are_sealed_oldest_first_and_verify(english):
    old = migrate("0008_response_seals")
    install_standard_questionnaires(old)
    Unit, Campaign, Questionnaire, Question, Response, Answer, Comment = (
        old.get_model(APP, name) for name in ("Unit", "Campaign", "Questionnaire", "Question",
                                              "Response", "Answer", "Comment"))
    unit = Unit.objects.create(name="Sở", code="so", path="")
    Unit.objects.filter(pk=unit.pk).update(path=f"{unit.pk}/")
    sipas = Questionnaire.objects.get(code="sipas-dich-vu")
    campaign = Campaign.objects.create(title="Cũ", slug="cu", unit=unit, questionnaire=sipas,
                                       opens_on=datetime.date(2025, 1, 1),
                                       closes_on=datetime.date(2025, 12, 31))
    q15 = Question.objects.get(factor__questionnaire=sipas, code="15")
    stored = []
    for day, value in ((20, 5), (3, 2)):  # stored in another order than submitted
        at = datetime.datetime(2025, 9, day, 9, 0, tzinfo=datetime.UTC)
        response = Response.objects.create(campaign=campaign, questionnaire=sipas, unit=unit,
                                           channel="paper", submitted_at=at,
                                           email="dan@example.vn")
        Answer.objects.create(response=response, question=q15, value=value)
        Comment.objects.create(response=response, campaign=campaign, submitted_at=at,
                               text=f"Ý kiến {value}")
        stored.append(response.pk)
    rebuild_tallies(apps=old)

    new = migrate("0009_seal_existing_responses")
    seals = list(new.get_model(APP, "ResponseSeal").objects.order_by("seq")
                 .values_list("seq", "response_id"))
    assert seals == [(1, stored[1]), (2, stored[0])]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    out = io.StringIO()
    call_command("satisfaction_verify", stdout=out)
    assert "2 responses, 2 seals checked: 0 problems." in out.getvalue()
