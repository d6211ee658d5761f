"""The open-data API: aggregates of published campaigns only, small groups hidden, cacheable."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.models import Officer, Response
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report, round_percent

pytestmark = pytest.mark.django_db

API = "/khao-sat/api/v1/campaigns/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published():
    data = build_hand_dataset()
    data["campaign"].publish_results = True
    data["campaign"].save()
    return data


def get_json(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, response.content
    return response, response.json()


def test_unpublished_campaigns_are_not_served(client):
    data = build_hand_dataset()
    assert client.get(API).json()["results"] == []
    response = client.get(f"{API}{data['campaign'].slug}/factors/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
def test_factor_and_question_figures_equal_the_report(client, published):
    campaign = published["campaign"]
    report = build_report(ReportFilters(campaign=campaign))
    _response, payload = get_json(client, f"{API}{campaign.slug}/factors/")
    assert [row["index"] for row in payload["rows"]] == [
        float(round_percent(f.index)) for f in report.factors]
    assert payload["totals"]["responses"] == report.responses == 5
    assert payload["totals"]["overall_index"] == float(round_percent(report.overall_index))
    assert payload["licence"]["name"] and payload["licence"]["url"].startswith("https://")
    assert "hài lòng" in payload["method"]  # Vietnamese by default, English on request
    _response, english = get_json(client, f"{API}{campaign.slug}/factors/",
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert "satisfied" in english["method"]
    _response, payload = get_json(client, f"{API}{campaign.slug}/questions/")
    assert [row["percent_satisfied"] for row in payload["rows"]] == [
        None if q.percent_satisfied is None else float(round_percent(q.percent_satisfied))
        for q in report.questions]


def test_small_groups_are_hidden(client, published):
    campaign = published["campaign"]
    # Units under the campaign's Sở: the Sở itself 1 response, Phòng A (with A1) 3, Phòng B 1.
    with override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2):
        _r, units = get_json(client, f"{API}{campaign.slug}/units/", HTTP_ACCEPT_LANGUAGE="vi")
    assert [(row["unit"], row["responses"], row["withheld"]) for row in units["rows"]] == [
        ("Phòng A", 3, False), ("Các đơn vị khác (mỗi đơn vị dưới 2 phiếu)", 2, False)]
    assert units["rows"][1]["percent_satisfied"] is not None  # the pool reaches the minimum
    cache.clear()
    # At 3 the pool (2) is too small: Phòng A joins it (complementary suppression), else
    # subtracting Phòng A from the total would show the pool's figures.
    with override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=3):
        _r, units = get_json(client, f"{API}{campaign.slug}/units/", HTTP_ACCEPT_LANGUAGE="vi")
    assert [(row["unit"], row["responses"]) for row in units["rows"]] == [
        ("Các đơn vị khác (mỗi đơn vị dưới 3 phiếu)", 5)]
    assert "Phòng" not in str(units["rows"])
    cache.clear()
    with override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=10):
        _r, factors = get_json(client, f"{API}{campaign.slug}/factors/")
        _r, months = get_json(client, f"{API}{campaign.slug}/months/")
    assert factors["totals"]["withheld"] and factors["totals"]["overall_index"] is None
    assert all(row["index"] is None for row in factors["rows"])
    assert [(row["responses"], row["percent_satisfied"], row["withheld"])
            for row in months["rows"]] == [(5, None, True)]


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=1)
def test_no_personal_data_or_single_response_leaves(client, published):
    campaign = published["campaign"]
    body = "".join(client.get(f"{API}{campaign.slug}/{table}/?format={fmt}").content.decode()
                   for table in ("units", "months", "questions", "factors")
                   for fmt in ("json", "csv"))
    for officer in Officer.objects.all():
        assert officer.name not in body
    for response in Response.objects.all():
        assert str(response.uid) not in body
        if response.email:
            assert response.email not in body
    assert "Cán bộ rất nhiệt tình" not in body  # comments are not open data


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
def test_csv_equals_json_and_keeps_vietnamese_for_excel(client, published):
    campaign = published["campaign"]
    _r, payload = get_json(client, f"{API}{campaign.slug}/questions/")
    response = client.get(f"{API}{campaign.slug}/questions/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert "Thông tin dễ hiểu" in {row["question"] for row in rows}
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()}
               for row in payload["rows"]]
    assert rows == as_text


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2,
                   WAGTAIL_SATISFACTION_OPEN_DATA_MAX_AGE=600)
def test_reads_are_cacheable_and_open_to_any_origin(client, published):
    response = client.get(f"{API}{published['campaign'].slug}/months/",
                          HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=600"
    assert 'rel="license"' in response["Link"]
    preflight = client.options(API, HTTP_ORIGIN="https://example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert client.post(API).status_code == 405  # read-only


def test_unknown_unit_is_a_json_error_in_vietnamese(client, published):
    response = client.get(f"{API}{published['campaign'].slug}/factors/?unit=khong-co",
                          HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert response.json() == {"unit": ["Không có đơn vị nào mang mã này."]}


def test_schema_lists_the_open_data_endpoints(client):
    response = client.get("/khao-sat/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/khao-sat/api/v1/campaigns/", "/khao-sat/api/v1/campaigns/{slug}/units/",
            "/khao-sat/api/v1/campaigns/{slug}/months/",
            "/khao-sat/api/v1/campaigns/{slug}/questions/",
            "/khao-sat/api/v1/campaigns/{slug}/factors/"} <= set(schema["paths"])
    assert not any(path.startswith("/admin/") for path in schema["paths"])


@override_settings(WAGTAIL_SATISFACTION_MIN_GROUP_SIZE=2)
@pytest.mark.parametrize("table", ["units", "months", "questions", "factors"])
def test_every_csv_table_opens_in_excel_with_vietnamese_and_equals_the_json(client, published,
                                                                            table):
    campaign = published["campaign"]
    _r, payload = get_json(client, f"{API}{campaign.slug}/{table}/")
    raw = client.get(f"{API}{campaign.slug}/{table}/",
                     HTTP_ACCEPT="text/csv").content
    # Excel reads a CSV as UTF-8 only when it starts with the byte-order mark.
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert "\ufffd" not in text and "Ã" not in text  # no mojibake
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == list(payload["rows"][0])
    assert rows == [{k: "" if v is None else str(v) for k, v in row.items()}
                    for row in payload["rows"]]
    if table in ("units", "factors", "questions"):
        assert any(not value.isascii() for row in rows for value in row.values())
