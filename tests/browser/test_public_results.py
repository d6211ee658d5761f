"""In real Chromium: the demo's public results page shows the same figures as the admin report
for the same filter (the campaign, its unit, the whole campaign), on a phone and a desktop."""

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import login
from wagtail_satisfaction.models import ResultsPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


@pytest.fixture
def demo(db):
    call_command("load_initial_data", responses=60, stdout=io.StringIO())
    return ResultsPage.objects.get()


def admin_figures(page, campaign):
    page.select_option("#id_campaign", str(campaign.pk))
    page.select_option("#id_unit", str(campaign.unit.pk))
    page.select_option("#id_period", "")
    page.locator("form.sr-filters button[type=submit]").click()
    page.wait_for_selector("#figure-responses")
    return {
        "responses": page.locator("#figure-responses strong").inner_text().strip(),
        "overall_index": page.locator("#figure-overall strong").inner_text().strip(),
        "d766_ratio": page.locator("#figure-d766 strong").inner_text().strip(),
        "factors": [text.strip() for text in
                    page.locator("#factors tbody tr td.num").all_inner_texts()],
    }


def public_figures(page):
    def figure(name):
        return page.locator(f'[data-figure="{name}"]').first.inner_text().strip()

    return {
        "responses": figure("responses"), "overall_index": figure("overall_index"),
        "d766_ratio": figure("d766_ratio"),
        "factors": [text.strip() for text in
                    page.locator('[data-figure="factor"]').all_inner_texts()],
    }


def test_the_public_results_equal_the_admin_report_on_phone_and_desktop(page, demo):
    campaign = demo.campaign
    page.set_viewport_size(DESKTOP)
    login(page, "thuky", "demo12345")
    page.goto("/admin/satisfaction-report/")
    report = admin_figures(page, campaign)
    assert int(report["responses"]) >= 60 and report["factors"]

    # A visitor finds the page from the home page's menu.
    page.goto("/")
    page.locator(f'a[href="{demo.url}"]').first.click()
    page.wait_for_url(f"**{demo.url}")
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(demo.url)
        assert public_figures(page) == report, viewport
        assert page.locator('[data-figure="overall_index"]').first.is_visible()
        # Phone-first: nothing wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (viewport, width)
