"""How long ``load_initial_data`` takes, against the same command without responses.

Usage: python benchmarks/load_initial_data.py [RESPONSES]   (default 320, the demo's size)

Builds a fresh database of its own (a temporary SQLite file, or ``test_bench_<name>`` on
PostgreSQL when DATABASE_URL is set), migrates it, then times three runs of the command:
the site without responses (the reference), the site with RESPONSES responses, and a second
run of the latter (idempotent: nothing new). Prints the figures and writes them to
benchmarks/results/load_initial_data.json. The database is removed afterwards.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(env, *args):
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def database(env, label):
    """(DATABASE_URL, cleanup) for a scratch database."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _slash, name = url.rpartition("/")
        scratch = f"test_bench_{name}_{label}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')

        def cleanup():
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

        return f"{base}/{scratch}", cleanup, "postgresql"
    handle, path = tempfile.mkstemp(suffix=".sqlite3")
    os.close(handle)
    return f"sqlite:///{path}", lambda: os.unlink(path), "sqlite"


def measure(responses, label):
    env = dict(os.environ)
    env["DATABASE_URL"], cleanup, vendor = database(env, label)
    try:
        run(env, "migrate", "-v0")
        # Start-up and migration check cost, paid by every run alike.
        startup = run(env, "check")
        reference = run(env, "load_initial_data", "--responses", "0")
        run(env, "flush", "--noinput")
        run(env, "migrate", "-v0")
        full = run(env, "load_initial_data", "--responses", str(responses))
        again = run(env, "load_initial_data", "--responses", str(responses))
    finally:
        cleanup()
    return vendor, {"startup_s": startup, "site_only_s": reference, "full_s": full,
                    "rerun_s": again}


def main():
    responses = int(sys.argv[1]) if len(sys.argv) > 1 else 320
    vendor, figures = measure(responses, "load")
    total = responses + responses // 3
    per_response_ms = (figures["full_s"] - figures["site_only_s"]) / total * 1000
    result = {"database": vendor, "responses": total, **{k: round(v, 2) for k, v in
              figures.items()}, "ms_per_response": round(per_response_ms, 2)}
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "results" / "load_initial_data.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous[vendor] = result
    out.write_text(json.dumps(previous, indent=2) + "\n")


if __name__ == "__main__":
    main()
