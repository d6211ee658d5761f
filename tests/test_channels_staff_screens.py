"""Issue 17, staff side: the dossier list's statuses and layout, the invitation preview and
confirmation, the kiosk's address on its edit page, the admin home's panels per role."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.channels_factories import dossier_setup, make_dossier, make_staff
from tests.factories import full_answers
from wagtail_satisfaction.models import Response
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def channel_settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def admin_client(client):
    client.force_login(make_staff("admin", superuser=True))
    return client


def row_of(html, code):
    return re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(code) + r".*?</tr>", html,
                     re.S).group(0)


def test_the_dossier_list_shows_each_dossiers_status_in_one_dense_row(admin_client):
    campaign, rated = dossier_setup()
    today = datetime.date.today()
    unit = campaign.unit
    overdue = make_dossier(unit, returned=False, due_on=today - datetime.timedelta(days=1))
    waiting = make_dossier(unit, returned=False)
    invited = make_dossier(unit, invited_at=timezone.now())
    submit_response(campaign, answers=full_answers(campaign), dossier_code=rated.code,
                    dossier_proven=True)
    assert Response.objects.filter(dossier_code=rated.code).exists()
    html = admin_client.get(reverse("wagtail_satisfaction_dossiers:index")).content.decode()
    assert "satisfaction-dossier-list" in html  # the dense table's style applies

    def statuses(dossier):
        return re.findall(r'data-status="(\w+)"', row_of(html, dossier.code))

    assert statuses(rated) == ["returned", "rated"]
    assert statuses(overdue) == ["overdue"]
    assert statuses(waiting) == ["open"]
    assert statuses(invited) == ["returned", "invited"]
    assert "Đã đánh giá" in row_of(html, rated.code) and "Quá hạn" in row_of(html, overdue.code)
    # The code does not wrap, and the slip's button is on the row, its label whole.
    assert re.search(r'<td class="[^"]*satisfaction-nowrap[^"]*">\s*(?:<div[^>]*>\s*)?<a[^>]*>\s*'
                     + re.escape(rated.code), row_of(html, rated.code))
    slip = reverse("wagtail_satisfaction_dossiers:slip", args=[rated.pk])
    assert re.search(r'<a[^>]*href="' + re.escape(slip) + r'"[^>]*satisfaction-nowrap|'
                     r'<a[^>]*satisfaction-nowrap[^>]*href="' + re.escape(slip) + '"',
                     row_of(html, rated.code))
    assert "In phiếu khảo sát" in row_of(html, rated.code)
    assert mail.outbox == []


def test_sending_invitations_shows_the_message_and_the_count_and_waits_for_confirmation(client):
    campaign, dossier = dossier_setup()
    others = [make_dossier(campaign.unit, email=f"nguoi{n}@example.vn") for n in range(2)]
    make_dossier(campaign.unit, email="")  # no address: not a recipient
    client.force_login(make_staff("sender", "send_invitations"))
    url = reverse("wagtail_satisfaction_invitations:campaign", args=[campaign.pk])
    page = client.post(url, {"kind": "invitation"})
    assert page.status_code == 200 and mail.outbox == []  # nothing sent yet
    html = page.content.decode()
    assert "Gửi thư mời tới 3 người nhận?" in html
    body = re.search(r"data-preview-body>(.*?)</pre>", html, re.S).group(1)
    assert "/khao-sat/" in body or "http" in body  # the real message, its rating link
    assert dossier.code in html and all(other.email in html for other in others)
    assert 'name="confirm" value="1"' in html
    done = client.post(url, {"kind": "invitation", "confirm": "1"})
    assert done.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [dossier.email, *(other.email for other in others)])
    assert "3 người nhận" in client.get(url).content.decode()
    # Nothing waiting: the confirmation says so and offers no send button.
    html = client.post(url, {"kind": "invitation"}).content.decode()
    assert "data-confirm-send" not in html and len(mail.outbox) == 3
