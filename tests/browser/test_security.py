"""In real Chromium: the Content-Security-Policy blocks nothing the app or Wagtail's admin
needs, the console listener does catch a violation, and a guessed password locks."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import login
from tests.factories import make_user
from wagtail_satisfaction.models import SurveyPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_console_listener_reports_a_blocked_inline_script(page, csp_violations):
    page.route("**/csp-probe/", lambda route: route.fulfill(
        status=200, content_type="text/html",
        headers={"Content-Security-Policy": "script-src 'self'"},
        body="<!doctype html><title>x</title><script>document.title = 'ran'</script>"))
    page.goto("/csp-probe/")
    page.wait_for_timeout(200)
    assert page.title() == "x"  # the inline script did not run
    assert any("script-src" in message for message in csp_violations), csp_violations
    csp_violations.clear()  # expected here; any other test fails on one


@pytest.fixture
def demo(transactional_db):
    call_command("load_initial_data", responses=6, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_admin_screens_work_under_the_admin_policy(page, demo):
    survey_page = SurveyPage.objects.live().first()
    campaign = survey_page.campaign
    make_user("quan-tri", is_superuser=True, is_staff=True)
    login(page, "quan-tri", "pw-quan-tri")
    response = page.goto("/admin/")
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    # A snippet form with date pickers and choosers, the chooser modal, a page editor.
    page.goto(f"/admin/snippets/wagtail_satisfaction/campaign/edit/{campaign.pk}/")
    page.locator("#id_opens_on").click()
    page.goto("/admin/snippets/wagtail_satisfaction/campaign/add/")
    page.locator("[data-chooser-action-choose]:visible").first.click()
    page.wait_for_selector(".modal-content")
    page.goto(f"/admin/pages/{survey_page.pk}/edit/")
    page.wait_for_selector("form#page-edit-form")
    page.goto("/admin/satisfaction-report/")
    page.goto("/admin/wagtail_satisfaction/response/")
    # The public page keeps the strict policy, with the admin's user bar on it.
    public = page.goto(survey_page.url)
    assert "script-src 'self';" in public.headers["content-security-policy"] + ";"
    assert "unsafe-inline" not in public.headers["content-security-policy"]
