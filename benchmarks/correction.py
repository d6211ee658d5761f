"""Benchmark: what correcting typed forms costs, and what it adds to ``satisfaction_verify``.

On PostgreSQL (``DATABASE_URL``, a database of your own): generates a campaign of N responses
(``_data.generate``), makes K of its paper responses typed forms of a benchmark clerk, seals
everything, then times

* the verification of the campaign with main's ``verify`` (before corrections existed: four
  queries per chunk, read from ``git show main:…``) against this branch's (five: one for the
  corrections of the chunk's responses), alternating, with no correction yet;
* K corrections through ``channels.corrections.correct_entry`` (one answer changed each):
  wall time and queries each;
* the verification again with the K corrections (it must find nothing).

    DEBUG=0 DATABASE_URL=postgres://…/db flock /tmp/bench.lock \
        python benchmarks/correction.py --size 30000 --rounds 5

Run it with DEBUG=0, as in production (no query log; queries are counted only around each
correction).

Writes benchmarks/results/correction.txt. Removes its rows afterwards.
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import cleanup, generate, log
from django.db import connection
from django.test.utils import CaptureQueriesContext

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results/correction.txt"
SLUG = "bench-correction"


def main_verify():
    """main's ``integrity.verify`` as a module of the same package (its relative imports)."""
    source = subprocess.run(["git", "show", "main:wagtail_satisfaction/integrity/verify.py"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "verify_main.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(
        "wagtail_satisfaction.integrity._verify_main", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.verify


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def run(size, corrections_count, rounds):
    from django.contrib.auth import get_user_model

    from wagtail_satisfaction.channels import corrections
    from wagtail_satisfaction.integrity.seal import seal_unsealed
    from wagtail_satisfaction.integrity.verify import verify
    from wagtail_satisfaction.models import Response, StaffEntry

    campaign = generate(size, slug=SLUG)  # migrates first
    user_model = get_user_model()
    user_model.objects.filter(username="bench-clerk").delete()
    clerk = user_model.objects.create_user("bench-clerk", is_superuser=True)
    typed = list(Response.objects.filter(campaign=campaign, channel="paper")
                 .order_by("pk").values_list("pk", flat=True)[:corrections_count])
    Response.objects.filter(pk__in=typed).update(entered_by=clerk)
    StaffEntry.objects.bulk_create(
        StaffEntry(response_id=pk, campaign=campaign, form_number=f"B-{pk}", entered_by=clerk)
        for pk in typed)
    seconds, sealed = timed(seal_unsealed, [campaign.pk])
    log(f"  sealed {sealed} responses: {seconds:.1f} s")

    old_verify, lines = main_verify(), []
    times = {"main": [], "branch": []}
    for _round in range(rounds):
        for name, function in (("main", old_verify), ("branch", verify)):
            seconds, result = timed(function, [campaign.pk])
            assert result.ok, result.problems[:3]
            times[name].append(seconds)
        log(f"  verify: main {times['main'][-1]:.2f} s, branch {times['branch'][-1]:.2f} s")
    lines.append(f"verify of {size} responses, no correction, {rounds} rounds alternating "
                  f"(median): main {statistics.median(times['main']):.2f} s, "
                  f"this branch {statistics.median(times['branch']):.2f} s; "
                  f"each round: main {', '.join(f'{t:.2f}' for t in times['main'])}, "
                  f"branch {', '.join(f'{t:.2f}' for t in times['branch'])}")

    walls, counts = [], []
    for pk in typed:
        entry = StaffEntry.objects.select_related("response", "campaign").get(response_id=pk)
        form = corrections.CorrectionForm(entry=entry)
        data = {name: form[name].value() for name in form.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        question = next(q for q in form.questions if q.scale == "satisfaction5")
        field = f"q_{question.pk}"
        data[field] = "2" if data[field] != "2" else "5"
        data["reason"] = "benchmark"
        form = corrections.CorrectionForm(data, entry=entry)
        assert form.is_valid(), form.errors
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            seconds, _correction = timed(corrections.correct_entry, entry, form, clerk)
        walls.append(seconds * 1000)
        counts.append(len(queries))
    lines.append(f"{len(walls)} corrections: wall median {statistics.median(walls):.1f} ms, "
                 f"max {max(walls):.1f} ms; queries median {statistics.median(counts):.0f}, "
                 f"max {max(counts)}")
    seconds, result = timed(verify, [campaign.pk])
    assert result.ok, result.problems[:3]
    lines.append(f"verify with {len(walls)} corrections: {seconds:.2f} s, no problem")
    remove(campaign, clerk)
    return lines


def remove(campaign, clerk):
    from wagtail.models import ModelLogEntry

    from wagtail_satisfaction.models import EntryCorrection, StaffEntry

    EntryCorrection.objects.filter(campaign=campaign).delete()
    StaffEntry.objects.filter(campaign=campaign).delete()
    ModelLogEntry.objects.filter(user=clerk).delete()
    cleanup(SLUG)
    clerk.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--corrections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    lines = run(args.size, args.corrections, args.rounds)
    header = (f"Correcting typed forms on PostgreSQL, {time.strftime('%Y-%m-%d %H:%M')}, "
              f"load average {os.getloadavg()[0]:.1f} (2 CPUs shared), "
              f"command: DEBUG=0 python benchmarks/correction.py --size {args.size} "
              f"--corrections {args.corrections} --rounds {args.rounds}")
    text = "\n".join([header, *lines]) + "\n"
    print(text)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
