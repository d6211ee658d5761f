"""The daily tallies on PostgreSQL: submissions queue, the roll-up adds, readers see all.

A submission no longer updates the day's tally rows (the rows every submission of the day
would lock); it queues its response, and ``roll_up_pending`` adds the queue to the tallies
in one statement: on the task worker soon after, and first thing wherever tallies are read.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import form_data, full_answers, make_campaign
from tests.test_integrity import run_verify, sql
from tests.test_integrity_concurrency import burst
from wagtail_satisfaction.models import AnswerTally, PendingTally, Response, ResponseTally
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.rollup import rebuild_tallies, roll_up_pending
from wagtail_satisfaction.reports.stats import build_report
from wagtail_satisfaction.reports.tasks import roll_up_tallies
from wagtail_satisfaction.services import submit_response

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def tallied_responses(campaign):
    return sum(ResponseTally.objects.filter(campaign=campaign).values_list("responses",
                                                                          flat=True))


def tallied_answers(campaign, question):
    row = AnswerTally.objects.filter(campaign=campaign, question=question)
    return sum(sum(values) for values in row.values_list("v0", "v1", "v2", "v3", "v4", "v5",
                                                         "na"))


def test_a_submission_is_queued_not_tallied_and_the_report_still_counts_it(campaign):
    first = submit_response(campaign, answers=full_answers(campaign, 5))
    assert list(PendingTally.objects.values_list("response_id", flat=True)) == [first.pk]
    assert tallied_responses(campaign) == 0

    report = build_report(ReportFilters(campaign=campaign))

    assert report.responses == 1 and report.overall_index == 100
    assert not PendingTally.objects.exists()  # reading the tallies rolled the queue up
    assert tallied_responses(campaign) == 1
    question = campaign.questionnaire.questions().first()
    assert tallied_answers(campaign, question) == 1


def test_the_roll_up_adds_each_queued_response_once(campaign):
    for value in (5, 4, 1):
        submit_response(campaign, answers=full_answers(campaign, value))
    assert roll_up_pending() == 3
    assert roll_up_pending() == 0  # a second roll-up finds nothing to add
    assert tallied_responses(campaign) == 3
    question = campaign.questionnaire.questions().first()
    row = AnswerTally.objects.get(campaign=campaign, question=question)
    assert (row.v5, row.v4, row.v1) == (1, 1, 1)
    ok, output = run_verify()
    assert ok, output


def test_a_rebuild_drops_the_queue_instead_of_counting_it_twice(campaign):
    submit_response(campaign, answers=full_answers(campaign, 5))
    submit_response(campaign, answers=full_answers(campaign, 2))
    rebuild_tallies([campaign.pk])
    assert not PendingTally.objects.exists()
    roll_up_pending()
    assert tallied_responses(campaign) == 2


def test_the_worker_is_asked_once_for_a_burst_of_submissions(client, campaign, settings,
                                                             django_capture_on_commit_callbacks):
    settings.WAGTAIL_SATISFACTION_TALLY_ROLL_UP_DELAY = 30
    campaign.ask_procedure = campaign.ask_officer = campaign.ask_dossier_code = False
    campaign.save()
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    from wagtail_satisfaction.reports import rollup

    rollup._scheduled_until[0] = 0.0  # this process has no roll-up queued
    DBTaskResult.objects.all().delete()
    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(url, form_data(campaign, email=f"n{number}@example.vn"))
        assert answer.status_code == 200
    queued = DBTaskResult.objects.filter(task_path__endswith="roll_up_tallies")
    assert queued.count() == 1
    assert PendingTally.objects.count() == 3
    # The worker runs it: the three responses are in the tallies.
    assert roll_up_tallies.call() == 3
    assert tallied_responses(campaign) == 3
    # Once its delay has passed, the next submission queues the next roll-up.
    rollup._scheduled_until[0] = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form_data(campaign, email="n9@example.vn"))
    assert queued.count() == 2


def test_an_answer_altered_while_queued_is_still_found_by_its_seal(english, campaign):
    stored = submit_response(campaign, answers=full_answers(campaign, 4))
    answer = stored.answers.order_by("pk").first()
    sql("UPDATE wagtail_satisfaction_answer SET value = %s WHERE id = %s",
        [1 if answer.value != 1 else 2, answer.pk])
    ok, output = run_verify()
    assert not ok
    assert f"Response #{stored.pk} ({stored.uid}) was altered" in output


@pytest.mark.django_db(transaction=True)
def test_reports_and_roll_ups_racing_submissions_count_every_response_once(settings):
    """Submissions, roll-ups and report readers at once: at the end the tallies equal the
    raw answers, and every report read agreed with itself."""
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 0
    campaign = make_campaign()
    campaign.ask_procedure = campaign.ask_officer = campaign.ask_dossier_code = False
    campaign.save()
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    stop = threading.Event()
    seen, errors = [], []

    def reader():
        try:
            while not stop.is_set():
                report = build_report(ReportFilters(campaign=campaign))
                first = report.questions[0]
                seen.append((report.responses, sum(first.counts.values())))
                roll_up_pending()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    statuses = burst([
        (lambda client, n=n: client.post(url, form_data(campaign, email=f"r{n}@example.vn"))
         .status_code) for n in range(24)])
    stop.set()
    for thread in readers:
        thread.join(timeout=60)
    assert not errors, errors
    assert statuses == [200] * 24
    # Each read counted as many answers to the first question as responses: no response
    # was counted twice, or half.
    assert seen and all(responses == answers for responses, answers in seen)
    roll_up_pending()
    assert tallied_responses(campaign) == Response.objects.filter(campaign=campaign).count() == 24
    ok, output = run_verify()
    assert ok, output


def test_the_roll_up_names_its_campaigns_and_an_empty_queue_costs_one_select(
        campaign, django_assert_num_queries):
    from wagtail_satisfaction.reports.rollup import tallies_rolled_up

    other = make_campaign()
    for target in (campaign, other, campaign):
        submit_response(target, answers=full_answers(target))
    seen = []

    def receiver(sender, campaign_ids, **kwargs):
        seen.append(campaign_ids)

    tallies_rolled_up.connect(receiver, dispatch_uid="test-rolled-up")
    try:
        assert roll_up_pending() == 3
        with django_assert_num_queries(1):  # nothing queued: no transaction, no lock
            assert roll_up_pending() == 0
    finally:
        tallies_rolled_up.disconnect(dispatch_uid="test-rolled-up")
    assert seen == [sorted([campaign.pk, other.pk])]


@pytest.mark.django_db(transaction=True)
def test_public_figures_show_a_request_submission_before_the_worker_runs(client):
    """No signal is sent by a submission's one statement: reading the figures rolls the
    queue up, which refreshes the campaign's cached figures."""
    from django.test import override_settings

    from wagtail_satisfaction.public.results import Selection, public_results

    campaign = make_campaign(ask_procedure=False, ask_officer=False, ask_dossier_code=False)
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    with override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=1):
        assert client.post(url, form_data(campaign)).status_code == 200
        public_results(Selection(campaign))  # the first roll-up refreshes the version
        assert public_results(Selection(campaign))["responses"] == 1  # cached
        assert client.post(url, form_data(campaign)).status_code == 200
        assert PendingTally.objects.count() == 1  # the worker has not run
        assert public_results(Selection(campaign))["responses"] == 2
        assert not PendingTally.objects.exists()


def test_a_roll_up_with_work_takes_its_lock_and_statement_in_one_message(
        campaign, django_assert_num_queries):
    submit_response(campaign, answers=full_answers(campaign))
    # The queue's check, the transaction's start, lock + statement, its end.
    with django_assert_num_queries(4) as queries:
        assert roll_up_pending() == 1
    lock_and_statement = queries.captured_queries[2]["sql"]
    assert "pg_advisory_xact_lock(" in lock_and_statement
    assert "wagtail_satisfaction_pendingtally" in lock_and_statement
    assert tallied_responses(campaign) == 1


def test_a_roll_up_holds_when_the_public_figures_cannot_be_refreshed(campaign, monkeypatch):
    """The cache down (its version cannot be bumped): the responses still reach the tallies."""
    from wagtail_satisfaction.public import signals

    def unreachable(campaign_id):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(signals, "bump_version", unreachable)
    submit_response(campaign, answers=full_answers(campaign))
    assert roll_up_pending() == 1
    assert tallied_responses(campaign) == 1 and not PendingTally.objects.exists()
