"""Benchmark: what sealing adds to storing a response (target: about 1 ms of CPU or less).

Stores N responses through ``services.submit_response`` with sealing and N without it
(``seal_response`` replaced by a no-op), in alternating blocks so that drift hits both
alike, in this process, on a fresh SQLite file and, with ``--postgres URL``, on PostgreSQL
(a migrated database; the benchmark's rows are deleted afterwards). CPU is this process's
(``time.process_time``: Django, HMAC, and SQLite itself; PostgreSQL's server work shows in
the wall time instead). Runs with DEBUG=0, as in production (no query log).

    python benchmarks/seal.py --submits 300 --postgres postgres://postgres@127.0.0.1:5432/db

Prints the figures and writes benchmarks/results/seal.txt.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results/seal.txt"
BLOCK = 25


def child(submits):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection

    from wagtail_satisfaction import services
    from wagtail_satisfaction.models import (
        AnswerTally,
        Campaign,
        Questionnaire,
        Response,
        ResponseSeal,
        ResponseTally,
        SealChain,
        Unit,
    )
    from wagtail_satisfaction.standard_questionnaires import (
        SIPAS_CODE,
        install_standard_questionnaires,
    )

    call_command("migrate", verbosity=0)
    install_standard_questionnaires()
    today = datetime.date.today()
    unit = Unit.objects.create(name="Benchmark seal unit", code=f"bench-seal-{os.getpid()}")
    campaign = Campaign.objects.create(
        title="Benchmark seal", slug=f"bench-seal-{os.getpid()}", unit=unit,
        questionnaire=Questionnaire.objects.get(code=SIPAS_CODE),
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=1))
    answers = {question: 4 if 4 in question.spec.values else max(question.spec.values)
               for question in campaign.questionnaire.questions()}
    sealing = services.seal_response
    timings = {"sealed": [], "unsealed": []}
    seal_step = []

    def timed_seal(*args):
        start = time.process_time()
        sealing(*args)
        seal_step.append(time.process_time() - start)

    def submit(kind, n):
        services.seal_response = timed_seal if kind == "sealed" else (lambda *args: None)
        for i in range(n):
            cpu, wall = time.process_time(), time.perf_counter()
            services.submit_response(campaign, answers=answers, comment=f"Ý kiến {i}",
                                     email=f"nguoi{i}@example.vn")
            timings[kind].append((time.process_time() - cpu, time.perf_counter() - wall))

    try:
        submit("sealed", 10)  # warm-up: the chain head exists, caches are filled
        submit("unsealed", 10)
        timings = {"sealed": [], "unsealed": []}
        del seal_step[:]
        for _block in range(submits // BLOCK):
            submit("sealed", BLOCK)
            submit("unsealed", BLOCK)
        services.seal_response = sealing
        # The seal's own Python work, without the database: canonical content and HMAC.
        from wagtail_satisfaction.integrity.seal import canonical, contact_digest, digest

        row = {name: getattr(Response.objects.filter(campaign=campaign).first(), name)
               for name in ("id", "uid", "campaign_id", "questionnaire_id", "channel",
                            "unit_id", "procedure_id", "officer_id", "dossier_code",
                            "submitted_at", "entered_by_id")}
        pairs = [(q.pk, v) for q, v in answers.items()]
        start = time.process_time()
        for _i in range(2000):
            content = canonical(row, pairs, "Ý kiến", contact_digest(b"k" * 32, "a@b.vn"))
            digest(b"k" * 32, 1, 1, "0" * 64, content)
        pure = (time.process_time() - start) / 2000
    finally:
        ResponseSeal.objects.filter(campaign=campaign).delete()
        SealChain.objects.filter(campaign=campaign).delete()
        for response in Response.objects.filter(campaign=campaign).iterator():
            response.delete()
        ResponseTally.objects.filter(campaign=campaign).delete()
        AnswerTally.objects.filter(campaign=campaign).delete()
        campaign.delete()
        unit.delete()

    def figures(kind):
        cpu = [c * 1000 for c, _w in timings[kind]]
        wall = [w * 1000 for _c, w in timings[kind]]
        return {"n": len(cpu), "cpu_mean_ms": statistics.fmean(cpu),
                "cpu_median_ms": statistics.median(cpu), "wall_median_ms": statistics.median(wall)}

    print(json.dumps({"vendor": connection.vendor, "sealed": figures("sealed"),
                      "unsealed": figures("unsealed"), "seal_python_ms": pure * 1000,
                      "seal_step_median_ms": statistics.median(seal_step) * 1000,
                      "seal_step_mean_ms": statistics.fmean(seal_step) * 1000}))


def _describe(figures):
    return (f"CPU mean {figures['cpu_mean_ms']:.3f} ms, median {figures['cpu_median_ms']:.3f} "
            f"ms; wall median {figures['wall_median_ms']:.3f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=300, help="submits each way")
    parser.add_argument("--postgres", help="URL of a PostgreSQL database to use as well")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.submits)
    lines = [f"Sealing cost per submit_response, {args.submits} submits each way, in-process "
             f"({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs)", ""]
    with tempfile.TemporaryDirectory() as tmp:
        targets = [f"sqlite:///{tmp}/seal.sqlite3"] + ([args.postgres] if args.postgres else [])
        for url in targets:
            env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
            run = subprocess.run([sys.executable, __file__, "--child", "--submits",
                                  str(args.submits)], env=env,
                                 capture_output=True, text=True, check=True)
            result = json.loads(run.stdout.strip().splitlines()[-1])
            sealed, unsealed = result["sealed"], result["unsealed"]
            lines += [
                f"{result['vendor']}:",
                "  without seal: " + _describe(unsealed),
                "  with seal:    " + _describe(sealed),
                f"  sealing adds: CPU {sealed['cpu_mean_ms'] - unsealed['cpu_mean_ms']:+.3f} ms "
                f"(mean), {sealed['cpu_median_ms'] - unsealed['cpu_median_ms']:+.3f} ms "
                f"(median); wall {sealed['wall_median_ms'] - unsealed['wall_median_ms']:+.3f} ms",
                f"  the seal step itself (seal_response, with its SQL): CPU median "
                f"{result['seal_step_median_ms']:.3f} ms, "
                f"mean {result['seal_step_mean_ms']:.3f} ms",
                f"  of which canonical JSON + 2 HMACs: {result['seal_python_ms']:.3f} ms",
                "",
            ]
    print("\n".join(lines))
    RESULTS.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
