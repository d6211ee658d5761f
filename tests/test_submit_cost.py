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
# PostgreSQL in the request path (no transaction open): two round trips, each one message of
# two statements: BEGIN + one statement for the response, its answers, comment, the
# comment's sort task, its place in the tallies' queue and the seal chain's next number; then
# the seal + COMMIT (the daily tallies are updated by the roll-up, not per submission).
# Inside a caller's transaction (as in these tests, which run in one) the same statements go
# one per round trip: BEGIN, statement, seal, COMMIT. SQLite writes the same rows one
# statement each (response, answers, comment, task, two tallies, chain, seal, chain digest)
# between its savepoint and release.
MAX_QUERIES_PER_SUBMIT = {"postgresql": 4, "sqlite": 11}
ROUND_TRIPS_PER_REQUEST_SUBMIT = 2  # PostgreSQL, outside a transaction


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


def test_postgresql_statement_holds_every_row_of_a_submission():
    """The one statement's text (built on any database; run on PostgreSQL by the PG suite)."""
    from wagtail_satisfaction import services

    sql, r_fields, c_fields, t_fields = services._statement(True, True)
    for table in ("wagtail_satisfaction_response", "wagtail_satisfaction_answer",
                  "wagtail_satisfaction_comment", "wagtail_satisfaction_pendingtally",
                  "wagtail_satisfaction_sealchain", DBTaskResult._meta.db_table):
        assert table in sql
    # No submission updates the day's tally rows that every other submission updates too.
    assert "tally" not in sql.replace("pendingtally", "")
    # The driver caches statements of at most 50 parameters: one text, parsed once.
    assert sql.count("%s") == len(r_fields) + 2 + len(c_fields) + len(t_fields) <= 50
    assert "id" not in {field.name for field in r_fields}  # the database numbers it
    assert "id" in {field.name for field in t_fields}  # a task's id is made by the library
    bare, *_rest, no_task = services._statement(False, True)
    assert "wagtail_satisfaction_comment" not in bare and no_task == []


def test_postgresql_statement_gets_the_rows_values_and_sends_the_task_signal(campaign,
                                                                            monkeypatch):
    """insert_response's values, with the database answering as PostgreSQL would."""
    import datetime

    from django_tasks.signals import task_enqueued

    from tests.factories import full_answers
    from wagtail_satisfaction import services
    from wagtail_satisfaction.models import Response

    executed = []

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql, params):
            executed.append((sql, params))

        def fetchone(self):
            return (501, 702, 3, "ab" * 32)

    enqueued = []
    task_enqueued.connect(lambda sender, task_result, **kw: enqueued.append(task_result),
                          weak=False, dispatch_uid="test-enqueued")
    answers = full_answers(campaign)
    response = Response(campaign=campaign, questionnaire=campaign.questionnaire,
                        unit_id=campaign.unit_id, email="dan@example.vn",
                        submitted_at=datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC))
    monkeypatch.setattr(connection, "cursor", Cursor)
    try:
        head = services.insert_response(response, answers, "Cán bộ tận tình")
    finally:
        task_enqueued.disconnect(dispatch_uid="test-enqueued")
        monkeypatch.undo()
    assert head == (3, "ab" * 32) and response.pk == 501
    (sql, params), = executed
    ids = ",".join(str(question.pk) for question in answers)
    values = ",".join("NULL" if value is None else str(value) for value in answers.values())
    assert "{" + ids + "}" in params and "{" + values + "}" in params  # array literals
    assert "Cán bộ tận tình" in params and "can bo tan tinh" in params  # text, folded text
    assert "dan@example.vn" in params
    assert response.uid in params or response.uid.hex in params  # as each database keeps it
    assert [result.args for result in enqueued] == [[702]]
    assert enqueued[0].task.module_path.endswith("sort_comment_task")


# --- PostgreSQL, as in production: no transaction around the request ----------------------

def _post(client, campaign, **data):
    return client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
                       form_data(campaign, **data))


def _request_campaign(**kwargs):
    from tests.factories import make_campaign

    return make_campaign(ask_procedure=False, ask_officer=False, ask_dossier_code=False,
                         **kwargs)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_submission_is_two_round_trips_and_seals_its_chain(client, monkeypatch,
                                                                    settings):
    from django.test.utils import CaptureQueriesContext

    from wagtail_satisfaction.models import PendingTally, ResponseSeal, SealChain
    from wagtail_satisfaction.reports import rollup

    # No roll-up queued by an earlier test of this process: the first submission queues one,
    # and the next ones none however slow the machine.
    monkeypatch.setattr(rollup, "_scheduled_until", [0.0])
    settings.WAGTAIL_SATISFACTION_TALLY_ROLL_UP_DELAY = 3600

    campaign = _request_campaign()
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    client.get(url)
    assert not SealChain.objects.filter(campaign=campaign).exists()
    answers, messages = [], []
    for number in range(3):  # the first creates the campaign's chain
        data = form_data(campaign, email=f"an{number}@example.vn",
                         comment=f"Cán bộ tận tình {number}.")
        with CaptureQueriesContext(connection) as queries:
            answers.append(client.post(url, data))
        assert answers[-1].status_code == 200
        assert b"satisfaction-thanks" in answers[-1].content
        statements = [query["sql"] for query in queries.captured_queries]
        if number == 0:
            # The process's first submission also queues the tallies' roll-up (then at most
            # once per TALLY_ROLL_UP_DELAY seconds).
            assert "django_tasks_database_dbtaskresult" in statements.pop()
        assert len(statements) == ROUND_TRIPS_PER_REQUEST_SUBMIT, statements
        assert statements[0].startswith("BEGIN; ") and statements[1].endswith("; COMMIT")
        messages.append(statements)
    # The two statements are prepared once per connection (with the first submission that
    # needs them, in its own message), then each submission executes them with its values.
    prepares = [query for statements in messages for query in statements
                if query.count("PREPARE satisfaction_")]
    assert len(prepares) <= 2
    first, second = messages[-1]
    assert first.startswith("BEGIN; EXECUTE satisfaction_") and "PREPARE" not in first
    assert second.startswith("EXECUTE satisfaction_") and "PREPARE" not in second
    assert not connection.in_atomic_block and connection.get_autocommit()
    stored = Response.objects.filter(campaign=campaign).order_by("pk")
    assert [r.email for r in stored] == [f"an{n}@example.vn" for n in range(3)]
    assert list(ResponseSeal.objects.filter(campaign=campaign).order_by("seq")
                .values_list("seq", "response_id")) == [(n + 1, r.pk)
                                                        for n, r in enumerate(stored)]
    head = SealChain.objects.get(campaign=campaign)
    assert (head.seq, head.digest) == (3, ResponseSeal.objects.get(
        campaign=campaign, seq=3).digest)
    assert PendingTally.objects.count() == 3  # waiting for the roll-up
    assert DBTaskResult.objects.filter(task_path__endswith="sort_comment_task").count() == 3
    ok, output = run_verify()
    assert ok, output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_submission_failing_at_its_seal_leaves_nothing(client, monkeypatch):
    from django.db import DatabaseError

    from wagtail_satisfaction import services
    from wagtail_satisfaction.models import Answer, PendingTally, SealChain

    campaign = _request_campaign()
    assert _post(client, campaign, email="an@example.vn").status_code == 200
    tasks = DBTaskResult.objects.count()

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "seal_statement", broken)
    with pytest.raises(DatabaseError):
        services.submit_response(campaign, answers=full_answers(campaign),
                                 email="binh@example.vn", comment="Chậm.")
    monkeypatch.undo()
    # Rolled back: not the response, its answers, comment, task, queue entry nor the
    # chain's next number; and the connection serves the next submission.
    assert list(Response.objects.values_list("email", flat=True)) == ["an@example.vn"]
    assert Answer.objects.count() == campaign.questionnaire.questions().count()
    assert not Comment.objects.exists() and DBTaskResult.objects.count() == tasks
    assert PendingTally.objects.count() == 1 and SealChain.objects.get().seq == 1
    assert _post(client, campaign, email="binh@example.vn").status_code == 200
    ok, output = run_verify()
    assert ok, output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_submission_refused_at_commit_leaves_nothing(monkeypatch):
    """A deferred constraint fails at the COMMIT, which has ended the transaction itself."""
    from django.db import IntegrityError

    from wagtail_satisfaction import services
    from wagtail_satisfaction.models import SealChain

    campaign = _request_campaign()
    real = services.seal_statement

    def with_dangling_row(*args, **kwargs):
        (sql, params), = real(*args, **kwargs)
        # A queue entry for no response: its foreign key is checked at the commit.
        return [(f"WITH dangling AS (INSERT INTO wagtail_satisfaction_pendingtally "
                 f"(response_id) VALUES (-1)), {sql.removeprefix('WITH ')}", params)]

    monkeypatch.setattr(services, "seal_statement", with_dangling_row)
    with pytest.raises(IntegrityError):
        services.submit_response(campaign, answers=full_answers(campaign))
    monkeypatch.undo()
    assert not Response.objects.exists() and not SealChain.objects.exists()
    services.submit_response(campaign, answers=full_answers(campaign))
    assert Response.objects.count() == 1
    ok, output = run_verify()
    assert ok, output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_submission_with_a_used_email_is_refused_on_the_email(client):
    campaign = _request_campaign(one_response_per_email=True)
    assert _post(client, campaign, email="an@example.vn").status_code == 200
    again = _post(client, campaign, email="AN@example.vn")
    assert again.status_code == 409
    assert 'value="AN@example.vn"' in again.content.decode()  # as typed, to correct
    assert Response.objects.count() == 1
    assert _post(client, campaign, email="binh@example.vn").status_code == 200
    ok, output = run_verify()
    assert ok, output


@pytest.fixture
def fresh_preparation():
    """The connection's prepared statements forgotten before and after (on both sides)."""
    from wagtail_satisfaction import prepared

    def forget():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        prepared._prepared.pop(connection.connection, None)

    forget()
    yield
    forget()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pooler", ["statement missing", "statement already there"])
def test_a_pooler_losing_prepared_statements_costs_a_retry_not_a_submission(
        client, pooler, fresh_preparation):
    """Behind a pooler a client's prepared statement may be missing from the server session
    a message reaches, or already there: the submission is sent again unprepared, stored
    once, and that connection prepares nothing more."""
    from django.test.utils import CaptureQueriesContext

    from wagtail_satisfaction import prepared

    campaign = _request_campaign()
    assert _post(client, campaign, email="an@example.vn", comment="Một.").status_code == 200
    with connection.cursor() as cursor:
        if pooler == "statement missing":
            cursor.execute("DEALLOCATE ALL")  # another server session
        else:
            prepared._prepared.pop(connection.connection)  # the session has them already
    with CaptureQueriesContext(connection) as queries:
        answer = _post(client, campaign, email="binh@example.vn", comment="Hai.")
    assert answer.status_code == 200 and b"satisfaction-thanks" in answer.content
    statements = [query["sql"] for query in queries.captured_queries]
    assert "ROLLBACK" in statements
    assert statements[-2].startswith("BEGIN; WITH")  # sent again as it is
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, campaign, email="chi@example.vn", comment="Ba.").status_code == 200
    first, second = [query["sql"] for query in queries.captured_queries
                     if query["sql"].startswith("BEGIN;") or query["sql"].endswith("COMMIT")]
    assert first.startswith("BEGIN; WITH") and second.startswith("WITH seal")  # unprepared
    assert sorted(Response.objects.values_list("email", flat=True)) == [
        "an@example.vn", "binh@example.vn", "chi@example.vn"]
    assert Comment.objects.count() == 3
    assert DBTaskResult.objects.filter(task_path__endswith="sort_comment_task").count() == 3
    ok, output = run_verify()
    assert ok, output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_preparing_the_statements_are_sent_as_they_are(client, settings,
                                                               fresh_preparation):
    from django.test.utils import CaptureQueriesContext

    settings.WAGTAIL_SATISFACTION_PREPARE_STATEMENTS = False
    campaign = _request_campaign()
    for number in range(2):
        with CaptureQueriesContext(connection) as queries:
            answer = _post(client, campaign, email=f"an{number}@example.vn")
        assert answer.status_code == 200
    first, second = [query["sql"] for query in queries.captured_queries
                     if query["sql"].startswith("BEGIN;") or query["sql"].endswith("COMMIT")]
    assert first.startswith("BEGIN; WITH") and second.startswith("WITH seal")
    assert Response.objects.count() == 2
    ok, output = run_verify()
    assert ok, output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_server_side_binding_the_statements_go_one_by_one(monkeypatch):
    """psycopg's server-side binding takes one statement per message: the submission then
    runs in ``transaction.atomic()``, four round trips, the same rows and seal."""
    from django.test.utils import CaptureQueriesContext

    from wagtail_satisfaction import services

    campaign = _request_campaign()
    answers = full_answers(campaign)
    campaign.questionnaire.question_list()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", True)
    with CaptureQueriesContext(connection) as queries:
        services.submit_response(campaign, answers=answers)
    statements = [query["sql"] for query in queries.captured_queries
                  if "django_tasks_database_dbtaskresult" not in query["sql"]]
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT"
    assert len(statements) == MAX_QUERIES_PER_SUBMIT["postgresql"]
    ok, output = run_verify()
    assert ok, output


def full_answers(campaign):
    from tests.factories import full_answers as answers

    return answers(campaign)


def test_the_statement_values_are_those_the_orm_would_write(campaign):
    """``_values`` passes plain values as they are: each equals the ORM's preparation."""
    import datetime
    import uuid

    from wagtail_satisfaction import services
    from wagtail_satisfaction.models import Channel

    _sql, r_fields, c_fields, t_fields = services._statement(True, True)
    response = Response(campaign=campaign, questionnaire=campaign.questionnaire,
                        channel=Channel.KIOSK, unit_id=campaign.unit_id, dossier_code="HS-1",
                        email="dan@example.vn", email_key="dan@example.vn", uid=uuid.uuid4(),
                        dossier_proven=True, index_applicable=19, index_satisfied=True,
                        points=None, dissatisfied=False,
                        submitted_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    comment = Comment(text="Tốt", text_folded="tot", score=0.5, matched_terms=["tot"])
    job = DBTaskResult(id=uuid.uuid4(), args_kwargs={}, priority=0, task_path="x.y",
                       queue_name="default", backend_name="default",
                       run_after=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    for fields, instance in ((r_fields, response), (c_fields, comment), (t_fields, job)):
        expected = [field.get_db_prep_save(field.pre_save(instance, True), connection)
                    for field in fields]
        got = services._values(fields, instance)
        for field, ours, orm in zip(fields, got, expected, strict=True):
            if getattr(field, "auto_now_add", False):
                continue  # the time of each call
            assert (type(ours), repr(ours)) == (type(orm), repr(orm)), field
    # A bool in an integer column and a str enum are prepared by the ORM, not passed on.
    index = r_fields.index(Response._meta.get_field("index_satisfied"))
    assert services._values(r_fields, response)[index] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_one_statement_queues_the_comments_sort_as_the_task_library_would(client):
    """The sort task the one statement writes is the row django_tasks_db's own enqueue
    writes for the same comment: the worker runs it the same way (issue 10's mutation run
    on PostgreSQL found its fields unpinned)."""
    from django_tasks.signals import task_enqueued
    from django_tasks_db import DatabaseBackend

    campaign = _request_campaign()
    heard = []  # a site's receiver for this backend's tasks (the sender is the backend class)
    task_enqueued.connect(lambda sender, task_result, **kw: heard.append(
        (task_result.task.module_path.rsplit(".", 1)[1], task_result.args)),
        sender=DatabaseBackend, weak=False, dispatch_uid="test-backend")
    try:
        assert _post(client, campaign,
                     comment="Cán bộ tận tình, trả hồ sơ đúng hẹn.").status_code == 200
    finally:
        task_enqueued.disconnect(sender=DatabaseBackend, dispatch_uid="test-backend")
    comment = Comment.objects.get(campaign=campaign)
    assert ("sort_comment_task", [comment.pk]) in heard
    stored = DBTaskResult.objects.get(task_path__endswith="sort_comment_task")
    reference = DBTaskResult.objects.get(id=sort_comment_task.enqueue(comment.pk).id)
    fields = ("args_kwargs", "priority", "task_path", "queue_name", "run_after",
              "backend_name", "status", "started_at", "finished_at", "return_value")
    assert {name: getattr(stored, name) for name in fields} == {
        name: getattr(reference, name) for name in fields}
    assert stored.args_kwargs == {"args": [comment.pk], "kwargs": {}}
    assert stored.id != reference.id and stored.enqueued_at <= reference.enqueued_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("level", ["REPEATABLE READ", "SERIALIZABLE"])
def test_a_database_set_to_another_isolation_level_stores_submissions_in_it(client, level):
    """A site whose database OPTIONS set an isolation level: the submission's own BEGIN
    (sent with the statement, not by psycopg) asks for that level too."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext
    from psycopg import IsolationLevel

    campaign = _request_campaign()
    database = connections["default"]
    database.close()
    options = database.settings_dict["OPTIONS"]
    old = options.get("isolation_level")
    options["isolation_level"] = IsolationLevel[level.replace(" ", "_")]
    try:
        with CaptureQueriesContext(database) as queries:
            answer = _post(client, campaign, email="dan@example.vn")
        assert answer.status_code == 200
        assert Response.objects.filter(campaign=campaign, email="dan@example.vn").exists()
        assert any(query["sql"].startswith(f"BEGIN ISOLATION LEVEL {level};")
                   for query in queries.captured_queries), queries.captured_queries[:3]
    finally:
        database.close()
        if old is None:
            options.pop("isolation_level", None)
        else:
            options["isolation_level"] = old
