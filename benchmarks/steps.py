"""Measure the survey in steps against the one-page survey, in-process (Django's test client).

For the SIPAS questionnaire (27 questions, 7 factors), per layout: the bytes of the page the
first GET draws; per step POST ("Tiếp tục"), the bytes of the page, the size of the signed
hidden field that carries the other steps' answers, the SQL queries and the writes (none
before the last step); the CPU of a whole walk (GET, six "Tiếp tục", "Gửi") against the GET and
the one POST of the one-page form, as the median of ``--walks`` walks.

    DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        python benchmarks/steps.py [--walks 20]

Results go to benchmarks/results/steps.json; the last line sums them up.
"""

import argparse
import datetime
import html
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
RESULTS = ROOT / "benchmarks/results/steps.json"
HIDDEN = re.compile(r'<input type="hidden" name="(satisfaction_key|satisfaction_steps)" '
                    r'value="([^"]*)"')
RADIO = re.compile(r'<input type="radio" name="(q_\d+)" value="(\d)"')


def answers(page):
    """Each question drawn on the page answered with its highest numeric value."""
    data = {}
    for name, value in RADIO.findall(page):
        data[name] = max(data.get(name, value), value)
    return data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--walks", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 0  # one client sends every walk: no limit
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wagtail_satisfaction.models import Campaign, Questionnaire, Response, Unit
    from wagtail_satisfaction.standard_questionnaires import SIPAS_CODE

    call_command("migrate", verbosity=0)
    unit, _ = Unit.objects.get_or_create(code="bench-steps",
                                         defaults={"name": "Sở Khoa học và Công nghệ"})
    today = datetime.date.today()
    campaigns = {}
    for layout in ("one_page", "steps"):
        campaigns[layout], _ = Campaign.objects.update_or_create(
            slug=f"bench-{layout.replace('_', '-')}", defaults=dict(
                title=f"Benchmark {layout}", unit=unit,
                questionnaire=Questionnaire.objects.get(code=SIPAS_CODE, version=1),
                opens_on=today - datetime.timedelta(days=1),
                closes_on=today + datetime.timedelta(days=30), ask_procedure=False,
                ask_officer=False, ask_dossier_code=False, survey_layout=layout))

    def walk(layout, measure=None):
        """One visitor's whole survey; ``measure`` collects per-request figures."""
        client = Client()
        url = f"/khao-sat/{campaigns[layout].slug}/"
        page = client.get(url).content.decode()
        if measure is not None:
            measure.append({"request": "GET", "bytes": len(page.encode())})
        move = "send"
        while True:
            hidden = dict(HIDDEN.findall(page))
            data = {**answers(page), **{k: html.unescape(v) for k, v in hidden.items()},
                    "comment": "Cán bộ tận tình, hồ sơ trả đúng hẹn."}
            if layout == "steps":
                move = "send" if ">Gửi</button>" in page else "next"
                data["satisfaction_move"] = move
            with CaptureQueriesContext(connection) as queries:
                answer = client.post(url, data)
            assert answer.status_code == 200, (layout, answer.status_code)
            page = answer.content.decode()
            if measure is not None:
                measure.append({
                    "request": f"POST {move}", "bytes": len(page.encode()),
                    "token_chars": len(hidden.get("satisfaction_steps", "")),
                    "queries": len(queries),
                    "writes": sum(bool(re.search(r"\b(INSERT|UPDATE|DELETE)\b", q["sql"]))
                                  for q in queries.captured_queries)})
            if layout == "one_page" or move == "send":
                assert 'class="satisfaction-thanks"' in page
                return

    results = {"walks": args.walks, "database": connection.vendor, "layouts": {}}
    for layout in ("one_page", "steps"):
        before = Response.objects.filter(campaign=campaigns[layout]).count()
        walk(layout)  # warm-up: the survey cache, the connections
        requests = []
        walk(layout, requests)
        cpu = []
        for _walk in range(args.walks):
            start = time.process_time()
            walk(layout)
            cpu.append((time.process_time() - start) * 1000)
        stored = Response.objects.filter(campaign=campaigns[layout]).count() - before
        assert stored == args.walks + 2, (layout, stored)  # one response per walk
        results["layouts"][layout] = {"requests": requests,
                                      "cpu_ms_per_walk_median": round(statistics.median(cpu), 1)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    one, steps = results["layouts"]["one_page"], results["layouts"]["steps"]
    step_posts = [r for r in steps["requests"] if r["request"] == "POST next"]
    print(f"first page: one page {one['requests'][0]['bytes']} B, steps "
          f"{steps['requests'][0]['bytes']} B; step POSTs: {len(step_posts)}, "
          f"{max(r['queries'] for r in step_posts)} queries at most, "
          f"{sum(r['writes'] for r in step_posts)} writes, hidden field "
          f"{max(r['token_chars'] for r in steps['requests'] if 'token_chars' in r)} chars "
          f"at most; CPU per visitor: one page {one['cpu_ms_per_walk_median']} ms, steps "
          f"{steps['cpu_ms_per_walk_median']} ms")


if __name__ == "__main__":
    main()
