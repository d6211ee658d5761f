"""Tamper evidence: altered, deleted or inserted results and hand-edited tallies are found."""

import threading
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import full_answers, make_campaign, make_user
from wagtail_satisfaction import roles
from wagtail_satisfaction.models import (
    Answer,
    Comment,
    IntegrityCheck,
    Response,
    ResponseSeal,
    ResponseTally,
    SealChain,
)
from wagtail_satisfaction.moderation.decisions import decide
from wagtail_satisfaction.reports.rollup import roll_up_pending
from wagtail_satisfaction.services import DuplicateResponse, submit_response

pytestmark = pytest.mark.django_db


def run_verify(*args):
    """Run satisfaction_verify; return (exit ok?, output)."""
    import io

    out = io.StringIO()
    try:
        call_command("satisfaction_verify", *args, stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def stored(campaign):
    """Three responses: one with a comment and an email, one with a dossier code."""
    first = submit_response(campaign, answers=full_answers(campaign, 4),
                            comment="Cán bộ hướng dẫn tận tình", email="an@example.vn")
    second = submit_response(campaign, answers=full_answers(campaign, 5),
                             dossier_code="hs-0002")
    third = submit_response(campaign, answers=full_answers(campaign, 3), comment="Chờ lâu")
    roll_up_pending()  # as the task worker does seconds later (PostgreSQL; no-op on SQLite)
    return first, second, third


def test_an_untouched_database_verifies_clean(english, stored):
    other = make_campaign()
    submit_response(other, answers=full_answers(other), comment="Tốt")

    ok, output = run_verify()

    assert ok, output
    assert "4 responses, 4 seals checked: 0 problems." in output
    check = IntegrityCheck.objects.get()
    assert check.status == IntegrityCheck.Status.PASSED and check.finished_at


def test_seals_form_one_chain_per_campaign(stored, campaign):
    seals = list(ResponseSeal.objects.filter(campaign=campaign).order_by("seq"))
    assert [seal.seq for seal in seals] == [1, 2, 3]
    assert [seal.response_id for seal in seals] == [response.pk for response in stored]
    assert seals[0].prev_digest == "" and seals[1].prev_digest == seals[0].digest
    head = SealChain.objects.get(campaign=campaign)
    assert (head.seq, head.digest) == (3, seals[2].digest)
    # The email is sealed only as a keyed digest, never in clear.
    assert seals[0].contact_digest and "an@example.vn" not in str(vars(seals[0]))


def test_an_altered_answer_is_reported_with_its_response(english, stored):
    first = stored[0]
    answer = first.answers.order_by("pk").first()
    sql("UPDATE wagtail_satisfaction_answer SET value = %s WHERE id = %s",
        [1 if answer.value != 1 else 2, answer.pk])

    ok, output = run_verify()

    assert not ok
    assert f"Response #{first.pk} ({first.uid}) was altered" in output
    assert f"Response #{stored[1].pk} " not in output
    # The daily tallies no longer match the raw answers either.
    assert "the answers tally of" in output
    assert "Integrity check failed" in output


def test_an_altered_comment_text_is_reported(english, stored):
    third = stored[2]
    sql("UPDATE wagtail_satisfaction_comment SET text = %s WHERE response_id = %s",
        ["Rất hài lòng", third.pk])

    ok, output = run_verify()

    assert not ok
    assert f"Response #{third.pk} ({third.uid}) was altered" in output
    assert "problems" in output and "tally" not in output


def test_a_deleted_comment_is_reported(english, stored):
    sql("DELETE FROM wagtail_satisfaction_comment WHERE response_id = %s", [stored[0].pk])
    ok, output = run_verify()
    assert not ok and f"Response #{stored[0].pk} ({stored[0].uid}) was altered" in output


def test_a_deleted_response_is_reported_by_its_seal(english, stored):
    second = stored[1]
    for table in ("answer", "comment"):
        sql(f"DELETE FROM wagtail_satisfaction_{table} WHERE response_id = %s", [second.pk])
    sql("DELETE FROM wagtail_satisfaction_response WHERE id = %s", [second.pk])

    ok, output = run_verify()

    assert not ok
    assert f"Response #{second.pk} ({second.uid}) was deleted: seal no. 2" in output
    assert "the responses tally of" in output


def test_a_response_deleted_with_its_seal_breaks_the_chain(english, stored, campaign):
    second = stored[1]
    for table in ("answer", "comment", "responseseal"):
        sql(f"DELETE FROM wagtail_satisfaction_{table} WHERE response_id = %s", [second.pk])
    sql("DELETE FROM wagtail_satisfaction_response WHERE id = %s", [second.pk])

    ok, output = run_verify()

    assert not ok
    assert (f"the chain is broken before seal no. 3 (response #{stored[2].pk}); "
            "missing or changed seal no.: 2.") in output


def test_a_response_inserted_with_raw_sql_is_reported(english, stored):
    new_uid = uuid.uuid4()
    columns = ("campaign_id, questionnaire_id, channel, submitted_at, unit_id, procedure_id, "
               "officer_id, dossier_code, dossier_proven, email, email_key, entered_by_id, "
               "index_applicable, index_satisfied, points, dissatisfied")
    sql(f"INSERT INTO wagtail_satisfaction_response ({columns}, uid) "
        f"SELECT {columns}, %s FROM wagtail_satisfaction_response WHERE id = %s",
        [new_uid.hex, stored[2].pk])
    inserted = Response.objects.get(uid=new_uid)

    ok, output = run_verify()

    assert not ok
    assert f"Response #{inserted.pk} ({new_uid}) has no seal" in output


def test_a_tally_changed_by_hand_is_reported(english, stored, campaign):
    tally = ResponseTally.objects.get(campaign=campaign)
    sql("UPDATE wagtail_satisfaction_responsetally SET responses = 30 WHERE id = %s",
        [tally.pk])

    ok, output = run_verify()

    assert not ok
    assert "the responses tally of" in output
    assert "says responses 30" in output and "raw answers give responses 3" in output
    assert "was altered" not in output


def test_verify_one_campaign_only(english, stored, campaign):
    other = make_campaign()
    broken = submit_response(other, answers=full_answers(other))
    sql("UPDATE wagtail_satisfaction_response SET channel = 'paper' WHERE id = %s",
        [broken.pk])

    assert run_verify("--campaign", campaign.slug)[0]
    ok, output = run_verify("--campaign", other.slug)
    assert not ok and f"Response #{broken.pk} " in output
    assert not run_verify("--campaign", "no-such-campaign")[0]


def test_moderation_decisions_keep_the_seal(english, stored):
    moderator = make_user("cntt", is_superuser=True)
    decide(Comment.objects.all(), "spam", moderator, reason="quảng cáo")
    assert run_verify()[0]


def test_erased_email_still_verifies_but_a_changed_one_does_not(english, stored):
    first = stored[0]
    sql("UPDATE wagtail_satisfaction_response SET email = '' WHERE id = %s", [first.pk])
    assert run_verify()[0]
    sql("UPDATE wagtail_satisfaction_response SET email = 'ke.gian@example.vn' WHERE id = %s",
        [first.pk])
    ok, output = run_verify()
    assert not ok and f"Response #{first.pk} " in output


def test_rotated_keys_still_verify_old_seals(english, settings, campaign):
    settings.WAGTAIL_SATISFACTION_SEAL_KEYS = {
        "CLASS": "wagtail_satisfaction.integrity.keys.SettingsKeyring",
        "OPTIONS": {"KEYS": {"2026a": "khoa-thu-nhat"}, "CURRENT": "2026a"}}
    old = submit_response(campaign, answers=full_answers(campaign))
    settings.WAGTAIL_SATISFACTION_SEAL_KEYS = {
        "CLASS": "wagtail_satisfaction.integrity.keys.SettingsKeyring",
        "OPTIONS": {"KEYS": {"2026a": "khoa-thu-nhat", "2026b": "khoa-thu-hai"},
                    "CURRENT": "2026b"}}
    new = submit_response(campaign, answers=full_answers(campaign))
    assert [old.seal.key_id, new.seal.key_id] == ["2026a", "2026b"]
    assert run_verify()[0]

    settings.WAGTAIL_SATISFACTION_SEAL_KEYS["OPTIONS"]["KEYS"] = {"2026b": "khoa-thu-hai"}
    ok, output = run_verify()
    assert not ok and f"Response #{old.pk} ({old.uid}): seal no. 1 uses key 2026a" in output


def test_seal_unsealed_seals_rows_from_before_sealing(english, stored, campaign):
    ResponseSeal.objects.all().delete()
    SealChain.objects.all().delete()
    ok, output = run_verify()
    assert not ok and output.count("has no seal") == 3

    ok, output = run_verify("--seal-unsealed")

    assert ok, output
    assert "Sealed 3 responses that had no seal." in output
    assert ResponseSeal.objects.filter(campaign=campaign).count() == 3


def test_refused_submissions_leave_no_seal(campaign):
    submit_response(campaign, answers=full_answers(campaign), dossier_code="HS-1",
                    dossier_proven=True)
    with pytest.raises(DuplicateResponse):
        submit_response(campaign, answers=full_answers(campaign), dossier_code="hs-1",
                        dossier_proven=True)
    assert ResponseSeal.objects.count() == 1 == SealChain.objects.get().seq
    assert Answer.objects.count() == len(full_answers(campaign))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_keep_one_valid_chain():
    campaign = make_campaign()
    answers = full_answers(campaign)
    threads_count, per_thread = 8, 5
    barrier = threading.Barrier(threads_count)
    errors = []

    def submit():
        try:
            barrier.wait(timeout=10)
            for _n in range(per_thread):
                submit_response(campaign, answers=answers, comment="Đồng thời")
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    total = threads_count * per_thread
    assert list(ResponseSeal.objects.filter(campaign=campaign).order_by("seq")
                .values_list("seq", flat=True)) == list(range(1, total + 1))
    assert SealChain.objects.get(campaign=campaign).seq == total
    ok, output = run_verify()
    assert ok, output


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_iso_secretary_starts_a_verification_and_sees_its_result(
        client, english, immediate_tasks, stored):
    roles.ensure_role_groups()
    client.force_login(make_user("thuky", roles.ISO_SECRETARY))
    url = "/admin/satisfaction-integrity/"

    page = client.get(url)
    assert page.status_code == 200
    assert "No verification has run yet." in page.content.decode()
    assert url in client.get("/admin/").content.decode()  # in the Reports menu

    response = client.post(url, {"campaign": ""})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert 'data-integrity-result="passed"' in html
    assert "3 responses checked" in html and "started by thuky" in html

    sql("UPDATE wagtail_satisfaction_comment SET text = 'Sửa' WHERE response_id = %s",
        [stored[0].pk])
    client.post(url, {"campaign": ""})
    html = client.get(url).content.decode()
    assert 'data-integrity-result="failed"' in html and "1 problem found" in html
    assert f"Response #{stored[0].pk} ({stored[0].uid}) was altered" in html


def test_a_scheduled_run_shows_in_the_admin(client, english, stored):
    roles.ensure_role_groups()
    run_verify()
    client.force_login(make_user("thuky", roles.ISO_SECRETARY))
    html = client.get("/admin/satisfaction-integrity/").content.decode()
    assert 'data-integrity-result="passed"' in html and "scheduled run" in html


def test_a_verification_in_progress_shows_its_progress(client, english, stored):
    roles.ensure_role_groups()
    IntegrityCheck.objects.create(status=IntegrityCheck.Status.RUNNING, total=40, done=10)
    client.force_login(make_user("thuky", roles.ISO_SECRETARY))
    html = client.get("/admin/satisfaction-integrity/").content.decode()
    assert "10 of 40 seals checked." in html and 'http-equiv="refresh"' in html
    assert "Start the verification" not in html


@pytest.mark.parametrize("role", [roles.ONE_STOP, roles.IT_MODERATOR, roles.EDITOR])
def test_other_roles_cannot_see_or_start_a_verification(client, role, stored):
    roles.ensure_role_groups()
    client.force_login(make_user("khac", role))
    # Wagtail answers "permission denied" with a redirect to the dashboard.
    for response in (client.get("/admin/satisfaction-integrity/"),
                     client.post("/admin/satisfaction-integrity/")):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert "/admin/satisfaction-integrity/" not in client.get("/admin/").content.decode()
    assert not IntegrityCheck.objects.exists()


def test_a_unit_scoped_secretary_verifies_and_reads_only_their_units_campaigns(
        client, english, immediate_tasks):
    from tests.factories import make_unit
    from wagtail_satisfaction.models import UnitScope

    roles.ensure_role_groups()
    mine_unit, other_unit = make_unit("Sở Tư pháp"), make_unit("Sở Y tế")
    mine, other = make_campaign(unit=mine_unit), make_campaign(unit=other_unit)
    kept = submit_response(mine, answers=full_answers(mine))
    broken = submit_response(other, answers=full_answers(other))
    sql("UPDATE wagtail_satisfaction_response SET dossier_code = 'X' WHERE id = %s",
        [broken.pk])
    secretary = make_user("thuky_tp", roles.ISO_SECRETARY)
    UnitScope.objects.create(user=secretary, unit=mine_unit)
    client.force_login(secretary)
    url = "/admin/satisfaction-integrity/"

    # The nightly run over every campaign found the other unit's problem only.
    run_verify()
    html = client.get(url).content.decode()
    assert 'data-integrity-result="passed"' in html
    assert f"Response #{broken.pk} " not in html and "responses checked" not in html
    assert other.title not in html and "All campaigns" not in html

    # Another unit's campaign cannot be chosen; "every campaign" is not offered.
    for choice in (other.pk, ""):
        assert client.post(url, {"campaign": choice}).status_code == 200
    assert IntegrityCheck.objects.filter(started_by=secretary).count() == 0
    client.post(url, {"campaign": mine.pk})
    check = IntegrityCheck.objects.get(started_by=secretary)
    assert (check.campaign, check.status) == (mine, IntegrityCheck.Status.PASSED)
    assert kept.seal.seq == 1
