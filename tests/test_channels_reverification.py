"""Re-verification ("phúc tra"): a random share of reachable responses is called back."""

import pytest
from django.urls import reverse

from tests.channels_factories import make_dossier, make_staff
from tests.factories import full_answers, make_campaign, refusal
from wagtail_satisfaction.channels import reverification
from wagtail_satisfaction.models import CallOutcome, Dossier, Reverification
from wagtail_satisfaction.services import submit_response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def campaign():
    campaign = make_campaign()
    for n in range(8):
        dossier = make_dossier(campaign.unit, phone=f"09000000{n:02d}")
        submit_response(campaign, answers=full_answers(campaign), dossier_code=dossier.code,
                        dossier_proven=True)
    for n in range(4):
        submit_response(campaign, answers=full_answers(campaign), email=f"x{n}@example.vn")
    for _ in range(5):  # anonymous: nobody to call
        submit_response(campaign, answers=full_answers(campaign))
    return campaign


def test_draws_the_share_of_reachable_responses_rounded_up_never_twice(campaign):
    drawn = reverification.draw_sample(campaign, share=25)
    assert len(drawn) == 3  # 25% of the 12 reachable
    assert Reverification.objects.filter(response__email="",
                                         response__dossier_code="").count() == 0
    again = reverification.draw_sample(campaign, share=100)
    assert len(again) == 9
    assert Reverification.objects.values("response").distinct().count() == 12


def test_channel_filter(campaign):
    assert reverification.draw_sample(campaign, share=100, channels=["kiosk"]) == []
    drawn = reverification.draw_sample(campaign, share=100, channels=["website"])
    assert len(drawn) == 12 and {r.response.channel for r in drawn} == {"website"}


def test_draw_and_record_an_outcome_in_the_admin(client, campaign):
    client.force_login(make_staff("iso", "add_reverification", "view_reverification",
                                  "change_reverification", "view_personal_data"))
    response = client.post(reverse("wagtail_satisfaction_reverification:draw"),
                           {"campaign": campaign.pk, "share": "30"})
    assert response.status_code == 302
    assert Reverification.objects.count() == 4
    listing = client.get(reverse("wagtail_satisfaction_reverification:index"))
    html = listing.content.decode()
    for call in Reverification.objects.select_related("response"):
        if call.response.dossier_code:
            phone = Dossier.objects.get(code=call.response.dossier_code).phone
            assert phone in html
        else:
            assert call.response.email in html
    target = Reverification.objects.first()
    edit = reverse("wagtail_satisfaction_reverification:edit", args=[target.pk])
    client.post(edit, {"outcome": CallOutcome.CONFIRMED, "note": "Đã gọi, xác nhận"})
    target.refresh_from_db()
    assert target.outcome == "confirmed" and target.called_by.username == "iso"
    assert target.called_at is not None
    (row,) = reverification.outcome_summary()
    assert (row["drawn"], row["pending"], row["confirmed"]) == (4, 3, 1)
    page = client.get(reverse("wagtail_satisfaction_reverification:draw")).content.decode()
    assert 'id="reverification-summary"' in page


def test_contact_details_need_the_personal_data_permission(client, campaign):
    reverification.draw_sample(campaign, share=100)
    client.force_login(make_staff("clerk", "view_reverification", "change_reverification"))
    response = client.get(reverse("wagtail_satisfaction_reverification:index"))
    assert refusal(response) == "dashboard"
    assert "0900000" not in response.content.decode()


def test_menu_shows_re_verification_only_with_the_personal_data_permission(client):
    import json

    from wagtail.admin.menu import admin_menu

    def labels(user):
        client.force_login(user)
        request = client.get(reverse("wagtailadmin_home")).wsgi_request
        request.user = user
        return json.dumps([str(item.label)
                           for item in admin_menu.menu_items_for_request(request)] + [
            str(child.label) for item in admin_menu.menu_items_for_request(request)
            if hasattr(item, "menu") for child in item.menu.menu_items_for_request(request)])

    without = make_staff("clerk", "view_reverification", "change_reverification")
    assert "Re-verification" not in labels(without)
    with_data = make_staff("iso", "view_reverification", "view_personal_data")
    assert json.loads(labels(with_data)).count("Re-verification") == 1
