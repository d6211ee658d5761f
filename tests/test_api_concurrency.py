"""Racing API calls on PostgreSQL: one dossier per code, one invitation per dossier, and no
more calls through than the client's rate limit."""

import datetime
import json
import threading

import pytest
from django.db import connection
from django.test import Client

from tests.api_factories import make_api_client, sms_gateway  # noqa: F401
from tests.channels_factories import make_dossier
from tests.channels_smtp import smtp_server  # noqa: F401
from tests.factories import make_campaign
from wagtail_satisfaction.models import ApiCall, Dossier

API = "/khao-sat/api/v1/dossiers/"
THREADS = 8


def race(count, work):
    barrier = threading.Barrier(count)
    results = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results.append(work(index))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post(token, url, body):
    return Client().post(url, data=json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}").status_code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_creations_of_one_code_store_one_dossier():
    campaign = make_campaign()
    client = make_api_client(campaign.unit)
    body = {"code": "HS-DUA-1", "unit": campaign.unit.code, "received_on": "2026-11-20",
            "applicant_name": "Lê Văn Dân"}
    statuses = race(THREADS, lambda i: post(client.token, API, body))
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Dossier.objects.filter(code="HS-DUA-1").count() == 1
    assert ApiCall.objects.filter(outcome="created").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_returned_calls_send_exactly_one_email_and_one_sms(
        smtp_server, sms_gateway, tasks_inline):  # noqa: F811
    campaign = make_campaign()
    client = make_api_client(campaign.unit)
    dossier = make_dossier(campaign.unit, returned=False, email="dan@example.vn",
                           phone="0912345678",
                           received_on=datetime.date.today() - datetime.timedelta(days=3))
    statuses = race(THREADS, lambda i: post(client.token, f"{API}{dossier.code}/returned/",
                                            {}))
    assert statuses == [200] * THREADS
    assert smtp_server.recipients() == ["dan@example.vn"]
    assert [body["to"] for body in sms_gateway.messages()] == ["0912345678"]
    dossier.refresh_from_db()
    assert dossier.invited_at is not None and dossier.returned_on == datetime.date.today()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_calls_gets_no_more_than_the_rate_limit_through(settings):
    settings.WAGTAIL_SATISFACTION_API_RATE_LIMIT = 5
    campaign = make_campaign()
    client = make_api_client(campaign.unit)
    dossier = make_dossier(campaign.unit)

    def read(index):
        return Client().get(f"{API}{dossier.code}/",
                            HTTP_AUTHORIZATION=f"Bearer {client.token}").status_code

    statuses = race(12, read)
    assert sorted(statuses) == [200] * 5 + [429] * 7
    assert ApiCall.objects.filter(outcome="rate_limited").count() == 7
