"""The personal-data purge (issue 12): contacts erased and personal data in free text masked
after PERSONAL_DATA_RETENTION_DAYS, figures unchanged, every run recorded with its counts."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import make_campaign, make_officer, make_unit
from tests.reports_factories import make_small_questionnaire, respond
from wagtail_satisfaction.models import (
    Comment,
    Dossier,
    PurgeRun,
    Response,
    Reverification,
)
from wagtail_satisfaction.moderation.privacy import mask_personal_data
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.rollup import report_zone
from wagtail_satisfaction.reports.stats import build_report
from wagtail_satisfaction.retention.purge import (
    PURGE_ACTION,
    purge_personal_data,
    retained_comment_text,
)

DAYS = 365
PHONE, OTHER_PHONE, EMAIL = "0912345678", "+84 987 654 321", "chi.lan@example.vn"
COMMENT = f"Hồ sơ trả chậm 15 ngày, gọi {PHONE} hoặc {OTHER_PHONE}, thư {EMAIL}"


def today():
    return timezone.now().astimezone(report_zone()).date()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


def make_people(closed_days_ago, slug, responses=3):
    """A campaign closed ``closed_days_ago`` days ago with responses carrying an email, a
    comment with a phone number and email, and a re-verification note with a phone number."""
    unit = make_unit(code=f"u-{slug}")
    officer = make_officer(unit)
    campaign = make_campaign(unit=unit, questionnaire=make_small_questionnaire(code=slug),
                             slug=slug, opens_on=days_ago(closed_days_ago + 60),
                             closes_on=days_ago(closed_days_ago))
    moment = timezone.now() - datetime.timedelta(days=closed_days_ago + 10)
    for n in range(responses):
        response = respond(campaign, moment, {"1": 1 + n % 5, "2": 4, "3": "na", "E1": 2},
                           officer=officer, unit=unit, email=f"dan{n}@example.vn",
                           comment=COMMENT if n != 1 else "Cán bộ nhiệt tình")
        Comment.objects.filter(response=response).update(state="relevant")
        Reverification.objects.create(response=response, campaign=campaign,
                                      note=f"Đã gọi số {PHONE}, người dân xác nhận")
    return campaign


def make_dossier(code, settled_days_ago, returned=True):
    return Dossier.objects.create(
        code=code, unit=make_unit(code=f"u-{code}"), applicant_name="Nguyễn Thị Lan",
        email="lan@example.vn", phone=PHONE, received_on=days_ago(settled_days_ago + 20),
        returned_on=days_ago(settled_days_ago) if returned else None)


def figures(campaign):
    report = build_report(ReportFilters(campaign=campaign))
    return (report.responses, report.overall_index, report.d766_ratio,
            [(q.question.code, q.counts) for q in report.questions],
            [(b.key, b.rows) for b in report.breakdowns], report.trend, report.comment_count)


@pytest.fixture
def retention(settings, english):
    settings.WAGTAIL_SATISFACTION_PERSONAL_DATA_RETENTION_DAYS = DAYS
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1


@pytest.mark.django_db
def test_the_purge_erases_contacts_masks_free_text_and_keeps_the_figures(retention, capsys):
    old = make_people(DAYS + 30, "cu")
    recent = make_people(30, "moi")
    old_dossier = make_dossier("HS-CU", DAYS + 1)
    received_only = make_dossier("HS-CHUA-TRA", DAYS + 1, returned=False)
    recent_dossier = make_dossier("HS-MOI", 10)
    before = figures(old), figures(recent)

    call_command("satisfaction_purge", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing changed" in out
    assert "respondents' emails erased: 3" in out
    assert "comments with personal data masked: 2" in out
    assert "re-verification notes with personal data masked: 3" in out
    assert "dossiers whose applicant's name and contacts were erased: 2" in out
    assert Response.objects.filter(campaign=old).exclude(email="").count() == 3
    assert not PurgeRun.objects.exists()

    call_command("satisfaction_purge")
    out = capsys.readouterr().out
    assert "respondents' emails erased: 3" in out and "Recorded as purge run #" in out

    # The old campaign's personal data is gone ...
    assert set(Response.objects.filter(campaign=old).values_list("email", "email_key")) == {
        ("", "")}
    texts = list(Comment.objects.filter(campaign=old).values_list("text", flat=True))
    assert all(PHONE not in t and "987 654" not in t and EMAIL not in t for t in texts)
    assert sorted(texts) == sorted([mask_personal_data(COMMENT)] * 2 + ["Cán bộ nhiệt tình"])
    assert "15 ngày" in texts[0] or "15 ngày" in texts[1]  # the rest of the text is kept
    assert not Reverification.objects.filter(campaign=old, note__contains=PHONE).exists()
    for dossier in (old_dossier, received_only):
        dossier.refresh_from_db()
        assert (dossier.applicant_name, dossier.email, dossier.phone) == ("", "", "")
    # ... the recent campaign's and dossier's is kept ...
    assert Response.objects.filter(campaign=recent).exclude(email="").count() == 3
    assert Comment.objects.filter(campaign=recent, text=COMMENT).count() == 2
    assert Reverification.objects.filter(campaign=recent, note__contains=PHONE).count() == 3
    recent_dossier.refresh_from_db()
    assert (recent_dossier.email, recent_dossier.phone) == ("lan@example.vn", PHONE)
    # ... and every figure is what it was.
    assert (figures(old), figures(recent)) == before

    run = PurgeRun.objects.get()
    assert run.counts == {"response_emails": 3, "comments": 2, "reverification_notes": 3,
                          "dossiers": 2}
    assert run.cutoff == days_ago(DAYS) and run.retention_days == DAYS
    assert run.trigger == PurgeRun.Trigger.COMMAND and run.finished_at
    entry = ModelLogEntry.objects.get(action=PURGE_ACTION)
    assert entry.data["counts"] == run.counts
    assert "emails erased: 3" in entry.message and "dossiers whose" in entry.message

    # A second run finds nothing left.
    assert purge_personal_data().counts == dict.fromkeys(run.counts, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(("closed", "purged"), [(DAYS - 1, False), (DAYS, False),
                                                (DAYS + 1, True)])
def test_data_is_kept_for_the_whole_period_after_the_campaign_closes(retention, closed,
                                                                     purged):
    campaign = make_people(closed, f"c{closed}", responses=1)
    dossier = make_dossier(f"HS-{closed}", closed)
    counts = purge_personal_data().counts
    assert counts["response_emails"] == counts["dossiers"] == int(purged)
    assert Response.objects.get(campaign=campaign).email == ("" if purged else "dan0@example.vn")
    dossier.refresh_from_db()
    assert (dossier.phone == "") is purged


@pytest.mark.django_db
def test_no_period_keeps_everything(settings):
    settings.WAGTAIL_SATISFACTION_PERSONAL_DATA_RETENTION_DAYS = None
    campaign = make_people(5000, "xua", responses=1)
    result = purge_personal_data()
    assert result.cutoff is None and result.run is None
    assert Response.objects.get(campaign=campaign).email == "dan0@example.vn"


@pytest.mark.django_db
def test_the_scheduled_task_runs_the_same_purge(retention, settings):
    from wagtail_satisfaction.retention.tasks import purge_personal_data_task

    settings.TASKS = {"default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    make_people(DAYS + 30, "nhiem-vu", responses=2)
    result = purge_personal_data_task.enqueue()
    assert result.return_value["response_emails"] == 2
    assert PurgeRun.objects.get().trigger == PurgeRun.Trigger.TASK


@pytest.mark.parametrize("text", [
    COMMENT, "Gọi 079 203 004 567 (CCCD) hoặc 0912.345.678", "a@123456789.com",
    "Không có gì riêng tư, phí 50.000 đồng", "x.y+z@so-khcn.gov.vn và 0243 826 1234"])
def test_the_retained_text_is_a_fixed_point_of_masking(text):
    # What lets an integrity seal cover the retained form: purging twice changes nothing.
    once = retained_comment_text(text)
    assert retained_comment_text(once) == once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_erase_each_record_once(settings):
    settings.WAGTAIL_SATISFACTION_PERSONAL_DATA_RETENTION_DAYS = DAYS
    make_people(DAYS + 30, "dong-thoi", responses=40)
    for n in range(30):
        make_dossier(f"HS-DT-{n}", DAYS + 5)
    barrier = threading.Barrier(2)
    results = []

    def purge():
        try:
            barrier.wait(timeout=10)
            results.append(purge_personal_data().counts)
        finally:
            connection.close()

    threads = [threading.Thread(target=purge) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(r["response_emails"] for r in results) == 40
    assert sum(r["dossiers"] for r in results) == 30
    assert sum(r["comments"] for r in results) == 39  # all but response 1
    assert not Response.objects.exclude(email="").exists()
    assert PurgeRun.objects.count() == 2


def verify_output():
    """Run satisfaction_verify; return (clean?, output)."""
    import io

    from django.core.management.base import CommandError

    out = io.StringIO()
    try:
        call_command("satisfaction_verify", stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


@pytest.mark.django_db
def test_the_purge_keeps_every_seal_valid(retention):
    old = make_people(DAYS + 30, "cu")
    make_people(30, "moi")
    assert verify_output()[0]
    purge_personal_data()
    assert not Comment.objects.filter(response__campaign=old, text__contains=PHONE).exists()
    assert not Response.objects.filter(campaign=old).exclude(email="").exists()
    clean, output = verify_output()
    assert clean, output


@pytest.mark.django_db
def test_a_phone_number_changed_before_the_purge_is_reported(retention):
    make_people(30, "moi")
    comment = Comment.objects.filter(text__contains=PHONE).first()
    with connection.cursor() as cursor:  # behind the product's back, as an intruder would
        cursor.execute(f"UPDATE {Comment._meta.db_table} SET text = %s WHERE id = %s",
                       [comment.text.replace(PHONE, "0900000000"), comment.pk])
    clean, output = verify_output()
    assert not clean
    assert str(comment.response_id) in output
