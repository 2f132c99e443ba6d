# ruff: noqa: E501, S603, S607
"""Intake API throughput: gunicorn on 127.0.0.1, PostgreSQL (bench_inquiries), load from wrk.

    .venv/bin/python benchmarks/inquiries_intake.py [--duration 15] [--connections 8] [--threads 1]
        [--workers 3] [--worker-threads 1] [--auth api-key|session] [--runs 2] [--python-client]
    .venv/bin/python benchmarks/inquiries_intake.py --profile [--requests 500] [--cpu] [--top 45]
        [--dump file.prof]

Every request POSTs /api/inquiries/inquiries/ with a fresh Idempotency-Key, authenticated as a system
client (``Authorization: Api-Key <key>``, the default) or with a logged-in session cookie
(``--auth session``). gunicorn runs with DEBUG=0 and persistent database connections
(DB_CONN_MAX_AGE=600). Prints requests/s, latency p50/p95/p99, errors, the machine load (uptime), and
the SQL statements per request (counted in-process with CaptureQueriesContext). Afterwards it checks
that the rollups count every inquiry created. Target (issue): >= 500 req/s with p95 < 50 ms.

``--profile`` runs no server: N intake requests in-process through Django's WSGI handler
(django.test.Client, DEBUG=0, same database), prints CPU ms/request (time.process_time of this
process: PostgreSQL's share is not in it) and the cProfile tops by cumulative and by own time
(``--cpu``: charge CPU time instead of wall time).

Without ``wrk`` (``apt-get install wrk``) it says so and falls back to a Python client (requests in
threads, which itself needs much of the CPU: its figures are far below what the server can do).
``BENCH_SRC=<other checkout>/src`` serves another version of the code (before/after comparisons).

Figures on the 2-core machine (wrk -t1 -c8, 3 sync workers, 15 s runs, Api-Key auth; wrk, gunicorn
and PostgreSQL share the 2 cores). The machine's own speed varies by up to a third from minute to
minute (the same pure-Python loop takes 0.26-0.48 s), so each line is a series of runs:
                                                        req/s      p50 ms      p95 ms
  2026-11-01, 12 statements in a transaction             137-151   102-116     131-143  (-c16)
  2026-11-18, 5 statements, lean DRF path                235-242    32-33       44-45
  2026-11-22, one prepared insert statement, direct path 518-621    (not kept)  18-21
  the same code on 2026-11-23 (a slower machine phase)  414-437    17.7-18.5   25.9-27.8
  2026-11-23, + DirectIntakeMiddleware, rules read with
    the key (2 statements), rollup stripes, no FK
    constraints on derived rows, cheaper serializer      511-658    11.4-15.1   18.8-22.3  (5 runs)
  the same, 10 M inquiries of another municipality in
    the database (another series, an hour later)         402-552    13.9-19.2   19.7-27.8  (6 runs)
  All 11 runs: median 520 req/s, 8 of 11 at >= 500, p95 always < 28 ms.
  2026-11-30, issue 11 (fødselsnummer encrypted + digest, redaction, case-link changes), before (A,
    2433ad1) / crypto only (B) / all of it on main (C), interleaved in one session at load 7-16
    (six other sessions on the machine; the throughput figures are the load's, not the code's):
    wrk 10 s runs, req/s            A 74 113 164 151   B 65 129 93 123   C 87 134 98 141
    --profile CPU ms/request        A 2.96 2.63 1.72   B 2.54 2.31 1.77   C 2.32 2.69 1.31
    No difference above the noise (an intake without a number pays one attribute check; with one,
    Fernet encrypt ~36 us + HMAC digest ~17 us per row).
  2026-11-30, quiet machine after the landings (load 1.3-2.7), before = 87c6d53 (no issue 11 work),
    after = ec3ddcf, each version's own script and database, interleaved: Python calls per intake
    (cProfile, 1 500 requests) 2 646 -> 2 864 (+8 %: the place, digest and anonymisation fields);
    --profile CPU ms/request 1.80 2.09 1.67 -> 2.42 2.30 1.67; wrk req/s 455 506 350 -> 401 365 450.
    The first comparison found the location's CheckConstraint validated in Python (a query of all
    27 fields built per intake: 4 314 calls, +63 %); constraints are left to the database since.
No errors in any run; the rollups counted every inquiry. Where the CPU goes at ~540 req/s
(/proc, 10 s): gunicorn workers ~2.8 ms per request, PostgreSQL backends ~0.75 ms, wrk ~0.15 ms.
Under full load each process needs 1.4-2x the CPU per request it needs alone (both cores busy),
so every saved microsecond counts about double. What the changes of 2026-11-23 measured:
  - Python per request in-process (full WSGI stack, same machine phase): 2.8-3.2 ms -> 1.0-1.5 ms.
  - PostgreSQL per insert at 8 connections (pgbench of the statement): 0.68 ms -> 0.35 ms with
    rollup stripes (the hot rollup rows queued every intake behind the previous one's commit),
    and 1 840 -> 4 370 statements/s; FK constraints on derived rows: 0.98 -> 0.73 ms.
Other settings tried: 2 workers 394-543 req/s, 4 workers 427-479, 5 workers 439-497 (p95 up to
63 ms), 3 workers at -c12 473 (p95 33 ms), -c16 461 (p95 44 ms); gthread workers with keep-alive
were slower (thread hand-off costs more than the TCP connection it saves on loopback).
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from shutil import which

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(os.environ.get("BENCH_SRC", ROOT / "src"))  # another checkout's src/ to compare versions
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_inquiries")
# Production settings refuse a short key and a missing portal address.
os.environ["SECRET_KEY"] = "benchmark-only-" + "x7Kq2pL9mZ4vR8tN3wB6yH1cJ5dF0gS" * 2
os.environ.setdefault("PORTAL_BASE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=")
os.environ.setdefault("NATIONAL_ID_HASH_KEY", "bench-only-national-id-hash-key-32+")
os.environ["DEBUG"] = "0"
os.environ["LOG_LEVEL"] = "WARNING"
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # another port: BENCH_PORT=...
BASE = f"http://127.0.0.1:{PORT}"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
PATH = "/api/inquiries/inquiries/"
USERNAME = "bench-intake"
PASSWORD = "bench-pass-123"  # noqa: S105

LUA = r"""
-- Unique Idempotency-Key per request: thread number + counter.
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local key = string.format("%s-%d-%d", RUN, tid, counter)
  local headers = {}
  for k, v in pairs(HEADERS) do headers[k] = v end
  headers["Idempotency-Key"] = key
  return wrk.format("POST", PATH, headers, string.format(BODY, key))
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %.0f, \"duration_us\": %.0f, \"p50\": %.0f, \"p95\": %.0f, \"p99\": %.0f, \"max\": %.0f, \"connect\": %.0f, \"read\": %.0f, \"write\": %.0f, \"status\": %.0f, \"timeout\": %.0f}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout))
end
"""


def arg(name, default):
    if name in sys.argv:
        return type(default)(sys.argv[sys.argv.index(name) + 1])
    return default


def setup() -> tuple[int, str]:
    """Database, municipality, service account and API client. Returns (municipality id, API key)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from inquiries_dashboard import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from servicetorg.core.models import Membership, Municipality
    from servicetorg.inquiries.models import ApiClient, hash_token

    municipality, _ = Municipality.objects.get_or_create(
        number="9103", defaults={"name": "Bench intake", "organization_number": "991030000"}
    )
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.get_or_create(user=user, municipality=municipality, unit=None, role="desk_worker")
    key = uuid.uuid4().hex + uuid.uuid4().hex
    ApiClient.objects.filter(municipality=municipality, name="Benchmark").delete()
    ApiClient.objects.create(municipality=municipality, name="Benchmark", user=user, key_hash=hash_token(key))
    return municipality.pk, key


def body_for(municipality_id: int, subject: str) -> str:
    return json.dumps({"municipality": municipality_id, "channel": "phone", "subject": subject})


def queries_per_request(municipality_id: int, key: str) -> tuple[int, list[str]]:
    """SQL statements of one intake request, in-process against the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    counts, statements = [], []
    for i in range(3):  # the first request pays for the connection set-up
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                PATH, body_for(municipality_id, f"Count {i}"), content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, secure=True,
            )  # fmt: skip
        assert response.status_code == 201, response.content
        counts.append(len(captured.captured_queries))
        statements = [q["sql"][:110] for q in captured.captured_queries]
    return counts[-1], statements


def login_headers() -> dict[str, str]:
    """A logged-in session (created in the database, as the log-in page would) and a CSRF token."""
    import secrets

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=USERNAME)
    client.force_login(user)
    if "django_otp" in settings.INSTALLED_APPS:  # staff sessions pass the second factor (MFA) first
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        stored = client.session
        stored[DEVICE_ID_SESSION_KEY] = device.persistent_id
        stored.save()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }


def start_server(workers: int, worker_threads: int):
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "DB_CONN_MAX_AGE": "600",
        # As behind the TLS-terminating proxy of production (every request carries X-Forwarded-Proto).
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    }
    command = [str(ROOT / ".venv/bin/gunicorn"), "servicetorg.wsgi", "-w", str(workers),
               "-b", f"127.0.0.1:{PORT}", "--chdir", str(SRC), "--log-level", "warning",
               "--backlog", "2048"]  # fmt: skip
    if worker_threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(worker_threads)]
    server = subprocess.Popen(command, env=env)
    import requests

    for _ in range(150):
        try:
            requests.get(f"{BASE}/api/schema/", timeout=5, headers=PROXY_HEADERS, allow_redirects=False)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def load() -> str:
    return "/".join(Path("/proc/loadavg").read_text().split()[:3])


def run_wrk(headers, municipality_id, duration, connections, threads) -> dict:
    script = LUA.replace("RUN,", json.dumps(uuid.uuid4().hex[:8]) + ",")
    script = script.replace("HEADERS)", _lua_table(headers) + ")")
    script = script.replace("PATH,", json.dumps(PATH) + ",")
    script = script.replace("BODY,", _lua_string(body_for(municipality_id, "Benchmark %s")) + ",")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
             "--latency", "-s", f.name, BASE],
            capture_output=True, text=True, timeout=duration + 60, check=True,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    out = done.stdout
    line = next((line for line in out.splitlines() if line.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures:\n{out}\n{done.stderr}")
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["non_2xx"] = 0
    for text in out.splitlines():
        if "Non-2xx or 3xx responses" in text:
            result["non_2xx"] = int(text.split(":")[1])
    return result


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _lua_table(headers: dict[str, str]) -> str:
    return "{ " + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()) + " }"


def run_python(headers, municipality_id, duration, connections) -> dict:
    """Fallback without wrk: requests sessions in threads (the client competes for the same 2 cores)."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    latencies, errors = [], 0
    deadline = time.perf_counter() + duration

    def worker(_):
        s = requests.Session()
        s.headers.update(headers)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            key = uuid.uuid4().hex
            t0 = time.perf_counter()
            r = s.post(BASE + PATH, data=body_for(municipality_id, key), allow_redirects=False,
                       headers={"Idempotency-Key": key, "Content-Type": "application/json"})  # fmt: skip
            mine.append(time.perf_counter() - t0)
            bad += r.status_code != 201
        return mine, bad

    t0 = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        for mine, bad in pool.map(worker, range(connections)):
            latencies += mine
            errors += bad
    elapsed = time.perf_counter() - t0
    latencies.sort()
    n = len(latencies)

    def pct(p):
        return int(1e6 * latencies[min(n - 1, int(n * p))])

    return {"requests": n, "duration_us": int(elapsed * 1e6), "p50": int(1e6 * statistics.median(latencies)),
            "p95": pct(0.95), "p99": pct(0.99), "max": int(1e6 * latencies[-1]), "non_2xx": errors,
            "connect": 0, "read": 0, "write": 0, "status": errors, "timeout": 0}  # fmt: skip


def check_rollups(municipality_id: int) -> str:
    from django.db.models import Sum

    from servicetorg.inquiries.models import BacklogStat, DailyStat, Inquiry

    inquiries = Inquiry.objects.filter(municipality_id=municipality_id).count()
    received = DailyStat.objects.filter(municipality_id=municipality_id).aggregate(n=Sum("received"))["n"]
    backlog = BacklogStat.objects.filter(municipality_id=municipality_id).aggregate(n=Sum("open_count"))["n"]
    ok = inquiries == received == backlog
    return f"rollups {'consistent' if ok else 'INCONSISTENT'}: {inquiries} inquiries, {received} received, {backlog} open"


def profile(n: int) -> None:
    """In-process: N intake requests through the WSGI handler (django.test.Client), CPU ms/request
    (time.process_time, this process only: PostgreSQL's share is not included) and cProfile tops."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    municipality_id, key = setup()
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def post(i):
        response = client.post(
            PATH, body_for(municipality_id, f"Profile {i}"), content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, secure=True,
        )  # fmt: skip
        assert response.status_code == 201, response.content

    for i in range(50):  # warm-up: imports, URL resolver, serializer fields, connection
        post(i)
    with CaptureQueriesContext(connection) as captured:
        post(-1)
    c0, w0 = time.process_time(), time.perf_counter()
    for i in range(n):
        post(i)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    print(
        f"{n} requests in-process: CPU {1000 * cpu / n:.2f} ms/request, wall {1000 * wall / n:.2f} ms/request, "
        f"{len(captured.captured_queries)} SQL statements"
    )
    # --cpu: charge CPU time (time.process_time) instead of wall time, so waiting for PostgreSQL and
    # for the other processes on the machine does not show as cost.
    profiler = cProfile.Profile(time.process_time) if "--cpu" in sys.argv else cProfile.Profile()
    profiler.enable()
    for i in range(n):
        post(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(arg("--top", 45))
    stats.sort_stats("tottime").print_stats(arg("--top", 45))
    if "--dump" in sys.argv:
        stats.dump_stats(arg("--dump", "intake.prof"))


def main():
    if "--profile" in sys.argv:
        profile(arg("--requests", 500))
        return
    duration = arg("--duration", 15)
    connections = arg("--connections", 8)
    threads = arg("--threads", 1)
    workers = arg("--workers", 3)
    worker_threads = arg("--worker-threads", 1)
    auth = arg("--auth", "api-key")
    runs = arg("--runs", 2)
    use_wrk = "--python-client" not in sys.argv
    if use_wrk and which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk); falling back to the Python client,")
        print("whose own CPU use on this 2-core machine caps the figures far below the server's capacity.")
        use_wrk = False
    municipality_id, key = setup()
    count, statements = queries_per_request(municipality_id, key)
    print(f"SQL statements per request (in-process, Api-Key auth, PostgreSQL): {count}")
    for sql in statements:
        print("   ", sql)
    from django.db import connections as db_connections

    db_connections.close_all()
    server = start_server(workers, worker_threads)
    try:
        headers = {"Content-Type": "application/json", **PROXY_HEADERS}
        if auth == "session":
            headers |= login_headers()
            db_connections.close_all()
        else:
            headers["Authorization"] = f"Api-Key {key}"
        # Warm-up: every worker imports lazily and opens its database connection.
        (run_wrk(headers, municipality_id, 3, connections, threads) if use_wrk
         else run_python(headers, municipality_id, 3, min(connections, 4)))  # fmt: skip
        client = f"wrk -t{threads} -c{connections}" if use_wrk else f"Python client, {connections} threads"
        worker_kind = f"gthread x{worker_threads}" if worker_threads > 1 else "sync"
        print(
            f"gunicorn {workers} {worker_kind} workers, DEBUG=0, DB_CONN_MAX_AGE=600; {client}, {duration} s, auth {auth}"
        )
        for run in range(1, runs + 1):
            before = load()
            result = (run_wrk(headers, municipality_id, duration, connections, threads) if use_wrk
                      else run_python(headers, municipality_id, duration, connections))  # fmt: skip
            rate = result["requests"] / (result["duration_us"] / 1e6)
            socket_errors = sum(result[k] for k in ("connect", "read", "write", "timeout"))
            print(
                f"run {run}: {rate:.0f} req/s ({result['requests']} requests)  latency ms p50 {result['p50'] / 1000:.1f}"
                f"  p95 {result['p95'] / 1000:.1f}  p99 {result['p99'] / 1000:.1f}  max {result['max'] / 1000:.1f}"
                f"  errors: {result['non_2xx']} non-2xx, {socket_errors} socket"
                f"  load before {before} after {load()}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(check_rollups(municipality_id))
    print("target: >= 500 req/s and p95 < 50 ms (wrk, gunicorn and PostgreSQL share the machine's 2 cores)")


if __name__ == "__main__":
    main()
