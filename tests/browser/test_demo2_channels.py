"""The demo's collection channels in real Chromium, as docs/demo.md tells people to try them.

The kiosk address and a dossier code + secret code are taken from what ``load_initial_data``
prints; the one-stop-shop account prints the slip; a visitor rates the dossier on the
example site, whose page head carries the channels' stylesheet.
"""

import io
import re

import pytest
from django.core.management import call_command

from tests.browser.conftest import login
from tests.browser.test_survey_flow import snap
from wagtail_satisfaction.models import Campaign, Dossier, KioskKey, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_output(transactional_db):
    out = io.StringIO()
    call_command("load_initial_data", responses=0, stdout=out)
    return out.getvalue()


def answer_everything(page, campaign):
    """Every question answered; in steps, "Tiếp tục" when the next one is on the next step."""
    for question in campaign.questionnaire.question_list():
        value = 4 if 4 in question.spec.values else sorted(question.spec.values)[-1]
        if not page.locator(f"input[name='q_{question.pk}']").count():
            page.click("button.satisfaction-next")
        page.click(f"label:has(input[name='q_{question.pk}'][value='{value}'])")


def test_the_printed_kiosk_address_opens_a_touch_screen_for_the_department(page, demo_output):
    path = KioskKey.objects.get(active=True).get_absolute_url()
    assert f"{path}\n" in demo_output
    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet, upright
    page.goto(path)
    assert "Sở Khoa học và Công nghệ" in page.inner_text(".kiosk-header")
    cards = page.locator(".kiosk-card")
    assert cards.count() >= 5
    # Touch targets are big: the officer cards and the send button.
    assert cards.first.bounding_box()["height"] >= 100
    assert page.locator(".kiosk-submit").bounding_box()["height"] >= 48
    snap(page, "kiosk.png")


def test_one_stop_staff_print_a_slip_and_a_visitor_rates_with_its_codes(page, demo_output):
    code, secret = re.search(r"^  (000\.21\S+)  \D*?([A-Z0-9]{8})  \(", demo_output,
                             re.MULTILINE).groups()
    dossier = Dossier.objects.get(code=code)

    login(page, "motcua", "demo12345")
    page.goto(f"/admin/satisfaction/dossiers/?q={code}")  # the list's search box
    assert code in page.inner_text("#listing-results")
    assert page.locator("#listing-results a[href*='/dossiers/edit/']").count() >= 1
    page.goto(f"/admin/satisfaction/dossiers/slip/{dossier.pk}/")
    assert page.locator(".slip svg").count() == 1  # the QR code
    assert secret in page.inner_text(".codes")
    snap(page.locator(".slip"), "dossier-slip.png")
    page.context.clear_cookies()

    page.goto("/khao-sat/ho-so/")
    page.fill("input[name=code]", code)
    page.fill("input[name=secret]", secret)
    page.click("button[type=submit]")
    summary = page.locator("dl.satisfaction-dossier-summary")
    assert dossier.procedure.name in summary.inner_text()
    # channels.css is linked in the site's <head> and styles the summary box.
    assert page.locator("head link[href*='channels.css']").count() == 1
    assert page.locator("body link").count() == 0
    assert summary.evaluate("e => getComputedStyle(e).display") == "grid"
    assert page.locator("header.site").is_visible()  # the example site's own layout

    campaign = Campaign.objects.get(slug="hai-long-2026")
    answer_everything(page, campaign)
    page.click("button.satisfaction-submit")
    page.wait_for_selector(".satisfaction-thanks")
    stored = Response.objects.get(dossier_code=code)
    assert (stored.channel, stored.officer_id) == ("dossier_link", dossier.officer_id)
