"""Bugs found in the public flow while building the demo, each with the test that shows it."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from example_site.home.models import ContentPage
from tests.factories import make_campaign
from wagtail_satisfaction.models import Banner, SatisfactionSettings, SurveyPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_banner():
    campaign = make_campaign()
    home = Site.objects.get(is_default_site=True).root_page
    survey_page = home.add_child(instance=SurveyPage(title="Khảo sát", slug="khao-sat-trang",
                                                     campaign=campaign))
    banner = Banner.objects.create(title="Mời đánh giá", target_page=survey_page,
                                   campaign=campaign)
    settings = SatisfactionSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_banner = banner
    settings.save()
    home.add_child(instance=ContentPage(title="Tin tức", slug="tin-tuc"))
    return banner


def banner_links(client):
    page = client.get("/tin-tuc/")
    html = page.content.decode()
    assert page.status_code == 200 and "<title>Tin tức" in html  # the page itself rendered
    marker = 'class="satisfaction-banner-link" href="'
    return [part.split('"')[0] for part in html.split(marker)[1:]]


def test_banner_leads_to_its_published_survey_page(client, site_banner):
    assert banner_links(client) == ["/khao-sat-trang/"]
    assert client.get("/khao-sat-trang/").status_code == 200


def test_banner_of_an_unpublished_page_leads_to_the_campaign_survey_not_a_404(
        client, site_banner):
    site_banner.target_page.unpublish()
    site_banner.refresh_from_db()
    [link] = banner_links(client)
    assert link == reverse("wagtail_satisfaction:survey", args=[site_banner.campaign.slug])
    assert client.get(link).status_code == 200


def test_banner_with_nowhere_to_go_is_not_shown(client, site_banner):
    site_banner.target_page.unpublish()
    Banner.objects.filter(pk=site_banner.pk).update(campaign=None)
    assert banner_links(client) == []
