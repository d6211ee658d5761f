"""Wagtail's own accessibility checker, as an editor runs it, reports nothing on our blocks.

An editor who is logged in sees Wagtail's userbar on every page of the site; its "Checks"
item (``wagtail.admin.userbar.ContentCheckerItem``, formerly ``AccessibilityItem``) runs
axe-core in the page with Wagtail's own configuration: its rules (``p-as-heading``,
``heading-order``, ``empty-heading``, ``button-name``, ``link-name``...), its custom rules
and checks (``alt-text-quality``, ``empty-meta-description``), the userbar itself left out.
The test lets Wagtail's own script run that check on pages holding the survey block, the
banner block, the site-wide banner, the survey page and the results page, and reads the
number of issues the userbar shows, as the editor would.
"""

import json

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.models import Page

from example_site.home.models import ContentPage
from tests.browser.conftest import login
from wagtail_satisfaction.models import Banner, ResultsPage, SurveyPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The userbar's checker, once run, writes its number of issues into these elements of its
# shadow root ("0" when none); before that they are empty.
ISSUE_COUNT = """() => {
    const userbar = document.querySelector("wagtail-userbar");
    const root = userbar && userbar.shadowRoot;
    const count = root && root.querySelector("[data-content-checker-count]");
    return count && count.textContent !== "" ? count.textContent : null;
}"""
ISSUES = """() => [...document.querySelector("wagtail-userbar").shadowRoot
    .querySelectorAll("[data-content-checker-row]")].map(row =>
        row.querySelector("[data-content-checker-name]").textContent + ": "
        + row.querySelector("[data-content-checker-help]").textContent)"""
CONFIGURATION = """() => JSON.parse(document.querySelector("wagtail-userbar").shadowRoot
    .querySelector("#checker-axe-configuration").textContent)"""


@pytest.fixture
def pages(transactional_db):
    call_command("load_initial_data", responses=6, stdout=open("/dev/null", "w"))  # noqa: SIM115
    home = Page.objects.get(depth=2).specific
    banner_page = ContentPage(
        title="Ý kiến của Ông/Bà", slug="y-kien",
        body=json.dumps([
            {"type": "paragraph", "value": "<p>Mời Ông/Bà tham gia khảo sát.</p>"},
            {"type": "banner", "value": {"banner": Banner.objects.get().pk}},
        ]))
    home.add_child(instance=banner_page)
    banner_page.save_revision().publish()
    return [
        ("home page with the site-wide banner", "/"),
        ("page with the banner block", banner_page.url),
        ("page with the survey block", "/danh-gia-giai-quyet-tthc/"),
        ("survey page", SurveyPage.objects.get().url),
        ("results page", ResultsPage.objects.get().url),
    ]


def test_wagtails_checker_finds_no_issue_on_pages_holding_our_blocks(page, pages):
    login(page, "bientap", "demo12345")
    request = RequestFactory().get("/")
    wagtail_rules = ContentCheckerItem().get_axe_configuration(request)["options"]["runOnly"]
    problems = []
    for name, address in pages:
        page.goto(address)
        assert page.locator(".satisfaction-banner, .satisfaction-block, "
                            ".satisfaction-form, .satisfaction-results").count(), name
        count = page.wait_for_function(ISSUE_COUNT).json_value()
        # The check that ran is Wagtail's own, with its rules as Wagtail defines them.
        assert page.evaluate(CONFIGURATION)["options"]["runOnly"] == wagtail_rules
        if count != "0":
            problems.append(f"{name} ({address}): {count} issues: {page.evaluate(ISSUES)}")
    assert not problems, "\n".join(problems)
