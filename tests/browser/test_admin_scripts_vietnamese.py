"""What Wagtail's admin scripts draw (the sidebar, the page editor) is in Vietnamese too.

The server-side crawl (tests/test_admin_vietnamese.py) reads pages as sent; the sidebar and
the editor's block controls are drawn in the browser from Wagtail's ``djangojs`` catalogue,
whose Vietnamese lacks them, so our own catalogue is loaded after it on every admin page.
"""

import pytest
from django.core.management import call_command

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo12345"


@pytest.fixture
def demo(transactional_db):
    call_command("load_initial_data", responses=2, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_sidebar_an_editor_sees_is_drawn_in_vietnamese(page, demo):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "bientap", PASSWORD)
    page.goto("/admin/")
    # Drawn by Wagtail's sidebar script once the page has loaded.
    page.wait_for_selector('[aria-label="Menu chính"]', state="attached")
    assert page.get_by_role("button", name="Ẩn/hiện thanh bên").count() >= 1
    text = page.locator("#wagtail-sidebar").inner_text()
    assert "mục mới trong menu này" in text  # "(2 new items in this menu)", drawn by script
    for english in ("Main menu", "Toggle sidebar", "Images", "Documents", "Snippets"):
        assert english not in text
        assert page.locator(f'[aria-label="{english}"]').count() == 0
