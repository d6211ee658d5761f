"""The moderation queue in the admin, as a moderator and as an editor see it."""

import re

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import make_campaign, make_procedure
from tests.moderation_factories import make_comment, make_editor, make_moderator
from wagtail_satisfaction.models import Comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_inline")]

QUEUE = "wagtail_satisfaction_comment_modeladmin_index"
INSPECT = "wagtail_satisfaction_comment_modeladmin_inspect"
MODERATE = "wagtail_satisfaction_comment_modeladmin_moderate"


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def test_queue_opens_on_pending_comments(moderator_client, campaign):
    make_comment(campaign, "Hồ sơ trả đúng hẹn")
    decided = make_comment(campaign, "Vay tiền nhanh, liên hệ ngay")
    Comment.objects.filter(pk=decided.pk).update(state="spam")
    response = moderator_client.get(reverse(QUEUE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hồ sơ trả đúng hẹn" in page
    assert "Vay tiền nhanh" not in page
    everything = moderator_client.get(reverse(QUEUE), {"state": "all"}).content.decode()
    assert "Vay tiền nhanh" in everything


def test_queue_filters_by_campaign_procedure_and_score_band(moderator_client, campaign):
    other = make_campaign(title="Khảo sát khác")
    procedure = make_procedure(campaign.unit, name="Cấp giấy phép xây dựng")
    mine = make_comment(campaign, "Giấy phép xây dựng trả trễ hẹn", procedure=procedure)
    make_comment(campaign, "Chào mọi người")
    make_comment(other, "Hồ sơ ở nơi khác")
    by_campaign = moderator_client.get(reverse(QUEUE), {"campaign__id__exact": campaign.pk})
    assert "Hồ sơ ở nơi khác" not in by_campaign.content.decode()
    assert "Chào mọi người" in by_campaign.content.decode()
    by_procedure = moderator_client.get(
        reverse(QUEUE), {"response__procedure__id__exact": procedure.pk}).content.decode()
    assert mine.text in by_procedure and "Chào mọi người" not in by_procedure
    high = moderator_client.get(reverse(QUEUE), {"score_band": "high"}).content.decode()
    assert mine.text in high and "Chào mọi người" not in high
    low = moderator_client.get(reverse(QUEUE), {"score_band": "low"}).content.decode()
    assert "Chào mọi người" in low and mine.text not in low


def test_search_ignores_accents(moderator_client, campaign):
    make_comment(campaign, "Cán bộ một cửa rất nhiệt tình")
    make_comment(campaign, "Đường ngập nước")
    page = moderator_client.get(reverse(QUEUE), {"q": "can bo mot cua"}).content.decode()
    assert "Cán bộ một cửa rất nhiệt tình" in page
    assert "Đường ngập nước" not in page


def test_comment_text_is_escaped_everywhere(moderator_client, campaign):
    comment = make_comment(campaign, "<script>alert('xss')</script> hồ sơ chậm")
    pages = [
        moderator_client.get(reverse(QUEUE)),
        moderator_client.get(reverse(INSPECT, args=[comment.pk])),
        moderator_client.post(reverse(MODERATE), {"comment": [comment.pk], "state": "spam"}),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert(" not in html
        assert "&lt;script&gt;alert(" in html


def test_personal_data_is_masked_without_the_permission(client, campaign):
    comment = make_comment(campaign, "Hồ sơ chậm, gọi tôi 0912 345 678 hoặc an@mail.vn")
    client.force_login(make_moderator("cntt1"))
    html = client.get(reverse(INSPECT, args=[comment.pk])).content.decode()
    assert "0912 345 678" not in html and "an@mail.vn" not in html
    assert "•••• ••• •78" in html
    # Searching the number does not reveal which comment holds it: nothing is found, and
    # the queue says why (it used to ignore the number and show everything).
    make_comment(campaign, "Cán bộ nhiệt tình")
    for number in ("0912", "0912 345 678", "+84912345678"):
        found = client.get(reverse(QUEUE), {"q": number}).content.decode()
        assert found.count("data-comment-text") == 0, number
        assert "Số điện thoại và số định danh đã được che" in found
    client.force_login(make_moderator("cntt2", personal_data=True))
    html = client.get(reverse(INSPECT, args=[comment.pk])).content.decode()
    assert "0912 345 678" in html and "an@mail.vn" in html


def test_bulk_action_asks_for_confirmation_then_records_history(moderator_client, campaign):
    first = make_comment(campaign, "Vay tiền nhanh")
    second = make_comment(campaign, "Xem bóng đá")
    untouched = make_comment(campaign, "Hồ sơ nhanh")
    queue = reverse(QUEUE) + f"?campaign__id__exact={campaign.pk}"
    data = {"comment": [first.pk, second.pk], "state": "spam", "next": queue}
    confirm = moderator_client.post(reverse(MODERATE), data)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Vay tiền nhanh" in html and "Xem bóng đá" in html and "Hồ sơ nhanh" not in html
    assert 'name="confirm" value="1"' in html
    assert Comment.objects.filter(state="spam").count() == 0  # nothing changed yet
    done = moderator_client.post(reverse(MODERATE), {**data, "confirm": "1",
                                                     "reason": "quảng cáo"})
    assert done.status_code == 302 and done.url == queue
    assert set(Comment.objects.filter(state="spam")) == {first, second}
    untouched.refresh_from_db()
    assert untouched.state == "pending"
    page = moderator_client.get(reverse(INSPECT, args=[first.pk])).content.decode()
    assert "quảng cáo" in page
    assert ModelLogEntry.objects.count() == 2


def test_moderate_refuses_unsafe_next_and_bad_state(moderator_client, campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    response = moderator_client.post(reverse(MODERATE), {
        "comment": [comment.pk], "state": "relevant", "confirm": "1",
        "next": "https://evil.example/"})
    assert response.url == reverse(QUEUE)
    response = moderator_client.post(reverse(MODERATE), {
        "comment": [comment.pk], "state": "deleted", "confirm": "1"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == "relevant"


def test_editor_without_permission_gets_403_and_no_menu_item(client, campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    client.force_login(make_editor())
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.get(reverse(INSPECT, args=[comment.pk])).status_code == 403
    response = client.post(reverse(MODERATE), {"comment": [comment.pk], "state": "spam",
                                               "confirm": "1"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.state == "pending"
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(QUEUE) not in dashboard


def test_moderator_sees_the_menu_item(moderator_client):
    dashboard = moderator_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(QUEUE) in dashboard


def test_no_edit_or_delete_views(moderator_client, campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    for action in ("edit", "delete"):
        url = reverse(f"wagtail_satisfaction_comment_modeladmin_{action}", args=[comment.pk])
        assert moderator_client.get(url).status_code == 403
        assert moderator_client.post(url, {"text": "sửa"}).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Hồ sơ nhanh"


def test_unit_filter_includes_sub_units_and_rows_show_ratings(moderator_client, campaign):
    from tests.factories import make_unit

    ward = make_unit("Phường 1", parent=campaign.unit)
    elsewhere = make_unit("Sở khác")
    in_ward = make_comment(campaign, "Hồ sơ ở phường", unit=ward)
    make_comment(campaign, "Hồ sơ ở sở khác", unit=elsewhere)
    page = moderator_client.get(reverse(QUEUE), {"unit": campaign.unit.pk}).content.decode()
    assert in_ward.text in page and "Hồ sơ ở sở khác" not in page
    # full_answers() rates every question 4: the row shows the mean.
    assert re.search(r"4[.,]0/5", page)


def test_a_decision_on_the_comment_page_leads_to_the_next_pending(moderator_client, campaign):
    older = make_comment(campaign, "Hồ sơ cũ")
    newer = make_comment(campaign, "Hồ sơ mới")
    page = moderator_client.get(reverse(INSPECT, args=[newer.pk])).content.decode()
    next_url = reverse(INSPECT, args=[older.pk])
    assert f'name="next" value="{next_url}"' in page
    done = moderator_client.post(reverse(MODERATE), {"comment": [newer.pk], "state": "relevant",
                                                     "confirm": "1", "next": next_url})
    assert done.url == next_url
    last = moderator_client.get(reverse(INSPECT, args=[older.pk])).content.decode()
    assert f'name="next" value="{reverse(QUEUE)}"' in last
