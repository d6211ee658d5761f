"""Benchmark: the full satisfaction report over N responses (default 1,000,000), PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reports \\
        /work/venv/bin/python benchmarks/report.py [SIZE] [--keep]

Generates the data with INSERT … SELECT generate_series, times the report (read from the
daily tallies) and, as the reference in the same run, the same report computed from the raw
answers; checks both give the same figures; writes benchmarks/results/report.json; removes
the data unless --keep.
"""

import json
import statistics
import sys
import time
from pathlib import Path

from _data import cleanup, generate, log


def timed(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, times


def figures(report):
    return (report.responses, [q.counts for q in report.questions],
            [f.index for f in report.factors], report.overall_index,
            [(b.key, [(r.label, r.responses, r.satisfied, r.applicable) for r in b.rows])
             for b in report.breakdowns],
            [(r.label, r.responses, r.satisfied) for r in report.trend], report.d766_ratio)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    size = int(args[0]) if args else 1_000_000
    log(f"Generating {size:,} responses…")
    campaign = generate(size)
    from wagtail_satisfaction.models import Unit
    from wagtail_satisfaction.reports.filters import ReportFilters
    from wagtail_satisfaction.reports.stats import build_report

    try:
        unit = Unit.objects.get(code="bench--u3")
        cases = {
            "full_report": ReportFilters(campaign=campaign),
            "quarter_and_unit": ReportFilters(campaign=campaign, start=_d("2025-10-01"),
                                              end=_d("2025-12-31"), unit=unit),
            "officer_filter_raw_answers": ReportFilters(
                campaign=campaign, officer=unit.officers.first()),
        }
        results = {"size": size, "database": "postgresql", "runs": 5, "cases": {}}
        for name, filters in cases.items():
            report, times = timed(lambda f=filters: build_report(f, comment_limit=100), 6)
            times = times[1:]  # the first run warms the caches
            results["cases"][name] = {"responses": report.responses,
                                      "median_s": round(statistics.median(times), 3),
                                      "max_s": round(max(times), 3)}
            log(f"{name}: {report.responses:,} responses, median "
                f"{statistics.median(times):.3f} s, max {max(times):.3f} s")
        full = build_report(cases["full_report"])
        raw_report, raw_times = timed(
            lambda: build_report(ReportFilters(campaign=campaign, raw=True), comment_limit=100),
            2)
        results["reference_raw_answers_full_report_s"] = round(raw_times[1], 3)
        results["tallies_equal_raw_answers"] = figures(full) == figures(raw_report)
        log(f"reference, same report from the raw answers: {raw_times[1]:.3f} s; "
            f"identical figures: {results['tallies_equal_raw_answers']}")
        results["full_report_under_1s"] = results["cases"]["full_report"]["max_s"] < 1
        out = Path(__file__).parent / "results" / "report.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        log(f"written {out}")
    finally:
        if "--keep" not in sys.argv:
            cleanup()


def _d(text):
    import datetime

    return datetime.date.fromisoformat(text)


if __name__ == "__main__":
    main()
