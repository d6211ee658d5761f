"""A visitor answers a survey on the website."""

import datetime
import re

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import form_data, make_campaign, make_officer, make_procedure
from wagtail_satisfaction.models import (
    Answer,
    AnswerTally,
    CampaignStatus,
    Comment,
    Response,
    ResponseTally,
    SurveyLayout,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(db):
    """These tests are of the one-page form (tests/test_survey_steps.py: the steps)."""
    return make_campaign(survey_layout=SurveyLayout.ONE_PAGE)


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def test_form_shows_a_fieldset_per_factor_with_labelled_radios(client, campaign):
    html = client.get(survey_url(campaign)).content.decode()
    assert html.count('class="satisfaction-factor"') == campaign.questionnaire.factors.count()
    question = campaign.questionnaire.questions().first()
    assert f'id="id_q_{question.pk}_0"' in html
    assert f'for="id_q_{question.pk}_0"' in html


def test_valid_submission_stores_response_answers_and_comment(client, campaign):
    campaign.dossier_code_check = "reference"  # a typed code kept as a free reference
    campaign.save()
    procedure = make_procedure(campaign.unit)
    officer = make_officer(campaign.unit)
    data = form_data(campaign, procedure=procedure.pk, officer=officer.pk,
                     dossier_code=" ab-123 ", email="dan@example.vn",
                     comment="Cán bộ hướng dẫn hồ sơ rất tận tình.")
    response = client.post(survey_url(campaign), data)
    # The thank-you page answers the POST itself (no redirect), carrying its own address,
    # which survey.js puts in the address bar so that a reload does not send again.
    thanks = reverse("wagtail_satisfaction:thanks", args=[campaign.slug])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="satisfaction-thanks"' in html and f'data-address="{thanks}"' in html
    assert "survey.js" in html
    reloaded = client.get(thanks).content.decode()
    assert 'class="satisfaction-thanks"' in reloaded and "data-address" not in reloaded
    stored = Response.objects.get()
    assert stored.channel == "website"
    assert stored.dossier_code == "AB-123" and not stored.dossier_proven
    assert stored.procedure == procedure and stored.officer == officer
    assert stored.answers.count() == campaign.questionnaire.questions().count()
    assert Comment.objects.get().text == "Cán bộ hướng dẫn hồ sơ rất tận tình."


def test_not_applicable_is_stored_as_null(client, campaign):
    client.post(survey_url(campaign), form_data(campaign, value="na"))
    satisfaction = Answer.objects.filter(question__scale="satisfaction5")
    assert satisfaction.count() == 19
    assert set(satisfaction.values_list("value", flat=True)) == {None}


def test_missing_answer_stores_nothing_and_keeps_the_rest(client, campaign):
    data = form_data(campaign, comment="Giữ lại ý kiến này")
    first = campaign.questionnaire.questions().first()
    del data[f"q_{first.pk}"]
    response = client.post(survey_url(campaign), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert Response.objects.count() == 0
    assert "Please choose an answer to this question." in html or "Vui lòng" in html
    assert "Giữ lại ý kiến này" in html
    second = campaign.questionnaire.questions()[1]
    radios = re.findall(rf'<input[^>]*name="q_{second.pk}"[^>]*>', html)
    assert [re.search(r'value="([^"]*)"', radio).group(1) for radio in radios
            if re.search(r"\bchecked\b", radio)] == ["4"]  # the answer given, and only it


@pytest.mark.parametrize("value", ["6", "0", "abc", "-1"])
def test_forged_value_is_refused(client, campaign, value):
    data = form_data(campaign)
    first = campaign.questionnaire.questions().first()
    data[f"q_{first.pk}"] = value
    response = client.post(survey_url(campaign), data)
    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_invalid_email_is_refused(client, campaign):
    response = client.post(survey_url(campaign), form_data(campaign, email="not-an-email"))
    assert response.status_code == 400
    assert Response.objects.count() == 0
    assert 'value="not-an-email"' in response.content.decode()


def test_unknown_campaign_is_404(client, campaign):
    response = client.post(reverse("wagtail_satisfaction:survey", args=["no-such"]),
                           form_data(campaign))
    assert response.status_code == 404
    assert Response.objects.count() == 0


def test_closed_campaign_says_so_and_refuses(client):
    today = datetime.date.today()
    closed = make_campaign(opens_on=today - datetime.timedelta(days=60),
                           closes_on=today - datetime.timedelta(days=1))
    page = client.get(survey_url(closed)).content.decode()
    assert "satisfaction-closed" in page
    response = client.post(survey_url(closed), form_data(closed))
    assert response.status_code == 403
    assert Response.objects.count() == 0


def test_a_campaign_is_upcoming_open_then_closed_by_its_local_dates(campaign):
    day = datetime.timedelta(days=1)
    assert campaign.status(campaign.opens_on - day) is CampaignStatus.UPCOMING
    assert campaign.status(campaign.opens_on) is CampaignStatus.OPEN
    assert campaign.status(campaign.closes_on) is CampaignStatus.OPEN
    closed = campaign.status(campaign.closes_on + day)
    assert closed is CampaignStatus.CLOSED and closed.is_closed and not closed.is_open
    assert closed == "closed"  # templates compare with the plain value


def test_honeypot_stores_nothing(client, campaign):
    response = client.post(survey_url(campaign), form_data(campaign, website="http://spam"))
    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_rate_limit(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(survey_url(campaign), form_data(campaign)).status_code == 200
    response = client.post(survey_url(campaign), form_data(campaign, comment="giữ nguyên"))
    assert response.status_code == 429
    assert Response.objects.count() == 2
    assert "giữ nguyên" in response.content.decode()


def test_csrf_is_enforced(campaign):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(survey_url(campaign), form_data(campaign))
    assert response.status_code == 403
    assert Response.objects.count() == 0


def test_visitor_sees_vietnamese_by_default(client, campaign):
    html = client.get(survey_url(campaign)).content.decode()
    assert ">Gửi</button>" in html
    assert "Rất hài lòng" in html and "Không áp dụng / không trả lời" in html
    data = form_data(campaign)
    del data[f"q_{campaign.questionnaire.questions().first().pk}"]
    html = client.post(survey_url(campaign), data).content.decode()
    assert "Vui lòng chọn một câu trả lời cho câu hỏi này." in html


def test_english_visitor_gets_english(client, campaign):
    html = client.get(survey_url(campaign), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Send</button>" in html


def test_procedure_of_another_unit_is_refused(client, campaign):
    from tests.factories import make_unit

    foreign = make_procedure(make_unit("Sở Xây dựng"))
    response = client.post(survey_url(campaign), form_data(campaign, procedure=foreign.pk))
    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_failure_while_storing_leaves_nothing_half_written(campaign, monkeypatch):
    from django.db import DatabaseError

    from tests.factories import full_answers
    from wagtail_satisfaction import services

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    # The seal is written last: failing there, everything written before it is undone.
    monkeypatch.setattr(services, "seal_response", broken)
    queued = DBTaskResult.objects.count()
    with pytest.raises(DatabaseError):
        services.submit_response(campaign, answers=full_answers(campaign), comment="x")
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0
    assert Comment.objects.count() == 0
    assert AnswerTally.objects.count() == ResponseTally.objects.count() == 0
    assert DBTaskResult.objects.count() == queued  # nor its sort task


def test_required_email_policy(client):
    campaign = make_campaign(email_policy="required", one_response_per_email=True)
    response = client.post(survey_url(campaign), form_data(campaign))
    assert response.status_code == 400
    assert client.post(survey_url(campaign),
                       form_data(campaign, email="Dan@Example.vn")).status_code == 200
    again = client.post(survey_url(campaign), form_data(campaign, email="dan@example.vn"))
    assert again.status_code == 409
    assert Response.objects.count() == 1
    assert Response.objects.get().email == "Dan@Example.vn"  # stored as typed


def test_corrected_mistakes_do_not_use_up_the_rate_limit(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    for _ in range(3):
        assert client.post(survey_url(campaign),
                           form_data(campaign, email="sai@")).status_code == 400
    assert client.post(survey_url(campaign), form_data(campaign)).status_code == 200
    assert client.post(survey_url(campaign), form_data(campaign)).status_code == 429
    assert Response.objects.count() == 1


def test_comment_title_never_shows_the_visitors_words(campaign):
    from tests.factories import full_answers
    from wagtail_satisfaction.services import submit_response

    stored = submit_response(campaign, answers=full_answers(campaign),
                             comment="Số điện thoại của tôi 0912345678")
    assert "0912345678" not in str(stored.comment)
