"""The counter tablet: locked by a kiosk key, anonymous, fresh for every person."""

import pytest
from django.urls import reverse

from tests.channels_factories import make_kiosk_key, make_officer, make_procedure, make_unit
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def kiosk():
    campaign = make_campaign()
    counter = make_unit("Bộ phận Một cửa", parent=campaign.unit)
    key = make_kiosk_key(campaign, unit=counter)
    key.officer = make_officer(counter, name="Trần Thị Hoa")
    key.procedure = make_procedure(counter, name="Cấp phép")
    key.elsewhere = make_officer(make_unit("Phòng khác", parent=campaign.unit),
                                 name="Người Ở Phòng Khác")
    return key


def url(kiosk, name="kiosk"):
    return reverse(f"wagtail_satisfaction:{name}", args=[kiosk.key])


def test_start_page_offers_only_the_kiosk_units_officers_and_is_never_cached(client, kiosk):
    page = client.get(url(kiosk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert 'autocomplete="off"' in html
    assert "Trần Thị Hoa" in html and "Người Ở Phòng Khác" not in html
    assert 'name="email"' not in html and 'name="dossier_code"' not in html


def test_kiosk_response_is_stored_with_the_kiosk_channel_and_unit(client, kiosk):
    response = client.post(url(kiosk), form_data(kiosk.campaign, officer=kiosk.officer.pk,
                                                 procedure=kiosk.procedure.pk))
    assert response.status_code == 302 and response["Location"] == url(kiosk, "kiosk_thanks")
    stored = Response.objects.get()
    assert stored.channel == "kiosk" and stored.unit == kiosk.unit
    assert stored.officer == kiosk.officer and stored.procedure == kiosk.procedure


def test_officer_of_another_unit_cannot_be_sent(client, kiosk):
    response = client.post(url(kiosk), form_data(kiosk.campaign, officer=kiosk.elsewhere.pk))
    assert response.status_code == 400 and Response.objects.count() == 0


def test_thanks_page_returns_to_the_start_after_the_configured_seconds(client, kiosk,
                                                                         settings):
    settings.WAGTAIL_SATISFACTION_KIOSK_THANKS_SECONDS = 5
    html = client.get(url(kiosk, "kiosk_thanks")).content.decode()
    assert f'data-start="{url(kiosk)}" data-idle-seconds="5"' in html
    assert 'http-equiv="refresh"' not in html  # an accessibility fault (axe: meta-refresh)


def test_inactive_or_unknown_key_shows_nothing_of_the_survey(client, kiosk):
    kiosk.active = False
    kiosk.save()
    for target in (url(kiosk), reverse("wagtail_satisfaction:kiosk", args=["nope"])):
        page = client.get(target)
        assert page.status_code == 404 and "not active" in page.content.decode()
    assert client.post(url(kiosk), form_data(kiosk.campaign)).status_code == 404
    assert Response.objects.count() == 0


def test_officer_photo_is_shown_when_there_is_one(client, kiosk, settings, tmp_path):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    settings.MEDIA_ROOT = str(tmp_path)
    kiosk.officer.photo = Image.objects.create(title="Ảnh", file=get_test_image_file())
    kiosk.officer.save()
    html = client.get(url(kiosk)).content.decode()
    assert 'class="kiosk-photo"' in html and "<img" in html


def test_kiosk_error_summary_lists_what_is_missing_like_the_website(client, kiosk):
    questions = kiosk.campaign.questionnaire.question_list()
    data = form_data(kiosk.campaign, officer=kiosk.elsewhere.pk)
    del data[f"q_{questions[2].pk}"]
    html = client.post(url(kiosk), data).content.decode()
    summary = html[html.index('id="satisfaction-errors"'):]
    summary = summary[:summary.index("</div>")]
    # Each item links to the question (or step) to correct, named as the visitor sees it.
    assert f'<a href="#id_q_{questions[2].pk}">{questions[2].text}</a>' in summary
    assert '<a href="#kiosk-officer">' in summary
    assert f"q_{questions[3].pk}" not in summary
    assert f'id="id_q_{questions[2].pk}"' in html and 'id="kiosk-officer"' in html
