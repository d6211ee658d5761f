"""The demo's two promised flows, in real Chromium.

A visitor follows the banner from the home page, answers the survey (with the mouse and the
keyboard), and the admin then sees the response with every answer; an editor places the
survey block on a page in the Wagtail editor, publishes it, and the survey works there.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login
from wagtail_satisfaction.models import Campaign, Officer, Procedure, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def snap(target, name, **kwargs):
    """Refresh the README's screenshots only when asked (SATISFACTION_SCREENSHOTS=1)."""
    if os.environ.get("SATISFACTION_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(SCREENSHOTS / name), **kwargs)
SIPAS_SLUG = "hai-long-2026"


@pytest.fixture
def demo(transactional_db):
    """The demo site with few synthetic responses, so the set-up stays quick."""
    call_command("load_initial_data", responses=6, stdout=open("/dev/null", "w"))  # noqa: SIM115
    # The visitors below type a dossier code on the website form: a campaign that records it
    # as a free reference (the code + secret mode has its own tests). They answer the
    # one-page form; tests/browser/test_survey_steps.py walks the steps (the default).
    Campaign.objects.filter(slug=SIPAS_SLUG).update(dossier_code_check="reference",
                                                    survey_layout="one_page")
    return Campaign.objects.get(slug=SIPAS_SLUG)


def question_inputs(campaign):
    return [(question, f"q_{question.pk}") for question in
            campaign.questionnaire.questions().order_by("factor__sort_order", "sort_order")]


def answer_every_question(page, campaign, keyboard_question=None):
    """Click an answer for every question; one question is answered with the keyboard."""
    chosen = {}
    for index, (question, name) in enumerate(question_inputs(campaign)):
        if question.pk == getattr(keyboard_question, "pk", None):
            continue
        if question.scale == "satisfaction5":
            value = "na" if question.factor.code == "5" and index % 2 else "5" if index % 3 else "4"
        else:
            value = str(sorted(question.spec.values)[0])
        # Click the visible label, as a person would.
        page.locator(f"label:has(input[name={name}][value='{value}'])").click()
        chosen[question.pk] = None if value == "na" else int(value)
    return chosen


def test_visitor_follows_banner_answers_and_admin_sees_every_answer(page, demo):
    page.goto("/")
    banner = page.locator(".satisfaction-banner")
    expect(banner).to_contain_text("Khảo sát mức độ hài lòng")

    banner.get_by_role("link").click()
    page.wait_for_url("**/khao-sat-hai-long/")
    expect(page.locator("h1")).to_have_text("Khảo sát mức độ hài lòng")

    questions = question_inputs(demo)
    keyboard_question, keyboard_name = questions[0]
    chosen = answer_every_question(page, demo, keyboard_question=keyboard_question)
    # Keyboard: focus the first option, select it with Space, move to "Satisfied" with arrows.
    page.locator(f"input[name={keyboard_name}][value='1']").focus()
    page.keyboard.press("Space")
    for _step in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"input[name={keyboard_name}][value='4']")).to_be_checked()
    chosen[keyboard_question.pk] = 4

    procedure = Procedure.objects.get(code="1.000047.000.00.00.H36")
    officer = Officer.objects.get(name="Vũ Thị Hồng Nhung")
    page.select_option("select[name=procedure]", label=str(procedure))
    page.select_option("select[name=officer]", label=str(officer))
    page.fill("input[name=dossier_code]", "000.00.36.h36-261201-9999")
    page.fill("input[name=email]", "nguoidan@example.com")
    page.fill("textarea[name=comment]", "Cán bộ hướng dẫn <b>rất</b> tận tình.")
    page.locator("h1").scroll_into_view_if_needed()
    snap(page, "demo-survey.png")
    snap(page.locator(".satisfaction-factor").first, "demo-survey-factor.png")
    page.get_by_role("button", name=re.compile("Send|Gửi")).click()

    page.wait_for_url(f"**/khao-sat/{SIPAS_SLUG}/cam-on/")
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn Ông/Bà đã dành thời gian")

    response = Response.objects.get(dossier_code="000.00.36.H36-261201-9999")
    assert response.channel == "website"
    assert (response.procedure, response.officer) == (procedure, officer)
    assert {a.question_id: a.value for a in response.answers.all()} == chosen
    assert len(chosen) == len(questions)

    login(page, "admin", "admin123")
    page.goto("/admin/wagtail_satisfaction/response/")
    row = page.locator("tr", has_text="000.00.36.H36-261201-9999")
    expect(row).to_have_count(1)
    page.goto(f"/admin/wagtail_satisfaction/response/inspect/{response.pk}/")
    answers = page.locator("table[data-answers] tbody tr")
    expect(answers).to_have_count(len(questions))
    for question, _name in questions:
        expect(page.locator("table[data-answers]")).to_contain_text(question.text)
    # The comment is shown as text, never as markup.
    expect(page.locator("body")).to_contain_text("Cán bộ hướng dẫn <b>rất</b> tận tình.")
    snap(page, "admin-response.png", full_page=True)


def publish(page):
    """Open the editor's action menu and press Publish."""
    page.locator("footer .w-dropdown__toggle, .actions .w-dropdown__toggle").last.click()
    page.locator("button[name=action-publish]").click()


def test_editor_places_survey_block_publishes_and_visitor_answers_there(page, demo):
    from example_site.home.models import ContentPage

    about = ContentPage.objects.get(slug="gioi-thieu")
    login(page, "bientap", "demo12345")
    page.goto(f"/admin/pages/{about.pk}/edit/")
    # StreamField: the last "+" adds a block after the existing paragraph.
    page.locator("button.c-sf-add-button").last.click()
    page.locator("[role=option]:has(svg.icon-form)").click()  # the survey block's icon
    campaign_field = page.locator("[data-contentpath=campaign]").last
    campaign_field.locator("[data-chooser-action-choose]").click()
    page.locator(".modal-dialog a[data-chooser-modal-choice]", has_text=demo.title).click()
    expect(campaign_field.locator("[data-chooser-title]")).to_have_text(demo.title)
    page.locator("[data-contentpath=heading] input").last.fill("Góp ý cho Sở")
    publish(page)
    page.wait_for_url(f"**/admin/pages/{about.get_parent().pk}/")

    about.refresh_from_db()
    assert [block.block_type for block in about.body] == ["paragraph", "survey"]
    assert about.live and not about.has_unpublished_changes

    page.goto("/gioi-thieu/")
    expect(page.locator(".satisfaction-block h2")).to_have_text("Góp ý cho Sở")
    # A mistake is shown on this page, in the block, with what was typed kept.
    page.fill("input[name=dossier_code]", "H36-GIOI-THIEU-1")
    page.locator(".satisfaction-block").get_by_role("button", name="Gửi").click()
    expect(page.locator(".satisfaction-block #satisfaction-errors")).to_be_visible()
    assert page.url.endswith("/gioi-thieu/")
    expect(page.locator("h1")).to_have_text("Giới thiệu")
    expect(page.locator("input[name=dossier_code]")).to_have_value("H36-GIOI-THIEU-1")
    answer_every_question(page, demo)
    page.locator(".satisfaction-block").get_by_role("button", name="Gửi").click()
    page.wait_for_url(f"**/khao-sat/{SIPAS_SLUG}/cam-on/")
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn")
    response = Response.objects.get(dossier_code="H36-GIOI-THIEU-1")
    assert response.answers.count() == len(question_inputs(demo))


def test_survey_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/khao-sat-hai-long/")
        questions = question_inputs(demo)
        first_question, first_name = questions[0]
        # Everything but the first question: the server says what is missing, keeps the rest.
        chosen = answer_every_question(page, demo, keyboard_question=first_question)
        page.fill("textarea[name=comment]", "Khong co y kien")
        page.locator("button.satisfaction-submit").click()
        expect(page.locator(".satisfaction-error-summary")).to_be_visible()
        snap(page, "demo-survey-error-phone.png")
        expect(page.locator(f"fieldset#id_{first_name} .satisfaction-field-error")).to_be_visible()
        _question, second_name = questions[1]
        expect(page.locator(f"input[name={second_name}]:checked")).to_have_value(
            "na" if chosen[questions[1][0].pk] is None else str(chosen[questions[1][0].pk]))
        expect(page.locator("textarea[name=comment]")).to_have_value("Khong co y kien")
        assert not Response.objects.filter(campaign=demo, comment__text="Khong co y kien").exists()

        page.locator(f"label:has(input[name={first_name}][value='3'])").click()
        page.locator("button.satisfaction-submit").click()
        # The thank-you page answers the POST; without JavaScript it keeps the form's address.
        expect(page.get_by_role("status")).to_contain_text("Cảm ơn")
        stored = Response.objects.get(campaign=demo, comment__text="Khong co y kien")
        assert stored.answers.get(question=first_question).value == 3
    finally:
        context.close()
