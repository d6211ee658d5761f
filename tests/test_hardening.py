"""Hardening of the public pages: nothing cached by shared proxies, the real client address."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Site

from tests.channels_factories import dossier_setup, make_kiosk_key
from tests.factories import form_data, make_user
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.guards import client_address
from wagtail_satisfaction.models import Response, SurveyPage

pytestmark = pytest.mark.django_db


def assert_not_stored(response):
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


def test_public_survey_thanks_dossier_and_kiosk_pages_are_never_stored(client):
    campaign, dossier = dossier_setup()
    survey = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    home = Site.objects.get(is_default_site=True).root_page
    page = home.add_child(instance=SurveyPage(title="Khảo sát", slug="khao-sat-trang",
                                              campaign=campaign))
    kiosk = make_kiosk_key(campaign)
    pages = [
        survey,
        reverse("wagtail_satisfaction:thanks", args=[campaign.slug]),
        page.url,
        reverse("wagtail_satisfaction:dossier_lookup"),
        dossiers.rating_path(dossier),
        reverse("wagtail_satisfaction:kiosk", args=[kiosk.key]),
        reverse("wagtail_satisfaction:kiosk_thanks", args=[kiosk.key]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response)
    # A refused form, which shows what the visitor typed, is not stored either.
    refused = client.post(survey, {"comment": "số điện thoại 0901234567"})
    assert refused.status_code == 400
    assert_not_stored(refused)
    # Nor is the thank-you page that answers a stored response.
    sent = client.post(survey, form_data(campaign))
    assert sent.status_code == 200 and Response.objects.count() == 1
    assert_not_stored(sent)


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_connection_address_is_used(settings):
    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_behind_one_proxy_the_right_most_entry_is_the_client(settings):
    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.2", "198.51.100.9")) == "198.51.100.9"
    # A client that writes its own header cannot choose its address: our proxy appends
    # the real one on the right.
    spoofed = request_from("10.0.0.2", "1.1.1.1, 2.2.2.2, 198.51.100.9")
    assert client_address(spoofed) == "198.51.100.9"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 2
    # client (spoofed "6.6.6.6") -> CDN (appends 198.51.100.9) -> load balancer (appends
    # the CDN's 10.0.0.5) -> Django (REMOTE_ADDR is the load balancer).
    request = request_from("10.0.0.2", "6.6.6.6, 198.51.100.9 , 10.0.0.5")
    assert client_address(request) == "198.51.100.9"
    # Fewer entries than proxies: the request did not come through them all.
    assert client_address(request_from("10.0.0.2", "6.6.6.6")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"


def test_the_older_switch_means_one_proxy(settings):
    settings.WAGTAIL_SATISFACTION_TRUST_X_FORWARDED_FOR = True
    assert client_address(request_from("10.0.0.2", "6.6.6.6, 198.51.100.9")) == "198.51.100.9"


def test_spoofed_left_entries_do_not_escape_the_rate_limit(client, campaign, settings):
    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 1
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 2
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    for n in range(3):
        sent = client.post(url, form_data(campaign),
                           HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9",
                           REMOTE_ADDR="10.0.0.2")
        assert sent.status_code == (200 if n < 2 else 429)
    assert Response.objects.count() == 2


# --- Admin sign-in: password guessing locks the account from that address (django-axes) ---


def sign_in(client, username, password, address="198.51.100.20"):
    return client.post("/admin/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_sign_in_with_a_vietnamese_message(client, settings):
    make_user("thuky")
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        refused = sign_in(client, "thuky", "doan-mo")
        assert refused.status_code == 200  # the sign-in form again, with its error
    locked = sign_in(client, "thuky", "doan-mo")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Tạm khoá đăng nhập" in page
    assert f"Mật khẩu đã sai {limit} lần liên tiếp" in page
    assert "Vui lòng thử lại sau 15 phút" in page
    # Locked: even the right password is refused now, from that address.
    assert sign_in(client, "thuky", "pw-thuky").status_code == 429


def test_the_lock_is_per_account_and_address_so_the_office_keeps_working(client, settings):
    make_user("thuky")
    make_user("motcua")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "thuky", "doan-mo")
    # A colleague behind the same public address signs in.
    signed_in = sign_in(client, "motcua", "pw-motcua")
    assert signed_in.status_code == 302
    client.logout()
    # The same account from another address is not locked either.
    assert sign_in(client, "thuky", "pw-thuky", address="203.0.113.50").status_code == 302
