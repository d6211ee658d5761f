"""A database outage in the middle of a submission, in real Chromium, without JavaScript.

The live server runs in this process, so a test-only patch of the flow's store step makes
PostgreSQL (or SQLite) "unreachable" for that request, as a restart would.
"""

import re

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from tests.factories import make_campaign, make_officer, make_procedure
from wagtail_satisfaction.flow import SurveyFlow
from wagtail_satisfaction.models import Comment, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_script_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN",
                                  java_script_enabled=False,
                                  viewport={"width": 360, "height": 800})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_503_page_keeps_every_answer_to_send_again(no_script_page, monkeypatch):
    page = no_script_page
    # The one-page form (an outage at the steps' last step: tests/test_survey_steps.py).
    campaign = make_campaign(ask_dossier_code=False, survey_layout="one_page")
    procedure = make_procedure(campaign.unit, name="Cấp phép hoạt động")
    make_officer(campaign.unit, name="Trần Thị Hoa")
    page.goto(f"/khao-sat/{campaign.slug}/")
    page.select_option("select[name=procedure]", str(procedure.pk))
    chosen = {}
    for question in campaign.questionnaire.questions():
        value = str(sorted(question.spec.values)[-2 if len(question.spec.values) > 2 else 0])
        page.locator(f"label:has(input[name=q_{question.pk}][value='{value}'])").click()
        chosen[question.pk] = value
    page.fill("textarea[name=comment]", "Cán bộ hướng dẫn tận tình")

    def unreachable(self, form):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(SurveyFlow, "store", unreachable)
    page.get_by_role("button", name="Gửi").click()

    expect(page.get_by_role("alert")).to_contain_text("hệ thống đang tạm gián đoạn")
    for question_pk, value in chosen.items():
        expect(page.locator(f"input[name=q_{question_pk}][value='{value}']")).to_be_checked()
    expect(page.locator("select[name=procedure]")).to_have_value(str(procedure.pk))
    expect(page.locator("textarea[name=comment]")).to_have_value("Cán bộ hướng dẫn tận tình")
    assert Response.objects.count() == 0 and Comment.objects.count() == 0

    monkeypatch.undo()  # the database is back: the same page sends the same answers
    page.get_by_role("button", name="Gửi").click()
    # Without JavaScript the thank-you page stays at the address it answered.
    expect(page.get_by_role("status")).to_contain_text("Xin cảm ơn")
    expect(page).to_have_url(re.compile(rf"/khao-sat/{campaign.slug}/$"))
    stored = Response.objects.get()
    assert stored.procedure == procedure and stored.comment.text == "Cán bộ hướng dẫn tận tình"
    assert {a.question_id: str(a.value) for a in stored.answers.all()} == chosen
