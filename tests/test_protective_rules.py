"""The product's protective rules at their edges: each test here kills a mutation a reviewer
planted and the rest of the suite missed (the mutation is named in the test's docstring), or
covers a path nothing else exercised (rate-limit settings, background csv exports and their
failure, an import that fails while storing, refusals at the kiosk).
"""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.channels_factories import make_kiosk_key
from tests.factories import form_data, full_answers, make_campaign, make_user
from tests.reports_factories import build_hand_dataset, local, make_small_questionnaire, respond
from wagtail_satisfaction.models import Comment, ExportJob, Response
from wagtail_satisfaction.reports.exports import ExportRequest
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report
from wagtail_satisfaction.services import DuplicateResponse, submit_response

pytestmark = pytest.mark.django_db


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def report_url():
    return reverse("wagtail_satisfaction_reports:report")


def secretary(username="thuky"):
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Thư ký ISO")
    group.permissions.add(*Permission.objects.filter(
        codename__in=["access_admin", "view_response", "export_response"]))
    return make_user(username, "Thư ký ISO")


# --- The small-group rule for officers --------------------------------------------------------

def test_an_officer_rated_exactly_the_minimum_times_is_shown_in_the_breakdown(settings):
    """Kills ``>=`` → ``>`` in the small-group rule (reports/disclosure.py).

    An has 3 responses, Bình 1: with a minimum of 1 both are named; with 2 Bình is hidden,
    and An joins the pooled row so that the total minus An cannot single Bình out.
    """
    data = build_hand_dataset()
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    officers = next(b for b in build_report(ReportFilters(campaign=data["campaign"])).breakdowns
                    if b.key == "officer")
    assert [(row.label, row.responses) for row in officers.rows if row.kind != "none"] == [
        ("Nguyễn Văn An", 3), ("Trần Thị Bình", 1)]
    assert officers.hidden_groups == 0
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 2
    officers = next(b for b in build_report(ReportFilters(campaign=data["campaign"])).breakdowns
                    if b.key == "officer")
    assert [row.responses for row in officers.rows if row.kind != "none"] == [4]
    assert "Bình" not in officers.rows[0].label and officers.hidden_groups == 2


def test_the_report_filtered_on_an_officer_rated_exactly_the_minimum_times_is_shown(client,
                                                                                      settings):
    """Kills ``responses < minimum_group_size()`` → ``<=`` in the officer refusal the report
    view applies (reports/disclosure.py ``check_officer_filter``): 3 responses against a
    minimum of 3 are shown, against 4 refused."""
    data = build_hand_dataset()
    client.force_login(secretary())
    query = {"campaign": data["campaign"].pk, "officer": data["an"].pk}
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 3
    with translation.override("en"):
        html = client.get(report_url(), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="figure-responses"' in html and "<strong>3</strong>" in html
    assert "can be singled out" not in html
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 4
    with translation.override("en"):
        html = client.get(report_url(), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="figure-responses"' not in html and "can be singled out" in html


# --- Formula escaping in every export ---------------------------------------------------------

FORMULAS = ["=1+1 thủ tục", "+SUM(A1) chậm", "-2+3 chậm", "@cmd chậm"]


@pytest.fixture
def formula_comments():
    """A campaign whose relevant comments each start with a character a spreadsheet runs."""
    campaign = make_campaign()
    for text in FORMULAS:
        submit_response(campaign, answers=full_answers(campaign), comment=text)
    Comment.objects.update(state="relevant")
    return campaign


def test_every_formula_start_is_neutralised_in_the_csv_export(formula_comments):
    """Kills escaping removed from the csv path, and ``+`` (or any start) dropped from
    ``FORMULA_STARTS`` (reports/exports.py)."""
    stream = io.BytesIO()
    ExportRequest({"campaign": formula_comments.pk}, "csv", "comments").write(stream)
    table = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    texts = sorted(cell for row in table for cell in row.values() if "chậm" in cell
                   or "thủ tục" in cell)
    assert texts == sorted("'" + text for text in FORMULAS)


def test_every_formula_start_is_neutralised_in_the_xlsx_export(formula_comments):
    """Kills a start character dropped from ``FORMULA_STARTS`` on the xlsx path."""
    stream = io.BytesIO()
    ExportRequest({"campaign": formula_comments.pk}, "xlsx").write(stream)
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    texts = sorted(cell.value for sheet in workbook.worksheets for row in sheet.iter_rows()
                   for cell in row if isinstance(cell.value, str)
                   and any(text in cell.value for text in FORMULAS))
    # Each comment is on the Comments sheet and in the responses sheet's comment column.
    assert sorted(set(texts)) == sorted("'" + text for text in FORMULAS)
    assert all(cell.data_type == "s" for sheet in workbook.worksheets
               for row in sheet.iter_rows() for cell in row if cell.value in texts)


# --- The kiosk's honeypot and refusals --------------------------------------------------------

def test_the_kiosk_form_carries_the_honeypot_and_refuses_a_filled_one(client, english):
    """Kills the honeypot removed from the kiosk's form (channels/kiosk.py KioskForm)."""
    campaign = make_campaign()
    address = reverse("wagtail_satisfaction:kiosk", args=[make_kiosk_key(campaign).key])
    assert 'name="website"' in client.get(address).content.decode()
    refused = client.post(address, form_data(campaign, website="http://spam"))
    assert refused.status_code == 400
    assert "Please leave the last field empty" in refused.content.decode()
    assert Response.objects.count() == 0


def test_the_kiosk_never_takes_two_people_for_one_in_a_one_response_per_email_campaign(client):
    """At the counter there is no email: the per-email duplicate rule must not turn the next
    person away (a kiosk has no field on which a duplicate could be corrected)."""
    campaign = make_campaign(one_response_per_email=True)
    address = reverse("wagtail_satisfaction:kiosk", args=[make_kiosk_key(campaign).key])
    for _person in range(2):
        assert client.post(address, form_data(campaign)).status_code == 302
    assert Response.objects.filter(channel="kiosk").count() == 2


def test_a_kiosk_of_a_closed_campaign_says_when_it_closed_and_stores_nothing(client, english):
    """The tablet stays at the counter after the campaign's last day: the next person is told
    the survey closed (with its date) instead of a form, and nothing is stored."""
    import datetime

    today = datetime.date.today()
    closed = make_campaign(opens_on=today - datetime.timedelta(days=30),
                           closes_on=today - datetime.timedelta(days=1))
    address = reverse("wagtail_satisfaction:kiosk", args=[make_kiosk_key(closed).key])
    refused = client.post(address, form_data(closed, comment="Nhanh gọn"))
    html = refused.content.decode()
    assert refused.status_code == 403
    assert "This survey closed on " in html
    assert 'name="q_' not in html  # no form to fill in again
    assert Response.objects.count() == 0


# --- The dossier code's duplicate guard -------------------------------------------------------

def test_a_lower_case_dossier_code_is_the_same_dossier_for_the_duplicate_guard(campaign):
    """Kills the dossier code no longer upper-cased in ``submit_response`` (services.py): the
    import and the API call it directly, without the form's cleaning."""
    first = submit_response(campaign, answers=full_answers(campaign), dossier_code=" hs-7 ",
                            dossier_proven=True)
    assert first.dossier_code == "HS-7"
    with pytest.raises(DuplicateResponse) as refused:
        submit_response(campaign, answers=full_answers(campaign), dossier_code="Hs-7",
                        dossier_proven=True)
    assert refused.value.code == "duplicate_dossier"
    assert Response.objects.count() == 1


# --- The rate limit's settings ----------------------------------------------------------------

def test_a_rate_limit_of_zero_turns_the_limit_off(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 0
    for _ in range(4):
        assert client.post(survey_url(campaign), form_data(campaign)).status_code == 200
    assert Response.objects.count() == 4


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(client, campaign,
                                                                        settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    settings.WAGTAIL_SATISFACTION_TRUST_X_FORWARDED_FOR = True  # one proxy of ours
    assert client.post(survey_url(campaign), form_data(campaign),
                       HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    # The same visitor writing a forged address in front: the proxy's entry still counts.
    assert client.post(survey_url(campaign), form_data(campaign),
                       HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5").status_code == 429
    # Another visitor behind the same proxy (same REMOTE_ADDR): not limited.
    assert client.post(survey_url(campaign), form_data(campaign),
                       HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    assert Response.objects.count() == 2


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    assert client.post(survey_url(campaign), form_data(campaign),
                       HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    # A forged header does not buy a fresh limit.
    assert client.post(survey_url(campaign), form_data(campaign),
                       HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert Response.objects.count() == 1


# --- Background exports -----------------------------------------------------------------------

@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WAGTAIL_SATISFACTION_EXPORT_BACKGROUND_THRESHOLD = 3


def test_a_large_csv_export_runs_in_the_background_and_downloads(client, immediate_tasks):
    data = build_hand_dataset()
    client.force_login(secretary())
    started = client.get(reverse("wagtail_satisfaction_reports:export"),
                         {"campaign": data["campaign"].pk, "format": "csv"})
    job = ExportJob.objects.get()
    assert started.url == reverse("wagtail_satisfaction_reports:export_job", args=[job.pk])
    assert (job.status, job.format, job.done, job.total) == ("done", "csv", 5, 5)
    assert job.file.name.endswith(".csv")
    download = client.get(reverse("wagtail_satisfaction_reports:export_job_download",
                                  args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    # The response's uid is the first column (headed in the exporting user's language).
    assert sorted(row[0] for row in table) == sorted(str(r.uid) for r in data["responses"])


def test_a_failed_background_export_says_why_and_offers_no_file(client, immediate_tasks):
    from wagtail_satisfaction.reports.tasks import run_export

    user = secretary()
    client.force_login(user)
    # The campaign was deleted after the export was asked for: the filters no longer hold.
    job = ExportJob.objects.create(user=user, format="csv", total=3,
                                   filters={"campaign": "999999", "kind": "responses"})
    with pytest.raises(ValueError):
        run_export.call(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error and not job.file
    with translation.override("en"):
        html = client.get(reverse("wagtail_satisfaction_reports:export_job", args=[job.pk]),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The export failed:" in html and '<meta http-equiv="refresh"' not in html
    assert client.get(reverse("wagtail_satisfaction_reports:export_job_download",
                              args=[job.pk])).status_code == 404


# --- Imports: all or nothing while storing ----------------------------------------------------

def test_an_import_that_fails_while_storing_a_row_stores_none_of_its_rows(settings):
    """Both rows pass the checks; storing the second hits the dossier's unique constraint, so
    the first row (already written in the transaction) is rolled back too."""
    import uuid

    from wagtail_satisfaction.imports import read_sheets
    from wagtail_satisfaction.reports.imports import import_responses

    data = build_hand_dataset()
    campaign = data["campaign"]
    respond(campaign, local(2025, 10, 3), {"1": 4, "2": 4, "3": 4}, dossier_code="HS-1",
            dossier_proven=True)
    header = ["uid", "submitted_at", "channel", "unit_code", "procedure_code", "officer",
              "dossier_code", "dossier_proven", "comment", "comment_state",
              "Q1", "Q2", "Q3", "QE1", "QE2"]
    rows = [[str(uuid.uuid4()), "2025-10-02 10:00", "paper", "phong-a", "", "", "HS-2", 1,
             "", "", 4, 4, 4, "", ""],
            [str(uuid.uuid4()), "2025-10-02 11:00", "paper", "phong-a", "", "", "hs-1", 1,
             "", "", 5, 5, 5, "", ""]]
    content = io.StringIO()
    csv.writer(content).writerows([header, *rows])
    count = Response.objects.count()
    with translation.override("en"):
        result = import_responses(campaign, read_sheets(content.getvalue().encode(),
                                                        "phong-a.csv"))
    assert not result.ok and result.stored == 0
    assert [line for line, _messages in result.errors] == [3]
    assert "Dossier HS-1 has already been rated" in " ".join(result.errors[0][1])
    assert Response.objects.count() == count
    assert not Response.objects.filter(dossier_code="HS-2").exists()


# --- Storing a response: every refusal ----------------------------------------------------

def test_an_upcoming_campaign_refuses_with_its_opening_date(english):
    import datetime

    from wagtail_satisfaction.services import CampaignNotOpen

    today = datetime.date.today()
    upcoming = make_campaign(opens_on=today + datetime.timedelta(days=3),
                             closes_on=today + datetime.timedelta(days=30))
    with pytest.raises(CampaignNotOpen) as refused:
        submit_response(upcoming, answers=full_answers(upcoming))
    assert refused.value.messages[0].startswith("This survey opens on ")
    assert Response.objects.count() == 0


def test_answers_outside_the_questionnaire_or_scale_are_each_named(campaign, english):
    from django.core.exceptions import ValidationError

    other = make_campaign(questionnaire=make_small_questionnaire(code="khac"))
    foreign = other.questionnaire.questions().first()
    answers = full_answers(campaign)
    first, second = list(campaign.questionnaire.questions())[:2]
    answers[first] = 9  # not on the 1–5 scale
    del answers[second]  # a required question left out
    answers[foreign] = 4
    with pytest.raises(ValidationError) as refused:
        submit_response(campaign, answers=answers)
    assert sorted(refused.value.messages) == sorted([
        f"9 is not a possible answer to question {first.code}.",
        f"Question {second.code} needs an answer.",
        f"Question {foreign.code} is not part of this questionnaire."])
    assert Response.objects.count() == 0


def test_a_database_error_that_is_not_a_duplicate_is_not_disguised_as_one(campaign,
                                                                         monkeypatch):
    from django.db import IntegrityError

    from wagtail_satisfaction import services

    def broken(*args, **kwargs):
        raise IntegrityError("disk full")

    # The last write of a submission (on PostgreSQL the rows before it are one statement).
    monkeypatch.setattr(services, "seal_response", broken)
    with pytest.raises(IntegrityError):
        submit_response(campaign, answers=full_answers(campaign), dossier_code="HS-3")
    assert Response.objects.count() == 0


