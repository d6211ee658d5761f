"""Racing submissions: the database, not a query, keeps one response per dossier."""

import threading

import pytest
from django.db import connection

from tests.factories import full_answers, make_campaign
from wagtail_satisfaction.models import Response
from wagtail_satisfaction.services import DuplicateResponse, submit_response


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("field", ["dossier_code", "email"])
def test_racing_submissions_for_one_dossier_store_exactly_one(field):
    campaign = make_campaign(one_response_per_email=True)
    answers = full_answers(campaign)
    value = {"dossier_code": "HS-2026-0001", "email": "Dan@Example.vn"}[field]
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    outcomes = []

    def submit(index):
        try:
            barrier.wait(timeout=10)
            variant = value.lower() if index % 2 else value
            # A dossier code is one rating only when proven (link, secret code, staff list).
            submit_response(campaign, answers=answers, dossier_proven=field == "dossier_code",
                            **{field: variant})
            outcomes.append("stored")
        except DuplicateResponse:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["duplicate"] * (threads_count - 1) + ["stored"]
    assert Response.objects.filter(campaign=campaign).count() == 1
    stored = Response.objects.get(campaign=campaign)
    assert stored.answers.count() == len(answers)
