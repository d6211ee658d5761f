"""Bytes per row of the tables that grow with responses, measured on PostgreSQL.

Adds SIZE generated responses (``_data.generate``: 19 index answers each, the expectation
answers for one in four, a comment for one in fifty, the daily tallies) to the database of
DATABASE_URL, best the one ``benchmarks/topology.py`` leaves behind, whose few hundred
responses were stored by the app itself (with their seals and tasks), then prints for each
table its rows, the average row (``pg_column_size``), and the heap and total size
(``pg_relation_size`` / ``pg_total_relation_size``, indexes and TOAST included) per row,
and each index's bytes per row.
``docs/deploy.md`` sizes a province and the country from these figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_d13 \\
        flock /tmp/bench.lock nice python benchmarks/table_sizes.py [--size 100000]

Results go to benchmarks/results/table_sizes.json; the generated rows are removed afterwards.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import cleanup, connection, generate, log  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results/table_sizes.json"
TABLES = ["response", "answer", "comment", "responseseal", "answertally", "responsetally"]


def measure():
    sizes = {}
    with connection.cursor() as cursor:
        for name in TABLES:
            table = f"wagtail_satisfaction_{name}"
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"SELECT count(*), coalesce(avg(pg_column_size(t.*)), 0), "
                           f"pg_relation_size('{table}'), pg_total_relation_size('{table}') "
                           f"FROM {table} t")
            rows, average, heap, total = cursor.fetchone()
            cursor.execute("SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
                           "FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1", [table])
            indexes = {index: round(size / rows, 1) if rows else None
                       for index, size in cursor.fetchall()}
            sizes[name] = {"rows": rows, "avg_row_bytes": round(float(average), 1),
                           "heap_bytes_per_row": round(heap / rows, 1) if rows else None,
                           "total_bytes_per_row": round(total / rows, 1) if rows else None,
                           "index_bytes_per_row": indexes}
            log(f"{name:14} {rows:>9} rows  row {sizes[name]['avg_row_bytes']:>6} B  "
                f"heap/row {sizes[name]['heap_bytes_per_row']} B  "
                f"total/row {sizes[name]['total_bytes_per_row']} B")
    return sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    log("tables before (rows stored by the app):")
    before = measure()
    log(f"after generating {args.size} responses:")
    generate(args.size, slug="bench-sizes")
    try:
        after = measure()
    finally:
        cleanup("bench-sizes")
    results = {"database": os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1],
               "generated_responses": args.size, "app_rows": before, "with_generated": after,
               "measured_at": datetime.datetime.now().isoformat(timespec="seconds")}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    response, answer = after["response"], after["answer"]
    print(f"table sizes: response {response['total_bytes_per_row']} B/row, answer "
          f"{answer['total_bytes_per_row']} B/row "
          f"({answer['rows'] / max(response['rows'], 1):.1f} answers per response), seal "
          f"{before['responseseal']['avg_row_bytes']} B/row (row only)")


if __name__ == "__main__":
    sys.exit(main())
