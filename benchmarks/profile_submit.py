"""Profile survey submissions in-process: where a POST's CPU goes, without the network.

Runs after ``benchmarks/submit.py`` against the database and Redis DB it built (the campaign
``bench-submit`` and the Wagtail FormPage ``/khao-sat-wagtail/``), with the same production-like
settings, through the WSGI application itself: a GET for the form and its CSRF cookie, 20
warm-up POSTs, then N POSTs, each a new visitor's answers (its own email, comment and one-time
form key).

    python benchmarks/profile_submit.py --database postgres://…/sub13_bench \\
        --redis redis://127.0.0.1:6379/3 [--path /khao-sat-wagtail/] [--profile] [-n 300]

Prints CPU and wall time per POST (one process, one request at a time: no client competes) and
Python function calls per POST, which do not depend on the machine's load; ``--profile`` adds
cProfile's tables (CPU time), written to ``--out`` too.
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/wt_speed_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--path", default="/khao-sat/bench-submit/")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", default="/tmp/profile_submit.out")
    args = parser.parse_args()
    os.environ.update(DJANGO_SETTINGS_MODULE="benchmarks.settings", DATABASE_URL=args.database,
                      REDIS_URL=args.redis, DEBUG="0")
    sys.path.insert(0, str(ROOT))
    from example_site.wsgi import application

    def call(method, body=b"", cookie=""):
        environ = {"REQUEST_METHOD": method, "PATH_INFO": args.path, "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                   "wsgi.errors": sys.stderr}
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)

        result = application(environ, start_response)
        content = b"".join(result)
        result.close()
        return answer["status"], answer["headers"], content

    _status, headers, content = call("GET")
    html = content.decode()
    cookie = "; ".join(value.split(";")[0] for name, value in headers if name == "Set-Cookie")
    data = {}
    for name, value in re.findall(r'<input type="radio" name="([^"]+)" value="([^"]*)"', html):
        if value.isdigit() and int(value) >= int(data.get(name, "0") or 0):
            data[name] = value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)

    def body(number):
        visitor = secrets.token_hex(4)
        return urllib.parse.urlencode({
            **data, "email": f"p{visitor}-{number}@example.vn",
            "comment": f"Hồ sơ trả đúng hẹn, cán bộ tận tình ({number}).",
            "satisfaction_key": secrets.token_urlsafe(16)}).encode()

    for number in range(20):
        status, _headers, content = call("POST", body(-number), cookie)
        assert status.startswith("200"), (status, content[:300])
    bodies = [body(number) for number in range(args.n)]
    profiler = cProfile.Profile(time.process_time)
    cpu, wall = time.process_time(), time.perf_counter()
    if args.profile:
        profiler.enable()
    for payload in bodies:
        call("POST", payload, cookie)
    profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if not args.profile:  # counted in a second pass, the timed one ran without the profiler
        profiler.enable()
        for payload in [body(number) for number in range(args.n)]:
            call("POST", payload, cookie)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    if args.profile:
        stats.stream = sys.stdout
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        stats.dump_stats(args.out)
    print(f"{args.path}: {cpu * 1000 / args.n:.2f} ms CPU and {wall * 1000 / args.n:.2f} ms "
          f"wall per POST{' (under the profiler)' if args.profile else ''}, "
          f"{stats.total_calls / args.n:.0f} Python function calls per POST, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
