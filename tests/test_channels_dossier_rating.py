"""A visitor rates a dossier by signed link, QR code or code + secret code, once."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse

from tests.channels_factories import dossier_setup, make_dossier, make_unit
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Channel, Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LOOKUP = reverse("wagtail_satisfaction:dossier_lookup")


def rate(client, dossier, channel=Channel.DOSSIER_LINK, **extra):
    url = dossiers.rating_path(dossier, channel)
    return client.post(url, form_data(dossiers.campaign_for(dossier), **extra))


def test_link_rating_is_tied_to_the_dossier_without_typing_it(client):
    campaign, dossier = dossier_setup()
    page = client.get(dossiers.rating_path(dossier))
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"].count("no-store")
    assert dossier.code in html and "Trần Thị Hoa" in html
    assert 'name="officer"' not in html and 'name="dossier_code"' not in html
    response = rate(client, dossier, comment="Nhanh gọn")
    assert response.status_code == 200
    stored = Response.objects.get()
    assert (stored.campaign, stored.unit, stored.procedure, stored.officer) == (
        campaign, dossier.unit, dossier.procedure, dossier.officer)
    assert stored.dossier_code == dossier.code and stored.channel == "dossier_link"
    assert stored.email == ""


def test_email_link_records_the_email_channel(client):
    _campaign, dossier = dossier_setup()
    rate(client, dossier, Channel.EMAIL)
    assert Response.objects.get().channel == "email"


def test_code_and_secret_code_lead_to_the_rating_form(client):
    _campaign, dossier = dossier_setup()
    response = client.post(LOOKUP, {"code": dossier.code.lower(),
                                    "secret": dossier.secret_code.lower()})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_wrong_secret_code_is_refused_and_the_code_kept(client):
    _campaign, dossier = dossier_setup()
    response = client.post(LOOKUP, {"code": dossier.code, "secret": "WRONG123"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "do not match" in html and f'value="{dossier.code}"' in html
    unknown = client.post(LOOKUP, {"code": "NO-SUCH", "secret": dossier.secret_code})
    assert "do not match" in unknown.content.decode()  # same answer: codes are not guessable
    assert Response.objects.count() == 0


def test_second_rating_is_refused_with_a_clear_message(client):
    _campaign, dossier = dossier_setup()
    rate(client, dossier)
    again = client.get(dossiers.rating_path(dossier))
    assert again.status_code == 409
    assert f"Dossier {dossier.code} has already been rated" in again.content.decode()
    post = rate(client, dossier)
    assert post.status_code == 409
    by_codes = client.post(LOOKUP, {"code": dossier.code, "secret": dossier.secret_code})
    assert "already been rated" in by_codes.content.decode()
    assert Response.objects.count() == 1


def test_dossier_not_returned_is_refused_and_nothing_stored(client, settings):
    campaign, _ = dossier_setup()
    waiting = make_dossier(campaign.unit, returned=False)
    page = client.get(dossiers.rating_path(waiting))
    assert page.status_code == 403
    assert "once its result has been returned" in page.content.decode()
    post = client.post(dossiers.rating_path(waiting), form_data(campaign))
    assert post.status_code == 403 and Response.objects.count() == 0


def test_overdue_dossier_can_be_rated_unless_the_setting_forbids_it(client, settings):
    campaign, _ = dossier_setup()
    late = make_dossier(campaign.unit, returned=False,
                        due_on=datetime.date.today() - datetime.timedelta(days=1))
    assert client.get(dossiers.rating_path(late)).status_code == 200
    settings.WAGTAIL_SATISFACTION_RATE_OVERDUE_DOSSIERS = False
    assert client.get(dossiers.rating_path(late)).status_code == 403


def test_forged_link_is_refused(client):
    campaign, dossier = dossier_setup()
    token = dossiers.make_token(dossier)
    forged = signing.dumps({"d": dossier.code, "c": "dossier_link"}, salt="another-salt")
    for bad in (token[:-2] + "xx", forged):
        url = reverse("wagtail_satisfaction:dossier_rate", args=[bad])
        page = client.get(url)
        assert page.status_code == 403 and "This survey link is not valid" in \
            page.content.decode()
        assert client.post(url, form_data(campaign)).status_code == 403
    assert Response.objects.count() == 0


def test_expired_link_is_refused(client, settings):
    campaign, dossier = dossier_setup()
    url = dossiers.rating_path(dossier)
    settings.WAGTAIL_SATISFACTION_DOSSIER_LINK_MAX_AGE_DAYS = -1
    page = client.get(url)
    assert page.status_code == 403 and "has expired" in page.content.decode()
    assert client.post(url, form_data(campaign)).status_code == 403
    assert Response.objects.count() == 0


def test_dossier_goes_to_the_open_campaign_of_its_nearest_unit():
    province = make_unit("UBND tỉnh", kind="province")
    ward = make_unit("UBND phường 1", parent=province, kind="commune")
    office = make_unit("Bộ phận một cửa phường 1", parent=ward)
    provincial = make_campaign(unit=province)
    dossier = make_dossier(office)
    assert dossiers.campaign_for(dossier) == provincial
    own = make_campaign(unit=ward)
    assert dossiers.campaign_for(dossier) == own
    closed = make_dossier(make_unit("Nơi khác"))
    with pytest.raises(dossiers.DossierRefused) as refusal:
        dossiers.check_can_rate(closed)
    assert refusal.value.code == "no_campaign"


def test_qr_code_is_svg_of_the_link():
    import re

    import qrcode

    def modules(url):
        code = qrcode.QRCode(border=2)
        code.add_data(url)
        return {(x, y) for y, row in enumerate(code.get_matrix())
                for x, dark in enumerate(row) if dark}

    link = "https://example.vn/ho-so/danh-gia/abc/"
    svg = dossiers.qr_svg(link)
    assert svg.startswith("<svg") and "<?xml" not in svg  # sits inside HTML
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}
    assert drawn == modules(link)  # every dark module of the link's code, and nothing else
    assert drawn != modules("https://example.vn/ho-so/danh-gia/abd/")


def test_opt_out_needs_a_post_and_a_valid_signature(client):
    _campaign, dossier = dossier_setup()
    url = dossiers.opt_out_url(dossier)
    client.get(url)
    dossier.refresh_from_db()
    assert not dossier.opted_out
    client.post(url)
    dossier.refresh_from_db()
    assert dossier.opted_out
    bad = reverse("wagtail_satisfaction:dossier_opt_out", args=["1:forged:xx"])
    assert client.post(bad).status_code == 403


def test_guessing_secret_codes_is_rate_limited(client, settings):
    settings.WAGTAIL_SATISFACTION_DOSSIER_CODE_ATTEMPTS = 3
    _campaign, dossier = dossier_setup()
    other = make_dossier(dossier.unit)
    # Right codes never count against a client.
    for _ in range(4):
        assert client.post(LOOKUP, {"code": other.code,
                                    "secret": other.secret_code}).status_code == 302
    for n in range(3):
        client.post(LOOKUP, {"code": dossier.code, "secret": f"GUESS{n:03d}"})
    right = client.post(LOOKUP, {"code": dossier.code, "secret": dossier.secret_code})
    assert right.status_code == 429 and "Too many attempts" in right.content.decode()
