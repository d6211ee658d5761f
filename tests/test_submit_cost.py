"""What one survey submission costs, and that it stays correct while the task worker is down."""

import pytest
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import form_data
from tests.moderation_factories import make_moderator
from tests.test_integrity import run_verify
from wagtail_satisfaction.models import Comment, Response
from wagtail_satisfaction.moderation.tasks import sort_comment_task

pytestmark = pytest.mark.django_db

# benchmarks/submit.py measures the time; this keeps the number of queries from creeping up.
# The campaign, its questions and form fields come from the survey cache (no query). On
# PostgreSQL (production): BEGIN, one statement for the response, its answers, comment,
# the comment's sort task, both daily tallies and the seal chain's next number, then the seal
# and COMMIT. SQLite writes the same rows one statement each (response, answers, comment,
# task, two tallies, chain, seal, chain digest) between its savepoint and release.
MAX_QUERIES_PER_SUBMIT = {"postgresql": 4, "sqlite": 11}


def submit(client, campaign, text="Hồ sơ trả đúng hẹn, cán bộ tận tình."):
    campaign.ask_procedure = campaign.ask_officer = campaign.ask_dossier_code = False
    campaign.save()
    return client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
                       form_data(campaign, email="dan@example.vn", comment=text))


def test_one_submission_stays_within_its_queries(client, campaign,
                                                 django_assert_max_num_queries):
    client.get(reverse("wagtail_satisfaction:survey", args=[campaign.slug]))
    campaign.ask_procedure = campaign.ask_officer = campaign.ask_dossier_code = False
    campaign.save()
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    client.post(url, form_data(campaign, comment="Đầu tiên."))  # the seal chain's first link
    data = form_data(campaign, email="dan@example.vn", comment="Cán bộ tận tình.")
    queued_before = set(DBTaskResult.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(MAX_QUERIES_PER_SUBMIT[connection.vendor]):
        answer = client.post(url, data)
    assert answer.status_code == 200
    stored = Response.objects.get(email="dan@example.vn")
    assert stored.answers.count() == campaign.questionnaire.questions().count()
    # No reference-index task for citizens' rows: only the comment's sort is queued.
    assert list(DBTaskResult.objects.exclude(pk__in=queued_before)
                .values_list("task_path", flat=True)) == [
        "wagtail_satisfaction.moderation.tasks.sort_comment_task"]
    # Everything the one statement wrote agrees: the seals chain, the tallies match.
    ok, output = run_verify()
    assert ok, output
    assert stored.comment.text == "Cán bộ tận tình."


def test_comment_waits_unsorted_while_the_worker_is_down_then_is_sorted(client, campaign):
    assert submit(client, campaign).status_code == 200
    comment = Comment.objects.get()
    assert comment.state == "pending" and comment.score is None  # stored, not yet sorted
    client.force_login(make_moderator())
    queue = client.get(reverse("wagtail_satisfaction_comment_modeladmin_index"),
                       {"score_band": "none"})
    assert comment.text in queue.content.decode()
    # The worker comes back: the queued task sorts it.
    task = DBTaskResult.objects.get(task_path__endswith="sort_comment_task")
    sort_comment_task.call(*task.args_kwargs["args"])
    comment.refresh_from_db()
    assert comment.suggested_state == "relevant" and comment.score > 0.9
    assert comment.state == "pending"
