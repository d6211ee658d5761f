"""Benchmark: submitting a survey, against Wagtail's own form builder and a plain view.

Builds, in its own PostgreSQL database and Redis DB, the example site with production-like
settings (``benchmarks.settings``: DEBUG off, CONN_MAX_AGE=60, Redis cache, tasks queued to
the django_tasks_db backend) plus the two references: a Wagtail ``FormPage``
(wagtail.contrib.forms) holding the same 19 SIPAS items, an email and a comment, and a plain
Django view doing one INSERT. It runs gunicorn (2 sync workers) and loads each target in
turn, never at the same time: CLIENTS threads, each sending SUBMITS submissions over
http.client (a new connection per request, as gunicorn's sync workers close them).

No task worker runs during the load (tasks are queued only, so the queue's INSERTs count
but a worker's CPU does not compete with the 2 cores); afterwards ``db_worker --batch``
drains the queue, and every stored row is checked (answers, email, comment, its sort, the
seal chain through ``satisfaction_verify``).

Figures: submissions/s; server CPU per POST (utime+stime of the gunicorn workers from
/proc/<pid>/stat, before/after; the POST's answer must be the thank-you page, and if it
redirects there instead, the GET it leads to is counted too); SQL queries per POST (counted
in-process with CaptureQueriesContext in a separate pass, tasks queued counted); p50/p99
latency; errors; CPU and size of the survey page's GET; tasks queued per POST; load average;
database CPU per POST (the PostgreSQL backends of the gunicorn workers' persistent
connections); and, for ours, the cost of adding the load's responses to the daily tallies
(``tally_roll_up``: the task worker's one statement after a burst, run here after the load).

    python benchmarks/submit.py [--clients 16] [--submits 25] [--gets 100]

The last line is ``submit: ours N/s, wagtail form N/s, plain view N/s, ratio X.XX``
(ratio = ours / wagtail form); results go to benchmarks/results/submit.json.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results/submit.json"
PYTHON = sys.executable
TICK = os.sysconf("SC_CLK_TCK")
SLUG = "bench-submit"
FORM_PATH = "/khao-sat-wagtail/"


# --- Building the site (run in a child with the benchmark settings) ------------------------

def build():
    """Create the campaign, the FormPage and count each target's queries in-process."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page, Site

    from benchmarks.formpage_app.models import FormField, FormPage
    from wagtail_satisfaction.models import (
        Campaign,
        EmailPolicy,
        Questionnaire,
        SurveyLayout,
        Unit,
    )
    from wagtail_satisfaction.standard_questionnaires import (
        SIPAS_CODE,
        install_standard_questionnaires,
    )

    install_standard_questionnaires()
    today = datetime.date.today()
    unit = Unit.objects.create(name="Sở Khoa học và Công nghệ", code="bench-submit")
    questionnaire = Questionnaire.objects.get(code=SIPAS_CODE)
    Campaign.objects.create(
        title="Đánh giá sự hài lòng (benchmark)", slug=SLUG, unit=unit,
        questionnaire=questionnaire, opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30), ask_procedure=False,
        ask_officer=False, ask_dossier_code=False, email_policy=EmailPolicy.OPTIONAL,
        # Every question on the page its GET draws, as the FormPage does (one POST each).
        survey_layout=SurveyLayout.ONE_PAGE)
    questions = list(questionnaire.questions().order_by("factor__sort_order", "sort_order"))
    root = Site.objects.get(is_default_site=True).root_page.specific
    page = FormPage(title="Khảo sát (Wagtail form)", slug=FORM_PATH.strip("/"),
                    intro="Ý kiến của ông/bà về thủ tục hành chính.",
                    thank_you_text="Cảm ơn ông/bà đã đánh giá.", to_address="",
                    from_address="", subject="")
    root.add_child(instance=page)
    for order, question in enumerate(questions):
        FormField.objects.create(
            page=page, sort_order=order, label=f"{question.code} {question.text}"[:255],
            field_type="radio", required=question.required,
            choices="\n".join(str(value) for value, _label in question.choices()))
    FormField.objects.create(page=page, sort_order=100, label="Email", field_type="email",
                             required=False)
    FormField.objects.create(page=page, sort_order=101, label="Comment",
                             field_type="multiline", required=False)
    assert Page.objects.get(pk=page.pk).url == FORM_PATH, Page.objects.get(pk=page.pk).url

    # Queries of one POST each (after a warm-up POST), tasks queued included.
    counts = {}
    for name, url in (("ours", f"/khao-sat/{SLUG}/"), ("wagtail_form", FORM_PATH),
                      ("plain_view", "/plain/")):
        client = Client()
        for attempt in range(2):
            data = form_data(client.get(url).content.decode() if name != "plain_view" else "",
                             name, f"count{attempt}")
            with CaptureQueriesContext(connection) as queries:
                answer = client.post(url, data)
            assert answer.status_code in (200, 302), (name, answer.status_code)
        counts[name] = {"post": len(queries),
                        "sql": [q["sql"][:160] for q in queries.captured_queries]}
        if name == "ours" and answer.status_code == 302:  # older versions redirected
            with CaptureQueriesContext(connection) as queries:
                client.get(answer["Location"])
            counts["ours"]["thanks_get"] = len(queries)
    print(json.dumps(counts))


# --- The load --------------------------------------------------------------------------------

RADIO = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_data(html, target, tag):
    """The POST a visitor would send: every radio answered, an email and a comment."""
    data = {}
    for name, value in RADIO.findall(html):
        if value.isdigit() and int(value) >= int(data.get(name, "0") or 0):
            data[name] = value
    token = CSRF.search(html)
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)
    if target == "plain_view":
        data.update({f"q{i}": "4" for i in range(19)})
    if target == "ours":
        # Each visitor's browser draws its own form, with its own one-time key.
        data["satisfaction_key"] = secrets.token_urlsafe(16)
    data["email"] = f"nguoi-{tag}@example.vn"
    data["comment"] = f"Hồ sơ trả đúng hẹn, cán bộ tận tình ({tag})."
    return data


def request(port, method, path, body=None, cookie=""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    content = answer.read()
    connection.close()
    return answer, content


def client_session(port, path, target):
    """A GET of the form: its fields, and the CSRF cookie to send them with."""
    if target == "plain_view":
        return "", ""
    answer, content = request(port, "GET", path)
    cookies = [header.split(";")[0] for header in answer.headers.get_all("Set-Cookie") or []]
    return content.decode(), "; ".join(cookies)


def run_load(port, path, target, clients, submits, label):
    latencies, errors, emails = [], [], []
    lock = threading.Lock()
    sessions = [client_session(port, path, target) for _i in range(clients)]
    start_gate = threading.Barrier(clients + 1)

    def worker(index):
        html, cookie = sessions[index]
        start_gate.wait()
        for number in range(submits):
            tag = f"{label}-{index}-{number}"
            data = form_data(html, target, tag)
            body = urllib.parse.urlencode(data)
            began = time.perf_counter()
            try:
                answer, content = request(port, "POST", path, body, cookie)
                ok = answer.status == 200
                if target == "ours":  # the visitor's submission ends on the thank-you page
                    if answer.status == 302:  # older versions redirected to it
                        location = urllib.parse.urlsplit(answer.headers["Location"]).path
                        answer, content = request(port, "GET", location, cookie=cookie)
                    ok = answer.status == 200 and b"satisfaction-thanks" in content
            except Exception as error:  # noqa: BLE001 - every failure is counted
                ok, answer = False, error
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if ok:
                    emails.append(data["email"])
                else:
                    errors.append(str(getattr(answer, "status", answer)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {"wall_s": wall, "latencies": latencies, "errors": errors, "emails": emails}


# --- Server processes ---------------------------------------------------------------------

def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_by_pid(pids):
    """CPU seconds used so far by each of ``pids`` still alive: {pid: seconds}."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (14, 15)
    return seconds


def cpu_seconds(pids):
    """CPU seconds used so far by ``pids`` (a process gone meanwhile counts as 0: call with
    the same list before and after, and compare only processes alive at both ends)."""
    return sum(cpu_by_pid(pids).values())


def cpu_used(before):
    """CPU seconds used since ``before`` (a :func:`cpu_by_pid` reading) by the processes
    still alive: a backend closed meanwhile (a worker's connection older than CONN_MAX_AGE
    is replaced) would otherwise subtract all its CPU from the sum."""
    after = cpu_by_pid(before)
    return sum(after[pid] - before[pid] for pid in after)


def database_pids(database_url):
    """The PostgreSQL backends serving the benchmark's database (the gunicorn workers' own
    persistent connections), to count the database's CPU per POST."""
    server_url, dbname = database_url.rsplit("/", 1)
    out = subprocess.run(
        ["psql", f"{server_url}/postgres", "-qAtc",
         f"SELECT pid FROM pg_stat_activity WHERE datname = '{dbname}' "
         f"AND backend_type = 'client backend' AND state = 'idle' "
         f"AND pid <> pg_backend_pid()"], check=True, capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def roll_up(env):
    """Add the queued responses to the daily tallies as the task worker would; its figures."""
    code = ("import django, json, os, time; django.setup(); from django.db import connection; "
            "from wagtail_satisfaction.reports.rollup import roll_up_pending; "
            "cursor = connection.cursor(); cursor.execute('SELECT pg_backend_pid()'); "
            "pid = cursor.fetchone()[0]; tick = os.sysconf('SC_CLK_TCK'); "
            "cpu = lambda: sum(map(int, open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1]"
            ".split()[11:13])) / tick; "
            "c0, t0 = cpu(), time.perf_counter(); n = roll_up_pending(); "
            "t = time.perf_counter() - t0; "
            "print(json.dumps({'responses': n, 'seconds': round(t, 3), "
            "'ms_per_response': round(t * 1000 / max(n, 1), 3), "
            "'database_cpu_s': round(cpu() - c0, 2)}))")
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def manage(env, *args, capture=False):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=capture, text=True)


def check_rows(env, expected):
    """Every row of each target, checked in the database after the load."""
    code = f"""
import django, json, sys
django.setup()
from benchmarks.formpage_app.models import PlainSubmission
from wagtail.contrib.forms.models import FormSubmission
from wagtail_satisfaction.models import Answer, Comment, Response
expected = json.load(sys.stdin)
ours = Response.objects.filter(campaign__slug={SLUG!r}, email__in=expected["ours"])
problems = []
if ours.count() != len(expected["ours"]):
    problems.append(f"ours: {{ours.count()}} rows for {{len(expected['ours'])}} submits")
items = ours.first().questionnaire.questions().count() if ours.exists() else 0
bad_answers = [r.pk for r in ours.prefetch_related("answers") if len(r.answers.all()) != items]
if bad_answers or not items:
    problems.append(f"ours: {{len(bad_answers)}} responses without their {{items}} answers")
comments = Comment.objects.filter(response__in=ours)
if comments.count() != len(expected["ours"]):
    problems.append("ours: a comment is missing")
unsorted = comments.filter(score__isnull=True).count()
if unsorted:
    problems.append(f"ours: {{unsorted}} comments not sorted after the worker ran")
forms = FormSubmission.objects.filter(page__slug={FORM_PATH.strip('/')!r})
form_emails = {{s.form_data.get("email") for s in forms}}
missing = set(expected["wagtail_form"]) - form_emails
if missing:
    problems.append(f"wagtail form: {{len(missing)}} submissions missing")
plain = set(PlainSubmission.objects.values_list("data__email", flat=True))
if set(expected["plain_view"]) - plain:
    problems.append("plain view: rows missing")
print(json.dumps(problems))
"""
    # The expected emails on standard input: thousands of them overflow a command line.
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True,
                         input=json.dumps(expected), capture_output=True, text=True).stdout
    problems = json.loads(out.strip().splitlines()[-1])
    verify = subprocess.run([PYTHON, "manage.py", "satisfaction_verify"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if verify.returncode != 0:
        problems.append("satisfaction_verify: " + (verify.stdout + verify.stderr)[-500:])
    return problems, verify.stdout.strip().splitlines()[-1:] if verify.stdout else []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--submits", type=int, default=25, help="submissions per client")
    parser.add_argument("--gets", type=int, default=100, help="GETs of each survey page")
    parser.add_argument("--port", type=int, default=18710)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/wt_speed_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        return build()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
           "DATABASE_URL": args.database, "REDIS_URL": args.redis, "DEBUG": "0",
           "SATISFACTION_RATE_LIMIT": "1000000", "PYTHONPATH": str(ROOT)}
    env.pop("TASKS_IMMEDIATE", None)
    server_url, dbname = args.database.rsplit("/", 1)
    for statement in (f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)",
                      f"CREATE DATABASE {dbname}"):
        subprocess.run(["psql", f"{server_url}/postgres", "-qc", statement], check=True)
    redis_db = urllib.parse.urlsplit(args.redis).path.strip("/") or "0"
    subprocess.run(["redis-cli", "-n", redis_db, "flushdb"], check=True, capture_output=True)
    manage(env, "migrate", "-v", "0")
    built = subprocess.run([PYTHON, __file__, "--build"], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)
    queries = json.loads(built.stdout.strip().splitlines()[-1])

    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-w", "2", "-k", "sync", "-b",
         f"127.0.0.1:{args.port}", "--log-level", "warning", "example_site.wsgi:application"],
        cwd=ROOT, env=env)
    targets = {"ours": f"/khao-sat/{SLUG}/", "wagtail_form": FORM_PATH, "plain_view": "/plain/"}
    results = {"settings": {"clients": args.clients, "submits_per_client": args.submits,
                            "gunicorn_workers": 2, "worker_class": "sync",
                            "conn_max_age": 60, "cache": "redis", "debug": False,
                            "tasks": "django_tasks_db, queued only during the load; "
                                     "db_worker --batch drains them afterwards"},
               "loadavg_before": os.getloadavg(), "cpu_count": os.cpu_count(), "targets": {}}
    expected = {}
    try:
        for _attempt in range(100):
            try:
                request(args.port, "GET", FORM_PATH)
                break
            except OSError:
                time.sleep(0.2)
        pids = worker_pids(gunicorn.pid)
        for target, path in targets.items():
            run_load(args.port, path, target, args.clients, 2, f"warm-{target}")  # warm-up
            tasks_before = count_tasks(env)
            db_pids = database_pids(args.database)
            cpu_before, db_before = cpu_by_pid(pids), cpu_by_pid(db_pids)
            load = run_load(args.port, path, target, args.clients, args.submits, target)
            cpu, db_cpu = cpu_used(cpu_before), cpu_used(db_before)
            # A worker's connection opened during the load (replacing one past CONN_MAX_AGE).
            db_cpu += cpu_seconds(set(database_pids(args.database)) - set(db_before))
            done = len(load["emails"])
            expected[target] = load["emails"]
            figures = {
                "submissions_per_s": round(done / load["wall_s"], 1),
                "submitted": done, "errors": len(load["errors"]),
                "error_samples": load["errors"][:5],
                "server_cpu_ms_per_post": round(cpu * 1000 / max(done, 1), 2),
                "database_cpu_ms_per_post": round(db_cpu * 1000 / max(done, 1), 2),
                "p50_ms": round(percentile(load["latencies"], 0.5) * 1000, 1),
                "p99_ms": round(percentile(load["latencies"], 0.99) * 1000, 1),
                "sql_queries_per_post": queries[target]["post"],
                "tasks_queued_per_post": round((count_tasks(env) - tasks_before)
                                               / max(done, 1), 2),
            }
            if target == "ours":
                # The daily tallies' share, done by the task worker after the load (one
                # statement for the whole queue; see reports.rollup).
                figures["tally_roll_up"] = roll_up(env)
                figures["sql_queries_thanks_get"] = queries["ours"].get("thanks_get", 0)
                figures["sql_of_one_post"] = queries["ours"]["sql"]
            if target != "plain_view":
                figures.update(measure_get(args.port, path, pids, args.gets))
            results["targets"][target] = figures
            print(target, json.dumps({k: v for k, v in figures.items() if k != "sql_of_one_post"}),
                  flush=True)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    results["loadavg_after"] = os.getloadavg()
    drain = time.perf_counter()
    manage(env, "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*",
           "-v", "0", capture=True)
    results["worker_drain_s"] = round(time.perf_counter() - drain, 1)
    problems, verify = check_rows(env, expected)
    results["row_check"] = problems or "every row present and checked; seal chain verified"
    results["satisfaction_verify"] = verify
    ours = results["targets"]["ours"]["submissions_per_s"]
    form = results["targets"]["wagtail_form"]["submissions_per_s"]
    plain = results["targets"]["plain_view"]["submissions_per_s"]
    results["ratio"] = round(ours / form, 2)
    results["measured_at"] = datetime.datetime.now().isoformat(timespec="seconds")
    RESULTS.parent.mkdir(exist_ok=True)
    history = []
    if RESULTS.exists():
        history = json.loads(RESULTS.read_text()).get("history", [])
    results["label"] = os.environ.get("BENCH_LABEL", "")
    history.append({key: results[key] for key in ("measured_at", "label", "ratio")}
                   | {"per_s": [ours, form, plain]})
    results["history"] = history
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print("row check:", results["row_check"])
    print(f"load average before {results['loadavg_before']}, after {results['loadavg_after']}")
    print(f"submit: ours {ours:.0f}/s, wagtail form {form:.0f}/s, plain view {plain:.0f}/s, "
          f"ratio {results['ratio']:.2f}")
    return 1 if problems else 0


def count_tasks(env):
    code = ("import django; django.setup(); from django_tasks_db.models import DBTaskResult; "
            "print(DBTaskResult.objects.count())")
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1])


def measure_get(port, path, pids, gets):
    """CPU and size of the survey page's GET, one client at a time."""
    request(port, "GET", path)
    before = cpu_seconds(pids)
    size = 0
    for _i in range(gets):
        answer, content = request(port, "GET", path)
        assert answer.status == 200, answer.status
        size = len(content)
    return {"get_server_cpu_ms": round((cpu_seconds(pids) - before) * 1000 / gets, 2),
            "get_kb": round(size / 1024, 1)}


if __name__ == "__main__":
    sys.exit(main())
