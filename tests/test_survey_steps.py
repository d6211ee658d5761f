"""The survey in steps: one factor per step, "Tiếp tục" / "Quay lại" as plain form POSTs,
every answer kept, each step checked on its own, one response stored at the end."""

import html as htmllib
import re

import pytest
from django.core import signing
from django.urls import reverse

from tests.factories import form_data, make_campaign, make_user
from tests.test_visitor_pages import block_page
from wagtail_satisfaction import steps
from wagtail_satisfaction.models import (
    Answer,
    Campaign,
    Comment,
    KioskKey,
    Response,
    SurveyLayout,
)

pytestmark = pytest.mark.django_db


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def hidden(html, name):
    value = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html).group(1)
    return htmllib.unescape(value)


def shown_questions(html):
    """The question fields drawn on the page, in order."""
    return list(dict.fromkeys(re.findall(r'name="(q_\d+)"', html)))


def part(html):
    return re.findall(r'<span class="satisfaction-part">(.*?)</span>', html)


def checked(html, name):
    found = re.search(rf'name="{name}" value="([^"]+)"[^>]*checked', html)
    return found.group(1) if found else None


class Visitor:
    """A visitor without JavaScript: each press posts the form as drawn, plus what is typed."""

    def __init__(self, client, url):
        self.client, self.url = client, url
        self.response = client.get(url)
        assert self.response.status_code == 200

    @property
    def html(self):
        return self.response.content.decode()

    def drawn(self):
        """What the form as drawn sends: its checked choices and the values in its boxes."""
        html = self.html
        data = dict(re.findall(r'<input type="radio" name="([^"]+)" value="([^"]+)"[^>]*checked',
                               html))
        data |= {name: htmllib.unescape(value) for name, value in re.findall(
            r'<input type="(?:text|email)" name="([^"]+)" value="([^"]*)"', html)}
        data |= {name: htmllib.unescape(value.strip("\n")) for name, value in re.findall(
            r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S)}
        return data

    def press(self, move, answers=None, **extra):
        data = {**self.drawn(), "satisfaction_key": hidden(self.html, "satisfaction_key"),
                "satisfaction_steps": hidden(self.html, "satisfaction_steps"),
                "satisfaction_move": move, **(answers or {}), **extra}
        block = re.search(r'name="satisfaction_block" value="(\d+)"', self.html)
        if block:
            data["satisfaction_block"] = block.group(1)
        self.response = self.client.post(self.url, data)
        return self.response

    def answer_step(self, value="4", skip=(), **extra):
        """The step's questions answered with ``value`` (those in ``skip`` left empty)."""
        everything = self.all_answers(value)
        return {name: everything[name] for name in shown_questions(self.html)
                if name not in skip} | extra

    def all_answers(self, value="4"):
        campaign = Campaign.objects.get(slug=self.campaign_slug)
        return form_data(campaign, value)

    campaign_slug = None


def visitor(client, campaign, url=None):
    person = Visitor(client, url or survey_url(campaign))
    person.campaign_slug = campaign.slug
    return person


@pytest.fixture
def campaign(db):
    return make_campaign(email_policy="optional")


def factor_count(campaign):
    return len({question.factor_id for question in campaign.questionnaire.question_list()})


def test_a_new_campaign_asks_one_factor_per_step_and_shows_where_the_visitor_is(client,
                                                                              campaign):
    assert campaign.survey_layout == SurveyLayout.STEPS  # the default: it suits phones
    total = factor_count(campaign)
    person = visitor(client, campaign)
    html = person.html
    assert part(html) == [f"Phần 1/{total}"]
    assert re.search(rf'<progress value="1" max="{total}" aria-label="Tiến độ: phần 1/{total}"',
                     html)
    first = campaign.questionnaire.question_list()[0]
    assert shown_questions(html)[0] == f"q_{first.pk}"
    assert all(question.factor_id == first.factor_id for question in
               campaign.questionnaire.question_list() if f"q_{question.pk}" in html)
    assert ">Tiếp tục</button>" in html and "Quay lại" not in html and ">Gửi</button>" not in html
    assert 'name="email"' in html  # the questions about the dossier come first
    assert 'name="comment"' not in html  # and the comment last
    assert f'action="{survey_url(campaign)}#survey-{campaign.slug}"' in html
    assert hidden(html, "satisfaction_steps") == ""  # nothing answered, nothing carried


def test_continue_and_back_keep_every_answer_and_the_last_step_stores_one_response(client,
                                                                                 campaign):
    total = factor_count(campaign)
    person = visitor(client, campaign)
    typed = {}
    # Forward through every step, each answered with its own value.
    for number in range(1, total):
        answers = person.answer_step(value=str(1 + number % 5))
        if number == 1:
            answers["email"] = "nguoidan@example.com"
        typed.update(answers)
        assert person.press("next", answers).status_code == 200
        assert part(person.html) == [f"Phần {number + 1}/{total}"]
        assert ">Quay lại</button>" in person.html
    assert ">Gửi</button>" in person.html and 'name="comment"' in person.html
    last = person.answer_step(value="5", comment="Cán bộ tận tình")
    typed.update(last)
    # Back to the first step: what was typed on the last step and on the first is kept.
    for number in range(total - 1, 0, -1):
        assert person.press("back", last if number == total - 1 else {}).status_code == 200
        assert part(person.html) == [f"Phần {number}/{total}"]
        for name in shown_questions(person.html):
            assert checked(person.html, name) == typed[name]
    assert 'value="nguoidan@example.com"' in person.html
    assert Response.objects.count() == 0  # nothing stored before the last step
    # Forward again, sending each step as drawn: every answer comes back on its step.
    for number in range(1, total):
        drawn = {name: checked(person.html, name) for name in shown_questions(person.html)}
        assert drawn == {name: typed[name] for name in drawn}
        if number == 1:
            drawn["email"] = "nguoidan@example.com"
        person.press("next", drawn)
    assert 'Cán bộ tận tình' in person.html
    assert person.press("send", last).status_code == 200
    assert 'class="satisfaction-thanks"' in person.html
    response = Response.objects.get()
    assert response.email == "nguoidan@example.com"
    stored = {f"q_{answer.question_id}": answer.value for answer in
              Answer.objects.filter(response=response)}
    assert stored == {name: (None if value == "na" else int(value))
                      for name, value in typed.items() if name.startswith("q_")}
    assert Comment.objects.get(response=response).text == "Cán bộ tận tình"
    # A reload of the thanks sends the last step again: thanked, nothing stored twice.
    person.response = client.post(person.url, person.response.wsgi_request.POST)
    assert 'class="satisfaction-thanks"' in person.html
    assert Response.objects.count() == 1


def test_continue_checks_only_the_step_shown_and_shows_its_errors_there_keeping_what_was_typed(
        client, campaign):
    total = factor_count(campaign)
    person = visitor(client, campaign)
    person.press("next", person.answer_step())
    second = shown_questions(person.html)
    answers = person.answer_step(value="2", skip=(second[0],))
    response = person.press("next", answers)
    html = person.html
    assert response.status_code == 400
    assert part(html) == [f"Phần 2/{total}"]  # still the step with the mistake
    assert "Một số câu trả lời chưa hợp lệ. Vui lòng kiểm tra các câu được đánh dấu" in html
    summary = re.search(r'id="satisfaction-errors".*?</div>', html, re.S).group(0)
    # Only the step's own missing answer: the later steps, still empty, are not reported.
    assert re.findall(r'href="#id_(q_\d+)"', summary) == [second[0]]
    assert "Vui lòng chọn một câu trả lời cho câu hỏi này." in html
    for name in second[1:]:
        assert checked(html, name) == "2"
    assert Response.objects.count() == 0
    # Corrected, it goes on to the next step.
    assert person.press("next", answers | {second[0]: "3"}).status_code == 200
    assert part(person.html) == [f"Phần 3/{total}"]


def test_back_checks_nothing(client, campaign):
    person = visitor(client, campaign)
    person.press("next", person.answer_step())
    assert person.press("back", {}).status_code == 200  # the second step left empty
    assert part(person.html)[0].startswith("Phần 1/")
    assert "satisfaction-errors" not in person.html


def test_an_invalid_email_is_shown_on_the_first_step_in_vietnamese(client, campaign):
    person = visitor(client, campaign)
    assert person.press("next", person.answer_step(email="nguoidan@")).status_code == 400
    assert part(person.html)[0].startswith("Phần 1/")
    assert "Địa chỉ email không hợp lệ" in person.html
    assert 'value="nguoidan@"' in person.html


def walk_to_last_step(person, total):
    for _number in range(1, total):
        person.press("next", person.answer_step())


@pytest.mark.parametrize("change", ["altered", "other form", "other campaign", "garbage"])
def test_altered_answers_of_the_other_steps_are_refused_and_nothing_is_stored(client, campaign,
                                                                              change):
    total = factor_count(campaign)
    person = visitor(client, campaign)
    walk_to_last_step(person, total)
    token = hidden(person.html, "satisfaction_steps")
    key = hidden(person.html, "satisfaction_key")
    state = signing.loads(token, salt=steps.SALT)
    if change == "altered":  # an answer changed in the token, re-signed by someone else
        state["d"][next(iter(state["d"]))] = "1"
        token = signing.dumps(state, salt=steps.SALT, key="not-the-site-key", compress=True)
    elif change == "other form":
        token = steps.dumps(campaign, "another-form-key-1234", state["s"], state["d"])
    elif change == "other campaign":
        other = make_campaign()
        token = steps.dumps(other, key, state["s"], state["d"])
    else:
        token = token[:-3] + "xyz"
    response = client.post(person.url, {
        "satisfaction_key": key, "satisfaction_steps": token, "satisfaction_move": "send",
        **person.answer_step(), "comment": "Không lưu"})
    html = response.content.decode()
    assert response.status_code == 400
    assert ("Không đọc được câu trả lời của các phần trước: trang đã bị thay đổi hoặc thuộc về "
            "một phiếu khảo sát khác. Chưa có gì được ghi nhận") in html
    assert part(html)[0].startswith("Phần 1/")  # from the first part again
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_a_refusal_at_the_last_step_is_shown_on_the_step_that_asks_it(client):
    campaign = make_campaign(email_policy="optional", one_response_per_email=True)
    client.post(survey_url(campaign), form_data(campaign, email="nguoidan@example.com"))
    assert Response.objects.count() == 1
    total = factor_count(campaign)
    person = visitor(client, campaign)
    person.press("next", person.answer_step(value="2", email="nguoidan@example.com"))
    walk_to_last_step(person, total - 1)
    assert person.press("send", person.answer_step()).status_code == 409
    assert part(person.html)[0].startswith("Phần 1/")
    assert "Email này đã gửi phiếu trong cuộc khảo sát này." in person.html
    assert checked(person.html, shown_questions(person.html)[0]) == "2"  # kept
    # Another address typed on the first step, and on through the steps to send again.
    person.press("next", {name: "2" for name in shown_questions(person.html)}
                 | {"email": "khac@example.com"})
    walk_to_last_step(person, total - 1)
    assert person.press("send", person.answer_step()).status_code == 200
    assert Response.objects.count() == 2


def test_the_steps_take_no_slot_of_the_rate_limit(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    total = factor_count(campaign)
    person = visitor(client, campaign)
    walk_to_last_step(person, total)
    person.press("back", person.answer_step())
    walk_to_last_step(person, 2)
    assert person.press("send", person.answer_step()).status_code == 200
    assert Response.objects.count() == 1


def test_all_answers_in_one_post_are_accepted_in_steps_too(client, campaign):
    # What benchmarks/submit.py and older pages send: no step token, every answer.
    response = client.post(survey_url(campaign), form_data(campaign, comment="Một lần"))
    assert response.status_code == 200
    assert 'class="satisfaction-thanks"' in response.content.decode()
    assert Response.objects.count() == 1
    # Missing answers in such a post: the first step with a mistake, nothing stored.
    data = form_data(campaign)
    last = [question for question in campaign.questionnaire.question_list()
            if question.required][-1]
    del data[f"q_{last.pk}"]
    response = client.post(survey_url(campaign), data)
    assert response.status_code == 400
    assert f'id="id_q_{last.pk}"' in response.content.decode()  # its step is shown
    assert Response.objects.count() == 1


def test_the_one_page_layout_stays_one_page(client):
    campaign = make_campaign(survey_layout=SurveyLayout.ONE_PAGE)
    html = client.get(survey_url(campaign)).content.decode()
    assert len(part(html)) == factor_count(campaign)
    assert "satisfaction_steps" not in html and "Tiếp tục" not in html


def test_a_survey_block_keeps_its_steps_on_the_page_that_holds_it(client, campaign):
    page = block_page(campaign)
    total = factor_count(campaign)
    person = visitor(client, campaign, url=page.url)
    assert f'action="{page.url}#survey-{campaign.slug}"' in person.html
    person.press("next", person.answer_step())
    assert "<h1>Tin tức của Sở</h1>" in person.html and "Thông báo lịch tiếp dân." in person.html
    assert part(person.html) == [f"Phần 2/{total}"]
    response = person.press("next", {})
    assert response.status_code == 400 and "<h1>Tin tức của Sở</h1>" in person.html
    walk_to_last_step(person, total - 1)
    assert person.press("send", person.answer_step()).status_code == 200
    assert Response.objects.count() == 1


def test_the_kiosk_stays_one_page_whatever_the_campaign(client, campaign):
    unit = campaign.unit
    kiosk = KioskKey.objects.create(campaign=campaign, unit=unit, name="Quầy 1")
    html = client.get(kiosk.get_absolute_url()).content.decode()
    assert len(part(html)) == factor_count(campaign)
    assert "satisfaction_steps" not in html


def test_editors_choose_the_layout_in_vietnamese(client, campaign):
    user = make_user("bientap", is_superuser=True)
    client.force_login(user)
    html = client.get(reverse("wagtailsnippets_wagtail_satisfaction_campaign:edit",
                              args=[campaign.pk])).content.decode()
    assert re.search(r"[Cc]ách trình bày phiếu khảo sát", html)
    assert "Mỗi bước một phần, có nút Tiếp tục và Quay lại (hợp với điện thoại)" in html
    assert "Tất cả câu hỏi trên một trang" in html


def test_a_dossier_rating_in_steps_stores_one_rating_of_that_dossier(client):
    from tests.channels_factories import dossier_setup
    from wagtail_satisfaction.channels import dossiers

    campaign, dossier = dossier_setup()
    total = factor_count(campaign)
    person = visitor(client, campaign, url=dossiers.rating_path(dossier))
    assert part(person.html) == [f"Phần 1/{total}"] and dossier.code in person.html
    assert 'name="procedure"' not in person.html  # fixed by the dossier, not asked
    walk_to_last_step(person, total)
    assert person.press("send", person.answer_step()).status_code == 200
    response = Response.objects.get()
    assert response.dossier_code == dossier.code and response.officer == dossier.officer
    assert response.answers.count() == len(campaign.questionnaire.question_list())


def test_an_outage_at_the_last_step_keeps_every_answer_to_send_again(client, campaign,
                                                                     monkeypatch):
    from django.db import OperationalError

    from wagtail_satisfaction.flow import SurveyFlow

    def down(self, form):
        raise OperationalError("server closed the connection unexpectedly")

    total = factor_count(campaign)
    person = visitor(client, campaign)
    walk_to_last_step(person, total)
    monkeypatch.setattr(SurveyFlow, "store", down)
    assert person.press("send", person.answer_step(), comment="Chờ lâu quá").status_code == 503
    assert part(person.html) == [f"Phần {total}/{total}"]
    assert "Chờ lâu quá</textarea>" in person.html
    assert Response.objects.count() == 0
    monkeypatch.undo()  # the database is back: the page as drawn is sent again
    assert person.press("send").status_code == 200
    assert Response.objects.get().answers.count() == len(campaign.questionnaire.question_list())
