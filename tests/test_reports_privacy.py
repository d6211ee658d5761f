"""Personal data typed into comments stays masked in the report and its exports for users
without the permission to see it."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import full_answers, make_campaign, make_user
from wagtail_satisfaction.models import Comment
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db

PHONE = "0912345678"


def user_with(name, *codenames):
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(
            codename=codename, content_type__app_label="wagtail_satisfaction"))
    return make_user(name, name)


@pytest.fixture
def campaign_with_comment():
    campaign = make_campaign()
    response = submit_response(campaign, answers=full_answers(campaign),
                               comment=f"Hồ sơ trả chậm, gọi tôi số {PHONE} <b>nhé</b>")
    Comment.objects.filter(pk=response.comment.pk).update(state="relevant")
    return campaign


@pytest.mark.parametrize("personal", [False, True])
def test_report_and_csv_mask_phone_numbers_without_permission(client, campaign_with_comment,
                                                              personal):
    codenames = ["view_response", "export_response"] + (["view_personal_data"] if personal
                                                         else [])
    client.force_login(user_with(f"reader-{personal}", *codenames))
    query = {"campaign": campaign_with_comment.pk}
    html = client.get("/admin/satisfaction-report/", query).content.decode()
    assert "Hồ sơ trả chậm" in html
    assert (PHONE in html) is personal
    assert "<b>nhé</b>" not in html  # always escaped
    csv = b"".join(client.get("/admin/satisfaction-report/export/",
                              {**query, "format": "csv", "kind": "comments"})
                   .streaming_content).decode("utf-8-sig")
    assert "Hồ sơ trả chậm" in csv
    assert (PHONE in csv) is personal
