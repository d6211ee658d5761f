"""The published results page and block: the report's figures, for the public."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from wagtail.models import Site

from tests.reports_factories import build_hand_dataset, local, respond
from wagtail_satisfaction.blocks import ResultsBlock
from wagtail_satisfaction.models import Comment, Officer, ResultsPage
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report
from wagtail_satisfaction.templatetags.satisfaction_reports import percent

pytestmark = pytest.mark.django_db

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def figures(html, name):
    return re.findall(rf'data-figure="{name}">([^<]*)<', html)


def publish(campaign, **fields):
    page = ResultsPage(title="Kết quả khảo sát", slug="ket-qua", campaign=campaign, **fields)
    Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
def test_results_page_shows_the_figures_of_the_report(client):
    data = build_hand_dataset()
    campaign = data["campaign"]
    page = publish(campaign)
    report = build_report(ReportFilters(campaign=campaign))
    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert figures(html, "responses") == [str(report.responses)]
    assert figures(html, "overall_index") == [percent(report.overall_index)]
    assert figures(html, "factor") == [percent(f.index) for f in report.factors]
    assert figures(html, "d766_ratio") == [percent(report.d766_ratio)]
    assert "<svg" in html  # the trend chart, server-rendered: no JavaScript needed
    # Nobody is singled out: no officer's name is ever published.
    for officer in Officer.objects.all():
        assert officer.name not in html


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
def test_block_shows_a_quarter_of_one_unit_as_the_report_does():
    data = build_hand_dataset()
    campaign = data["campaign"]
    unit = campaign.unit
    block = ResultsBlock()
    value = block.to_python({"campaign": campaign.pk, "unit": unit.pk, "period": "quarter",
                             "year": 2025, "number": 4, "comments": 0})
    html = block.render(value)
    report = build_report(ReportFilters(campaign=campaign, unit=unit,
                                        start=datetime.date(2025, 10, 1),
                                        end=datetime.date(2025, 12, 31)))
    assert figures(html, "responses") == [str(report.responses)]
    assert figures(html, "overall_index") == [percent(report.overall_index)]
    assert figures(html, "d766_ratio") == [percent(report.d766_ratio)]


def test_too_few_responses_show_the_count_only(client):
    data = build_hand_dataset()  # five responses, under a minimum of 10
    campaign = data["campaign"]
    with override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=10):
        html = client.get(publish(campaign).url).content.decode()
    assert figures(html, "responses") == ["5"]
    assert figures(html, "overall_index") == [] and figures(html, "factor") == []
    assert "<svg" not in html


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
def test_a_new_response_refreshes_the_cached_figures(client, django_capture_on_commit_callbacks):
    data = build_hand_dataset()
    campaign = data["campaign"]
    page = publish(campaign)
    assert figures(client.get(page.url).content.decode(), "responses") == ["5"]
    with django_capture_on_commit_callbacks(execute=True):
        respond(campaign, local(2025, 11, 29), {"1": 5, "2": 5, "3": 5})
    assert figures(client.get(page.url).content.decode(), "responses") == ["6"]


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
def test_chosen_comments_are_published_masked(client, django_capture_on_commit_callbacks):
    data = build_hand_dataset()
    campaign = data["campaign"]
    with django_capture_on_commit_callbacks(execute=True):
        response = respond(campaign, local(2025, 11, 29), {"1": 5, "2": 5, "3": 5},
                           comment="Gọi lại cho tôi 0912 345 678 nhé")
    Comment.objects.filter(response=response).update(state="relevant")
    html = client.get(publish(campaign, comments=10).url).content.decode()
    assert "0912 345 678" not in html and "Gọi lại cho tôi" in html


def test_results_templates_are_phone_first():
    css = (ROOT / "wagtail_satisfaction/static/wagtail_satisfaction/css/results.css").read_text()
    templates = "".join((ROOT / "wagtail_satisfaction/templates/wagtail_satisfaction" / name)
                        .read_text() for name in ("results_page.html", "includes/results.html",
                                                  "blocks/results_block.html"))
    # No fixed width wider than a 320 px phone: widths are relative or capped in rem.
    assert not re.search(r"(?<!max-)width:\s*\d{3,}px", css)
    assert "width=" not in templates and "style=" not in templates
    assert "max-width: 100%" in css  # the SVG chart shrinks to the screen
