"""Benchmark: two app servers on one PostgreSQL and one Redis, as agencies run them.

Two gunicorn servers (2 sync workers each) on two ports, with the submit benchmark's
production-like settings (``benchmarks.settings``: DEBUG off, CONN_MAX_AGE (600 here), Redis cache,
tasks queued to django_tasks_db) behind one proxy of our own (``TRUSTED_PROXY_COUNT=1``: the
visitor's address is the last X-Forwarded-For entry) and the app's default limits
(RATE_LIMIT 10 submissions per address per 600 s, DOSSIER_CODE_ATTEMPTS 10 wrong secret codes
per dossier code). Concurrent clients send every request alternately to one port and the
other, and each case is checked in the database afterwards:

- rate limit: ADDRESSES addresses each send PER_ADDRESS submissions; exactly RATE_LIMIT per
  address may be stored, the rest answered 429;
- one rating per dossier by signed link (QR code) and by code + secret code on the survey
  form: RACERS submissions race for each of DOSSIERS dossiers; one is stored, the rest 409;
- one response per email (``one_response_per_email``): RACERS race for each address;
- wrong secret codes for one dossier code, from GUESSES different addresses: 10 compared
  (answered 400), the rest 429;
- control: the rate-limit case again with each process's own memory cache (no REDIS_URL),
  which lets through more than the limit: the check above can fail.

Then throughput: CLIENTS clients, each SUBMITS submissions (POST + the thank-you page's GET,
as in submit.py), every one from its own address, to one server, then to both; server CPU per
POST is the utime+stime of the gunicorn workers, and PostgreSQL's backends apart. No task
worker runs during the load; ``db_worker --batch`` drains the queue afterwards and
``satisfaction_verify`` checks the seal chain.

    flock /tmp/bench.lock nice python benchmarks/topology.py [--clients 16] [--submits 10]

Results go to benchmarks/results/topology.json; the last line is ``topology: ...``.
"""

import argparse
import datetime
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.submit import (  # noqa: E402
    client_session,
    count_tasks,
    cpu_seconds,
    form_data,
    manage,
    percentile,
    worker_pids,
)

RESULTS = ROOT / "benchmarks/results/topology.json"
PYTHON = sys.executable
SLUG = "bench-topology"
SURVEY = f"/khao-sat/{SLUG}/"
LOOKUP = "/khao-sat/ho-so/"


# --- Building the site (a child with the benchmark settings) ------------------------------

def build(dossiers):
    """The campaign (dossier code + secret asked, one response per email) and its dossiers."""
    import django

    django.setup()
    from wagtail_satisfaction.channels.dossiers import rating_path
    from wagtail_satisfaction.models import (
        Campaign,
        Dossier,
        EmailPolicy,
        Questionnaire,
        Unit,
    )
    from wagtail_satisfaction.standard_questionnaires import (
        SIPAS_CODE,
        install_standard_questionnaires,
    )

    install_standard_questionnaires()
    today = datetime.date.today()
    unit = Unit.objects.create(name="Sở Tư pháp (benchmark)", code=SLUG)
    Campaign.objects.create(
        title="Đánh giá sự hài lòng (hai máy chủ)", slug=SLUG, unit=unit,
        questionnaire=Questionnaire.objects.get(code=SIPAS_CODE),
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30), ask_procedure=False,
        ask_officer=False, ask_dossier_code=True, dossier_code_check="secret",
        one_response_per_email=True, email_policy=EmailPolicy.OPTIONAL)

    def dossier(code):
        return Dossier.objects.create(code=code, unit=unit, received_on=today
                                      - datetime.timedelta(days=10),
                                      returned_on=today - datetime.timedelta(days=1))

    links = [rating_path(dossier(f"HS-LINK-{i:04d}")) for i in range(dossiers)]
    codes = [(d.code, d.secret_code) for d in
             (dossier(f"HS-CODE-{i:04d}") for i in range(dossiers))]
    guessed = dossier("HS-GUESS-0001").code
    print(json.dumps({"links": links, "codes": codes, "guessed": guessed}))


# --- Requests --------------------------------------------------------------------------------

def send(port, path, fields, cookie, address):
    """One POST through our (simulated) proxy: the visitor's address in X-Forwarded-For."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
               "X-Forwarded-For": address}
    connection.request("POST", path, body=urllib.parse.urlencode(fields), headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def run_jobs(jobs, clients, follow=False):
    """Send ``jobs`` from ``clients`` threads started together; each job is a dict with
    port, path, fields, cookie, address. Returns (statuses per job, latencies, wall time).
    With ``follow`` an accepted POST's redirect is followed on the same port (the visitor
    lands on the thank-you page)."""
    statuses = [None] * len(jobs)
    latencies = []
    lock = threading.Lock()
    queue = iter(range(len(jobs)))
    gate = threading.Barrier(clients + 1)

    def worker():
        gate.wait()
        while True:
            with lock:
                index = next(queue, None)
            if index is None:
                return
            job = jobs[index]
            began = time.perf_counter()
            try:
                answer = send(job["port"], job["path"], job["fields"], job["cookie"],
                              job["address"])
                status = answer.status
                if follow and status == 302:
                    connection = http.client.HTTPConnection("127.0.0.1", job["port"],
                                                            timeout=120)
                    location = urllib.parse.urlsplit(answer.headers["Location"]).path
                    connection.request("GET", location, headers={"Cookie": job["cookie"]})
                    thanks = connection.getresponse()
                    thanks.read()
                    connection.close()
                    if thanks.status != 200:
                        status = f"thanks {thanks.status}"
            except Exception as error:  # noqa: BLE001 - every failure is counted
                status = type(error).__name__
            with lock:
                statuses[index] = status
                latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=worker) for _i in range(clients)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return statuses, latencies, time.perf_counter() - began


def tally(statuses):
    counts = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return dict(sorted(counts.items()))


# --- Servers ---------------------------------------------------------------------------------

class Servers:
    """Two gunicorn servers (2 sync workers each) on ``ports`` with the environment ``env``."""

    def __init__(self, ports, env):
        self.ports, self.env = ports, env
        self.processes = [subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "-w", "2", "-k", "sync", "-b",
             f"127.0.0.1:{port}", "--log-level", "warning", "example_site.wsgi:application"],
            cwd=ROOT, env=env) for port in ports]
        for port in ports:
            for _attempt in range(150):
                try:
                    client_session(port, SURVEY, "ours")
                    break
                except OSError:
                    time.sleep(0.2)

    def pids(self):
        return [pid for process in self.processes for pid in worker_pids(process.pid)]

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def postgres_pids(database):
    """The PostgreSQL backends serving the benchmark database (persistent: CONN_MAX_AGE)."""
    server, name = database.rsplit("/", 1)
    out = subprocess.run(["psql", f"{server}/postgres", "-Atc",
                          f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}' "
                          "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"],
                         capture_output=True, text=True, check=True).stdout
    return [int(pid) for pid in out.split()]


def cpu_by_pid(pids):
    """CPU seconds of each process still running (a backend may close meanwhile)."""
    seconds = {}
    for pid in pids:
        try:
            seconds[pid] = cpu_seconds([pid])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return seconds


def cpu_since(before):
    """CPU used since ``before`` by the processes alive then and now."""
    after = cpu_by_pid(before)
    return sum(after[pid] - before[pid] for pid in after)


# --- The cases -------------------------------------------------------------------------------

def guard_cases(args, ports, built, pages, run):
    """The guards' cases, every request sent alternately to each port. Returns
    (figures per case, what the database must hold)."""
    survey_html, survey_cookie = pages["survey"]
    link_html, link_cookie = pages["link"]
    lookup_cookie = pages["lookup"][1]
    lookup_token = pages["lookup_token"]
    cases, expected = {}, {}

    def port(n):
        return ports[n % len(ports)]

    # Rate limit: each address sends more than the limit, its requests spread over both ports.
    jobs, base = [], 6 if run == "control" else 1
    for n in range(args.per_address):
        for a in range(args.addresses):
            fields = form_data(survey_html, "ours", f"{run}-rl{a}-{n}")
            jobs.append({"port": port(len(jobs)), "path": SURVEY, "fields": fields,
                         "cookie": survey_cookie, "address": f"10.{base}.1.{a}"})
    statuses, _lat, _wall = run_jobs(jobs, args.clients)
    accepted = statuses.count(302)
    cases["rate_limit"] = {
        "addresses": args.addresses, "submissions_per_address": args.per_address,
        "limit_per_address": args.rate_limit, "statuses": tally(statuses),
        "accepted": accepted, "allowed": args.addresses * min(args.rate_limit, args.per_address)}
    expected["rate_limit"] = {"prefix": f"{run}-rl", "addresses": args.addresses,
                              "per_address": min(args.rate_limit, args.per_address)}
    if run == "control":
        return cases, expected

    def race(net, items, make):
        """RACERS submissions for each item, adjacent so different workers take them."""
        jobs = []
        for item in items:
            for r in range(args.racers):
                path, fields, cookie = make(item, r)
                jobs.append({"port": port(len(jobs)), "path": path, "fields": fields,
                             "cookie": cookie, "address": f"10.{net}.{r}.{len(jobs) % 250}"})
        statuses = run_jobs(jobs, args.clients)[0]
        return {"racers": args.racers, "statuses": tally(statuses),
                "accepted": statuses.count(302)}

    def by_link(link, r):  # the signed link (QR code): who is rated is fixed, no email asked
        fields = form_data(link_html, "ours", f"link-{r}")
        fields.pop("email")
        return link, fields, link_cookie

    def by_codes(pair, r):  # code + secret code typed on the survey form
        fields = form_data(survey_html, "ours", f"code-{pair[0]}-{r}")
        fields.update({"dossier_code": pair[0], "dossier_secret": pair[1]})
        return SURVEY, fields, survey_cookie

    def by_email(e, r):  # one response per email, written in two cases
        fields = form_data(survey_html, "ours", f"mail-{e}-{r}")
        fields["email"] = f"Dan.{e}@Example.vn" if r % 2 else f"dan.{e}@example.vn"
        return SURVEY, fields, survey_cookie

    cases["dossier_link"] = {"dossiers": len(built["links"]),
                             **race(2, built["links"], by_link)}
    cases["dossier_codes"] = {"dossiers": len(built["codes"]),
                              **race(3, built["codes"], by_codes)}
    cases["email_once"] = {"emails": args.dossiers, **race(4, range(args.dossiers), by_email)}

    # Guessing one dossier's secret code from many addresses over both servers.
    jobs = [{"port": port(g), "path": LOOKUP, "cookie": lookup_cookie,
             "fields": {"csrfmiddlewaretoken": lookup_token, "code": built["guessed"],
                        "secret": f"WRONG{g:03d}"}, "address": f"10.5.0.{g}"}
            for g in range(args.guesses)]
    statuses, _lat, _wall = run_jobs(jobs, args.clients)
    cases["secret_guessing"] = {"guesses": args.guesses, "addresses": args.guesses,
                                "attempts_per_code": 10, "statuses": tally(statuses),
                                "compared": statuses.count(400),
                                "refused_429": statuses.count(429)}
    expected.update({"links": [f"HS-LINK-{i:04d}" for i in range(len(built["links"]))],
                     "codes": [c for c, _s in built["codes"]], "emails": args.dossiers})
    return cases, expected


def throughput(args, servers, ports, pages, database, label):
    """CLIENTS clients × SUBMITS submissions, each from its own address, over ``ports``."""
    html, cookie = pages["survey"]
    pids = servers.pids()
    run_jobs([{"port": ports[n % len(ports)], "path": SURVEY, "cookie": cookie,
               "address": f"10.9.{len(ports)}.{n}",
               "fields": form_data(html, "ours", f"warm-{label}-{n}")}
              for n in range(2 * args.clients)], args.clients, follow=True)
    jobs = [{"port": ports[n % len(ports)], "path": SURVEY, "cookie": cookie,
             "address": f"10.{100 + len(ports)}.{n // 250}.{n % 250}",
             "fields": form_data(html, "ours", f"tp-{label}-{n}")}
            for n in range(args.clients * args.submits)]
    db_pids = postgres_pids(database)
    tasks_before = count_tasks(servers.env)
    app_before, db_before = cpu_by_pid(pids), cpu_by_pid(db_pids)
    statuses, latencies, wall = run_jobs(jobs, args.clients, follow=True)
    app_cpu, db_cpu = cpu_since(app_before), cpu_since(db_before)
    done = statuses.count(302)
    return {
        "servers": len(ports), "gunicorn_workers": 2 * len(ports), "clients": args.clients,
        "submitted": done, "errors": len(statuses) - done, "statuses": tally(statuses),
        "submissions_per_s": round(done / wall, 1),
        "app_cpu_ms_per_post": round(app_cpu * 1000 / max(done, 1), 2),
        "postgres_cpu_ms_per_post": round(db_cpu * 1000 / max(done, 1), 2),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "tasks_queued_per_post": round((count_tasks(servers.env) - tasks_before)
                                       / max(done, 1), 2),
        "loadavg_after": os.getloadavg(),
    }, [job["fields"]["email"] for job, status in zip(jobs, statuses, strict=True) if status == 302]


def check_database(env, expected):
    """What each case must have left in the database, counted there."""
    code = f"""
import django, json
django.setup()
from django.db.models import Count
from wagtail_satisfaction.models import Response
expected = json.loads({json.dumps(json.dumps(expected))})
ours = Response.objects.filter(campaign__slug={SLUG!r})
problems, found = [], {{}}
rl = expected["rate_limit"]
per = [ours.filter(email__startswith=f"nguoi-{{rl['prefix']}}{{a}}-").count()
       for a in range(rl["addresses"])]
found["rate_limit_rows_per_address"] = per
if per != [rl["per_address"]] * rl["addresses"]:
    problems.append(f"rate limit: {{per}} rows per address, {{rl['per_address']}} allowed")
for case in ("links", "codes"):
    rows = dict(ours.filter(dossier_code__in=expected[case], dossier_proven=True)
                .values_list("dossier_code").annotate(n=Count("id")))
    found[f"dossier_{{case}}_rows"] = sum(rows.values())
    if sorted(rows) != sorted(expected[case]) or set(rows.values()) != {{1}}:
        problems.append(f"dossier {{case}}: {{rows}}")
mails = list(ours.filter(email__istartswith="dan.").values("email_key")
             .annotate(n=Count("id")).values_list("n", flat=True))
found["email_once_rows"] = sum(mails)
if len(mails) != expected["emails"] or set(mails) != {{1}}:
    problems.append(f"email once: {{mails}}")
stored = set(ours.filter(email__in=expected["throughput"]).values_list("email", flat=True))
found["throughput_rows"] = len(stored)
if stored != set(expected["throughput"]):
    problems.append(f"throughput: {{len(stored)}} rows for {{len(expected['throughput'])}}")
items = ours.first().questionnaire.questions().count()
bad = ours.annotate(n=Count("answers")).exclude(n=items).count()
found["responses"] = ours.count()
if bad:
    problems.append(f"{{bad}} responses without their {{items}} answers")
unsorted = ours.filter(comment__isnull=False, comment__score__isnull=True).count()
if unsorted:
    problems.append(f"{{unsorted}} comments not sorted after the worker ran")
print(json.dumps({{"problems": problems, "found": found}}))
"""
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    checked = json.loads(out.strip().splitlines()[-1])
    verify = subprocess.run([PYTHON, "manage.py", "satisfaction_verify"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if verify.returncode != 0:
        checked["problems"].append("satisfaction_verify: " + (verify.stdout
                                                              + verify.stderr)[-500:])
    checked["satisfaction_verify"] = verify.stdout.strip().splitlines()[-1:]
    return checked


def fetch_pages(port, built):
    """The forms' fields and CSRF cookies (signed with the shared SECRET_KEY, so good on
    either server)."""
    pages = {"survey": client_session(port, SURVEY, "ours"),
             "link": client_session(port, built["links"][0], "ours"),
             "lookup": client_session(port, LOOKUP, "ours")}
    from benchmarks.submit import CSRF

    pages["lookup_token"] = CSRF.search(pages["lookup"][0]).group(1)
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--submits", type=int, default=10, help="submissions per client")
    parser.add_argument("--addresses", type=int, default=8)
    parser.add_argument("--per-address", type=int, default=16)
    parser.add_argument("--dossiers", type=int, default=10)
    parser.add_argument("--racers", type=int, default=6)
    parser.add_argument("--guesses", type=int, default=30)
    parser.add_argument("--rate-limit", type=int, default=10)
    parser.add_argument("--ports", default="8180,8181")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_d13")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        return build(args.build)

    ports = [int(port) for port in args.ports.split(",")]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.topology_settings",
           "DATABASE_URL": args.database, "REDIS_URL": args.redis, "DEBUG": "0",
           "SATISFACTION_RATE_LIMIT": str(args.rate_limit), "TRUSTED_PROXY_COUNT": "1",
           "PYTHONPATH": str(ROOT)}
    env.pop("TASKS_IMMEDIATE", None)
    server_url, dbname = args.database.rsplit("/", 1)
    for statement in (f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)",
                      f"CREATE DATABASE {dbname}"):
        subprocess.run(["psql", f"{server_url}/postgres", "-qc", statement], check=True)
    redis_db = urllib.parse.urlsplit(args.redis).path.strip("/") or "0"
    subprocess.run(["redis-cli", "-n", redis_db, "flushdb"], check=True, capture_output=True)
    manage(env, "migrate", "-v", "0")
    built = json.loads(subprocess.run(
        [PYTHON, __file__, "--build", str(args.dossiers)], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True).stdout.strip().splitlines()[-1])

    results = {"settings": {
        "servers": len(ports), "gunicorn_workers_per_server": 2, "worker_class": "sync",
        "conn_max_age": 600, "cache": "one Redis shared by both servers", "debug": False,
        "trusted_proxy_count": 1, "rate_limit": f"{args.rate_limit} per address per 600 s",
        "dossier_code_attempts": 10,
        "tasks": "django_tasks_db, queued only during the load; db_worker --batch afterwards",
        "sizes": "modest on purpose: 2 cores shared with other jobs (see loadavg)"},
        "cpu_count": os.cpu_count(), "loadavg_before": os.getloadavg()}
    servers = Servers(ports, env)
    try:
        pages = fetch_pages(ports[0], built)
        cases, expected = guard_cases(args, ports, built, pages, "shared")
        for name, figures in cases.items():
            print(name, json.dumps(figures), flush=True)
        tp_one, emails_one = throughput(args, servers, ports[:1], pages, args.database, "one")
        print("one server", json.dumps(tp_one), flush=True)
        tp_two, emails_two = throughput(args, servers, ports, pages, args.database, "two")
        print("two servers", json.dumps(tp_two), flush=True)
    finally:
        servers.stop()
    results["guards"] = cases
    results["throughput"] = {"one_server": tp_one, "two_servers": tp_two}
    expected["throughput"] = emails_one + emails_two

    drain = time.perf_counter()
    manage(env, "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*",
           "-v", "0", capture=True)
    results["worker_drain_s"] = round(time.perf_counter() - drain, 1)
    checked = check_database(env, expected)
    results["database_check"] = checked

    # Control: the same rate-limit case with each process's own memory cache.
    control_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    servers = Servers(ports, control_env)
    try:
        control, _expected = guard_cases(args, ports, built, fetch_pages(ports[0], built),
                                         "control")
    finally:
        servers.stop()
    results["control_per_process_cache"] = control["rate_limit"]
    print("control (per-process cache)", json.dumps(control["rate_limit"]), flush=True)

    guards = results["guards"]
    held = (guards["rate_limit"]["accepted"] == guards["rate_limit"]["allowed"]
            and guards["dossier_link"]["accepted"] == args.dossiers
            and guards["dossier_codes"]["accepted"] == args.dossiers
            and guards["email_once"]["accepted"] == args.dossiers
            and guards["secret_guessing"]["compared"] == 10
            and not checked["problems"])
    results["guards_held"] = held
    results["loadavg_after"] = os.getloadavg()
    results["measured_at"] = datetime.datetime.now().isoformat(timespec="seconds")
    results["command"] = "flock /tmp/bench.lock nice .venv/bin/python benchmarks/topology.py " \
        + " ".join(sys.argv[1:])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print("database check:", checked["problems"] or checked["found"])
    print(f"load average before {results['loadavg_before']}, after {results['loadavg_after']}")
    rl = guards["rate_limit"]
    print(f"topology: guards {'held' if held else 'FAILED'} across {len(ports)} servers "
          f"(rate limit {rl['accepted']}/{rl['addresses'] * rl['submissions_per_address']} "
          f"accepted, {rl['allowed']} allowed; per-process cache control "
          f"{control['rate_limit']['accepted']}; dossiers by link "
          f"{guards['dossier_link']['accepted']}/{args.dossiers}, by codes "
          f"{guards['dossier_codes']['accepted']}/{args.dossiers}, emails "
          f"{guards['email_once']['accepted']}/{args.dossiers}, secret guesses compared "
          f"{guards['secret_guessing']['compared']}/{args.guesses}); "
          f"1 server {tp_one['submissions_per_s']:.0f}/s "
          f"{tp_one['app_cpu_ms_per_post']:.1f} ms CPU/POST, 2 servers "
          f"{tp_two['submissions_per_s']:.0f}/s {tp_two['app_cpu_ms_per_post']:.1f} ms CPU/POST")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
