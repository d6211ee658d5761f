"""Staff screens of the collection channels: import, slip, kiosk keys, invitations."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.channels_factories import (
    dossier_setup,
    make_kiosk_key,
    make_staff,
    make_unit,
    xlsx_bytes,
)
from wagtail_satisfaction.channels.imports import COLUMNS
from wagtail_satisfaction.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def channel_settings(settings, english):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def admin_client(client):
    client.force_login(make_staff("admin", superuser=True))
    return client


def refused(response):
    """Wagtail's admin answers a permission error by sending the user back home."""
    return response.status_code == 403 or (response.status_code == 302
                                           and response["Location"] == "/admin/")


def upload(content, name="dossiers.xlsx"):
    return SimpleUploadedFile(name, content)


def dossier_row(code, unit="mot-cua", email="a@example.vn"):
    return [code, unit, "", "", "Người nộp", email, "", "01/09/2026", "", "10/09/2026"]


def test_import_screen_names_the_bad_line_and_stores_nothing(admin_client):
    make_unit("Một cửa", code="mot-cua")
    url = reverse("wagtail_satisfaction_dossiers:import")
    bad = xlsx_bytes(COLUMNS, [dossier_row("A1"), dossier_row("A2", unit="nowhere")])
    page = admin_client.post(url, {"file": upload(bad)})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'data-line="3"' in html and "nowhere" in html
    assert Dossier.objects.count() == 0
    good = xlsx_bytes(COLUMNS, [dossier_row("A1"), dossier_row("A2")])
    assert admin_client.post(url, {"file": upload(good)}).status_code == 302
    assert admin_client.post(url, {"file": upload(good)}).status_code == 302
    assert Dossier.objects.count() == 2


def test_dossier_list_and_edit_in_the_admin(admin_client):
    _campaign, dossier = dossier_setup()
    listing = admin_client.get(reverse("wagtail_satisfaction_dossiers:index"))
    assert dossier.code in listing.content.decode()
    assert "Import dossiers" in listing.content.decode()
    edit = admin_client.get(reverse("wagtail_satisfaction_dossiers:edit", args=[dossier.pk]))
    assert edit.status_code == 200


def test_slip_shows_qr_code_and_both_codes_to_staff_who_may_change_dossiers(client):
    _campaign, dossier = dossier_setup()
    url = reverse("wagtail_satisfaction_dossiers:slip", args=[dossier.pk])
    client.force_login(make_staff("viewer", "view_dossier"))
    assert refused(client.get(url))
    client.force_login(make_staff("clerk", "view_dossier", "change_dossier"))
    html = client.get(url).content.decode()
    assert "<svg" in html and dossier.secret_code in html and dossier.code in html


def test_kiosk_keys_are_listed_with_their_address(admin_client):
    campaign, _ = dossier_setup()
    key = make_kiosk_key(campaign)
    html = admin_client.get(reverse("wagtail_satisfaction_kiosks:index")).content.decode()
    assert key.name in html and f"/kiosk/{key.key}/" in html


def test_invitation_screen_sends_and_shows_rates(client):
    campaign, dossier = dossier_setup()
    url = reverse("wagtail_satisfaction_invitations:campaign", args=[campaign.pk])
    client.force_login(make_staff("clerk", "view_dossier"))
    assert refused(client.get(url))
    client.force_login(make_staff("sender", "send_invitations"))
    page = client.get(url).content.decode()
    assert "1 dossier is waiting for an invitation" in page
    client.post(url, {"kind": "invitation", "confirm": "1"})
    assert [message.to for message in mail.outbox] == [[dossier.email]]
    page = client.get(url).content.decode()
    assert "0 dossiers are waiting" in page and "below 80%" in page


def test_import_needs_add_and_change_permissions(client):
    make_unit("Một cửa", code="mot-cua")
    url = reverse("wagtail_satisfaction_dossiers:import")
    client.force_login(make_staff("viewer", "view_dossier", "add_dossier"))
    content = xlsx_bytes(COLUMNS, [dossier_row("A1")])
    assert refused(client.post(url, {"file": upload(content)}))
    assert Dossier.objects.count() == 0
    client.force_login(make_staff("importer", "view_dossier", "add_dossier", "change_dossier"))
    assert client.post(url, {"file": upload(content)}).status_code == 302
    assert Dossier.objects.count() == 1


def test_staff_add_a_dossier_in_the_admin_and_it_gets_a_secret_code(admin_client):
    unit = make_unit("Một cửa", code="mot-cua")
    response = admin_client.post(reverse("wagtail_satisfaction_dossiers:add"), {
        "code": " hs-900 ", "unit": unit.pk, "applicant_name": "Lê Văn Dân",
        "email": "dan@example.vn", "phone": "", "received_on": "2026-09-01",
        "due_on": "", "returned_on": "2026-08-01"})
    assert response.status_code == 200  # returned before received: refused, kept
    assert "cannot be returned before" in response.content.decode()
    assert Dossier.objects.count() == 0
    admin_client.post(reverse("wagtail_satisfaction_dossiers:add"), {
        "code": " hs-900 ", "unit": unit.pk, "applicant_name": "Lê Văn Dân",
        "email": "dan@example.vn", "phone": "", "received_on": "2026-09-01",
        "due_on": "", "returned_on": "2026-09-05"})
    dossier = Dossier.objects.get()
    assert dossier.code == "HS-900" and len(dossier.secret_code) == 8


def test_invitation_and_paper_indexes_list_campaigns_filtered_by_unit(client):
    campaign, _dossier = dossier_setup()
    other = make_unit("Phường Hai", code="p2")
    client.force_login(make_staff("clerk", "send_invitations", "add_staffentry"))
    invitations = client.get(reverse("wagtail_satisfaction_invitations:index")).content.decode()
    assert campaign.title in invitations
    assert reverse("wagtail_satisfaction_invitations:campaign", args=[campaign.pk]) in invitations
    paper = client.get(reverse("wagtail_satisfaction_paper:index")).content.decode()
    for name in ("entry", "print", "template", "import"):
        assert reverse(f"wagtail_satisfaction_paper:{name}", args=[campaign.pk]) in paper
    filtered = client.get(reverse("wagtail_satisfaction_paper:index_results"),
                          {"unit": other.pk}).content.decode()
    assert campaign.title not in filtered
    filtered = client.get(reverse("wagtail_satisfaction_invitations:index_results"),
                          {"unit": campaign.unit.pk}).content.decode()
    assert campaign.title in filtered


def test_invitation_and_paper_indexes_refuse_staff_without_the_permission(client):
    dossier_setup()
    client.force_login(make_staff("viewer", "view_dossier"))
    assert refused(client.get(reverse("wagtail_satisfaction_invitations:index")))
    assert refused(client.get(reverse("wagtail_satisfaction_paper:index")))
