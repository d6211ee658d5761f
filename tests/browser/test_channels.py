"""Collection channels in real Chromium: kiosk, dossier code + secret code, paper entry."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.channels_factories import (
    dossier_setup,
    make_dossier,
    make_kiosk_key,
    make_officer,
    make_procedure,
    make_staff,
    make_unit,
)
from tests.factories import make_campaign
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Comment, Response, StaffEntry
from wagtail_satisfaction.standard_questionnaires import install_standard_questionnaires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def standard_questionnaires(transactional_db):
    """Transactional tests flush the data migrations' rows: put back the questionnaires
    and a default site (the example site's banner tag needs one)."""
    from wagtail.models import Locale, Page, Site

    install_standard_questionnaires()
    if not Site.objects.exists():
        Locale.objects.get_or_create(language_code="vi")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root"))
        home = root.add_child(instance=Page(title="Trang chủ", slug="trang-chu"))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)


def answer_everything(page, campaign, value):
    """Click one option per question, as a visitor would on a touch screen; in steps (the
    website's default), "Tiếp tục" when the next question is on the next step."""
    for question in campaign.questionnaire.question_list():
        values = sorted(question.spec.values)
        chosen = value if value in values else values[-1]
        if not page.locator(f"input[name='q_{question.pk}']").count():
            page.click("button.satisfaction-next")
        page.click(f"label:has(input[name='q_{question.pk}'][value='{chosen}'])")


def nothing_filled(page):
    assert page.locator("input:checked").count() == 0
    assert page.locator("textarea[name=comment]").input_value() == ""


def test_kiosk_twice_in_a_row_the_second_visitor_sees_nothing_of_the_first(page, settings):
    settings.WAGTAIL_SATISFACTION_KIOSK_THANKS_SECONDS = 1
    campaign = make_campaign()
    counter = make_unit("Bộ phận Một cửa", parent=campaign.unit)
    first_officer = make_officer(counter, name="Trần Thị Hoa")
    second_officer = make_officer(counter, name="Phạm Văn Bình")
    procedure = make_procedure(counter, name="Đăng ký khai sinh")
    kiosk = make_kiosk_key(campaign, unit=counter)
    start = f"/khao-sat/kiosk/{kiosk.key}/"
    secret = "Người thứ nhất: ông Lê Văn Dân, 0901234567"

    page.goto(start)
    page.click("label.kiosk-card:has-text('Trần Thị Hoa')")
    page.click("label.kiosk-choice:has-text('Đăng ký khai sinh')")
    answer_everything(page, campaign, 5)
    page.fill("textarea[name=comment]", secret)
    page.click("button.kiosk-submit")
    page.wait_for_selector(".kiosk-thanks")
    # Back to an empty start page on its own after the thank-you.
    page.wait_for_selector("form#kiosk-form", timeout=10_000)
    assert page.url.endswith(start)
    nothing_filled(page)
    assert secret not in page.content()

    # The next person tries the back button: nothing of the first visitor comes back.
    for _ in range(3):
        page.go_back()
        page.wait_for_load_state()
        assert secret not in page.content()
        if page.locator("form#kiosk-form").count():
            nothing_filled(page)

    page.goto(start)
    nothing_filled(page)
    page.click("label.kiosk-card:has-text('Phạm Văn Bình')")
    page.click("label.kiosk-choice:has-text('Đăng ký khai sinh')")
    answer_everything(page, campaign, 2)
    page.click("button.kiosk-submit")
    page.wait_for_selector(".kiosk-thanks")

    first, second = Response.objects.order_by("pk")
    assert (first.channel, first.officer, first.procedure, first.unit) == (
        "kiosk", first_officer, procedure, counter)
    assert second.officer == second_officer
    assert first.comment.text == secret
    assert not Comment.objects.filter(response=second).exists()


def test_visitor_rates_a_dossier_by_codes_and_a_second_attempt_is_refused(page):
    campaign, dossier = dossier_setup()
    page.goto("/khao-sat/ho-so/")
    page.fill("input[name=code]", dossier.code.lower())
    page.fill("input[name=secret]", dossier.secret_code)
    page.click("button[type=submit]")
    page.wait_for_selector("dl.satisfaction-dossier-summary")
    summary = page.inner_text("dl.satisfaction-dossier-summary")
    assert dossier.code in summary and "Trần Thị Hoa" in summary
    assert page.locator("select[name=officer]").count() == 0
    answer_everything(page, campaign, 4)
    page.click("button.satisfaction-submit")
    page.wait_for_selector(".satisfaction-thanks")
    stored = Response.objects.get()
    assert (stored.channel, stored.dossier_code, stored.officer) == (
        "dossier_link", dossier.code, dossier.officer)

    page.goto("/khao-sat/ho-so/")
    page.fill("input[name=code]", dossier.code)
    page.fill("input[name=secret]", dossier.secret_code)
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    with translation.override("vi"):
        expected = dossiers.already_rated_message(dossier)
    assert expected in alert.inner_text()
    # The QR link is refused the same way.
    page.goto(dossiers.rating_path(dossier))
    with translation.override("vi"):
        assert dossiers.already_rated_message(dossier) in page.inner_text(
            ".satisfaction-refused")
    assert Response.objects.count() == 1


def test_staff_type_in_a_paper_form_with_the_keyboard_only(page):
    campaign = make_campaign()
    procedure = make_procedure(campaign.unit, name="Cấp phép xây dựng")
    officer = make_officer(campaign.unit, name="Trần Thị Hoa")
    make_dossier(campaign.unit, code="HS-77")  # staff-typed codes are checked against the list
    clerk = make_staff("clerk", "add_staffentry")
    login(page, "clerk", "pw-clerk")
    page.goto(f"/admin/satisfaction/paper/{campaign.pk}/entry/")

    keyboard = page.keyboard
    assert page.evaluate("document.activeElement.name") == "form_number"
    keyboard.type("P-100")
    keyboard.press("Tab")
    keyboard.type("L7")                      # batch
    keyboard.press("Tab")                    # channel: paper (default)
    keyboard.press("Tab")                    # date on the form: today
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "procedure"
    keyboard.press("ArrowDown")
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "officer"
    keyboard.press("ArrowDown")
    keyboard.press("Tab")                    # dossier code
    keyboard.type("HS-77")
    keyboard.press("Tab")                    # email: none on this form
    questions = list(campaign.questionnaire.questions().order_by("factor__sort_order",
                                                                  "sort_order"))
    typed = {}
    for question in questions:
        keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == f"q_{question.pk}"
        digit = "4" if 4 in question.spec.values else "9" if \
            question.spec.allows_not_applicable else str(max(question.spec.values))
        keyboard.type(digit)
        typed[question.pk] = digit
    keyboard.press("Tab")
    keyboard.type("Cán bộ nhiệt tình")
    keyboard.press("Tab")
    keyboard.press("Enter")                  # the Save button
    page.wait_for_selector("#recent-entries")

    stored = Response.objects.get()
    entry = StaffEntry.objects.get()
    assert (entry.form_number, entry.batch, entry.entered_by) == ("P-100", "L7", clerk)
    assert (stored.channel, stored.entered_by, stored.procedure, stored.officer,
            stored.dossier_code) == ("paper", clerk, procedure, officer, "HS-77")
    values = dict(stored.answers.values_list("question_id", "value"))
    assert values == {pk: (None if digit == "9" else int(digit)) for pk, digit in typed.items()}
    assert stored.comment.text == "Cán bộ nhiệt tình"
    # A fresh form, ready for the next paper, keeps the batch.
    assert page.input_value("input[name=form_number]") == ""
    assert page.input_value("input[name=batch]") == "L7"
    assert page.evaluate("document.activeElement.name") == "form_number"


def test_kiosk_clears_a_half_filled_form_after_the_idle_time(page, settings):
    settings.WAGTAIL_SATISFACTION_KIOSK_IDLE_SECONDS = 2
    campaign = make_campaign()
    make_officer(campaign.unit, name="Trần Thị Hoa")
    kiosk = make_kiosk_key(campaign)
    page.goto(f"/khao-sat/kiosk/{kiosk.key}/")
    page.click("label.kiosk-card:has-text('Trần Thị Hoa')")
    page.fill("textarea[name=comment]", "Bỏ dở giữa chừng")
    assert page.locator("input:checked").count() == 1
    # Nobody touches the tablet: the start page comes back, empty.
    # (expect polls from outside the page: a string predicate would be an eval, which the
    # kiosk's Content-Security-Policy rightly refuses)
    expect(page.locator("input:checked")).to_have_count(0, timeout=10_000)
    page.wait_for_load_state()
    nothing_filled(page)
    assert Response.objects.count() == 0


def test_print_buttons_open_the_print_dialog_for_paper_forms_and_dossier_slips(page):
    campaign, dossier = dossier_setup()
    make_staff("clerk", "add_staffentry", "change_dossier")
    login(page, "clerk", "pw-clerk")
    # Count the print dialogs instead of opening one, which would block headless Chromium.
    page.add_init_script("window.printed = 0; window.print = function () { window.printed += 1; };")
    for path in (f"/admin/satisfaction/paper/{campaign.pk}/print/?count=2",
                 f"/admin/satisfaction/dossiers/slip/{dossier.pk}/"):
        page.goto(path)
        page.click("button[data-print]")
        assert page.evaluate("window.printed") == 1
        # The button itself is not printed.
        page.emulate_media(media="print")
        assert not page.locator("button[data-print]").is_visible()
        page.emulate_media(media="screen")
