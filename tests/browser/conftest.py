"""Real Chromium through Playwright against pytest-django's live server.

Run with ``pytest -m browser``. Chromium is Debian's (``/usr/bin/chromium`` or
``CHROMIUM_PATH``); Playwright's own browser download is not used.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make around
# it are still synchronous, so Django's async-safety guard must be relaxed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation of the page, as the browser sees it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("securitypolicyviolation: " + event.violatedDirective + " blocked "
                + (event.blockedURI || "inline") + " at " + event.sourceFile + ":"
                + event.lineNumber + " on " + document.location.pathname);
});
"""


def is_csp_violation(text):
    return "Content Security Policy" in text or "securitypolicyviolation" in text


@pytest.fixture
def csp_violations():
    """Console messages of Content-Security-Policy violations; the test fails if any."""
    violations = []
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    # Every page of every test records the policy violations the browser reports.
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda message: csp_violations.append(
        f"{page.url}: {message.text}") if message.type == "error"
        and is_csp_violation(message.text) else None)
    yield page
    context.close()


def login(page, username, password):
    """Log into the Wagtail admin through its real login form."""
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
