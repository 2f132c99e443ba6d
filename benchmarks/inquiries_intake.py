# ruff: noqa: E501
"""Intake API throughput: gunicorn (several workers) on 127.0.0.1, PostgreSQL, load from Python processes.

    .venv/bin/python benchmarks/inquiries_intake.py [--requests 3000] [--workers 4] [--clients 16]

POSTs /api/inquiries/inquiries/ with a fresh Idempotency-Key each, logged in by session (one login per
client). Prints requests/s and latency percentiles. Target: >= 500 req/s, p95 < 50 ms.
"""

import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_inquiries")
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "bench-pass-123"  # noqa: S105


def arg(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def setup() -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from inquiries_dashboard import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from servicetorg.core.models import Membership, Municipality

    municipality, _ = Municipality.objects.get_or_create(
        number="9103", defaults={"name": "Bench intake", "organization_number": "991030000"}
    )
    user, created = get_user_model().objects.get_or_create(username="bench-desk")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.get_or_create(user=user, municipality=municipality, unit=None, role="desk_worker")
    return municipality.pk


def session():
    import requests

    s = requests.Session()
    s.get(f"{BASE}/staff/logg-inn/")
    token = s.cookies["csrftoken"]
    r = s.post(
        f"{BASE}/staff/logg-inn/",
        data={"username": "bench-desk", "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.status_code
    s.headers["X-CSRFToken"] = s.cookies["csrftoken"]
    return s


def run_client(args):
    municipality_id, count, threads = args
    sessions = [session() for _ in range(threads)]
    latencies, errors = [], 0

    def one(i):
        s = sessions[i % threads]
        t0 = time.perf_counter()
        r = s.post(
            f"{BASE}/api/inquiries/inquiries/",
            json={"municipality": municipality_id, "channel": "phone", "subject": f"Benchmark {i}"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        return time.perf_counter() - t0, r.status_code

    with ThreadPoolExecutor(threads) as pool:
        for latency, status in pool.map(one, range(count)):
            latencies.append(latency)
            errors += status != 201
    return latencies, errors


def main():
    total = arg("--requests", 3000)
    workers = arg("--workers", 4)
    clients = arg("--clients", 16)
    municipality_id = setup()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "servicetorg.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{PORT}",
         "--chdir", str(ROOT / "src"), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        import requests

        for _ in range(100):
            try:
                requests.get(f"{BASE}/staff/logg-inn/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        processes = 2
        per = total // processes
        with Pool(processes) as pool:
            run_client((municipality_id, 50, 2))  # warm-up
            t0 = time.perf_counter()
            parts = pool.map(run_client, [(municipality_id, per, clients // processes)] * processes)
            elapsed = time.perf_counter() - t0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    latencies = sorted(lat for part, _e in parts for lat in part)
    errors = sum(e for _p, e in parts)
    n = len(latencies)
    print(
        f"intake: {n} requests, {errors} errors, {workers} gunicorn workers, {clients} client threads in 2 processes"
    )
    print(f"throughput {n / elapsed:.0f} req/s (wall {elapsed:.1f} s, includes logins)")
    print(
        f"latency ms: median {1000 * statistics.median(latencies):.1f}  p95 {1000 * latencies[int(n * 0.95) - 1]:.1f}"
        f"  p99 {1000 * latencies[int(n * 0.99) - 1]:.1f}  max {1000 * latencies[-1]:.1f}"
    )
    print("target: >= 500 req/s and p95 < 50 ms (client and server share the machine's 2 cores)")


if __name__ == "__main__":
    main()
