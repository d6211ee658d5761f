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


def screens(username):
    """(name, address, screenshot file or None) of the main admin screens of a role."""
    from wagtail.models import Page

    campaign = Campaign.objects.get(slug="hai-long-2026")
    home = [("admin home", "/admin/", f"admin-home-{username}.png")]
    if username == "bientap":
        block_page = Page.objects.get(url_path__endswith="/danh-gia-giai-quyet-tthc/")
        site_home = Page.objects.get(depth=2)
        return home + [
            ("page editor, the page with the survey block",
             reverse("wagtailadmin_pages:edit", args=[block_page.pk]), "admin-page-editor.png"),
            ("page explorer", reverse("wagtailadmin_explore", args=[site_home.pk]), None),
            ("banners", reverse("wagtailsnippets_wagtail_satisfaction_banner:list"), None),
            ("banner editor", reverse("wagtailsnippets_wagtail_satisfaction_banner:edit",
                                      args=[campaign.banners.first().pk]), None),
            ("survey settings", "/admin/settings/wagtail_satisfaction/satisfactionsettings/",
             None),
        ]
    if username == "cntt":
        client = ApiClient.objects.first()
        return home + [
            ("moderation queue", "/admin/wagtail_satisfaction/comment/",
             "admin-moderation.png"),
            ("a comment", "/admin/wagtail_satisfaction/comment/inspect/"
                          f"{Comment.objects.first().pk}/", None),
            ("API clients", reverse("wagtail_satisfaction_api_clients:index"), None),
            ("API client", reverse("wagtail_satisfaction_api_clients:edit", args=[client.pk]),
             None),
            ("API calls", reverse("wagtail_satisfaction_api_clients:calls", args=[client.pk]),
             None),
        ]
    if username == "thuky":
        return home + [
            ("report", reverse("wagtail_satisfaction_reports:report")
             + f"?campaign={campaign.pk}", "admin-report.png"),
            ("responses", "/admin/wagtail_satisfaction/response/", None),
            ("a response", "/admin/wagtail_satisfaction/response/inspect/"
                           f"{Response.objects.first().pk}/", None),
            ("integrity", reverse("wagtail_satisfaction_integrity:index"), None),
            ("re-verification calls", reverse("wagtail_satisfaction_reverification:index"),
             None),
            ("dossier counts", reverse("wagtailsnippets_wagtail_satisfaction_dossiercount:list"),
             None),
        ]
    if username == "quanly":
        return home + [
            ("campaigns", reverse("wagtailsnippets_wagtail_satisfaction_campaign:list"), None),
            ("campaign editor", reverse("wagtailsnippets_wagtail_satisfaction_campaign:edit",
                                        args=[campaign.pk]), "admin-campaign.png"),
            ("questionnaires",
             reverse("wagtailsnippets_wagtail_satisfaction_questionnaire:list"), None),
            ("units", reverse("wagtailsnippets_wagtail_satisfaction_unit:list"), None),
            ("procedures", reverse("wagtailsnippets_wagtail_satisfaction_procedure:list"), None),
        ]
    assert username == "motcua"
    dossier = Dossier.objects.first()
    kiosk = KioskKey.objects.filter(active=True).first()
    return home + [
        ("dossiers", reverse("wagtail_satisfaction_dossiers:index"), "admin-dossiers.png"),
        ("dossier", reverse("wagtail_satisfaction_dossiers:edit", args=[dossier.pk]), None),
        ("invitations", reverse("wagtail_satisfaction_invitations:index"), None),
        ("invitations of a campaign",
         reverse("wagtail_satisfaction_invitations:campaign", args=[campaign.pk]), None),
        ("paper forms", reverse("wagtail_satisfaction_paper:index"), None),
        ("paper entry", reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk]),
         "admin-paper-entry.png"),
        ("kiosks", reverse("wagtail_satisfaction_kiosks:index"), None),
        ("kiosk editor", reverse("wagtail_satisfaction_kiosks:edit", args=[kiosk.pk]),
         "admin-kiosk.png"),
    ]


def serious_violations(page):
    """Serious and critical violations, one line per node, but the listed Wagtail ones."""
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
def demo(transactional_db):
    call_command("load_initial_data", responses=6, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("username", ["bientap", "cntt", "thuky", "quanly", "motcua"])
def test_the_main_admin_screens_of_each_role_have_no_serious_axe_violation(
        page, demo, username):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, username, PASSWORD)
    problems = []
    for name, address, shot in screens(username):
        response = page.goto(address)
        if response.status != 200 or not urlsplit(page.url).path.startswith(
                urlsplit(address).path):  # refused: sent to the dashboard or the login
            problems.append(f"{name}: HTTP {response.status} at {page.url}")
            continue
        problems += [f"{name} ({address}): {line}" for line in serious_violations(page)]
        if shot:
            snap(page, shot)
    assert not problems, "\n".join(problems)
