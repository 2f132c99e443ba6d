# ruff: noqa: E501
"""The citizen contact form's submit, receipt e-mail queued: gunicorn on 127.0.0.1, PostgreSQL.

    .venv/bin/python benchmarks/contact_submit.py [--requests 200] [--workers 3] [--runs 2]
    .venv/bin/python benchmarks/contact_submit.py --profile [--requests 200] [--top 40]

Each submit is one citizen: a fresh HTTP session GETs ``/kontakt/<service>/`` (the form, its CSRF
cookie and its one-time form token, core/once.py), then POSTs the filled-in form with an e-mail
address; only the POST is timed (the answer is the 302 to the receipt). The request goes through
the whole middleware stack of a production process: gunicorn (3 sync workers), DEBUG=0, persistent
database connections, the cache (throttle counts, django-axes) on Redis and Celery's broker on Redis
(CACHE_URL and CELERY_BROKER_URL, db 4 unless BENCH_REDIS_URL says otherwise), so the receipt is
*queued* as in production: a row in the outbox and a task on the broker, not sent in the request.
The contact throttle (20 posts an hour per address) is raised for the run: every request comes from
127.0.0.1. Requests are sequential (one citizen at a time): the figure is the latency a citizen sees,
not throughput.

Prints the POST latency median/p95/max and the count, the machine load (/proc/loadavg) before and
after each run, and the SQL statements of one submit (in-process, django.test.Client). Afterwards it
checks that every submit created exactly one inquiry and one queued (pending) receipt e-mail.
Target (issue 10): median < 100 ms on PostgreSQL.

``--profile`` runs no server: N submits in-process through Django's WSGI handler (same database,
DEBUG=0, same Redis) with the POSTs under cProfile (``--cpu``: charge CPU time, not wall time), and
prints CPU and wall ms per submit and the tops by cumulative and own time.

Without DATABASE_URL: PostgreSQL on 127.0.0.1, database bench_contact (created when missing).
Figures (2-core machine shared with other work; load average in brackets):
  see docs/operations.md, "Benchmarks".
"""

import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_contact")
# Production settings refuse a short key and a missing portal address.
os.environ["SECRET_KEY"] = "benchmark-only-" + "x7Kq2pL9mZ4vR8tN3wB6yH1cJ5dF0gS" * 2
os.environ.setdefault("PORTAL_BASE_URL", "http://127.0.0.1:8000")
os.environ["DEBUG"] = "0"
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=")
os.environ.setdefault("NATIONAL_ID_HASH_KEY", "bench-only-national-id-hash-key-32+")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
os.environ["CACHE_URL"] = REDIS
os.environ["CELERY_BROKER_URL"] = REDIS
os.environ["THROTTLE_CONTACT"] = "1000000/hour"
os.environ["SECURE_COOKIES"] = "0"  # the client speaks plain HTTP to gunicorn (TLS ends at the proxy)
os.environ["SECURE_PROXY_SSL_HEADER"] = "HTTP_X_FORWARDED_PROTO,https"
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
NUMBER = "9104"  # the benchmark's own municipality
os.environ["PORTAL_MUNICIPALITY"] = NUMBER
PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
SLUG = "byggesak-bench"
PATH = f"/kontakt/{SLUG}/"
TOKEN = re.compile(r'name="once_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def arg(name, default):
    if name in sys.argv:
        return type(default)(sys.argv[sys.argv.index(name) + 1])
    return default


def load() -> str:
    return "/".join(Path("/proc/loadavg").read_text().split()[:3])


def setup() -> int:
    """Database, municipality, unit and a published service with a reply promise; returns the
    municipality's id."""
    from inquiries_dashboard import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # production static storage
    from django.utils import timezone

    from servicetorg.catalogue.models import Promise, Service, ServiceArea, ServiceDescription
    from servicetorg.core.models import Municipality, Unit

    municipality, _ = Municipality.objects.get_or_create(
        number=NUMBER, defaults={"name": "Bench kontakt", "organization_number": "991040000"}
    )
    # The portal is found by its host name, as in production (one query; PORTAL_MUNICIPALITY is the
    # fallback). No other municipality of the benchmark's database has this host.
    Municipality.objects.filter(pk=municipality.pk).update(portal_host="127.0.0.1")
    unit, _ = Unit.objects.get_or_create(
        municipality=municipality, slug="byggesak", defaults={"name": "Byggesak", "email": "bygg@example.org"}
    )
    area, _ = ServiceArea.objects.get_or_create(
        municipality=municipality, slug="bygg", defaults={"name": "Bygg og eiendom", "position": 1}
    )
    service = Service.objects.filter(municipality=municipality, slug=SLUG).first()
    if service is None:
        service = Service.objects.create(
            municipality=municipality, area=area, slug=SLUG, state="published", name="Byggesøknad",
            summary="Søk om å bygge.", search_text="byggesøknad", channels=["web_form"],
            responsible_unit=unit, review_due=timezone.localdate(),
        )  # fmt: skip
        description = ServiceDescription.objects.create(
            service=service, version=1, state="published", name=service.name, summary=service.summary,
            content="Slik søker du.", published_at=timezone.now(),
        )  # fmt: skip
        Promise.objects.create(description=description, kind="reply", limit_value=5)
        service.published_version = description
        service.save(update_fields=["published_version"])
    return municipality.pk


def form_data(i: int, csrf: str, token: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": csrf,
        "once_token": token,
        "subject": f"Spørsmål om byggesøknad {i}",
        "body": "Hei! Jeg lurer på om jeg må søke for å bygge en garasje på 40 m². Takk for svar.",
        "contact_name": "Kari Nordmann",
        "contact_email": f"kari.{i}@example.org",
        "contact_phone": "",
    }


def counts(municipality_id: int) -> tuple[int, int]:
    """(inquiries, pending receipt e-mails) of the benchmark's municipality."""
    from servicetorg.core.models import OutboxMessage
    from servicetorg.inquiries.models import Inquiry

    inquiries = Inquiry.objects.filter(municipality_id=municipality_id).count()
    receipts = OutboxMessage.objects.filter(
        municipality_id=municipality_id,
        key__startswith="inquiries.receipt:",
        channel="email",
        state="pending",
    ).count()
    return inquiries, receipts


def statements_per_submit() -> list[str]:
    """The SQL of one submit, in-process (django.test.Client through the same middleware)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    statements: list[str] = []
    for i in range(3):  # the first submit pays for the connection and the caches
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        page = client.get(PATH, secure=True)
        assert page.status_code == 200, page.status_code
        html = page.content.decode()
        data = form_data(i, CSRF.search(html).group(1), TOKEN.search(html).group(1))
        with CaptureQueriesContext(connection) as captured:
            response = client.post(PATH, data, secure=True)
        assert response.status_code == 302, response.content[:2000]
        statements = [q["sql"][:140] for q in captured.captured_queries]
    return statements


def start_server(workers: int):
    command = [str(ROOT / ".venv/bin/gunicorn"), "servicetorg.wsgi", "-w", str(workers),
               "-b", f"127.0.0.1:{PORT}", "--chdir", str(ROOT / "src"), "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "DB_CONN_MAX_AGE": "600"}
    server = subprocess.Popen(command, env=env)
    import requests

    for _ in range(150):
        try:
            requests.get(BASE + PATH, timeout=5, headers=PROXY_HEADERS, allow_redirects=False)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.send_signal(signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def submit(i: int) -> float:
    """One citizen: GET the form (untimed), POST it (timed). Returns the POST's seconds."""
    import requests

    with requests.Session() as s:
        s.headers.update(PROXY_HEADERS)
        page = s.get(BASE + PATH, timeout=30)
        page.raise_for_status()
        data = form_data(i, CSRF.search(page.text).group(1), TOKEN.search(page.text).group(1))
        t0 = time.perf_counter()
        response = s.post(BASE + PATH, data=data, timeout=30, allow_redirects=False,
                          headers={"Origin": f"https://127.0.0.1:{PORT}"})  # fmt: skip
        elapsed = time.perf_counter() - t0
    if response.status_code != 302 or not response.headers.get("Location", "").endswith(
        "/kontakt/kvittering/"
    ):
        raise SystemExit(f"submit {i} answered {response.status_code}: {response.text[:2000]}")
    return elapsed


def profile(n: int) -> None:
    """N submits in-process under cProfile: only the POSTs are profiled and timed."""
    import cProfile
    import pstats

    from django.test import Client

    setup()
    client = Client(
        HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1"
    )  # one handler (middleware loaded once), as a worker
    profiler = cProfile.Profile(time.process_time) if "--cpu" in sys.argv else cProfile.Profile()
    cpu = wall = 0.0

    def one(i: int, profiled: bool) -> None:
        nonlocal cpu, wall
        client.cookies.clear()  # a new citizen
        html = client.get(PATH, secure=True).content.decode()
        data = form_data(i, CSRF.search(html).group(1), TOKEN.search(html).group(1))
        c0, w0 = time.process_time(), time.perf_counter()
        if profiled:
            profiler.enable()
        response = client.post(PATH, data, secure=True)
        if profiled:
            profiler.disable()
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
        assert response.status_code == 302

    for i in range(20):
        one(i, False)
    for i in range(n):
        one(i, True)
    print(
        f"{n} POSTs in-process: CPU {1000 * cpu / n:.1f} ms, wall {1000 * wall / n:.1f} ms per submit; load {load()}"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(arg("--top", 40))
    stats.sort_stats("tottime").print_stats(arg("--top", 40))


def main() -> None:
    if "--profile" in sys.argv:
        profile(arg("--requests", 200))
        return
    n = arg("--requests", 200)
    workers = arg("--workers", 3)
    runs = arg("--runs", 2)
    municipality_id = setup()
    statements = statements_per_submit()
    print(f"SQL statements per submit (in-process, PostgreSQL): {len(statements)}")
    for sql in statements:
        print("   ", sql)
    from django.db import connections

    connections.close_all()
    server = start_server(workers)
    try:
        for i in range(10):  # warm-up: every worker imports lazily and opens its connections
            submit(-1 - i)
        print(f"gunicorn {workers} sync workers, DEBUG=0, DB_CONN_MAX_AGE=600, cache and broker {REDIS}; "
              f"{n} sequential submits per run")  # fmt: skip
        for run in range(1, runs + 1):
            before_counts = counts(municipality_id)
            connections.close_all()
            before = load()
            latencies = [submit(run * 100000 + i) for i in range(n)]
            after = load()
            inquiries, receipts = counts(municipality_id)
            connections.close_all()
            made, queued = inquiries - before_counts[0], receipts - before_counts[1]
            ms = sorted(1000 * x for x in latencies)
            print(
                f"run {run}: {len(ms)} submits  POST latency ms median {statistics.median(ms):.1f}"
                f"  p95 {ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]:.1f}  max {ms[-1]:.1f}"
                f"  | {made} inquiries, {queued} receipts queued  | load before {before} after {after}"
            )
            if made != n or queued != n:
                raise SystemExit(f"expected {n} inquiries and {n} queued receipts, got {made} and {queued}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        _drop_queued_tasks()
    print(
        "each submit created one inquiry and queued one receipt e-mail (outbox pending, task on the broker)"
    )
    print("target (issue 10): median < 100 ms")


def _drop_queued_tasks() -> None:
    """No worker consumes the benchmark's broker: drop the tasks it queued (the rows stay pending)."""
    import redis

    redis.Redis.from_url(REDIS).delete("celery")


if __name__ == "__main__":
    main()
