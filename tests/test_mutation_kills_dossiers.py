"""The dossier rules (channels/dossiers.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): each refusal a visitor reads, word for word, and its code.
"""

import datetime

import pytest
from django.core import signing

from tests.channels_factories import dossier_setup, make_dossier
from tests.factories import full_answers, make_campaign, make_unit
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Channel
from wagtail_satisfaction.services import submit_response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def refusal(call, *args):
    with pytest.raises(dossiers.DossierRefused) as refused:
        call(*args)
    return refused.value.code, refused.value.messages


def test_each_refusal_of_a_dossier_reads_as_written():
    campaign, dossier = dossier_setup()
    code = dossier.code
    waiting = make_dossier(campaign.unit, returned=False, code="HS-CHO")
    assert refusal(dossiers.check_can_rate, waiting) == ("not_returned", [
        "Dossier HS-CHO cannot be rated yet: you can rate it once its result has been "
        "returned to you."])
    elsewhere = make_dossier(make_unit("Nơi chưa khảo sát"), code="HS-NOI")
    assert refusal(dossiers.check_can_rate, elsewhere) == ("no_campaign", [
        "No survey is open for dossier HS-NOI at the moment."])
    assert dossiers.check_can_rate(dossier) == campaign
    submit_response(campaign, answers=full_answers(campaign), dossier_code=code,
                    dossier_proven=True)
    assert refusal(dossiers.check_can_rate, dossier) == ("already_rated", [
        f"Dossier {code} has already been rated. Each dossier can be rated only once; "
        "thank you."])


def test_a_dossier_proven_for_another_survey_names_that_survey(rf):
    campaign, dossier = dossier_setup()
    other = make_campaign(title="Khảo sát năm sau")
    request = rf.post("/", REMOTE_ADDR="203.0.113.4")
    assert refusal(dossiers.prove_for_campaign, request, other, dossier.code,
                   dossier.secret_code) == ("other_campaign", [
                       f"Dossier {dossier.code} is rated in another survey: {campaign.title}."])
    assert dossiers.prove_for_campaign(request, campaign, dossier.code.lower(),
                                       dossier.secret_code) == dossier


def test_an_expired_or_broken_link_reads_as_written(settings, monkeypatch):
    import time

    _campaign, dossier = dossier_setup()
    token = dossiers.make_token(dossier, Channel.EMAIL)
    assert dossiers.read_token(token) == (dossier, Channel.EMAIL)
    assert refusal(dossiers.read_token, token + "x") == ("forged", [
        "This survey link is not valid. Please use the link or QR code exactly as you "
        "received it, or enter your dossier code and secret code."])
    not_valid = ["This survey link is not valid. Please use the link or QR code exactly as "
                 "you received it, or enter your dossier code and secret code."]
    paper = signing.dumps({"d": dossier.code, "c": "paper"}, salt=dossiers.LINK_SALT)
    assert refusal(dossiers.read_token, paper) == ("forged", not_valid)  # not a link channel
    removed = signing.dumps({"d": "HS-DA-XOA", "c": "email"}, salt=dossiers.LINK_SALT)
    assert refusal(dossiers.read_token, removed) == ("forged", not_valid)  # no such dossier
    settings.WAGTAIL_SATISFACTION_DOSSIER_LINK_MAX_AGE_DAYS = 2
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 2 * 86400 + 60)
    assert refusal(dossiers.read_token, token) == ("expired", [
        "This survey link has expired. You can still rate your dossier with its code "
        "and secret code."])


def test_an_unsubscribe_link_reads_as_written_when_broken_or_for_a_removed_dossier():
    _campaign, dossier = dossier_setup()
    url = dossiers.opt_out_url(dossier)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert dossiers.read_opt_out_token(token) == dossier
    message = ["This unsubscribe link is not valid or has expired."]
    assert refusal(dossiers.read_opt_out_token, token + "x") == ("forged", message)
    dossier.delete()
    assert refusal(dossiers.read_opt_out_token, token) == ("forged", message)


def test_only_dossiers_returned_by_today_or_overdue_if_allowed_are_ratable(settings):
    today = datetime.date(2026, 9, 15)
    unit = make_unit("Bộ phận Một cửa")

    def dossier(code, returned_on=None, due_on=None):
        return make_dossier(unit, returned=False, code=code, received_on=datetime.date(
            2026, 9, 1), returned_on=returned_on, due_on=due_on)

    returned_today = dossier("A", returned_on=today)
    returned_tomorrow = dossier("B", returned_on=today + datetime.timedelta(days=1))
    overdue = dossier("C", due_on=today - datetime.timedelta(days=1))
    due_today = dossier("D", due_on=today)
    settings.WAGTAIL_SATISFACTION_RATE_OVERDUE_DOSSIERS = False
    expected = {returned_today}
    for item in (returned_today, returned_tomorrow, overdue, due_today):
        assert dossiers.is_ratable(item, today) is (item in expected), item.code
    assert set(dossiers.ratable_dossiers(today=today)) == expected
    settings.WAGTAIL_SATISFACTION_RATE_OVERDUE_DOSSIERS = True
    expected = {returned_today, overdue}
    for item in (returned_today, returned_tomorrow, overdue, due_today):
        assert dossiers.is_ratable(item, today) is (item in expected), item.code
    assert set(dossiers.ratable_dossiers(today=today)) == expected


def test_wrong_codes_and_too_many_attempts_read_as_written(rf, settings):
    _campaign, dossier = dossier_setup()
    request = rf.post("/", REMOTE_ADDR="203.0.113.8")
    spaced = " ".join(dossier.secret_code.lower())  # as read aloud from the receipt
    assert dossiers.prove_codes(request, dossier.code, spaced) == dossier
    assert refusal(dossiers.prove_codes, request, dossier.code, "SAI12345") == (
        "wrong_codes", ["The dossier code and secret code do not match. Please check both "
                        "codes on your receipt and try again."])
    settings.WAGTAIL_SATISFACTION_DOSSIER_CODE_ATTEMPTS = 1
    assert refusal(dossiers.prove_codes, request, dossier.code, dossier.secret_code) == (
        "too_many_attempts", ["Too many attempts for this dossier code or from your "
                              "connection. Please wait a few minutes and try again."])


def test_staff_are_told_when_the_printed_base_address_is_not_the_one_in_use(rf, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAGTAIL_SATISFACTION_PUBLIC_BASE_URL = "https://dichvucong.example.vn/"
    local = rf.get("/admin/ky-khao-sat/", HTTP_HOST="192.168.1.5:8000")
    assert dossiers.base_address_mismatch(local) == {
        "configured": "https://dichvucong.example.vn", "in_use": "http://192.168.1.5:8000"}
    settings.WAGTAIL_SATISFACTION_PUBLIC_BASE_URL = "http://DichVuCong.example.vn"
    same = rf.get("/admin/ky-khao-sat/", HTTP_HOST="dichvucong.EXAMPLE.vn")
    assert dossiers.base_address_mismatch(same) is None


def test_an_unsubscribe_link_expires_after_its_days(settings, monkeypatch):
    import time

    _campaign, dossier = dossier_setup()
    token = dossiers.opt_out_url(dossier).rstrip("/").rsplit("/", 1)[-1]
    settings.WAGTAIL_SATISFACTION_OPT_OUT_LINK_MAX_AGE_DAYS = 3
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3 * 86400 - 60)
    assert dossiers.read_opt_out_token(token) == dossier
    monkeypatch.setattr(time, "time", lambda: now + 3 * 86400 + 60)
    assert refusal(dossiers.read_opt_out_token, token) == ("forged", [
        "This unsubscribe link is not valid or has expired."])


def test_the_dossiers_still_to_invite_are_those_not_proven_rated_in_this_campaign():
    """A rating in another campaign, or a free reference that happens to carry the code,
    does not take a dossier off the list of those still to invite; only the given dossiers
    are considered."""
    campaign, rated = dossier_setup()
    other = make_campaign()
    elsewhere, typed, untouched = (make_dossier(campaign.unit, code=code)
                                   for code in ("HS-KHAC", "HS-GO", "HS-CHUA"))
    submit_response(campaign, answers=full_answers(campaign), dossier_code=rated.code,
                    dossier_proven=True)
    submit_response(other, answers=full_answers(other), dossier_code=elsewhere.code,
                    dossier_proven=True)
    submit_response(campaign, answers=full_answers(campaign), dossier_code=typed.code)
    mine = dossiers.dossiers_in_scope(campaign)
    assert set(dossiers.unanswered(mine, campaign)) == {elsewhere, typed, untouched}
    assert set(dossiers.ratable_dossiers(mine.exclude(code="HS-CHUA"))) == {
        rated, elsewhere, typed}


def test_links_printed_on_slips_use_the_configured_base_address_once(settings):
    """A base address with or without its final slash gives one slash before the path; with
    none configured (nor Wagtail's), the link is relative to the site it is shown on."""
    _campaign, dossier = dossier_setup()
    path = dossiers.rating_path(dossier)
    assert path.startswith("/")
    settings.WAGTAIL_SATISFACTION_PUBLIC_BASE_URL = "https://dichvucong.example.vn/"
    assert dossiers.rating_url(dossier) == "https://dichvucong.example.vn" + path
    settings.WAGTAIL_SATISFACTION_PUBLIC_BASE_URL = None
    settings.WAGTAILADMIN_BASE_URL = "https://quantri.example.vn"
    assert dossiers.rating_url(dossier) == "https://quantri.example.vn" + path
    del settings.WAGTAILADMIN_BASE_URL
    assert dossiers.rating_url(dossier) == path


def test_a_dossier_whose_survey_changed_since_its_form_was_shown_is_refused_as_written():
    """The form was drawn for one survey and the dossier is now rated in another (a campaign
    closed and the next one opened meanwhile): nothing is stored, and the visitor is told to
    open the link again, not shown another refusal."""
    from wagtail_satisfaction.forms import SurveyForm
    from wagtail_satisfaction.models import Response

    campaign, dossier = dossier_setup()
    shown_for = make_campaign(title="Khảo sát đã đóng")
    form = SurveyForm(None, campaign=shown_for)
    assert refusal(dossiers.submit_dossier_rating, dossier, form) == ("campaign_changed", [
        "The survey for this dossier has changed. Please open your link again."])
    assert not Response.objects.filter(dossier_code=dossier.code).exists()
    assert dossiers.check_can_rate(dossier) == campaign


def test_a_dossier_rated_meanwhile_by_another_submission_is_refused_as_already_rated(
        monkeypatch):
    """Two submissions of one dossier at once: both pass the check, the second to store is
    refused by the duplicate guard with the already-rated words, and only one rating is kept."""
    from tests.factories import form_data
    from wagtail_satisfaction.forms import SurveyForm
    from wagtail_satisfaction.models import Response

    campaign, dossier = dossier_setup()
    form = SurveyForm(form_data(campaign), campaign=campaign,
                      fixed=dossiers.fixed_values(dossier))
    assert form.is_valid(), form.errors
    submit_response(campaign, answers=full_answers(campaign), dossier_code=dossier.code,
                    dossier_proven=True)
    # The other submission was not stored yet when this one checked the dossier.
    monkeypatch.setattr(dossiers, "is_rated", lambda *args: False)
    assert refusal(dossiers.submit_dossier_rating, dossier, form) == ("already_rated", [
        f"Dossier {dossier.code} has already been rated. Each dossier can be rated only "
        "once; thank you."])
    assert Response.objects.filter(dossier_code=dossier.code).count() == 1


def test_a_base_address_with_a_path_keeps_it_whole_on_slips_and_in_the_staff_warning(
        rf, settings):
    """A town's portal under a path ("TX", thị xã): the links printed keep the path whole, and
    the warning to staff names the configured address as configured."""
    _campaign, dossier = dossier_setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAGTAIL_SATISFACTION_PUBLIC_BASE_URL = "https://dichvucong.example.vn/TX/"
    assert dossiers.rating_url(dossier) == (
        "https://dichvucong.example.vn/TX" + dossiers.rating_path(dossier))
    local = rf.get("/admin/ky-khao-sat/", HTTP_HOST="192.168.1.5:8000")
    assert dossiers.base_address_mismatch(local) == {
        "configured": "https://dichvucong.example.vn/TX", "in_use": "http://192.168.1.5:8000"}


def test_the_invitation_emails_qr_image_is_the_code_of_its_rating_link():
    """Mail readers show no SVG: the invitation carries the QR code as an inline PNG, which
    must encode the email's own rating link, module for module."""
    import io
    import re

    import qrcode
    from PIL import Image

    from wagtail_satisfaction.channels.invitations import QR_CONTENT_ID, build_message

    campaign, dossier = dossier_setup()
    message = build_message(dossier, campaign, qr_code=True)
    [image] = [part for part in message.attachments if not isinstance(part, tuple)]
    assert image["Content-ID"] == f"<{QR_CONTENT_ID}>"
    png = Image.open(io.BytesIO(image.get_payload(decode=True))).convert("L")
    # The email's own link (a link signed in another second would differ: it is timed).
    [link] = re.findall(r"\S+/danh-gia/\S+", message.body)
    assert dossiers.read_token(link.rstrip("/").rsplit("/", 1)[-1]) == (dossier, Channel.EMAIL)
    code = qrcode.QRCode(border=0)
    code.add_data(link)
    matrix = code.get_matrix()
    box, border = 8, 2  # pixels per module, modules of quiet zone
    assert png.size == ((len(matrix) + 2 * border) * box,) * 2
    drawn = [[png.getpixel(((x + border) * box + box // 2, (y + border) * box + box // 2)) < 128
              for x in range(len(matrix))] for y in range(len(matrix))]
    assert drawn == matrix


def test_a_dossier_rated_in_an_earlier_survey_may_be_rated_in_the_survey_open_now():
    """Once per campaign (docs/channels.md): a dossier rated in last period's survey, which
    has closed, is not "already rated" in the survey its unit opened since."""
    earlier, dossier = dossier_setup()
    submit_response(earlier, answers=full_answers(earlier), dossier_code=dossier.code,
                    dossier_proven=True)
    today = datetime.date.today()
    earlier.opens_on, earlier.closes_on = (today - datetime.timedelta(days=60),
                                           today - datetime.timedelta(days=1))
    earlier.save()
    now = make_campaign(unit=earlier.unit, title="Khảo sát kỳ này")
    assert dossiers.check_can_rate(dossier) == now


def test_a_dossier_whose_units_survey_has_not_opened_or_has_closed_has_no_survey():
    """Only the survey open today rates a dossier: one that opens next week, or closed
    yesterday, leaves it with "no survey open"."""
    today = datetime.date.today()
    for opens_on, closes_on in ((today + datetime.timedelta(days=7),
                                 today + datetime.timedelta(days=30)),
                                (today - datetime.timedelta(days=30),
                                 today - datetime.timedelta(days=1))):
        unit = make_unit(f"Phòng {opens_on}")
        make_campaign(unit=unit, opens_on=opens_on, closes_on=closes_on)
        dossier = make_dossier(unit, code=f"HS-{opens_on:%m%d}")
        assert refusal(dossiers.check_can_rate, dossier) == ("no_campaign", [
            f"No survey is open for dossier {dossier.code} at the moment."])


def test_an_empty_secret_code_never_proves_a_dossier():
    """A visitor who leaves the secret code empty is refused, whatever the dossier's secret
    (here "XXXX", the one a default filled in for a missing secret would match)."""
    campaign, dossier = dossier_setup()
    dossier.secret_code = "XXXX"
    dossier.save(update_fields=["secret_code"])
    for empty in (None, "", "   "):
        assert refusal(dossiers.find_by_codes, dossier.code, empty)[0] == "wrong_codes"
    assert dossiers.find_by_codes(dossier.code, "xx xx") == dossier


def test_a_dossier_returned_today_in_vietnam_may_be_rated_at_dawn_on_a_utc_server(
        settings, monkeypatch):
    """At 06:30 on 2 October in Vietnam (23:30 on 1 October UTC), on a server whose own
    time zone is UTC, a dossier returned on 2 October may be rated: "today" is Vietnam's."""
    from django.utils import timezone

    settings.TIME_ZONE = "UTC"
    now = datetime.datetime(2025, 10, 1, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    campaign = make_campaign(opens_on=datetime.date(2025, 9, 1),
                             closes_on=datetime.date(2025, 10, 31))
    dossier = make_dossier(campaign.unit, code="HS-SANG", received_on=datetime.date(2025, 9, 20),
                           due_on=datetime.date(2025, 10, 10),
                           returned_on=datetime.date(2025, 10, 2))
    assert dossiers.local_today() == datetime.date(2025, 10, 2)
    assert dossiers.check_can_rate(dossier) == campaign
