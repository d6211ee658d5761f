"""What visitors see (issue 17): one survey per page, the block's errors where it stands, the
announced minutes, the parts of the questionnaire without internal codes, one form of address."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Site

from example_site.home.models import ContentPage
from tests.channels_factories import dossier_setup
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.channels import invitations
from wagtail_satisfaction.models import Banner, Response, SatisfactionSettings, SurveyPage

pytestmark = pytest.mark.django_db


def publish(page):
    Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def site_banner(campaign, title="Mời tham gia khảo sát khác"):
    banner = Banner.objects.create(title=title, campaign=campaign, button_label="Tham gia")
    SatisfactionSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"site_banner": banner})
    return banner


def block_page(campaign, slug="tin-tuc", **extra_blocks):
    return publish(ContentPage(title="Tin tức của Sở", slug=slug, body=[
        ("paragraph", "<p>Thông báo lịch tiếp dân.</p>"),
        ("survey", {"campaign": campaign, "heading": "Mời đánh giá", "intro": ""})]))


def test_the_site_banner_shows_on_ordinary_pages_but_never_above_a_survey(client):
    other = make_campaign(title="Khảo sát khác")
    site_banner(other)
    plain = publish(ContentPage(title="Giới thiệu", slug="gioi-thieu", body=[
        ("paragraph", "<p>Trụ sở của Sở.</p>")]))
    assert "Mời tham gia khảo sát khác" in client.get(plain.url).content.decode()

    campaign = make_campaign()
    with_block = block_page(campaign)
    html = client.get(with_block.url).content.decode()
    assert "satisfaction-form" in html
    assert "satisfaction-banner" not in html
    survey_page = publish(SurveyPage(title="Đánh giá", slug="danh-gia", campaign=campaign))
    assert "satisfaction-banner" not in client.get(survey_page.url).content.decode()
    # The campaign's own survey address, on a site whose base template shows the banner.
    own = client.get(reverse("wagtail_satisfaction:survey", args=[campaign.slug]))
    assert "satisfaction-banner" not in own.content.decode()


def test_a_survey_block_shows_its_errors_on_its_own_page_keeping_every_answer(client):
    campaign = make_campaign(survey_layout="one_page")
    page = block_page(campaign)
    first = campaign.questionnaire.question_list()[0]
    data = form_data(campaign, satisfaction_block=campaign.pk, comment="Cán bộ nhiệt tình")
    del data[f"q_{first.pk}"]
    data["email"] = "nguoidan@"
    response = client.post(page.url, data)
    html = response.content.decode()
    assert response.status_code == 400
    # The page the visitor was on: its title, its other blocks, the block's form posting back.
    assert "<h1>Tin tức của Sở</h1>" in html
    assert "Thông báo lịch tiếp dân." in html
    assert f'action="{page.url}"' in html
    summary = re.search(r'id="satisfaction-errors".*?</div>', html, re.S).group(0)
    assert f'href="#id_q_{first.pk}"' in summary and 'href="#id_email"' in summary
    assert "Địa chỉ email không hợp lệ" in html
    assert "Nhập địa chỉ email." not in html
    assert "Cán bộ nhiệt tình" in html and 'value="nguoidan@"' in html
    second = campaign.questionnaire.question_list()[1]
    assert re.search(rf'name="q_{second.pk}" value="4"[^>]*checked', html)
    assert Response.objects.count() == 0


def test_two_survey_blocks_on_one_page_each_take_their_own_answers(client):
    first, second = make_campaign(), make_campaign()
    page = publish(ContentPage(title="Hai khảo sát", slug="hai-khao-sat", body=[
        ("survey", {"campaign": first, "heading": "Một", "intro": ""}),
        ("survey", {"campaign": second, "heading": "Hai", "intro": ""})]))
    # Without the block's marker, a page with two surveys cannot tell which: not stored.
    assert client.post(page.url, form_data(second)).status_code == 200
    assert Response.objects.count() == 0
    response = client.post(page.url, form_data(second, satisfaction_block=second.pk))
    assert response.status_code == 200  # the thank-you page answers the POST
    assert "satisfaction-thanks" in response.content.decode()
    assert Response.objects.get().campaign == second
    # A campaign no block of this page shows is not taken here.
    third = make_campaign()
    assert client.post(page.url, form_data(third, satisfaction_block=third.pk)).status_code == 200
    assert Response.objects.count() == 1


def test_the_old_english_thank_you_address_leads_to_the_vietnamese_one(client):
    campaign = make_campaign()
    assert reverse("wagtail_satisfaction:thanks", args=[campaign.slug]).endswith("/cam-on/")
    response = client.get(f"/khao-sat/{campaign.slug}/thanks/")
    assert response.status_code == 301
    assert response["Location"] == f"/khao-sat/{campaign.slug}/cam-on/"
    assert client.get(response["Location"]).status_code == 200


def test_parts_are_numbered_without_internal_codes_and_progress_is_shown(client):
    campaign = make_campaign(survey_layout="one_page")
    html = client.get(reverse("wagtail_satisfaction:survey", args=[campaign.slug])).content
    html = html.decode()
    factors = []
    for question in campaign.questionnaire.question_list():
        if question.factor not in factors:
            factors.append(question.factor)
    legends = re.findall(r'<legend><span class="satisfaction-part">(.*?)</span> (.*?)</legend>',
                         html)
    assert legends == [(f"Phần {n}/{len(factors)}", factor.title)
                       for n, factor in enumerate(factors, 1)]
    for factor in factors:
        assert f"{factor.code}. {factor.title}" not in html
    count = len(campaign.questionnaire.question_list())
    assert f"/{count} câu hỏi" in html  # the answered count, counted by CSS
    assert f"{count} câu hỏi, khoảng {campaign.minutes_to_answer()} phút" in html


@override_settings(WAGTAIL_SATISFACTION_SECONDS_PER_QUESTION=20)
def test_the_banner_the_form_and_the_invitation_announce_the_same_minutes(client):
    campaign, dossier = dossier_setup()
    count = len(campaign.questionnaire.question_list())
    minutes = campaign.minutes_to_answer()
    assert minutes == -(-count * 20 // 60)
    site_banner(campaign, title="Khảo sát")
    plain = publish(ContentPage(title="Giới thiệu", slug="gioi-thieu", body=[]))
    assert f"Khoảng {minutes} phút, {count} câu hỏi." in client.get(plain.url).content.decode()
    survey = client.get(reverse("wagtail_satisfaction:survey", args=[campaign.slug]))
    assert f"khoảng {minutes} phút" in survey.content.decode()
    dossier.email = "nguoidan@example.com"
    dossier.save()
    invitations.build_message(dossier, campaign).send()
    assert f"mất khoảng {minutes} phút" in mail.outbox[0].body
    assert "năm phút" not in mail.outbox[0].body


def test_visitor_pages_address_the_visitor_as_ong_ba(client):
    campaign, dossier = dossier_setup()
    pages = [client.get(reverse("wagtail_satisfaction:dossier_lookup")),
             client.post(reverse("wagtail_satisfaction:dossier_lookup"),
                         {"code": dossier.code, "secret": "SAI"}),
             client.get(reverse("wagtail_satisfaction:survey", args=[campaign.slug]))]
    for response in pages:
        text = response.content.decode()
        assert not re.search(r"\b[Bb]ạn\b", text), text


def test_survey_blocks_are_found_inside_structs_lists_and_nested_streams():
    from wagtail import blocks

    from wagtail_satisfaction.blocks import SurveyBlock
    from wagtail_satisfaction.flow import survey_campaigns

    first, second, third = make_campaign(), make_campaign(), make_campaign()
    column = blocks.StructBlock([("title", blocks.CharBlock()),
                                 ("surveys", blocks.ListBlock(SurveyBlock()))])
    body = blocks.StreamBlock([("survey", SurveyBlock()), ("column", column),
                               ("inner", blocks.StreamBlock([("survey", SurveyBlock())])),
                               ("text", blocks.CharBlock())])
    value = body.to_python([
        {"type": "text", "value": "Tin tức"},
        {"type": "column", "value": {"title": "Cột", "surveys": [
            {"campaign": first.pk, "heading": "", "intro": ""}]}},
        {"type": "inner", "value": [{"type": "survey", "value": {
            "campaign": second.pk, "heading": "", "intro": ""}}]},
        {"type": "survey", "value": {"campaign": third.pk, "heading": "", "intro": ""}},
        {"type": "survey", "value": {"campaign": None, "heading": "", "intro": ""}},
    ])
    assert survey_campaigns(value) == [first, second, third]


def test_no_site_banner_on_any_view_of_the_survey_flow(rf):
    from django.template import Context, Template

    site_banner(make_campaign(), title="Khảo sát khác")
    site = Site.objects.get(is_default_site=True)
    tag = Template("{% load satisfaction_tags %}{% satisfaction_banner %}")
    assert "Khảo sát khác" in tag.render(Context({"request": rf.get("/", HTTP_HOST=site.hostname)}))
    # A site whose own base template shows the banner on every page, the survey's included.
    html = tag.render(Context({"request": rf.get("/", HTTP_HOST=site.hostname),
                               "campaign_status": "open"}))
    assert "satisfaction-banner" not in html


def test_a_banner_leading_to_a_survey_page_announces_that_survey_s_minutes():
    campaign = make_campaign()
    page = publish(SurveyPage(title="Đánh giá", slug="danh-gia-3", campaign=campaign))
    assert Banner(title="Mời", target_page=page).survey_campaign == campaign
    plain = publish(ContentPage(title="Giới thiệu", slug="gioi-thieu-3", body=[]))
    assert Banner(title="Mời", target_page=plain).survey_campaign is None
