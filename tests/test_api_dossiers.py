"""The dossier API of the one-stop software: tokens, unit scope, idempotence, JSON errors,
rate limit, audit, and the one invitation a returned result sends (email and SMS)."""

import datetime
import json
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import TestCase

from tests.api_factories import make_api_client, sms_gateway  # noqa: F401
from tests.channels_factories import make_dossier
from tests.channels_smtp import smtp_server  # noqa: F401
from tests.factories import make_campaign, make_officer, make_procedure, make_unit
from wagtail_satisfaction.channels import dossiers as rules
from wagtail_satisfaction.models import ApiCall, ApiClient, Dossier
from wagtail_satisfaction.models.api import hash_token

pytestmark = pytest.mark.django_db

API = "/khao-sat/api/v1/dossiers/"
TODAY = datetime.date.today()


def days(n):
    return (TODAY + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def setup(db):
    campaign = make_campaign()
    unit = campaign.unit
    ward = make_unit("Phường Bến Thành", parent=unit, code="phuong-ben-thanh")
    other = make_unit("Sở Y tế", code="so-y-te")
    procedure = make_procedure(unit, code="1.001234", name="Cấp giấy phép")
    officer = make_officer(unit, name="Trần Thị Hoa")
    client = make_api_client(unit)
    return {"campaign": campaign, "unit": unit, "ward": ward, "other": other,
            "procedure": procedure, "officer": officer, "client": client}


def call(client, method, url, token, body=None, language="vi"):
    """One API call; what it queues on commit runs as after a real request's commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _call(client, method, url, token, body, language)


def _call(client, method, url, token, body, language):
    kwargs = {"HTTP_ACCEPT_LANGUAGE": language}
    if token is not None:
        kwargs["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body is not None:
        kwargs.update(data=json.dumps(body) if not isinstance(body, str) else body,
                      content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def dossier_body(setup, **changes):
    body = {"code": "000.21.36.H36-261201-0001", "unit": setup["unit"].code,
            "procedure": "1.001234", "officer": "trần thị hoa",
            "applicant_name": "Lê Văn Dân", "email": "dan@example.vn",
            "phone": "0912 345 678", "received_on": days(-10), "due_on": days(5)}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


# --- Authentication -------------------------------------------------------------------------

def test_a_call_without_a_token_or_with_a_wrong_one_is_refused(client, setup):
    response = call(client, "post", API, None, dossier_body(setup))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]
    response = call(client, "post", API, "ws_not-a-token", dossier_body(setup))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Mã truy cập API này không hợp lệ")
    assert not Dossier.objects.exists()
    # Both refusals are on record, with no client and what the wrong token began with.
    calls = list(ApiCall.objects.order_by("pk").values_list("client", "outcome",
                                                            "token_prefix"))
    assert calls == [(None, "unauthenticated", ""), (None, "unauthenticated", "ws_not-a")]


def test_the_token_is_stored_as_a_digest_and_a_revoked_token_stops_working(client, setup):
    api_client = setup["client"]
    stored = ApiClient.objects.get(pk=api_client.pk)
    assert stored.token_hash == hash_token(api_client.token)
    assert api_client.token not in {stored.token_hash, stored.token_prefix, stored.name}
    assert stored.last_used_at is None
    assert call(client, "post", API, api_client.token, dossier_body(setup)).status_code == 201
    assert ApiClient.objects.get(pk=api_client.pk).last_used_at is not None
    ApiClient.objects.filter(pk=api_client.pk).update(revoked_at=datetime.datetime.now(
        datetime.UTC))
    response = call(client, "get", API + "000.21.36.H36-261201-0001/", api_client.token,
                    language="en")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This API token is not valid or has been "
                                                "revoked")


# --- Unit scope -----------------------------------------------------------------------------

def test_a_client_writes_and_reads_only_its_units_dossiers(client, setup):
    token = setup["client"].token
    # Its unit's sub-units are its own.
    response = call(client, "post", API, token,
                    dossier_body(setup, code="HS-PHUONG-1", unit="phuong-ben-thanh",
                                 procedure=..., officer=...))
    assert response.status_code == 201, response.content
    # Another unit is refused, by field.
    response = call(client, "post", API, token,
                    dossier_body(setup, code="HS-Y-TE-1", unit="so-y-te", procedure=...,
                                 officer=...))
    assert response.status_code == 400
    assert response.json() == {"unit": ["Mã truy cập này không được ghi hồ sơ của đơn vị này."]}
    # Another unit's dossier can be neither read nor overwritten.
    foreign = make_dossier(setup["other"], code="HS-Y-TE-2")
    assert call(client, "get", API + "HS-Y-TE-2/", token).status_code == 404
    assert call(client, "post", API + "HS-Y-TE-2/returned/", token, {}).status_code == 404
    response = call(client, "post", API, token,
                    dossier_body(setup, code="hs-y-te-2", procedure=..., officer=...))
    assert response.status_code == 400 and list(response.json()) == ["code"]
    foreign.refresh_from_db()
    assert foreign.unit == setup["other"] and foreign.applicant_name == ""


# --- Idempotence ----------------------------------------------------------------------------

def test_posting_the_same_dossier_again_changes_nothing(client, setup):
    token = setup["client"].token
    first = call(client, "post", API, token, dossier_body(setup))
    assert first.status_code == 201, first.content
    later = time.time() + 2  # a second boundary between the two calls (it happens under load)
    with mock.patch("django.core.signing.time.time", return_value=later):
        again = call(client, "post", API, token, dossier_body(setup))
    assert again.status_code == 200
    # Same secret code and status; the link is signed with the time it is issued (it expires
    # DOSSIER_LINK_MAX_AGE_DAYS later), so a second later it differs but opens the same dossier.
    first_body, again_body = first.json(), again.json()
    first_link, again_link = first_body.pop("rating_url"), again_body.pop("rating_url")
    assert again_body == first_body
    assert rules.read_token(again_link.rstrip("/").rsplit("/", 1)[-1])[0].code == (
        rules.read_token(first_link.rstrip("/").rsplit("/", 1)[-1])[0].code)
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert (dossier.code, dossier.procedure, dossier.officer, dossier.phone) == (
        "000.21.36.H36-261201-0001", setup["procedure"], setup["officer"], "0912 345 678")
    # An update changes only the fields it sends.
    changed = call(client, "post", API, token, {"code": dossier.code, "due_on": days(7)})
    assert changed.status_code == 200 and changed.json()["due_on"] == days(7)
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Lê Văn Dân" and dossier.due_on.isoformat() == days(7)
    outcomes = list(ApiCall.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["created", "unchanged", "updated"]
    assert set(ApiCall.objects.values_list("client", flat=True)) == {setup["client"].pk}
    assert set(ApiCall.objects.values_list("dossier_code", flat=True)) == {dossier.code}


# --- Bad fields -----------------------------------------------------------------------------

BAD_FIELDS = [
    ("code", "", "This field may not be empty.", "Trường này không được để trống."),
    ("code", "X" * 65, "Write at most 64 characters.", "Viết tối đa 64 ký tự."),
    ("unit", "khong-co", "No unit has the code “khong-co”.",
     "Không có đơn vị nào mang mã “khong-co”."),
    ("unit", ..., "This field is required for a new dossier.",
     "Trường này bắt buộc với hồ sơ mới."),
    ("procedure", "9.999", "No procedure has the code “9.999”.",
     "Không có thủ tục nào mang mã “9.999”."),
    ("officer", "Người Lạ", "No single officer named “Người Lạ” works in this unit.",
     "Không có đúng một cán bộ tên “Người Lạ” làm việc ở đơn vị này."),
    ("email", "dan@", "Enter a valid email address.", "Nhập một địa chỉ email hợp lệ."),
    ("phone", "09-abc", "Enter a phone number of 8 to 15 digits, e.g. 0912 345 678.",
     "Nhập số điện thoại từ 8 đến 15 chữ số, ví dụ 0912 345 678."),
    ("received_on", "05/12/2026", "Write the date as YYYY-MM-DD, for example 2026-12-05.",
     "Viết ngày theo dạng NNNN-TT-NN, ví dụ 2026-12-05."),
    ("received_on", ..., "This field is required for a new dossier.",
     "Trường này bắt buộc với hồ sơ mới."),
    ("due_on", days(-20), "The due date cannot be before the dossier is received.",
     "Ngày hẹn trả không thể trước ngày tiếp nhận hồ sơ."),
    ("returned_on", days(3), "The result cannot be returned in the future.",
     "Không thể trả kết quả vào một ngày trong tương lai."),
    ("returned_on", days(-12), "The result cannot be returned before the dossier is "
     "received.", "Ngày trả kết quả không thể trước ngày tiếp nhận hồ sơ."),
    ("opted_out", True, "This field is not part of a dossier.",
     "Trường này không thuộc hồ sơ."),
]


@pytest.mark.parametrize(("field", "value", "english", "vietnamese"), BAD_FIELDS)
def test_every_bad_field_is_named_in_the_callers_language_and_nothing_is_stored(
        client, setup, field, value, english, vietnamese):
    body = dossier_body(setup, **{field: value})
    token = setup["client"].token
    for language, message in (("en", english), ("vi", vietnamese)):
        response = call(client, "post", API, token, body, language=language)
        assert response.status_code == 400, response.content
        assert response["Content-Language"] == language
        assert response.json() == {field: [message]}
    assert not Dossier.objects.exists()
    assert {(outcome, tuple(fields)) for outcome, fields in
            ApiCall.objects.values_list("outcome", "error_fields")} == {("invalid", (field,))}


def test_several_bad_fields_are_all_named_at_once(client, setup):
    token = setup["client"].token
    # Values of the wrong form are named first...
    body = dossier_body(setup, email="dan@", received_on="hôm qua", code="X" * 70)
    response = call(client, "post", API, token, body, language="en")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "email", "received_on"}
    # ...then what the site does not know or the rules refuse, all at once.
    body = dossier_body(setup, unit="khong-co", procedure="9.999", phone="abc",
                        returned_on=days(2))
    response = call(client, "post", API, token, body, language="en")
    assert set(response.json()) == {"unit", "procedure", "phone", "returned_on"}
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(("body", "english"), [
    ("{not json", "The body is not valid JSON."),
    ("[1, 2]", "Send one dossier as a JSON object."),
])
def test_a_body_that_is_no_dossier_is_refused_in_words(client, setup, body, english):
    response = call(client, "post", API, setup["client"].token, body, language="en")
    assert response.status_code == 400
    assert english in json.dumps(response.json())
    assert not Dossier.objects.exists()


def test_a_bad_returned_date_is_refused_and_the_dossier_is_unchanged(client, setup):
    dossier = make_dossier(setup["unit"], returned=False)
    url = f"{API}{dossier.code}/returned/"
    token = setup["client"].token
    for value, message in ((days(1), "The result cannot be returned in the future."),
                           ("tomorrow", "Write the date as YYYY-MM-DD, for example 2026-12-05."),
                           (days(-30), "The result cannot be returned before the dossier is "
                                       "received.")):
        response = call(client, "post", url, token, {"returned_on": value}, language="en")
        assert response.status_code == 400
        assert response.json() == {"returned_on": [message]}
    dossier.refresh_from_db()
    assert dossier.returned_on is None


# --- Rate limit -----------------------------------------------------------------------------

def test_each_client_has_its_own_rate_limit(client, setup, settings):
    settings.WAGTAIL_SATISFACTION_API_RATE_LIMIT = 3
    other = make_api_client(setup["unit"], name="Cổng dịch vụ công")
    dossier = make_dossier(setup["unit"])
    url = f"{API}{dossier.code}/"
    assert [call(client, "get", url, setup["client"].token).status_code
            for _ in range(3)] == [200] * 3
    refused = call(client, "get", url, setup["client"].token, language="en")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many calls for this API client")
    assert call(client, "get", url, other.token).status_code == 200
    assert ApiCall.objects.filter(outcome="rate_limited").count() == 1


# --- The invitation when the result is returned ---------------------------------------------

def test_result_returned_sends_one_email_and_one_sms(client, setup, smtp_server,  # noqa: F811
                                                     sms_gateway, tasks_inline):  # noqa: F811
    token = setup["client"].token
    created = call(client, "post", API, token, dossier_body(setup))
    assert created.json()["rating"]["status"] == "not_returned"
    assert smtp_server.messages == [] and sms_gateway.requests == []
    code = created.json()["code"]
    response = call(client, "post", f"{API}{code}/returned/", token, {})
    assert response.status_code == 200, response.content
    assert response.json()["returned_on"] == TODAY.isoformat()
    # The answer comes before the worker sends; read again, the dossier is invited.
    assert response.json()["rating"]["status"] == "waiting"
    assert call(client, "get", f"{API}{code}/", token).json()["rating"]["status"] == "invited"
    # Marked returned again, re-posted with its date, read: nothing more goes out.
    call(client, "post", f"{API}{code}/returned/", token, {"returned_on": TODAY.isoformat()})
    call(client, "post", API, token, dossier_body(setup, returned_on=TODAY.isoformat()))
    call(client, "get", f"{API}{code}/", token)

    (recipients, message), = smtp_server.messages
    assert recipients == ["dan@example.vn"]
    html = message.get_body(preferencelist=("html",)).get_content()
    rating_url = response.json()["rating_url"].split("/ho-so/")[0]
    assert 'src="cid:rating-qr"' in html and rating_url in html
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<rating-qr>"
    assert images[0].get_content().startswith(b"\x89PNG")

    (sms,) = sms_gateway.requests
    assert sms["headers"]["Authorization"] == "Bearer gw-secret"
    assert sms["body"]["to"] == "0912345678" and sms["body"]["from"] == "SOKHCN"
    assert code in sms["body"]["text"] and "http" in sms["body"]["text"]
    assert "đánh giá" in sms["body"]["text"]  # Vietnamese, diacritics kept by default
    assert Dossier.objects.get(code=code).invited_at is not None


def test_an_opted_out_applicant_gets_nothing(client, setup, smtp_server,  # noqa: F811
                                             sms_gateway, tasks_inline):  # noqa: F811
    dossier = make_dossier(setup["unit"], returned=False, email="dan@example.vn",
                           phone="0912345678", opted_out=True)
    response = call(client, "post", f"{API}{dossier.code}/returned/", setup["client"].token,
                    {})
    assert response.json()["rating"]["status"] == "opted_out"
    assert smtp_server.messages == [] and sms_gateway.requests == []


def test_sms_only_and_without_diacritics_when_asked(client, setup, settings, mailoutbox,
                                                    sms_gateway, tasks_inline):  # noqa: F811
    settings.WAGTAIL_SATISFACTION_MESSAGE_BACKENDS["sms"]["OPTIONS"].update(
        ASCII=True, COUNTRY_CODE="84")
    body = dossier_body(setup, email="", returned_on=TODAY.isoformat())
    response = call(client, "post", API, setup["client"].token, body)
    assert response.status_code == 201
    assert Dossier.objects.get().invited_at is not None
    assert mailoutbox == []
    (sms,) = sms_gateway.messages()
    assert sms["to"] == "84912345678"
    assert sms["text"].isascii() and "danh gia" in sms["text"]


def test_a_refusing_gateway_leaves_the_dossier_to_invite_later(client, setup, settings,
                                                              sms_gateway,  # noqa: F811
                                                              tasks_inline):
    body = dossier_body(setup, email="", phone="0999 000 111",
                        returned_on=TODAY.isoformat())
    response = call(client, "post", API, setup["client"].token, body)
    assert response.json()["rating"]["status"] == "waiting"
    assert len(sms_gateway.requests) == 1
    assert Dossier.objects.get().invited_at is None


def test_a_gateway_that_is_down_raises_for_the_worker_and_releases_the_claim(setup,
                                                                             sms_gateway):  # noqa: F811
    from wagtail_satisfaction.channels import invitations

    sms_gateway.status = 503
    dossier = make_dossier(setup["unit"], phone="0912345678")
    with pytest.raises(OSError):
        invitations.invite_on_return(dossier.pk)
    dossier.refresh_from_db()
    assert dossier.invited_at is None
    sms_gateway.status = 200
    assert invitations.invite_on_return(dossier.pk)["sent"] == ["sms"]
    assert invitations.invite_on_return(dossier.pk) == {"sent": [],
                                                        "reason": "already_invited"}
    assert len(sms_gateway.requests) == 2


def test_no_invitation_without_an_open_survey_or_for_a_rated_dossier(setup, mailoutbox):
    from tests.factories import full_answers
    from wagtail_satisfaction.channels import invitations
    from wagtail_satisfaction.services import submit_response

    outside = make_dossier(setup["other"], email="a@example.vn")
    assert invitations.invite_on_return(outside.pk)["reason"] == "no_campaign"
    rated = make_dossier(setup["unit"], email="b@example.vn")
    submit_response(setup["campaign"], answers=full_answers(setup["campaign"]),
                    dossier_code=rated.code, dossier_proven=True)
    assert invitations.invite_on_return(rated.pk)["reason"] == "already_rated"
    waiting = make_dossier(setup["unit"], returned=False, due_on=TODAY, email="c@x.vn")
    assert invitations.invite_on_return(waiting.pk)["reason"] == "not_ratable"
    silent = make_dossier(setup["unit"])
    assert invitations.invite_on_return(silent.pk)["reason"] == "no_contact"
    assert invitations.invite_on_return(0)["reason"] == "no_dossier"
    assert mailoutbox == []


def test_rating_status_follows_the_dossier(client, setup):
    from tests.factories import full_answers
    from wagtail_satisfaction.services import submit_response

    dossier = make_dossier(setup["unit"], email="")
    url = f"{API}{dossier.code}/"
    token = setup["client"].token
    assert call(client, "get", url, token).json()["rating"] == {
        "status": "waiting", "ratable": True, "campaign": setup["campaign"].slug,
        "invited_at": None, "reminded_at": None}
    submit_response(setup["campaign"], answers=full_answers(setup["campaign"]),
                    dossier_code=dossier.code, dossier_proven=True)
    assert call(client, "get", url, token).json()["rating"]["status"] == "rated"
    assert call(client, "get", API + "KHONG-CO/", token).status_code == 404


def test_invitation_waits_for_the_worker(client, setup, mailoutbox):
    """Without an inline worker the call answers at once; the worker sends later."""
    from django_tasks_db.models import DBTaskResult

    dossier = make_dossier(setup["unit"], returned=False, email="dan@example.vn")
    response = call(client, "post", f"{API}{dossier.code}/returned/", setup["client"].token,
                    {})
    assert response.status_code == 200 and mailoutbox == []
    assert DBTaskResult.objects.filter(task_path__endswith="invite_on_return_task").count() == 1
    assert len(mail.outbox) == 0


def test_malformed_calls_are_answered_in_words(client, setup):
    token = setup["client"].token
    response = client.get(API + "HS-1/", HTTP_AUTHORIZATION="Bearer", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This API token is not valid")
    response = call(client, "put", API, token, {"code": "HS-1"}, language="en")
    assert response.status_code == 405
    assert response.json() == {"detail": "This address does not take this method."}
    response = client.post(API, {"code": "HS-1"}, HTTP_AUTHORIZATION=f"Bearer {token}",
                           HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Hãy gửi nội dung dạng JSON")
    assert not Dossier.objects.exists()
    assert list(ApiCall.objects.order_by("pk").values_list("status_code", flat=True)) == [
        401, 405, 415]
