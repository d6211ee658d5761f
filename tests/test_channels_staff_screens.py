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
from wagtail_satisfaction.models import Comment, Response
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


# --- The admin home per role ---------------------------------------------------------------


def home_of(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def panel(html, name):
    found = re.search(rf'<section[^>]*data-panel="{name}".*?</section>', html, re.S)
    return found.group(0) if found else None


def figure(html, name):
    return int(re.search(rf'data-figure="{name}">(\d+)<', html).group(1))


@pytest.fixture
def two_units():
    """Two departments, each with an open campaign; role users scoped to the first."""
    from tests.factories import make_campaign, make_unit
    from wagtail_satisfaction import roles
    from wagtail_satisfaction.models import UnitScope

    roles.ensure_role_groups()
    mine, theirs = make_unit("Sở Tư pháp", kind="department"), make_unit("Sở Y tế",
                                                                          kind="department")
    campaigns = {unit: make_campaign(unit=unit, target_responses=3) for unit in (mine, theirs)}

    def user(name, role):
        from tests.factories import make_user

        person = make_user(name, role)
        UnitScope.objects.create(user=person, unit=mine)
        return person

    return mine, theirs, campaigns, user


def test_the_it_team_sees_its_units_pending_comments_on_the_home(client, two_units):
    from tests.moderation_factories import make_comment
    from wagtail_satisfaction import roles

    mine, theirs, campaigns, user = two_units
    first = make_comment(campaigns[mine], "Hồ sơ chậm", unit=mine)
    make_comment(campaigns[mine], "Cán bộ tận tình", unit=mine)
    make_comment(campaigns[theirs], "Không thuộc đơn vị", unit=theirs)
    decided = make_comment(campaigns[mine], "Đã xử lý", unit=mine)
    Comment.objects.filter(pk=decided.pk).update(state="relevant")
    html = home_of(client, user("cntt", roles.IT_MODERATOR))
    pending = panel(html, "satisfaction_pending_comments")
    assert figure(pending, "pending") == 2  # theirs and the decided one are not counted
    assert timezone.localtime(first.submitted_at).strftime("%d/%m/%Y") in pending
    assert reverse("wagtail_satisfaction_comment_modeladmin_index") in pending
    assert panel(html, "satisfaction_results_today") is None
    assert panel(html, "satisfaction_dossiers_to_invite") is None


def test_the_iso_secretary_sees_today_targets_and_the_last_integrity_check(client, two_units):
    from wagtail_satisfaction import roles
    from wagtail_satisfaction.models import IntegrityCheck

    mine, theirs, campaigns, user = two_units
    for _n in range(3):
        submit_response(campaigns[mine], answers=full_answers(campaigns[mine]), unit=mine)
    yesterday = timezone.now() - datetime.timedelta(days=1, hours=1)
    submit_response(campaigns[mine], answers=full_answers(campaigns[mine]), unit=mine,
                    submitted_at=yesterday)
    submit_response(campaigns[theirs], answers=full_answers(campaigns[theirs]), unit=theirs)
    secretary = user("thuky", roles.ISO_SECRETARY)
    html = home_of(client, secretary)
    results = panel(html, "satisfaction_results_today")
    assert figure(results, "today") == 3  # not yesterday's, not another unit's
    row = re.search(rf'data-campaign="{campaigns[mine].pk}".*?</tr>', results, re.S).group(0)
    assert ">4<" in row and "đã đạt 3" in row
    assert "chưa từng được kiểm tra" in results
    IntegrityCheck.objects.create(status=IntegrityCheck.Status.FAILED, problem_count=2,
                                  finished_at=timezone.now(), started_by=secretary)
    results = panel(home_of(client, secretary), "satisfaction_results_today")
    assert "Phát hiện 2 vấn đề" in results and "Lần kiểm tra tính toàn vẹn gần nhất" in results
    assert "Đã hơn một tháng" not in results
    assert panel(html, "satisfaction_pending_comments") is None


def test_one_stop_staff_see_returned_dossiers_not_yet_invited(client, two_units):
    from wagtail_satisfaction import roles

    mine, theirs, campaigns, user = two_units
    today = datetime.date.today()
    waiting = make_dossier(mine, email="dan@example.vn")
    no_email = make_dossier(mine, email="")
    make_dossier(mine, invited_at=timezone.now())  # invited already
    make_dossier(mine, returned=False)  # not returned yet
    make_dossier(mine, returned_on=today + datetime.timedelta(days=1))  # returned tomorrow
    rated = make_dossier(mine, email="da-danh-gia@example.vn")
    submit_response(campaigns[mine], answers=full_answers(campaigns[mine]),
                    dossier_code=rated.code, dossier_proven=True)
    make_dossier(theirs, email="khac@example.vn")  # another unit's
    html = home_of(client, user("motcua", roles.ONE_STOP))
    dossiers = panel(html, "satisfaction_dossiers_to_invite")
    assert figure(dossiers, "waiting") == 2 and figure(dossiers, "with-email") == 1
    assert waiting.code in dossiers and no_email.code in dossiers
    assert reverse("wagtail_satisfaction_dossiers:slip", args=[waiting.pk]) in dossiers
    assert reverse("wagtail_satisfaction_invitations:index") in dossiers
    assert panel(html, "satisfaction_results_today") is None


def test_the_web_editor_gets_no_satisfaction_panel(client, two_units):
    from wagtail_satisfaction import roles

    _mine, _theirs, _campaigns, user = two_units
    html = home_of(client, user("bientap", roles.EDITOR))
    assert "data-panel=" not in html


# --- The kiosk's address, and the base address printed --------------------------------------


def test_the_kiosk_edit_page_shows_its_address_and_qr_code(admin_client, settings):
    from tests.channels_factories import make_kiosk_key

    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    campaign, _dossier = dossier_setup()
    key = make_kiosk_key(campaign)
    html = admin_client.get(reverse("wagtail_satisfaction_kiosks:edit",
                                    args=[key.pk])).content.decode()
    address = re.search(r"<section[^>]*data-kiosk-address.*?</section>", html, re.S).group(0)
    assert f"http://testserver{key.get_absolute_url()}" in address
    assert "<svg" in address  # the QR code
    assert "data-base-warning" not in address  # the configured address is the one in use


def test_slips_and_kiosk_page_warn_when_the_base_address_is_not_the_one_in_use(admin_client,
                                                                                settings):
    from tests.channels_factories import make_kiosk_key

    campaign, dossier = dossier_setup()
    key = make_kiosk_key(campaign)
    slip = reverse("wagtail_satisfaction_dossiers:slip", args=[dossier.pk])
    kiosk = reverse("wagtail_satisfaction_kiosks:edit", args=[key.pk])
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    for url in (slip, kiosk):
        html = admin_client.get(url).content.decode()
        warning = re.search(r"<p[^>]*data-base-warning.*?</p>", html, re.S).group(0)
        assert "http://127.0.0.1:8000" in warning and "http://testserver" in warning
    settings.WAGTAILADMIN_BASE_URL = ""
    warning = re.search(r"<p[^>]*data-base-warning.*?</p>",
                        admin_client.get(slip).content.decode(), re.S).group(0)
    assert "Chưa đặt địa chỉ công khai" in warning
    settings.WAGTAILADMIN_BASE_URL = "http://TestServer/"  # the same, written otherwise
    assert "data-base-warning" not in admin_client.get(slip).content.decode()
