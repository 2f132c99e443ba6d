"""Intake while PostgreSQL restarts (fast, immediate, killed), freezes, and gunicorn workers are
killed: every acknowledged inquiry is kept, no Idempotency-Key makes two, rollups equal COUNT(*),
outages are answered 503 with Retry-After, and a request after a restart succeeds."""

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.faults

#: Seconds the database is frozen (SIGSTOP); the operators' test froze it for 40 s.
FREEZE_SECONDS = float(os.environ.get("FAULTS_FREEZE_SECONDS", "6"))


class IntakeClient(threading.Thread):
    """A well-behaved system: one Idempotency-Key per inquiry, retried until it is acknowledged.
    Every third one gives up its first attempt after 0.1 s (a client timing out), then retries."""

    def __init__(self, base: str, api: dict, stop: threading.Event, n: int):
        super().__init__(daemon=True)
        self.url = f"{base}/api/inquiries/inquiries/"
        self.api, self.stop, self.n = api, stop, n
        self.acked: dict[str, int] = {}  # key -> inquiry id
        self.unavailable = 0  # 503 answers
        self.dropped = 0  # connection errors, timeouts, resets
        self.unexpected: list[tuple[int, str]] = []
        self.session = requests.Session()

    def run(self):
        count = 0
        while not self.stop.is_set():
            count += 1
            key = f"{self.n}-{count}-{uuid.uuid4().hex[:8]}"
            body = {"municipality": self.api["municipality"], "channel": "email", "subject": f"Fault {key}"}
            first_timeout = 0.1 if count % 3 == 0 else 30
            attempt = 0
            while key not in self.acked:
                attempt += 1
                if attempt > 400:
                    self.unexpected.append((0, f"{key} never acknowledged"))
                    return
                try:
                    answer = self.session.post(
                        self.url,
                        json=body,
                        headers={"Authorization": f"Api-Key {self.api['key']}", "Idempotency-Key": key},
                        timeout=first_timeout if attempt == 1 else 30,
                    )
                except requests.RequestException:
                    self.dropped += 1
                    self.session = requests.Session()
                    time.sleep(0.1)
                    continue
                if answer.status_code == 201:
                    self.acked[key] = answer.json()["id"]
                elif answer.status_code == 503:
                    self.unavailable += 1
                    problem = answer.json()
                    if not (answer.headers.get("Retry-After") and problem.get("status") == 503):
                        self.unexpected.append((503, answer.text[:200]))
                    time.sleep(0.2)
                elif answer.status_code == 502:  # a killed worker's request (gunicorn's answer)
                    self.dropped += 1
                    time.sleep(0.1)
                else:
                    self.unexpected.append((answer.status_code, answer.text[:300]))
                    time.sleep(0.2)


def wait_ready(cluster, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = cluster.run(cluster.bindir / "pg_isready", "-h", "127.0.0.1", "-p", cluster.port, check=False)
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise TimeoutError("PostgreSQL did not come back")


def test_intake_survives_database_restarts_freeze_and_killed_workers(cluster, gunicorn):
    from tests.faults.conftest import api_client

    base, server = gunicorn
    api = api_client(cluster, 1)
    # The cluster is shared with the other fault tests (the backup test writes inquiries too):
    # count what this test adds.
    before = {row[0] for row in cluster.sql("SELECT id FROM inquiries_inquiry")}
    stop = threading.Event()
    clients = [IntakeClient(base, api, stop, n) for n in range(6)]
    for client in clients:
        client.start()
    faults = []

    def pause(seconds=2.0):
        time.sleep(seconds)

    pause(3)
    cluster.stop("fast")  # 1. a clean restart
    cluster.start()
    faults.append("restart -m fast")
    pause()
    cluster.stop("immediate")  # 2. an immediate shutdown: crash recovery on start
    cluster.start()
    faults.append("restart -m immediate")
    pause()
    cluster.kill_postmaster()  # 3. the server killed (-9) with its backends
    time.sleep(1)  # down for a second: requests meanwhile get 503
    cluster.start()
    faults.append("kill -9 postmaster")
    pause()
    cluster.freeze(FREEZE_SECONDS)  # 4. frozen (SIGSTOP) with connections open
    faults.append(f"freeze {FREEZE_SECONDS:g} s")
    pause()
    found = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True)
    workers = found.stdout.split()
    for pid in workers:  # 5. gunicorn workers killed mid-request (the master starts new ones)
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
        time.sleep(0.5)
    faults.append("kill -9 gunicorn workers")
    pause(3)
    stop.set()
    for client in clients:
        client.join(timeout=120)
    assert not any(client.is_alive() for client in clients)

    unexpected = [entry for client in clients for entry in client.unexpected]
    assert unexpected == []
    acked = {key: pk for client in clients for key, pk in client.acked.items()}
    unavailable = sum(client.unavailable for client in clients)
    dropped = sum(client.dropped for client in clients)

    # Nothing acknowledged is lost; nothing is done twice.
    ids = {row[0] for row in cluster.sql("SELECT id FROM inquiries_inquiry")} - before
    assert set(acked.values()) <= ids
    assert len(ids) == len(acked) == len(set(acked.values()))
    twice = "SELECT key FROM inquiries_idempotencyrecord GROUP BY key HAVING count(*) > 1"
    assert cluster.sql(twice) == []
    # Rollups equal COUNT(*).
    [(total, received, backlog)] = cluster.sql(
        "SELECT (SELECT count(*) FROM inquiries_inquiry), (SELECT sum(received) FROM inquiries_dailystat), "
        "(SELECT sum(open_count) FROM inquiries_backlogstat)"
    )
    assert total == received == backlog
    assert unavailable > 0  # the outages were answered 503 (with Retry-After, checked per answer)

    # A request after a restart succeeds at once (connection health checks).
    cluster.stop("fast")
    cluster.start()
    wait_ready(cluster)
    session = requests.Session()
    statuses = [
        session.post(
            f"{base}/api/inquiries/inquiries/",
            json={"municipality": api["municipality"], "channel": "phone", "subject": f"After {n}"},
            headers={"Authorization": f"Api-Key {api['key']}"},
            timeout=30,
        ).status_code
        for n in range(6)
    ]
    assert statuses == [201] * 6
    print(
        "\nfault figures:",
        json.dumps(
            {
                "faults": faults,
                "acknowledged": len(acked),
                "answered_503": unavailable,
                "dropped_or_timed_out_attempts": dropped,
                "inquiries_in_db": total,
            }
        ),
    )
