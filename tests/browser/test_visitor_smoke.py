"""A visitor answers the survey in real Chromium, using the keyboard for part of it."""

import pytest

from tests.factories import make_campaign
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_answers_with_mouse_and_keyboard_and_sees_thanks(page):
    campaign = make_campaign(title="Khảo sát thử")
    page.goto(f"/khao-sat/{campaign.slug}/")
    questions = list(campaign.questionnaire.question_list())
    # First question by keyboard: focus its first radio, arrow right to "2" ... select "5".
    first = questions[0]
    page.focus(f"#id_q_{first.pk}_0")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    for question in questions[1:]:
        values = [v for v, _label in question.choices()]
        wanted = "4" if "4" in values else values[0]
        if not page.locator(f"input[name=q_{question.pk}]").count():  # on the next step
            page.click("button.satisfaction-next")
        page.check(f"input[name=q_{question.pk}][value='{wanted}']")
    page.fill("#id_comment", "Cán bộ một cửa hướng dẫn tận tình")
    page.click("button.satisfaction-submit")
    page.wait_for_url(f"**/khao-sat/{campaign.slug}/cam-on/")
    assert "Xin cảm ơn" in page.text_content("h1")
    stored = Response.objects.get()
    assert stored.answers.get(question=first).value == 5
    assert stored.answers.count() == len(questions)


def test_error_keeps_answers_in_the_browser(page):
    campaign = make_campaign(survey_layout="one_page")  # steps: test_survey_steps.py
    page.goto(f"/khao-sat/{campaign.slug}/")
    questions = list(campaign.questionnaire.questions())
    page.check(f"input[name=q_{questions[1].pk}][value='3']")
    page.fill("#id_comment", "Giữ nguyên nội dung")
    page.click("button.satisfaction-submit")
    assert page.is_visible("#satisfaction-errors")
    assert page.is_checked(f"input[name=q_{questions[1].pk}][value='3']")
    assert page.input_value("#id_comment") == "Giữ nguyên nội dung"
    assert Response.objects.count() == 0
