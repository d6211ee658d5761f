"""How fast the moderation queue's first page renders over many comments (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moderation \\
        python benchmarks/moderation_queue.py --size 1000000 --runs 9

Generates ``--size`` responses and comments in the database itself (INSERT … SELECT
generate_series; texts drawn from the labelled set), then requests the queue's first page
filtered by state and campaign through Django's test client as a moderator, and, in the
same run, a plain Django view listing the same page of rows (reference). Prints the
medians and writes ``benchmarks/results/moderation_queue.json``. Everything it created is
deleted at the end, also on failure.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")

RESULTS = ROOT / "benchmarks" / "results" / "moderation_queue.json"
TARGET_MS = 300
PREFIX = "bench-moderation"


def plain_view(request):
    """Reference: the same page of rows with a bare Django view and template."""
    from django.core.paginator import Paginator
    from django.http import HttpResponse
    from django.template import engines

    from wagtail_satisfaction.models import Comment

    rows = (Comment.objects.filter(state=request.GET["state"],
                                   campaign_id=request.GET["campaign__id__exact"])
            .select_related("campaign", "response__unit", "response__procedure",
                            "response__officer")
            .order_by("-submitted_at", "-pk"))
    page = Paginator(rows, 50).page(1)
    template = engines["django"].from_string(
        "<p>{{ page.paginator.count }}</p><table>{% for c in page %}<tr><td>{{ c.pk }}</td>"
        "<td>{{ c.text }}</td><td>{{ c.campaign }}</td><td>{{ c.response.unit }}</td>"
        "<td>{{ c.response.procedure }}</td><td>{{ c.response.officer }}</td>"
        "<td>{{ c.score }}</td><td>{{ c.get_state_display }}</td>"
        "<td>{{ c.submitted_at }}</td></tr>{% endfor %}</table>")
    return HttpResponse(template.render({"page": page}))


def _urlpatterns():
    from django.urls import include, path

    return [path("bench-plain/", plain_view), path("", include("example_site.urls"))]


def __getattr__(name):
    # This module is also the benchmark's ROOT_URLCONF; Django imports it (again, under
    # its package name) once set up, so the URL patterns are built on first access.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def create_world(size):
    """Campaigns, procedures, officers and a moderator (ORM), then the rows (SQL)."""
    from django.contrib.auth.models import Permission
    from django.db import connection

    from benchmarks.moderation_accuracy import load_rows
    from tests.factories import make_campaign, make_officer, make_procedure, make_unit
    from wagtail_satisfaction.models import Sector
    from wagtail_satisfaction.moderation.text import fold

    unit = make_unit(f"{PREFIX} Sở", code=f"{PREFIX}-unit")
    campaigns = [make_campaign(unit, title=f"{PREFIX} {n}", slug=f"{PREFIX}-{n}")
                 for n in range(4)]
    sector = Sector.objects.get_or_create(name=f"{PREFIX} Hộ tịch")[0]
    procedures = [make_procedure(unit, name=f"{PREFIX} thủ tục {n}", sector=sector,
                                 code=f"{PREFIX}-{n}") for n in range(20)]
    officers = [make_officer(unit, name=f"{PREFIX} Cán bộ {n}") for n in range(20)]
    from django.contrib.auth import get_user_model

    moderator = get_user_model().objects.create_user(f"{PREFIX}-user", password="x")
    moderator.user_permissions.add(*Permission.objects.filter(
        codename__in=["access_admin", "moderate_comment"]))

    texts = [row["text"] for row in load_rows()]
    folded = [fold(text) for text in texts]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM wagtail_satisfaction_response")
        first_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO wagtail_satisfaction_response
                (campaign_id, questionnaire_id, channel, submitted_at, unit_id, procedure_id,
                 officer_id, dossier_code, email, email_key, uid, index_applicable,
                 index_satisfied, dissatisfied)
            SELECT (%(campaigns)s::bigint[])[1 + g %% 4], %(questionnaire)s,
                   (ARRAY['website','kiosk','paper','email'])[1 + g %% 4],
                   now() - (g %% 400) * interval '1 day' - (g %% 86400) * interval '1 second',
                   %(unit)s, (%(procedures)s::bigint[])[1 + g %% 20],
                   (%(officers)s::bigint[])[1 + (g / 7) %% 20], '', '', '',
                   gen_random_uuid(), 0, 0, false
            FROM generate_series(1, %(size)s) AS g
            """,
            {"campaigns": [c.pk for c in campaigns], "questionnaire": campaigns[0].questionnaire_id,
             "unit": unit.pk, "procedures": [p.pk for p in procedures],
             "officers": [o.pk for o in officers], "size": size})
        cursor.execute(
            """
            INSERT INTO wagtail_satisfaction_comment
                (response_id, campaign_id, submitted_at, text, text_folded, state, score,
                 suggested_state, matched_terms, reason)
            SELECT r.id, r.campaign_id, r.submitted_at,
                   (%(texts)s::text[])[1 + r.id %% %(n)s],
                   (%(folded)s::text[])[1 + r.id %% %(n)s],
                   (ARRAY['pending','pending','pending','pending','relevant','relevant',
                          'relevant','off_topic','off_topic','spam'])[1 + r.id %% 10],
                   round((((r.id * 7919) %% 1000) / 1000.0)::numeric, 3),
                   'relevant', '[]'::jsonb, ''
            FROM wagtail_satisfaction_response r
            WHERE r.id > %(first_id)s AND r.campaign_id = ANY(%(campaigns)s::bigint[])
            """,
            {"texts": texts, "folded": folded, "n": len(texts), "first_id": first_id,
             "campaigns": [c.pk for c in campaigns]})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE wagtail_satisfaction_response")
        cursor.execute("VACUUM ANALYZE wagtail_satisfaction_comment")
    return campaigns, moderator


def drop_world():
    from django.contrib.auth import get_user_model
    from django.db import connection

    from wagtail_satisfaction.models import Campaign, Officer, Procedure, Sector, Unit

    ids = list(Campaign.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        if ids:
            cursor.execute("DELETE FROM wagtail_satisfaction_comment WHERE campaign_id = ANY(%s)",
                           [ids])
            cursor.execute("DELETE FROM wagtail_satisfaction_answer WHERE response_id IN "
                           "(SELECT id FROM wagtail_satisfaction_response "
                           "WHERE campaign_id = ANY(%s))", [ids])
            cursor.execute("DELETE FROM wagtail_satisfaction_response WHERE campaign_id = ANY(%s)",
                           [ids])
    Campaign.objects.filter(pk__in=ids).delete()
    Officer.objects.filter(name__startswith=PREFIX).delete()
    Procedure.objects.filter(code__startswith=PREFIX).delete()
    Sector.objects.filter(name__startswith=PREFIX).delete()
    Unit.objects.filter(code__startswith=PREFIX).delete()
    get_user_model().objects.filter(username=f"{PREFIX}-user").delete()


def time_interleaved(client, requests, runs, warmup=2):
    """Time each (name, url, params) once per round, round after round, so that every
    variant sees the same load on a shared machine. Returns {name: [ms, …]}, last responses."""
    timings = {name: [] for name, _url, _params in requests}
    last = {}
    for run in range(warmup + runs):
        for name, url, params in requests:
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            last[name] = response
            if run >= warmup:
                timings[name].append(elapsed)
    return timings, last


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL to your own database.")
    setup_test_environment()  # ALLOWED_HOSTS for the test client; nothing else changes
    settings.DEBUG = False
    settings.ROOT_URLCONF = "benchmarks.moderation_queue"
    call_command("migrate", verbosity=0)
    drop_world()  # leftovers of an interrupted run

    try:
        started = time.perf_counter()
        campaigns, moderator = create_world(args.size)
        generate_s = time.perf_counter() - started
        from wagtail_satisfaction.models import Comment

        total = Comment.objects.filter(campaign__in=campaigns).count()
        campaign = campaigns[1]
        params = {"state": "pending", "campaign__id__exact": campaign.pk}
        matching = Comment.objects.filter(state="pending", campaign=campaign).count()
        print(f"generated {total:,} comments in {generate_s:.1f} s; "
              f"{matching:,} pending in the filtered campaign")

        client = Client()
        client.force_login(moderator)
        queue = "/admin/wagtail_satisfaction/comment/"
        timings, last = time_interleaved(client, [
            ("queue", queue, params),
            ("plain", "/bench-plain/", params),
            ("search", queue, {**params, "q": "ho so"}),
        ], args.runs)
        rows = last["queue"].content.decode().count("data-comment-row")
        assert rows == 50, rows
        queue_ms, plain_ms, search_ms = timings["queue"], timings["plain"], timings["search"]
    finally:
        drop_world()

    results = {
        "database": "postgresql",
        "comments": total,
        "filtered_rows": matching,
        "page_size": 50,
        "runs": args.runs,
        "generate_seconds": round(generate_s, 1),
        "queue_first_page_ms": {"median": round(statistics.median(queue_ms), 1),
                                "min": round(min(queue_ms), 1), "max": round(max(queue_ms), 1)},
        "plain_django_view_ms": {"median": round(statistics.median(plain_ms), 1),
                                 "min": round(min(plain_ms), 1), "max": round(max(plain_ms), 1)},
        "queue_with_search_ms": {"median": round(statistics.median(search_ms), 1)},
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_ms": TARGET_MS,
        "meets_target": statistics.median(queue_ms) < TARGET_MS,
    }
    print(f"queue first page (state + campaign): median {results['queue_first_page_ms']['median']}"
          f" ms  (min {results['queue_first_page_ms']['min']}, max "
          f"{results['queue_first_page_ms']['max']})")
    print(f"plain Django view, same rows:        median "
          f"{results['plain_django_view_ms']['median']} ms")
    print(f"queue + search 'ho so':              median "
          f"{results['queue_with_search_ms']['median']} ms")
    print(f"load average (1 min) on this shared 2-core machine: {os.getloadavg()[0]:.2f}")
    print(f"target {TARGET_MS} ms: {'met' if results['meets_target'] else 'NOT met'}")
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    main()
