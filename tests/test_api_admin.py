"""API clients in the admin: the IT team creates one (its token shown once), revokes it,
and reads its calls; a unit-scoped user binds and sees only their units' clients."""

import re

import pytest
from django.urls import reverse

from tests.api_factories import make_api_client
from tests.factories import make_campaign, make_unit, make_user
from wagtail_satisfaction import roles
from wagtail_satisfaction.models import ApiCall, ApiClient, UnitScope
from wagtail_satisfaction.models.api import hash_token

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"ws_[A-Za-z0-9_-]{40}")


@pytest.fixture
def it_team(client):
    roles.ensure_role_groups()
    user = make_user("cntt", roles.IT_MODERATOR)
    client.force_login(user)
    return user


def test_the_it_team_creates_a_client_and_sees_its_token_once(client, it_team):
    unit = make_campaign().unit
    page = client.post(reverse("wagtail_satisfaction_api_clients:add"),
                       {"name": "Phần mềm một cửa tỉnh", "units": [unit.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    assert "chỉ hiện một lần" in html and "no-cache" in page["Cache-Control"]
    (token,) = set(TOKEN.findall(html))
    stored = ApiClient.objects.get()
    assert (stored.name, list(stored.units.all()), stored.created_by) == (
        "Phần mềm một cửa tỉnh", [unit], it_team)
    assert stored.token_hash == hash_token(token) and token.startswith(stored.token_prefix)
    # The listing and the client's form never show it again.
    for url in (reverse("wagtail_satisfaction_api_clients:index"),
                reverse("wagtail_satisfaction_api_clients:edit", args=[stored.pk])):
        listing = client.get(url).content.decode()
        assert token not in listing
    assert stored.token_prefix in client.get(
        reverse("wagtail_satisfaction_api_clients:index")).content.decode()
    # The token works.
    response = client.get("/khao-sat/api/v1/dossiers/KHONG-CO/",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404


def test_a_client_needs_a_name_and_a_unit(client, it_team):
    page = client.post(reverse("wagtail_satisfaction_api_clients:add"), {"name": ""})
    assert page.status_code == 200
    assert not ApiClient.objects.exists()
    assert "Trường này là bắt buộc" in page.content.decode()


def test_revoking_refuses_the_next_call_and_the_calls_stay_listed(client, it_team):
    unit = make_unit("Sở Tư pháp", code="so-tu-phap")
    api_client = make_api_client(unit)
    url = "/khao-sat/api/v1/dossiers/HS-1/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {api_client.token}").status_code == 404
    revoke = reverse("wagtail_satisfaction_api_clients:revoke", args=[api_client.pk])
    assert "Thu hồi mã truy cập" in client.get(revoke).content.decode()
    page = client.post(revoke, follow=True)
    assert "Đã thu hồi mã truy cập" in page.content.decode()
    assert "đã thu hồi lúc" in page.content.decode()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {api_client.token}").status_code == 401
    calls = client.get(reverse("wagtail_satisfaction_api_clients:calls",
                               args=[api_client.pk])).content.decode()
    assert "GET /khao-sat/api/v1/dossiers/HS-1/" in calls and "not_found" in calls
    # The refused call has no client (the token no longer names one) but is recorded.
    assert ApiCall.objects.filter(client=None, outcome="unauthenticated",
                                  token_prefix=api_client.token_prefix).count() == 1


def test_a_unit_scoped_user_binds_and_sees_only_their_units(client, it_team):
    mine = make_unit("Sở Tư pháp", code="so-tu-phap")
    other = make_unit("Sở Y tế", code="so-y-te")
    UnitScope.objects.create(user=it_team, unit=mine)
    foreign = make_api_client(other, name="Phần mềm Sở Y tế")
    own = make_api_client(mine, name="Phần mềm Sở Tư pháp")
    listing = client.get(reverse("wagtail_satisfaction_api_clients:index")).content.decode()
    assert own.name in listing and foreign.name not in listing
    for name in ("revoke", "calls", "edit"):
        url = reverse(f"wagtail_satisfaction_api_clients:{name}", args=[foreign.pk])
        assert client.get(url).status_code == 404
    page = client.post(reverse("wagtail_satisfaction_api_clients:add"),
                       {"name": "Phần mềm khác", "units": [other.pk]})
    assert page.status_code == 200 and not TOKEN.search(page.content.decode())
    assert not ApiClient.objects.filter(name="Phần mềm khác").exists()
