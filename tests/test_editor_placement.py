"""What web editors place: the banner (block, tag, site setting) and the survey block/page."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from example_site.home.models import ContentPage
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.blocks import SurveyBlock
from wagtail_satisfaction.models import Banner, Response, SatisfactionSettings, SurveyPage

pytestmark = pytest.mark.django_db


def add_child(page):
    root = Site.objects.get(is_default_site=True).root_page
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_banner_shows_only_inside_its_window():
    campaign = make_campaign()
    now = timezone.now()
    banner = Banner.objects.create(title="Đánh giá sự hài lòng", campaign=campaign,
                                   shows_from=now - datetime.timedelta(days=1),
                                   shows_until=now + datetime.timedelta(days=1))
    assert banner.is_live()
    assert not banner.is_live(now + datetime.timedelta(days=2))
    assert list(Banner.objects.live()) == [banner]
    assert banner.url == reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def test_site_wide_banner_from_setting_via_template_tag(rf):
    campaign = make_campaign()
    banner = Banner.objects.create(title="Mời đánh giá <b>ngay</b>", campaign=campaign)
    site = Site.objects.get(is_default_site=True)
    SatisfactionSettings.objects.create(site=site, site_banner=banner)
    request = RequestFactory().get("/", HTTP_HOST=site.hostname)
    html = Template("{% load satisfaction_tags %}{% satisfaction_banner %}").render(
        Context({"request": request}))
    assert "Mời đánh giá &lt;b&gt;ngay&lt;/b&gt;" in html
    assert banner.url in html

    banner.shows_until = timezone.now() - datetime.timedelta(minutes=1)
    banner.save()
    request = RequestFactory().get("/", HTTP_HOST=site.hostname)  # settings cache per request
    html = Template("{% load satisfaction_tags %}{% satisfaction_banner %}").render(
        Context({"request": request}))
    assert "satisfaction-banner" not in html


def test_survey_block_on_any_page_posts_to_the_page_that_holds_it(client):
    campaign = make_campaign()
    page = add_child(ContentPage(title="Khảo sát", slug="khao-sat-trang", body=[
        ("survey", {"campaign": campaign, "heading": "Mời ông/bà đánh giá", "intro": ""}),
    ]))
    html = client.get(page.url).content.decode()
    assert "Mời ông/bà đánh giá" in html
    # (In steps, the default, each step comes back to the survey on the page.)
    assert f'action="{page.url}#survey-{campaign.slug}"' in html
    assert f'name="satisfaction_block" value="{campaign.pk}"' in html
    response = client.post(page.url, form_data(campaign, satisfaction_block=campaign.pk))
    assert response.status_code == 200  # the thank-you page answers the POST
    assert 'class="satisfaction-thanks"' in response.content.decode()
    assert Response.objects.count() == 1


def test_survey_block_preview_value_renders():
    make_campaign()
    block = SurveyBlock()
    html = block.render(block.get_preview_value())
    assert "satisfaction-form" in html


def test_survey_page_shows_form_and_stores_answers(client):
    campaign = make_campaign()
    page = add_child(SurveyPage(title="Đánh giá", slug="danh-gia", campaign=campaign))
    assert "satisfaction-form" in client.get(page.url).content.decode()
    response = client.post(page.url, form_data(campaign, comment="Thủ tục nhanh gọn"))
    assert response.status_code == 200
    assert Response.objects.get().comment.text == "Thủ tục nhanh gọn"


def test_survey_page_keeps_answers_on_error(client):
    campaign = make_campaign(survey_layout="one_page")  # steps: tests/test_survey_steps.py
    page = add_child(SurveyPage(title="Đánh giá", slug="danh-gia-2", campaign=campaign))
    response = client.post(page.url, form_data(campaign, email="sai@", comment="giữ"))
    assert response.status_code == 400
    assert "giữ" in response.content.decode()
    assert Response.objects.count() == 0
    assert isinstance(Page.objects.get(pk=page.pk).specific, SurveyPage)


def test_banner_tag_renders_nothing_when_no_site_matches():
    Site.objects.all().delete()
    request = RequestFactory().get("/", HTTP_HOST="unknown.example")
    html = Template("{% load satisfaction_tags %}{% satisfaction_banner %}").render(
        Context({"request": request}))
    assert html.strip() == ""


def test_banner_of_a_closed_campaign_is_hidden():
    today = datetime.date.today()
    closed = make_campaign(opens_on=today - datetime.timedelta(days=40),
                           closes_on=today - datetime.timedelta(days=1))
    assert not Banner.objects.create(title="Hết hạn", campaign=closed).is_live()
    assert Banner.objects.create(title="Đang mở", campaign=make_campaign()).is_live()


def test_banner_preview_renders_even_outside_its_window(rf):
    campaign = make_campaign()
    banner = Banner(title="Bản xem trước", text="Mời đánh giá", campaign=campaign,
                    shows_from=timezone.now() + datetime.timedelta(days=3))
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    html = banner.serve_preview(request, "").render().content.decode()
    assert "Bản xem trước" in html and "Mời đánh giá" in html
