"""Fewer clicks in the moderation queue (issue 17): one action per decision, undo, search by
phone number and dossier code, names in Vietnamese order, a readable key badge."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import make_user
from tests.moderation_factories import make_comment, make_moderator
from wagtail_satisfaction.moderation.admin import national_digits, parse_search, phone_pattern
from wagtail_satisfaction.moderation.decisions import decide_undoably, undo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_inline")]

QUEUE = "wagtail_satisfaction_comment_modeladmin_index"
INSPECT = "wagtail_satisfaction_comment_modeladmin_inspect"
MODERATE = "wagtail_satisfaction_comment_modeladmin_moderate"


@pytest.fixture
def moderator(client):
    user = make_moderator()
    client.force_login(user)
    return user


def queue_form(client, **query):
    """The fields the queue's decision form sends, as the page renders them."""
    html = client.get(reverse(QUEUE), query).content.decode()
    form = re.search(r"<form[^>]*data-moderation-queue.*?</form>", html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)), html


def test_a_decision_from_the_queue_is_one_post_and_can_be_undone(client, moderator, campaign):
    first = make_comment(campaign, "Vay tiền nhanh")
    kept = make_comment(campaign, "Hồ sơ trả đúng hẹn")
    fields, _html = queue_form(client)
    assert fields["confirm"] == "1"  # the queue's buttons and keys decide at once
    done = client.post(reverse(MODERATE), {**fields, "comment": [first.pk], "state": "spam"})
    assert done.status_code == 302  # straight back to the queue: no confirmation page
    first.refresh_from_db()
    assert first.state == "spam" and first.decided_by == moderator
    page = client.get(done.url).content.decode()
    assert "Vay tiền nhanh" not in page and "Hồ sơ trả đúng hẹn" in page
    assert "Đã đánh dấu 1 ý kiến là Rác" in page
    undo_form = re.search(r"<form[^>]*data-moderation-undo.*?</form>", page, re.S).group(0)
    decision = re.search(r'name="undo" value="([^"]+)"', undo_form).group(1)

    undone = client.post(reverse(MODERATE), {"undo": decision, "next": done.url})
    assert undone.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.decided_by, first.decided_at, first.reason) == (
        "pending", None, None, "")
    page = client.get(undone.url).content.decode()
    assert "Vay tiền nhanh" in page and "data-moderation-undo" not in page
    assert "Đã hoàn tác" in page
    # Both steps are in the comment's history; the other comment was never touched.
    actions = list(ModelLogEntry.objects.filter(object_id=str(first.pk))
                   .order_by("timestamp", "pk").values_list("action", flat=True))
    assert actions == ["wagtail_satisfaction.comment.moderate",
                       "wagtail_satisfaction.comment.undo"]
    kept.refresh_from_db()
    assert kept.state == "pending"
    inspect = client.get(reverse(INSPECT, args=[first.pk])).content.decode()
    assert "Đã hoàn tác quyết định" in inspect


def test_undo_restores_each_comments_own_previous_decision(client, moderator, campaign):
    other = make_moderator("cntt-khac")
    earlier = make_comment(campaign, "Góp ý về hồ sơ")
    pending = make_comment(campaign, "Xem bóng đá")
    decide_undoably([earlier.pk], "off_topic", other, "lạc đề")
    earlier.refresh_from_db()
    before = (earlier.state, earlier.decided_by, earlier.decided_at, earlier.reason)
    changed, decision = decide_undoably([earlier.pk, pending.pk], "relevant", moderator)
    assert changed == 2
    assert undo(decision, moderator) == 2
    earlier.refresh_from_db()
    pending.refresh_from_db()
    assert (earlier.state, earlier.decided_by, earlier.decided_at, earlier.reason) == before
    assert pending.state == "pending"
    # Undoing twice, or another moderator's decision, changes nothing.
    assert undo(decision, moderator) == 0
    _changed, theirs = decide_undoably([pending.pk], "spam", other)
    assert undo(theirs, moderator) == 0
    assert undo("not-a-uuid", moderator) == 0
    pending.refresh_from_db()
    assert pending.state == "spam"


def test_a_comment_decided_again_since_is_not_undone(client, moderator, campaign):
    comment = make_comment(campaign, "Hồ sơ chậm")
    _changed, decision = decide_undoably([comment.pk], "spam", moderator)
    decide_undoably([comment.pk], "relevant", moderator)
    response = client.post(reverse(MODERATE), {"undo": decision})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == "relevant"
    page = client.get(response.url).content.decode()
    assert "Không có gì để hoàn tác" in page


def test_the_comment_page_decides_in_one_action_too(client, moderator, campaign):
    comment = make_comment(campaign, "Hồ sơ chậm")
    html = client.get(reverse(INSPECT, args=[comment.pk])).content.decode()
    assert 'name="confirm" value="1"' in html


def test_phone_numbers_are_read_however_they_are_typed():
    assert national_digits("+84 912 345 678") == "0912345678"
    assert national_digits("84912345678") == "0912345678"
    assert national_digits("0912.345.678") == "0912345678"
    pattern = re.compile(phone_pattern("+84912345678"))
    for typed in ("gọi 0912 345 678 nhé", "0912.345.678", "+84 912 345 678", "84 912345678",
                  "sđt:0912-345-678."):
        assert pattern.search(typed), typed
    for other in ("0912 345 679", "10912345678", "0912 345 6789"):
        assert not pattern.search(other), other
    phones, codes, phrase = parse_search("000.21.36.H36-261029-0034 0912 345 678 trả chậm")
    assert phones == ["0912 345 678"] and codes == ["000.21.36.H36-261029-0034"]
    assert phrase == "trả chậm"


def test_a_moderator_who_may_see_personal_data_finds_a_phone_in_any_form(client, campaign):
    holder = make_comment(campaign, "Hồ sơ chậm, gọi tôi 0912.345.678")
    make_comment(campaign, "Gọi 0987 654 321")
    make_comment(campaign, "Cán bộ nhiệt tình")
    client.force_login(make_moderator("cntt-du-lieu", personal_data=True))
    for typed in ("0912345678", "+84 912 345 678", "0912 345 678"):
        page = client.get(reverse(QUEUE), {"q": typed}).content.decode()
        assert page.count("data-comment-text") == 1, typed
        assert f"#{holder.pk}<" in page


def test_a_dossier_code_finds_the_comments_of_that_dossier(client, moderator, campaign):
    code = "000.21.36.H36-261029-0034"
    rated = make_comment(campaign, "Trả kết quả đúng hẹn", dossier_code=code)
    mentioned = make_comment(campaign, f"Hồ sơ {code.lower()} bị trả chậm")
    make_comment(campaign, "Cán bộ nhiệt tình", dossier_code="000.21.36.H36-261029-0035")
    page = client.get(reverse(QUEUE), {"q": code}).content.decode()
    assert page.count("data-comment-text") == 2
    assert f"#{rated.pk}<" in page and f"#{mentioned.pk}<" in page
    # Not a number search: the IT moderator (no personal data) may search codes.
    assert "đã được che" not in page.split("moderation-queue__keys")[0]


def test_people_are_named_family_name_first(client, campaign):
    user = make_moderator("cntt-ten")
    user.first_name, user.last_name = "Hùng", "Phạm Quốc"
    user.save()
    client.force_login(user)
    comment = make_comment(campaign, "Hồ sơ chậm")
    decide_undoably([comment.pk], "relevant", user)
    html = client.get(reverse(INSPECT, args=[comment.pk])).content.decode()
    assert "Phạm Quốc Hùng" in html and "Hùng Phạm Quốc" not in html
    nameless = make_user("khong-ten", "Tổ CNTT")
    from wagtail_satisfaction.templatetags.satisfaction_tags import person_name

    assert person_name(nameless) == "khong-ten"
    assert person_name(None) == ""


def relative_luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_key_badge_reads_at_least_four_and_a_half_to_one():
    css = (Path(__file__).resolve().parent.parent
           / "wagtail_satisfaction/static/wagtail_satisfaction/css/moderation.css").read_text()
    rule = re.search(r"\.moderation-queue__actions kbd[^{]*\{([^}]*)\}", css).group(1)
    background = re.search(r"background:\s*(#[0-9a-f]{6})", rule).group(1)
    colour = re.search(r"(?<!-)color:\s*(#[0-9a-f]{6})", rule).group(1)
    assert "opacity: 1" in rule  # no fading that would lower the contrast again
    light, dark = sorted((relative_luminance(background), relative_luminance(colour)),
                         reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
