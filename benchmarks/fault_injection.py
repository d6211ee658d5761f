"""Restart PostgreSQL during a load of survey submissions; count what visitors saw.

Run by hand (needs PostgreSQL's server binaries; as root it runs them as ``postgres``):

    .venv/bin/python benchmarks/fault_injection.py [--submissions 300] [--workers 6]

It starts its own PostgreSQL cluster on a spare port (initdb in a temporary directory), the
example site with ``manage.py runserver`` on another, posts ``--submissions`` surveys (each
with a unique comment) from ``--workers`` threads as a browser would (GET the form for the
CSRF token, POST the answers), and restarts PostgreSQL (``pg_ctl restart -m fast``) once a
third of them were sent. It then compares the acknowledged submissions (a redirect to the
thank-you page) with the stored ones (must be equal: nothing acknowledged lost, nothing
refused kept) and tallies what visitors saw: thanks, the 503 page with their answers kept,
or anything else. Figures go to benchmarks/results/fault_injection.txt.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "fault_injection.txt"
SERVER_LOG = Path(tempfile.gettempdir()) / "satisfaction-fault-server.log"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def as_postgres(command):
    """Run a server binary; PostgreSQL refuses to run as root, so use its own account."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    return subprocess.run(command, check=True, capture_output=True, text=True)


class Cluster:
    def __init__(self, port):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="satisfaction-fault-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def start(self):
        as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust",
                     "-U", "postgres", "-E", "UTF8", "--no-sync"])
        self.ctl("start", "-w")
        as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                     "-U", "postgres", "fault"])

    def ctl(self, action, *extra):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        as_postgres([str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-o", options,
                     "-l", str(self.dir / "server.log"), *extra])

    def stop(self):
        try:
            self.ctl("stop", "-m", "fast", "-w")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/fault"


def django_env(database_url):
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="0", SATISFACTION_RATE_LIMIT="0",
               DJANGO_SETTINGS_MODULE="example_site.settings", TASKS_IMMEDIATE="1")
    env.pop("REDIS_URL", None)  # the rate limit is off: the cache plays no part here
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)


SETUP = """
import datetime
from wagtail_satisfaction.models import Campaign, Questionnaire, Unit
unit = Unit.objects.create(name="Sở thử tải", code="fault", kind="department")
q = Questionnaire.objects.order_by("pk").first()
today = datetime.date.today()
Campaign.objects.create(title="Thử tải", slug="thu-tai", unit=unit, questionnaire=q,
    opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=1),
    ask_dossier_code=False, ask_officer=False, ask_procedure=False)
print(q.questions().count())
"""

COUNT = """
from wagtail_satisfaction.models import Comment
print("\\n".join(Comment.objects.filter(text__startswith="fi-").values_list("text", flat=True)))
"""


def answers_of(html):
    """POST data answering every question of the form: the last choice of each."""
    data = {}
    for name, value in re.findall(r'name="(q_\d+)" value="([^"]+)"', html):
        data[name] = value  # the last option wins
    return data


THINK_SECONDS = 0.3


def visitor(base, numbers, outcomes, lock):
    session = requests.Session()
    url = f"{base}/khao-sat/thu-tai/"
    for number in numbers:
        tag = f"fi-{number:05d}"
        try:
            form = session.get(url, timeout=30)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
            if form.status_code != 200 or not token:
                kind = f"form page {form.status_code}"
            else:
                data = {**answers_of(form.text), "csrfmiddlewaretoken": token.group(1),
                        "comment": tag}
                sent = session.post(url, data, headers={"Referer": url}, timeout=30,
                                    allow_redirects=False)
                if sent.status_code == 302 and "thanks" in sent.headers.get("Location", ""):
                    kind = "acknowledged"
                elif sent.status_code == 503:
                    kept = tag in sent.text and all(
                        re.search(rf'name="{name}" value="{value}"[^>]*checked', sent.text)
                        or f'name="{name}" value="{value}"' in sent.text
                        for name, value in answers_of(form.text).items())
                    kind = "503, answers kept" if kept else "503, answers lost"
                else:
                    kind = f"HTTP {sent.status_code}"
        except requests.RequestException as error:
            kind = f"connection error ({type(error).__name__})"
        with lock:
            outcomes.append((tag, kind))
        time.sleep(THINK_SECONDS)  # people take a moment between two surveys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--pg-port", type=int, default=18110)
    parser.add_argument("--web-port", type=int, default=18111)
    args = parser.parse_args()

    cluster = Cluster(args.pg_port)
    server = None
    started = time.monotonic()
    try:
        cluster.start()
        env = django_env(cluster.url)
        manage(env, "migrate", "--no-input")
        questions = manage(env, "shell", "-c", SETUP).stdout.split()[-1]
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload",
             f"127.0.0.1:{args.web_port}"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=open(SERVER_LOG, "w"))  # noqa: SIM115
        base = f"http://127.0.0.1:{args.web_port}"
        for _ in range(100):
            try:
                requests.get(base + "/khao-sat/thu-tai/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)

        outcomes, lock = [], threading.Lock()
        numbers = list(range(args.submissions))
        workers = [threading.Thread(target=visitor, args=(
            base, numbers[i::args.workers], outcomes, lock)) for i in range(args.workers)]
        for worker in workers:
            worker.start()
        while len(outcomes) < args.submissions // 3:
            time.sleep(0.05)
        restart_at = len(outcomes)
        restart_started = time.monotonic()
        cluster.ctl("restart", "-m", "fast", "-w")
        restart_seconds = time.monotonic() - restart_started
        for worker in workers:
            worker.join()

        stored = {line for line in manage(env, "shell", "-c", COUNT).stdout.split()
                  if line.startswith("fi-")}
        acknowledged = {tag for tag, kind in outcomes if kind == "acknowledged"}
        seen = collections.Counter(kind for _tag, kind in outcomes)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()

    lines = [
        "Fault injection: PostgreSQL restarted during a load of survey submissions",
        f"command: python benchmarks/fault_injection.py --submissions {args.submissions} "
        f"--workers {args.workers}",
        f"questions per survey: {questions}; server: manage.py runserver (threaded), "
        f"PostgreSQL {PG_BIN.parent.name} (own cluster, port {args.pg_port})",
        f"restart (pg_ctl restart -m fast) after {restart_at} submissions, "
        f"took {restart_seconds:.1f} s",
        "",
        "what visitors saw:",
        *[f"  {kind:<40} {count:>5}" for kind, count in seen.most_common()],
        "",
        f"acknowledged: {len(acknowledged)}",
        f"stored:       {len(stored)}",
        f"acknowledged but not stored: {len(acknowledged - stored)}",
        f"stored but not acknowledged: {len(stored - acknowledged)}",
        f"result: {'OK, equal' if acknowledged == stored else 'MISMATCH'}",
        f"total time: {time.monotonic() - started:.1f} s",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if acknowledged == stored else 1


if __name__ == "__main__":
    sys.exit(main())
