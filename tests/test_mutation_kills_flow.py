"""The one survey flow (flow.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): a survey that closes while a visitor fills it in."""

import datetime
import re

import pytest
from django.core.cache import cache

from tests.factories import form_data
from tests.test_survey_flow import survey_address
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("where", ["website", "survey block", "survey page", "kiosk"])
def test_a_survey_that_closed_while_its_form_was_open_refuses_with_its_closing_date(
        client, where):
    """The form was drawn while the survey was open; it closed yesterday before the answers
    were sent: every place answers 403 with the date it closed, and stores nothing."""
    campaign, address = survey_address(client, where)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    campaign.closes_on = yesterday
    campaign.save()
    cache.clear()  # the survey cache's copy of the campaign has expired
    refused = client.post(address, form_data(campaign))
    html = refused.content.decode()
    assert refused.status_code == 403
    assert f"This survey closed on {yesterday:%d/%m/%Y}. Thank you for your interest." in html
    assert Response.objects.count() == 0


def typed_code_refusal(client, campaign, code, secret):
    """(status, {field: its error message}) of the website form sent with a typed dossier
    code and secret code."""
    import re

    from django.urls import reverse

    page = client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
                       form_data(campaign, dossier_code=code, dossier_secret=secret))
    html = page.content.decode()
    return page.status_code, dict(re.findall(
        r'class="satisfaction-field-error" id="id_(dossier_code|dossier_secret)_error">'
        r"([^<]*)<", html))


def test_each_refusal_of_a_typed_dossier_code_is_shown_on_the_field_to_correct(
        client, settings):
    """The website form asking the dossier's two codes: a wrong secret code is shown on the
    secret code's field; a dossier that cannot be rated here, on the dossier code's field;
    with the status of the code + secret page (409 already rated, 429 too many attempts)."""
    from django.utils.html import escape

    from tests.channels_factories import dossier_setup, make_dossier
    from tests.factories import full_answers, make_campaign, make_unit
    from wagtail_satisfaction.services import submit_response

    campaign, dossier = dossier_setup()
    code, secret = dossier.code, dossier.secret_code
    assert typed_code_refusal(client, campaign, code, "SAI23456") == (400, {
        "dossier_secret": "The dossier code and secret code do not match. Please check both "
                          "codes on your receipt and try again."})
    waiting = make_dossier(campaign.unit, returned=False, code="HS-CHO")
    assert typed_code_refusal(client, campaign, "HS-CHO", waiting.secret_code) == (400, {
        "dossier_code": "Dossier HS-CHO cannot be rated yet: you can rate it once its result "
                        "has been returned to you."})
    elsewhere = make_dossier(make_unit("Nơi chưa khảo sát"), code="HS-NOI")
    assert typed_code_refusal(client, campaign, "HS-NOI", elsewhere.secret_code) == (400, {
        "dossier_code": "No survey is open for dossier HS-NOI at the moment."})
    other = make_campaign(title="Khảo sát khác")
    assert typed_code_refusal(client, other, code, secret) == (400, {
        "dossier_code": escape(f"Dossier {code} is rated in another survey: {campaign.title}.")})
    submit_response(campaign, answers=full_answers(campaign), dossier_code=code,
                    dossier_proven=True)
    assert typed_code_refusal(client, campaign, code, secret) == (409, {
        "dossier_code": escape(f"Dossier {code} has already been rated. Each dossier can be "
                               "rated only once; thank you.")})
    settings.WAGTAIL_SATISFACTION_DOSSIER_CODE_ATTEMPTS = 1
    assert typed_code_refusal(client, campaign, code, secret) == (429, {
        "dossier_code": "Too many attempts for this dossier code or from your connection. "
                        "Please wait a few minutes and try again."})


def test_the_thanks_carry_the_campaigns_own_words_for_visitors_and_signed_in_editors(client):
    from django.urls import reverse

    from tests.factories import make_campaign, make_user

    campaign = make_campaign(thank_you="Cảm ơn ông/bà đã góp ý cho Sở.")
    address = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    visitor = client.post(address, form_data(campaign))
    assert visitor.status_code == 200
    assert "Cảm ơn ông/bà đã góp ý cho Sở." in visitor.content.decode()
    client.force_login(make_user("bien_tap_vien"))
    editor = client.post(address, form_data(campaign))
    assert editor.status_code == 200
    assert "Cảm ơn ông/bà đã góp ý cho Sở." in editor.content.decode()
    assert Response.objects.count() == 2


def test_the_thanks_follow_each_visitors_language(client):
    """The thank-you page is drawn once per campaign, language and host: a Vietnamese
    visitor's page is never shown to the next, English, visitor."""
    from django.urls import reverse

    from tests.factories import make_campaign

    campaign = make_campaign()
    address = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    first = client.post(address, form_data(campaign), HTTP_ACCEPT_LANGUAGE="vi")
    assert "<h1>Xin cảm ơn</h1>" in first.content.decode()
    second = client.post(address, form_data(campaign), HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Thank you</h1>" in second.content.decode()
    assert Response.objects.count() == 2


def test_the_preview_of_an_unsaved_survey_page_posts_its_form_where_it_is_shown(rf):
    """An editor previewing a survey page not saved yet (it has no address): the form in the
    preview posts back to the preview itself, not to a made-up address."""
    import re

    from tests.factories import make_campaign
    from wagtail_satisfaction.models import SurveyPage

    campaign = make_campaign()
    page = SurveyPage(title="Đánh giá thử", slug="danh-gia-thu", campaign=campaign)
    request = rf.get("/admin/pages/add/preview/")
    preview = page.serve_preview(request, "")
    preview.render()
    html = preview.content.decode()
    assert "<h1>Đánh giá thử</h1>" in html
    # The same document, at the survey (the survey is drawn in steps).
    assert re.findall(r'<form method="post" action="([^"]*)"', html) == [
        f"#survey-{campaign.slug}"]


@pytest.mark.parametrize("refusal", ["honeypot", "rate limit"])
def test_a_refused_form_comes_back_with_its_answers_message_and_a_token_to_send_again(
        client, settings, refusal):
    """Refused by the honeypot or the rate limit, the visitor gets the form back where it
    posts to, with every answer and comment given, the reason, and a CSRF token to send
    it again."""
    import re

    from django.urls import reverse

    from tests.factories import make_campaign
    from wagtail_satisfaction.flow import BOT_MESSAGE, RATE_LIMITED_MESSAGE

    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    campaign = make_campaign(survey_layout="one_page")  # every radio on the page
    address = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    data = form_data(campaign, value="2", comment="Giữ lại ý kiến này")
    if refusal == "honeypot":
        page = client.post(address, {**data, "website": "http://spam"})
        status, message = 400, BOT_MESSAGE
    else:
        assert client.post(address, form_data(campaign)).status_code == 200
        page = client.post(address, data)
        status, message = 429, RATE_LIMITED_MESSAGE
    html = page.content.decode()
    assert page.status_code == status and str(message) in html
    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', html)
    assert re.findall(r'<form method="post" action="([^"#]*)', html) == [address]
    kept = {re.search(r'name="([^"]+)"', radio).group(1):
            re.search(r'value="([^"]*)"', radio).group(1)
            for radio in re.findall(r'<input[^>]*type="radio"[^>]*>', html)
            if re.search(r"\bchecked\b", radio)}
    assert kept == {name: value for name, value in data.items() if name.startswith("q_")}
    assert "Giữ lại ý kiến này" in html
    assert Response.objects.count() == (0 if refusal == "honeypot" else 1)


def csrf_token_of(html):
    found = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html)
    return found.group(1) if found else None


def summary_of(html):
    """The message at the top of a refused form (the error summary), or None."""
    found = re.search(r'id="satisfaction-errors">\s*<p>([^<]*)</p>', html)
    return found.group(1) if found else None


def test_a_refused_dossier_code_or_email_comes_back_with_its_reason_on_top_and_a_token(
        client):
    """A typed secret code that does not match, and an email that already answered: the form
    comes back with the reason at the top, the reason on the field to correct, and a CSRF
    token so that the corrected form can be sent."""
    from django.urls import reverse
    from django.utils.html import escape

    from tests.channels_factories import dossier_setup
    from tests.factories import make_campaign

    campaign, dossier = dossier_setup()
    page = client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
                       form_data(campaign, dossier_code=dossier.code, dossier_secret="SAI23456"))
    html = page.content.decode()
    wrong = ("The dossier code and secret code do not match. Please check both codes on your "
             "receipt and try again.")
    assert page.status_code == 400 and summary_of(html) == wrong
    assert csrf_token_of(html)

    campaign = make_campaign(one_response_per_email=True, survey_layout="one_page")
    address = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    assert client.post(address, form_data(campaign, email="dan@example.vn")).status_code == 200
    page = client.post(address, form_data(campaign, email="dan@example.vn"))
    html = page.content.decode()
    assert page.status_code == 409
    reason = re.search(r'id="id_email_error">([^<]*)<', html).group(1)
    assert "already" in reason and summary_of(html) == reason
    assert csrf_token_of(html)
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert escape("dan@example.vn") in html  # the address typed, kept to correct


def test_back_in_a_survey_in_steps_draws_the_step_before_with_a_token(client):
    """"Back" draws the earlier step with the answers kept and a CSRF token, so that the
    visitor can go on."""
    from tests.factories import make_campaign
    from tests.test_survey_steps import part, visitor

    campaign = make_campaign(email_policy="optional")
    person = visitor(client, campaign)
    assert person.press("next", person.answer_step()).status_code == 200
    assert part(person.html)[0].startswith("Part 2 of")
    back = person.press("back", {})
    html = back.content.decode()
    assert back.status_code == 200 and part(html)[0].startswith("Part 1 of")
    assert csrf_token_of(html)


# --- The outage (the database cannot be reached) ----------------------------------------------

def down_when_drawing_the_form(monkeypatch):
    from django.db import InterfaceError

    from wagtail_satisfaction.flow import SurveyFlow

    def down(self, data=None):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(SurveyFlow, "get_form", down)


def test_an_outage_with_the_form_drawn_asks_to_retry_in_30_seconds_with_a_token(
        client, monkeypatch):
    from django.db import OperationalError
    from django.urls import reverse

    from tests.factories import make_campaign
    from wagtail_satisfaction.flow import SurveyFlow

    def down(self, form):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SurveyFlow, "store", down)
    campaign = make_campaign(survey_layout="one_page")
    page = client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
                       form_data(campaign))
    html = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "Nothing was recorded" in summary_of(html)
    assert csrf_token_of(html)


def test_an_outage_that_cannot_draw_the_form_shows_the_sites_own_page_with_the_survey_title(
        client, monkeypatch):
    """The example site's own 503 page (its header), headed by the survey's title, the
    answers kept as hidden fields, and "retry in 30 seconds"."""
    from django.urls import reverse

    from tests.factories import make_campaign

    down_when_drawing_the_form(monkeypatch)
    campaign = make_campaign(title="Khảo sát mất điện")
    data = form_data(campaign, value="5")
    page = client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]), data)
    html = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "<strong>Sở Khoa học và Công nghệ</strong>" in html  # the site's layout
    assert "<h1>Khảo sát mất điện</h1>" in html
    for name, value in data.items():
        assert f'type="hidden" name="{name}" value="{value}"' in html


def test_an_outage_before_the_survey_is_found_shows_the_general_heading(client, monkeypatch):
    from django.db import OperationalError
    from django.urls import reverse

    from tests.factories import make_campaign
    from wagtail_satisfaction.models import Campaign

    campaign = make_campaign(title="Khảo sát chưa tìm thấy")

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Campaign.objects, "select_related", down)
    page = client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
                       form_data(campaign))
    html = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "<h1>Dịch vụ tạm gián đoạn</h1>" in html
    assert "Khảo sát chưa tìm thấy" not in html


def test_a_site_without_its_own_503_page_gets_the_apps_outage_page(client, monkeypatch,
                                                                    settings):
    """A site that has no 503.html template: the app's own outage page, in the site's
    language, headed by the survey's title, with the answers to send again."""
    from django.urls import reverse

    from tests.factories import make_campaign

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]
    down_when_drawing_the_form(monkeypatch)
    campaign = make_campaign(title="Khảo sát không có trang 503")
    data = form_data(campaign, value="4")
    page = client.post(reverse("wagtail_satisfaction:survey", args=[campaign.slug]), data)
    html = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "Sở Khoa học và Công nghệ" not in html
    assert "<h1>Khảo sát không có trang 503</h1>" in html
    assert "Send again" in html
    for name, value in data.items():
        assert f'type="hidden" name="{name}" value="{value}"' in html


def test_continue_and_back_in_a_survey_block_answer_200_ok(client):
    """A survey block in steps, on the page that holds it: each "Continue" and "Back" is an
    ordinary page (200 OK), like the survey's own page."""
    from tests.factories import make_campaign
    from tests.test_survey_steps import part, visitor
    from tests.test_visitor_pages import block_page

    campaign = make_campaign(email_policy="optional")
    person = visitor(client, campaign, url=block_page(campaign).url)
    forward = person.press("next", person.answer_step())
    assert forward.status_code == 200 and part(person.html)[0].startswith("Part 2 of")
    back = person.press("back", {})
    assert back.status_code == 200 and part(person.html)[0].startswith("Part 1 of")


def test_a_flow_given_an_option_it_does_not_have_says_which(db):
    """A site configuring a survey flow with a misspelt option is told the flow's class and
    the option's name (a configuration error, not a silently ignored setting)."""
    from tests.factories import make_campaign
    from wagtail_satisfaction.flow import SurveyFlow

    campaign = make_campaign()
    with pytest.raises(TypeError) as error:
        SurveyFlow(campaign, tempate_name="x.html")
    assert str(error.value) == "SurveyFlow has no parameter 'tempate_name'"
    assert SurveyFlow(campaign, template_name="x.html").get_template(None) == "x.html"

    class KioskLike(SurveyFlow):
        pass

    with pytest.raises(TypeError) as error:
        KioskLike(campaign, rate_limit=False)
    assert str(error.value) == "KioskLike has no parameter 'rate_limit'"
