"""Message backends: the HTTP SMS gateway's options against a real local gateway, the console
backend, and the OpenAPI schema of the whole API (``manage.py spectacular --validate``)."""

import base64
import io

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from tests.api_factories import FakeGateway
from wagtail_satisfaction.channels import backends
from wagtail_satisfaction.channels.backends import (
    ConsoleBackend,
    HttpSmsBackend,
    SmsMessage,
    without_diacritics,
)

TEXT = "Hồ sơ HS-1 đã có kết quả. Mời Ông/Bà đánh giá: https://x.vn/a"


@pytest.fixture
def gateway():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


def test_form_body_with_basic_auth_and_a_text_success_rule(gateway):
    gateway.reply = {"code": 0, "result": "ACCEPTED"}
    backend = HttpSmsBackend(URL=gateway.url, FORMAT="form",
                             AUTH={"TYPE": "basic", "USERNAME": "so", "PASSWORD": "mật"},
                             BODY_TEMPLATE={"phone": "{to}", "message": "{text}",
                                            "brand": "{sender}", "to": "{to}"},
                             SENDER="SOKHCN", SUCCESS={"CONTAINS": "ACCEPTED"})
    with backend:
        assert backend.send(SmsMessage("+84 912 345 678", TEXT)) is True
    (request,) = gateway.requests
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    user, password = base64.b64decode(
        request["headers"]["Authorization"].split()[1]).decode().split(":")
    assert (user, password) == ("so", "mật")
    assert request["body"] == {"phone": "+84912345678", "message": TEXT, "brand": "SOKHCN",
                               "to": "+84912345678"}
    gateway.reply = {"code": 7, "result": "REJECTED"}
    assert backend.send(SmsMessage("0912345678", TEXT)) is False


def test_header_auth_status_rule_and_nested_json_field(gateway):
    backend = HttpSmsBackend(URL=gateway.url, AUTH={"TYPE": "header", "NAME": "X-Api-Key",
                                                     "VALUE": "k-1"},
                             HEADERS={"X-Trace": "1"},
                             SUCCESS={"STATUS": [201], "JSON_FIELD": "data.0.sent"})
    gateway.status, gateway.reply = 201, {"data": [{"sent": True}]}
    assert backend.send(SmsMessage("0912345678", TEXT)) is True
    assert gateway.requests[0]["headers"]["X-Api-Key"] == "k-1"
    assert gateway.requests[0]["headers"]["X-Trace"] == "1"
    assert gateway.requests[0]["body"] == {"to": "0912345678", "text": TEXT}
    gateway.status = 200  # not in STATUS
    assert backend.send(SmsMessage("0912345678", TEXT)) is False
    gateway.status, gateway.reply = 201, {"data": []}
    assert backend.send(SmsMessage("0912345678", TEXT)) is False
    gateway.status = 400  # the gateway refuses this message: no retry
    assert backend.send(SmsMessage("0912345678", TEXT)) is False


def test_a_gateway_that_is_down_or_unreachable_raises(gateway):
    backend = HttpSmsBackend(URL=gateway.url, TIMEOUT=2)
    gateway.status = 502
    with pytest.raises(OSError):
        backend.send(SmsMessage("0912345678", TEXT))
    gateway.stop()
    with pytest.raises(OSError):
        HttpSmsBackend(URL=gateway.url, TIMEOUT=2).send(SmsMessage("0912345678", TEXT))


def test_a_gateway_without_url_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        HttpSmsBackend(AUTH={})


def test_text_without_diacritics_keeps_the_letters():
    assert without_diacritics("Hồ sơ Đà Nẵng đã có kết quả") == "Ho so Da Nang da co ket qua"


def test_console_backend_prints_sms_and_email():
    from django.core.mail import EmailMessage

    stream = io.StringIO()
    backend = ConsoleBackend(STREAM=stream, ASCII=True)
    with backend:
        assert backend.send(SmsMessage("0912345678", TEXT))
        assert backend.send(EmailMessage("Mời đánh giá", "Nội dung", to=["dan@example.vn"]))
    out = stream.getvalue()
    assert "SMS to 0912345678: Ho so HS-1 da co ket qua" in out
    assert "dan@example.vn" in out


def test_backends_come_from_the_setting(settings):
    settings.WAGTAIL_SATISFACTION_MESSAGE_BACKENDS = {
        "email": {"CLASS": "wagtail_satisfaction.channels.backends.ConsoleBackend",
                  "OPTIONS": {"CHANNEL": "email"}},
        "sms": None,
    }
    assert isinstance(backends.get_backend("email"), ConsoleBackend)
    assert backends.get_backend("email").channel == "email"
    assert backends.get_backend("sms") is None


def test_spectacular_writes_a_valid_schema_with_the_dossier_and_open_data_endpoints(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/khao-sat/api/v1/dossiers/", "/khao-sat/api/v1/dossiers/{code}/",
            "/khao-sat/api/v1/dossiers/{code}/returned/", "/khao-sat/api/v1/campaigns/",
            "/khao-sat/api/v1/campaigns/{slug}/units/"} <= paths
    assert not any(p.startswith("/admin/") for p in paths)
    post = schema["paths"]["/khao-sat/api/v1/dossiers/"]["post"]
    assert post["security"] == [{"apiToken": []}]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    assert {"201", "400", "401", "429"} <= set(post["responses"])
    # Reads of open data need no token.
    assert schema["paths"]["/khao-sat/api/v1/campaigns/"]["get"].get("security") in (
        None, [], [{}])


@pytest.mark.django_db
def test_a_site_without_email_sends_no_invitation_email(settings, mailoutbox):
    from tests.channels_factories import make_dossier
    from tests.factories import make_campaign
    from wagtail_satisfaction.channels import invitations

    settings.WAGTAIL_SATISFACTION_MESSAGE_BACKENDS = {"email": None, "sms": None}
    campaign = make_campaign()
    dossier = make_dossier(campaign.unit, email="dan@example.vn")
    assert invitations.send(campaign).sent == 0
    assert invitations.invite_on_return(dossier.pk)["reason"] == "no_contact"
    dossier.refresh_from_db()
    assert dossier.invited_at is None and mailoutbox == []
