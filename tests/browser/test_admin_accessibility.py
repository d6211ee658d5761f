"""The main admin screens of each demo role, in real Chromium, checked by axe-core.

Each demo account (docs/demo.md) logs in once and opens the screens its work is done on: the
admin home with its dashboard panels, then its queue, listings and forms. axe-core (bundled
by axe-playwright-python, so it runs offline) must find no serious or critical violation on
any of them.

A few violations come from Wagtail's own admin markup, which this app cannot change: they
are listed in ``WAGTAIL_CORE`` by rule and selector, each with its reason, and only those
exact pairs are set aside; everything else, including the same rule anywhere else on the
page, still fails.
"""

from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse

from tests.browser.conftest import login
from tests.browser.test_survey_flow import snap
from wagtail_satisfaction.models import (
    ApiClient,
    Campaign,
    Comment,
    Dossier,
    KioskKey,
    Response,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
PASSWORD = "demo12345"
SERIOUS = ("serious", "critical")

# Violations in Wagtail's own admin markup, set aside one by one: the axe rule, the CSS
# selector axe reports for the node, a piece of the node's HTML that shows it is Wagtail's,
# and the reason. Any other node failing the same rule still fails the test.
WAGTAIL_CORE = [
    {"rule": "aria-input-field-name", "selector": ".notranslate",
     "html": 'class="notranslate public-DraftEditor-content"',
     "reason": "The rich text editor (Draftail) of Wagtail's page editor: its contenteditable "
               "textbox is not tied to the field's label, which points at the hidden input it "
               "replaces. Wagtail's bug, https://github.com/wagtail/wagtail/issues/14205 "
               "(open in Wagtail 8.0); the field is Wagtail's RichTextBlock."},
]


def wagtail_core(rule, selector, html):
    return any(known["rule"] == rule and known["selector"] == selector
               and known["html"] in html for known in WAGTAIL_CORE)


class Screen(NamedTuple):
    name: str
    address: str
    shot: str | None = None  # its file in docs/screenshots
    # What the user then does on it (name of the state it leads to, action): that state is
    # checked too, e.g. a form sent empty with its error messages.
    then: tuple[str, Callable] | None = None


def click(selector, wait_for):
    def action(page):
        with page.expect_navigation():
            page.locator(selector).first.click()
        page.locator(wait_for).first.wait_for()
    return action


def send_empty(page):
    """Send the form of the main area as it is: the refused form shows its errors."""
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()
    page.locator(".error-message, .help-critical, [role=alert]").first.wait_for()


def screens(username):
    """The main admin screens of a role, as it uses them."""
    from wagtail.models import Page

    campaign = Campaign.objects.get(slug="hai-long-2026")
    home = [Screen("admin home", "/admin/", f"admin-home-{username}.png")]
    if username == "bientap":
        block_page = Page.objects.get(url_path__endswith="/danh-gia-giai-quyet-tthc/")
        site_home = Page.objects.get(depth=2)
        return home + [
            Screen("page editor, the page with the survey block",
                   reverse("wagtailadmin_pages:edit", args=[block_page.pk]),
                   "admin-page-editor.png"),
            Screen("page explorer", reverse("wagtailadmin_explore", args=[site_home.pk])),
            Screen("banners", reverse("wagtailsnippets_wagtail_satisfaction_banner:list")),
            Screen("banner editor", reverse("wagtailsnippets_wagtail_satisfaction_banner:edit",
                                            args=[campaign.banners.first().pk])),
            Screen("survey settings",
                   "/admin/settings/wagtail_satisfaction/satisfactionsettings/"),
        ]
    if username == "cntt":
        client = ApiClient.objects.first()
        return home + [
            Screen("moderation queue", "/admin/wagtail_satisfaction/comment/",
                   "admin-moderation.png"),
            Screen("a comment", "/admin/wagtail_satisfaction/comment/inspect/"
                                f"{Comment.objects.first().pk}/"),
            Screen("API clients", reverse("wagtail_satisfaction_api_clients:index")),
            Screen("new API client", reverse("wagtail_satisfaction_api_clients:add"),
                   then=("new API client sent empty", send_empty)),
            Screen("API client", reverse("wagtail_satisfaction_api_clients:edit",
                                         args=[client.pk])),
            Screen("API calls", reverse("wagtail_satisfaction_api_clients:calls",
                                        args=[client.pk])),
            Screen("revoking an API client", reverse("wagtail_satisfaction_api_clients:revoke",
                                                     args=[client.pk])),
        ]
    if username == "thuky":
        report = reverse("wagtail_satisfaction_reports:report") + f"?campaign={campaign.pk}"
        return home + [
            Screen("report", report, "admin-report.png"),
            Screen("report's print view", reverse("wagtail_satisfaction_reports:document")
                   + f"?campaign={campaign.pk}&format=html"),
            Screen("responses", "/admin/wagtail_satisfaction/response/"),
            Screen("a response", "/admin/wagtail_satisfaction/response/inspect/"
                                 f"{Response.objects.first().pk}/"),
            Screen("integrity", reverse("wagtail_satisfaction_integrity:index"),
                   then=("integrity after a check",
                         click("main form [type=submit]", "[data-integrity-result]"))),
            Screen("re-verification calls", reverse("wagtail_satisfaction_reverification:index")),
            Screen("drawing re-verification calls",
                   reverse("wagtail_satisfaction_reverification:draw")),
            Screen("dossier counts",
                   reverse("wagtailsnippets_wagtail_satisfaction_dossiercount:list")),
            Screen("importing dossier counts",
                   reverse("wagtail_satisfaction_reports:import_dossiers")),
            Screen("combining sub-units' results", reverse("wagtail_satisfaction_reports:import")),
        ]
    if username == "quanly":
        return home + [
            Screen("campaigns", reverse("wagtailsnippets_wagtail_satisfaction_campaign:list")),
            Screen("campaign editor", reverse("wagtailsnippets_wagtail_satisfaction_campaign:edit",
                                              args=[campaign.pk]), "admin-campaign.png"),
            Screen("questionnaires",
                   reverse("wagtailsnippets_wagtail_satisfaction_questionnaire:list")),
            Screen("new version of a questionnaire",
                   reverse("wagtail_satisfaction_admin:questionnaire_new_version",
                           args=[campaign.questionnaire_id])),
            Screen("units", reverse("wagtailsnippets_wagtail_satisfaction_unit:list")),
            Screen("procedures", reverse("wagtailsnippets_wagtail_satisfaction_procedure:list")),
        ]
    assert username == "motcua"
    dossier = Dossier.objects.first()
    kiosk = KioskKey.objects.filter(active=True).first()
    return home + [
        Screen("dossiers", reverse("wagtail_satisfaction_dossiers:index"), "admin-dossiers.png"),
        Screen("new dossier", reverse("wagtail_satisfaction_dossiers:add"),
               then=("new dossier sent empty", send_empty)),
        Screen("dossier", reverse("wagtail_satisfaction_dossiers:edit", args=[dossier.pk])),
        Screen("dossier's rating slip", reverse("wagtail_satisfaction_dossiers:slip",
                                                args=[dossier.pk])),
        Screen("importing dossiers", reverse("wagtail_satisfaction_dossiers:import")),
        Screen("invitations", reverse("wagtail_satisfaction_invitations:index")),
        Screen("invitations of a campaign",
               reverse("wagtail_satisfaction_invitations:campaign", args=[campaign.pk]),
               then=("invitations to confirm",
                     click("main button[type=submit]", "[data-invitations-confirm]"))),
        Screen("paper forms", reverse("wagtail_satisfaction_paper:index")),
        Screen("paper entry", reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk]),
               "admin-paper-entry.png", then=("paper entry sent empty", send_empty)),
        Screen("printable paper form", reverse("wagtail_satisfaction_paper:print",
                                               args=[campaign.pk])),
        Screen("importing typed paper forms",
               reverse("wagtail_satisfaction_paper:import", args=[campaign.pk])),
        Screen("kiosks", reverse("wagtail_satisfaction_kiosks:index")),
        Screen("kiosk editor", reverse("wagtail_satisfaction_kiosks:edit", args=[kiosk.pk]),
               "admin-kiosk.png"),
    ]


# Wagtail's messages fade in (opacity over half a second): axe measures colours as drawn, so a
# check during the fade reports a contrast the user never sees once it ends. Wait for the
# short animations and transitions to end first (not the long decorative ones, such as the
# badge of the Help menu pinging for half a minute).
SETTLED = """() => Promise.all(document.getAnimations()
    .filter(animation => animation.effect.getComputedTiming().endTime <= 3000)
    .map(animation => animation.finished.catch(() => null)))"""


def serious_violations(page):
    """Serious and critical violations, one line per node, but the listed Wagtail ones."""
    page.evaluate(SETTLED)
    lines = []
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        for node in violation["nodes"]:
            selector = " ".join(str(part) for part in node["target"])
            if wagtail_core(violation["id"], selector, node["html"]):
                continue
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                         f"at {selector}: {node['html'][:160]}")
    return lines


@pytest.fixture
def demo(transactional_db, tasks_inline):  # the integrity check runs at once
    call_command("load_initial_data", responses=6, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("username", ["bientap", "cntt", "thuky", "quanly", "motcua"])
def test_the_main_admin_screens_of_each_role_have_no_serious_axe_violation(
        page, demo, username):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, username, PASSWORD)
    problems = []
    for screen in screens(username):
        response = page.goto(screen.address)
        if response.status != 200 or not urlsplit(page.url).path.startswith(
                urlsplit(screen.address).path):  # refused: sent to the dashboard or the login
            problems.append(f"{screen.name}: HTTP {response.status} at {page.url}")
            continue
        problems += [f"{screen.name} ({screen.address}): {line}"
                     for line in serious_violations(page)]
        if screen.shot:
            snap(page, screen.shot)
        if screen.then:
            name, action = screen.then
            action(page)
            problems += [f"{name} ({page.url}): {line}" for line in serious_violations(page)]
    assert not problems, "\n".join(problems)
