"""Responses in the admin: listed, filterable, inspectable, never editable."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import full_answers, make_campaign, make_officer, make_user, refusal
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/wagtail_satisfaction/response/"


def staff_with(*codenames):
    group = Group.objects.create(name="g-" + "-".join(codenames))
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(
            codename=codename, content_type__app_label="wagtail_satisfaction"))
    return make_user("u-" + "-".join(codenames), group.name)


@pytest.fixture
def responses():
    campaign = make_campaign()
    officer = make_officer(campaign.unit, name="Trần Thị Lan")
    first = submit_response(campaign, answers=full_answers(campaign, 5), officer=officer,
                            dossier_code="HS-1", channel="kiosk", comment="Rất tốt")
    second = submit_response(campaign, answers=full_answers(campaign, 2), dossier_code="HS-2")
    return campaign, officer, first, second


def test_listing_filters_by_channel_and_officer(client, responses):
    campaign, officer, first, second = responses
    client.force_login(staff_with("view_response"))
    html = client.get(LIST_URL).content.decode()
    assert "HS-1" in html and "HS-2" in html
    html = client.get(LIST_URL, {"channel__exact": "kiosk"}).content.decode()
    assert "HS-1" in html and "HS-2" not in html
    html = client.get(LIST_URL, {"officer__id__exact": officer.pk}).content.decode()
    assert "HS-1" in html and "HS-2" not in html


def test_inspect_shows_every_answer(client, responses):
    campaign, _officer, first, _second = responses
    client.force_login(staff_with("view_response"))
    html = client.get(f"{LIST_URL}inspect/{first.pk}/").content.decode()
    assert html.count("<tr><td>") == campaign.questionnaire.questions().count()
    assert "Rất hài lòng" in html


def test_nobody_can_add_edit_or_delete_a_response(client, responses):
    _campaign, _officer, first, _second = responses
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for method, url in (("get", f"{LIST_URL}create/"), ("get", f"{LIST_URL}edit/{first.pk}/"),
                        ("post", f"{LIST_URL}delete/{first.pk}/")):
        response = getattr(client, method)(url)
        # modeladmin refuses with a redirect to the dashboard and a message
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert response["Location"] == "/admin/"
    first.refresh_from_db()  # still there
    assert first.answers.count() == first.questionnaire.questions().count()


def test_listing_needs_the_view_permission(client, responses):
    client.force_login(staff_with("moderate_comment"))
    response = client.get(LIST_URL)
    assert refusal(response) == "dashboard"
    assert "HS-1" not in response.content.decode()
    menu = client.get("/admin/").content.decode()
    assert LIST_URL not in menu


def test_listing_chrome_is_in_vietnamese(client, responses):
    client.force_login(staff_with("view_response"))
    html = client.get(LIST_URL).content.decode()
    assert "Theo kênh" in html  # modeladmin's "By %(filter_title)s"
    assert "Tìm phiếu trả lời" in html  # "Search %(name)s"


def test_admin_menu_reports_label_is_vietnamese(client, responses):
    client.force_login(staff_with("view_response"))
    import json

    # the sidebar is rendered from JSON, where non-ASCII letters are escaped
    assert json.dumps("Báo cáo") in client.get("/admin/").content.decode()
