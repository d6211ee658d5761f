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

    with page.expect_navigation(url="**campaign__id__exact=*"):
        page.keyboard.press("s")  # spam, on the ticked comments: decided at once
    assert rows.count() == 1  # only the relevant comment is still pending
    assert Comment.objects.filter(state="spam").count() == 3

    # The decision is in the comment's history: who, from which state to which.
    page.goto(f"{QUEUE}inspect/{comments['spam1'].pk}/")
    history = page.locator("[data-history] tbody tr")
    assert history.count() == 1
    entry = history.first.inner_text()
    assert "cntt" in entry and "Rác" in entry
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


def test_it_moderator_sorts_ten_comments_with_the_keyboard_and_undoes_one(page, comments):
    """Ten decisions by keys alone, each one page load at most, then one undone."""
    campaign = comments["kept"].campaign
    for number in range(5):
        make_comment(campaign, f"Hồ sơ số {number + 1} được trả đúng hẹn, cán bộ hướng dẫn kỹ")
    user = make_user("cntt", "Tổ CNTT")
    user.first_name, user.last_name = "Hùng", "Phạm Quốc"
    user.save()
    login(page, "cntt", "pw-cntt")
    page.goto(QUEUE)
    loads = []
    page.on("load", lambda _page: loads.append(page.url))
    rows = page.locator("[data-comment-row]")
    assert rows.count() == 10
    keys = ["r", "o", "s", "r", "r", "s", "o", "r", "r", "s"]
    decided = []
    for key in keys:
        current = page.locator(".moderation-row--current")
        decided.append(int(current.locator("input[name=comment]").get_attribute("value")))
        before = len(loads)
        with page.expect_navigation():
            page.keyboard.press(key)
        page.wait_for_load_state("load")
        assert len(loads) - before <= 1  # one page load per decision at most
        assert page.locator(".moderation-undo").is_visible()
    assert len(loads) <= len(keys)
    assert rows.count() == 0 and "Không có ý kiến nào khớp" in page.inner_text("main")
    states = {"r": "relevant", "o": "off_topic", "s": "spam"}
    assert {pk: Comment.objects.get(pk=pk).state for pk in decided} == {
        pk: states[key] for pk, key in zip(decided, keys, strict=True)}

    # The last decision is undone with one key: that comment is pending again.
    with page.expect_navigation():
        page.keyboard.press("u")
    assert "Đã hoàn tác" in page.inner_text("main")
    assert rows.count() == 1
    assert Comment.objects.get(pk=decided[-1]).state == "pending"
    assert Comment.objects.get(pk=decided[-2]).state == "relevant"  # the one before stays
    # Who decided is named as Vietnamese write it.
    page.goto(f"{QUEUE}inspect/{decided[0]}/")
    assert "Phạm Quốc Hùng" in page.inner_text("[data-history]")


def test_the_key_badges_contrast_at_least_four_and_a_half_to_one(page, comments):
    make_user("cntt", "Tổ CNTT")
    login(page, "cntt", "pw-cntt")
    page.goto(QUEUE)
    ratios = page.evaluate("""() => {
      const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); })
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
      return [...document.querySelectorAll(".moderation-queue__actions kbd")].map((kbd) => {
        const style = getComputedStyle(kbd);
        const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))]
          .sort((x, y) => y - x);
        return [kbd.textContent, (a + 0.05) / (b + 0.05), Number(style.opacity)];
      });
    }""")
    assert [key for key, _ratio, _opacity in ratios] == ["r", "o", "s"]
    assert all(ratio >= 4.5 and opacity == 1 for _key, ratio, opacity in ratios), ratios
