"""The IT team works through the moderation queue in real Chromium."""

import pytest

from tests.browser.conftest import login
from tests.factories import make_campaign, make_user
from tests.moderation_factories import make_comment, make_roles
from wagtail_satisfaction.models import Comment
from wagtail_satisfaction.standard_questionnaires import install_standard_questionnaires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "/admin/wagtail_satisfaction/comment/"


@pytest.fixture
def comments():
    # Transactional tests flush the tables between tests, data migrations included.
    install_standard_questionnaires()
    make_roles()
    campaign = make_campaign(title="Khảo sát Một cửa 2026")
    other = make_campaign(title="Khảo sát Sở Xây dựng")
    return {
        "spam1": make_comment(campaign, "Vay tiền nhanh không thế chấp, liên hệ ngay 0987 654 321"),
        "spam2": make_comment(campaign, "Xem bóng đá trực tiếp tại http://bongda.xyz"),
        "spam3": make_comment(campaign, "<script>alert('x')</script> aaaaaaaaaa"),
        "kept": make_comment(campaign, "Hồ sơ được trả đúng hẹn, cán bộ một cửa tận tình."),
        "other": make_comment(other, "Giấy phép xây dựng trả trễ hẹn 10 ngày."),
    }


def test_it_moderator_filters_marks_in_bulk_and_sees_history(page, comments):
    make_user("cntt", "Tổ CNTT")
    login(page, "cntt", "pw-cntt")
    assert QUEUE in page.content()  # the menu offers the queue

    page.goto(QUEUE)
    rows = page.locator("[data-comment-row]")
    assert rows.count() == 5  # opens on the pending comments of every campaign

    # Filter by campaign through the filter panel.
    page.locator(".changelist-filter a", has_text="Khảo sát Một cửa 2026").click()
    page.wait_for_url("**campaign__id__exact=*")
    assert rows.count() == 4
    assert "Giấy phép xây dựng" not in page.inner_text("main")
    # Comment text is shown escaped, never run.
    assert "<script>alert('x')</script>" in page.inner_text("main")

    # Keyboard: the newest comment is current on arrival; j moves down, x ticks.
    current = page.locator(".moderation-row--current")
    assert "cán bộ một cửa" in current.inner_text()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.check(f"#comment-{comments['spam1'].pk}")  # and the mouse ticks one more
    ticked = page.locator("input[name=comment]:checked")
    assert sorted(int(ticked.nth(i).get_attribute("value")) for i in range(ticked.count())) == \
        sorted(comments[name].pk for name in ("spam1", "spam2", "spam3"))

    page.keyboard.press("s")  # spam, on the ticked comments
    page.wait_for_url("**/moderate/")
    assert page.locator(".moderation-confirm__list li").count() == 3
    page.fill("#id_reason", "quảng cáo")
    page.keyboard.press("Enter")  # the confirm button has the focus
    page.wait_for_url("**campaign__id__exact=*")
    assert rows.count() == 1  # only the relevant comment is still pending
    assert Comment.objects.filter(state="spam").count() == 3

    # The decision is in the comment's history: who, from which state to which.
    page.goto(f"{QUEUE}inspect/{comments['spam1'].pk}/")
    history = page.locator("[data-history] tbody tr")
    assert history.count() == 1
    entry = history.first.inner_text()
    assert "cntt" in entry and "quảng cáo" in entry
    # The phone number typed in the comment is masked for a moderator without the perm.
    assert "0987 654 321" not in page.inner_text("main")
    assert "•••• ••• •21" in page.inner_text("main")


def test_editor_has_no_menu_item_and_the_url_refuses(page, comments):
    make_user("bientap", "Biên tập viên")
    login(page, "bientap", "pw-bientap")
    assert QUEUE not in page.content()
    response = page.goto(QUEUE)
    assert response.status == 403
    assert "Vay tiền nhanh" not in page.content()
    response = page.goto(f"{QUEUE}inspect/{comments['spam1'].pk}/")
    assert response.status == 403
