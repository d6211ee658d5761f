"""Bursts on PostgreSQL with the shared cache (Redis in CI): the limits hold exactly.

Every request goes through the whole Django stack (middleware, view, flow) in its own
thread with its own database connection; with ``REDIS_URL`` set the counters live in Redis,
as they do when several processes serve the site.
"""

import multiprocessing
import threading

import pytest
from django.db import connection
from django.urls import reverse

from tests.channels_factories import dossier_setup, make_dossier
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("pooled_connections")]
LOOKUP = reverse("wagtail_satisfaction:dossier_lookup")


# PostgreSQL is shared (max_connections 100): at most this many requests hold a database
# connection at once, as behind a connection pool; all of them pass the guards together.
DATABASE_CONNECTIONS = 20


@pytest.fixture
def pooled_connections(monkeypatch):
    from django.db import connections

    wrapper = type(connections["default"])
    pool = threading.BoundedSemaphore(DATABASE_CONNECTIONS)
    connect, close = wrapper.connect, wrapper.close

    def pooled_connect(self):
        if threading.current_thread() is not threading.main_thread():
            pool.acquire()
            self._pooled = True
        connect(self)

    def pooled_close(self):
        try:
            close(self)
        finally:
            if getattr(self, "_pooled", False):
                self._pooled = False
                pool.release()

    monkeypatch.setattr(wrapper, "connect", pooled_connect)
    monkeypatch.setattr(wrapper, "close", pooled_close)


def burst(requests):
    """Run ``requests`` (callables returning a status code) at once; their status codes."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def run(index):
        from django.test import Client

        try:
            barrier.wait(timeout=30)
            statuses[index] = requests[index](Client(REMOTE_ADDR="203.0.113.7"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_forty_concurrent_posts_from_one_client_store_exactly_the_limit(settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 10
    campaign = make_campaign()
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    data = form_data(campaign)

    statuses = burst([lambda client: client.post(url, data).status_code] * 40)

    assert sorted(statuses) == [200] * 10 + [429] * 30
    assert Response.objects.filter(campaign=campaign).count() == 10


def test_refused_posts_in_a_burst_give_their_slots_back(settings):
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 10
    campaign = make_campaign(one_response_per_email=True)
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    # A burst of 20 posts with one email: 1 stored, the others refused as duplicates.
    # (Mixed into one burst with other posts, a refused post holds its slot for a moment
    # and may crowd out another post in flight, so the count would depend on timing.)
    same = form_data(campaign, email="dan@example.vn")
    burst([lambda client: client.post(url, same).status_code] * 20)
    assert Response.objects.filter(campaign=campaign).count() == 1
    # Then a burst of 20 others: the duplicates gave their slots back, so 9 more get in.
    other = form_data(campaign)
    statuses = burst([lambda client: client.post(url, other).status_code] * 20)
    assert sorted(statuses).count(429) == 11
    assert Response.objects.filter(campaign=campaign).count() == 10


def test_guessing_one_dossier_is_compared_at_most_the_limit_and_others_still_get_in(
        settings, monkeypatch):
    settings.WAGTAIL_SATISFACTION_DOSSIER_CODE_ATTEMPTS = 10
    _campaign, guessed = dossier_setup()
    neighbour = make_dossier(guessed.unit)
    compared = []
    lock = threading.Lock()
    real_find = dossiers.find_by_codes

    def counting_find(code, secret):
        with lock:
            compared.append(code)
        return real_find(code, secret)

    monkeypatch.setattr(dossiers, "find_by_codes", counting_find)

    def guess(n):
        return lambda client: client.post(LOOKUP, {"code": guessed.code,
                                                   "secret": f"GUESS{n:03d}"}).status_code

    def right(client):
        return client.post(LOOKUP, {"code": neighbour.code,
                                    "secret": neighbour.secret_code}).status_code

    requests = [guess(n) for n in range(200)]
    requests.insert(100, right)
    statuses = burst(requests)

    assert statuses.pop(100) == 302  # the right codes from the same address get in
    assert compared.count(guessed.code) <= 10
    assert statuses.count(400) == compared.count(guessed.code)
    assert statuses.count(429) == 200 - compared.count(guessed.code)


def _post_from_a_process(url, data, queue):
    from django.db import connections
    from django.test import Client

    connections.close_all()  # never share the parent's connection
    queue.put(Client(REMOTE_ADDR="203.0.113.7").post(url, data).status_code)
    connections.close_all()


def test_several_processes_share_one_limit(settings):
    """Four processes behind one Redis, ten posts each: still exactly the limit stored."""
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 10
    campaign = make_campaign()
    url = reverse("wagtail_satisfaction:survey", args=[campaign.slug])
    data = form_data(campaign)
    connection.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_post_from_a_process, args=(url, data, queue))
                 for _ in range(40)]
    for process in processes:
        process.start()
    statuses = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert sorted(statuses) == [200] * 10 + [429] * 30
    assert Response.objects.filter(campaign=campaign).count() == 10
