"""The survey in steps on a 390 px phone with JavaScript off, in real Chromium: one factor per
step, "Phần n/7" and a bar, a mistake shown on its step, "Quay lại" losing nothing, one
response stored at the end, and never a horizontal scroll."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_public_pages import HIT, OVERFLOW
from tests.browser.test_survey_flow import snap
from wagtail_satisfaction.models import Campaign, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIPAS_SLUG = "hai-long-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("load_initial_data", responses=6, stdout=open("/dev/null", "w"))  # noqa: SIM115
    campaign = Campaign.objects.get(slug=SIPAS_SLUG)
    assert campaign.survey_layout == "steps"  # the demo shows the default
    return campaign


def factor_groups(campaign):
    groups = []
    for question in campaign.questionnaire.question_list():
        if not groups or groups[-1][0].factor_id != question.factor_id:
            groups.append([])
        groups[-1].append(question)
    return groups


def value_for(question, index):
    values = sorted(question.spec.values)
    return str(values[index % len(values)])


def fits(page):
    layout = page.evaluate(OVERFLOW)
    assert layout["scrollWidth"] <= layout["width"], layout


def test_a_phone_without_javascript_walks_the_steps_back_and_forth_and_sends(browser,
                                                                           live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    try:
        groups = factor_groups(demo)
        total = len(groups)
        assert total == 7
        before = Response.objects.filter(campaign=demo).count()
        page.goto("/khao-sat-hai-long/")
        chosen = {}

        def answer(questions, offset=0):
            for index, question in enumerate(questions):
                value = value_for(question, index + offset)
                page.locator(f"label:has(> input[name=q_{question.pk}][value='{value}'])").click()
                chosen[question.pk] = int(value)

        def on_step(number):
            expect(page.locator("legend .satisfaction-part")).to_have_text(
                f"Phần {number}/{total}")
            expect(page.locator(".satisfaction-step-progress progress")).to_have_attribute(
                "value", str(number))
            fits(page)

        for number, questions in enumerate(groups, start=1):
            on_step(number)
            if number == 2:
                # A question left out: shown on this step, the other answers kept.
                answer(questions[:-1], offset=number)
                page.get_by_role("button", name="Tiếp tục").click()
                on_step(2)
                summary = page.locator("#satisfaction-errors")
                expect(summary).to_be_visible()
                expect(summary.locator("li")).to_have_count(1)
                expect(page.locator(f"input[name=q_{questions[0].pk}]:checked")).to_have_value(
                    str(chosen[questions[0].pk]))
                answer(questions[-1:], offset=number + len(questions) - 1)
            elif number == 3:
                answer(questions, offset=number)
                # Back, then on again: the answers of both steps are still there.
                page.get_by_role("button", name="Quay lại").click()
                on_step(2)
                for question in groups[1]:
                    expect(page.locator(f"input[name=q_{question.pk}]:checked")).to_have_value(
                        str(chosen[question.pk]))
                page.get_by_role("button", name="Tiếp tục").click()
                on_step(3)
                snap(page, "demo-survey-steps-phone.png")
                for question in questions:
                    expect(page.locator(f"input[name=q_{question.pk}]:checked")).to_have_value(
                        str(chosen[question.pk]))
            else:
                answer(questions, offset=number)
            if number < total:
                page.get_by_role("button", name="Tiếp tục").click()
        page.fill("textarea[name=comment]", "Tra loi tung phan tren dien thoai")
        send = page.get_by_role("button", name="Gửi")
        send.scroll_into_view_if_needed()
        hit = send.evaluate(HIT)
        assert hit["hit"] and hit["height"] >= 44, hit
        back = page.get_by_role("button", name="Quay lại")
        assert back.bounding_box()["y"] == pytest.approx(send.bounding_box()["y"], abs=1)
        fits(page)
        send.click()
        expect(page.get_by_role("status")).to_contain_text("Cảm ơn")
        assert Response.objects.filter(campaign=demo).count() == before + 1
        stored = Response.objects.get(campaign=demo,
                                      comment__text="Tra loi tung phan tren dien thoai")
        assert {a.question_id: a.value for a in stored.answers.all()} == chosen
        assert len(chosen) == sum(len(questions) for questions in groups)
    finally:
        context.close()
