"""Background work on a real Celery worker (Redis database 13): the deadline warning task is killed
(kill -9 of the whole worker) mid-run, the mail server refuses and later accepts. Every due inquiry
is warned exactly once, every e-mail reaches the server exactly once."""

import json
import os
import signal
import time

import pytest

from tests.faults.conftest import BIN, REDIS_URL, Process, app_env, manage

pytestmark = pytest.mark.faults

DUE = 120  # inquiries due on the next working day
BLOCK_AT = 40  # the warning run is held (a row lock) at this inquiry, and killed there

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from servicetorg.core.choices import Channel, Role
from servicetorg.core.models import Membership, Municipality
from servicetorg.core.workdays import add_working_days
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry
m, _ = Municipality.objects.get_or_create(
    number="3998", defaults={"name": "Nabovik", "organization_number": "964965226"}
)
desk, _ = get_user_model().objects.get_or_create(username="fault-desk", defaults={"email": "desk@nabovik.no"})
Membership.objects.get_or_create(user=desk, municipality=m, unit=None, role=Role.DESK_WORKER)
ids = [
    services.register(municipality=m, channel=Channel.PHONE, subject=f"Frist {n}", user=desk).inquiry.pk
    for n in range(DUE)
]
today = timezone.localdate()
tomorrow = add_working_days(today, 1)
Inquiry.objects.filter(pk__in=ids).update(reply_deadline=tomorrow, warning_sent_for=None)
print(json.dumps({"ids": sorted(ids), "today": today.isoformat(), "municipality": m.pk}))
"""


@pytest.fixture
def broker(tmp_path):
    """Redis database 13 of the machine's Redis, else a private redis-server; skip without either."""
    import shutil
    import subprocess

    import redis

    from tests.faults.conftest import free_port, wait_for_port

    url, server = REDIS_URL, None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if shutil.which("redis-server") is None:
            pytest.skip(f"Redis is not reachable at {REDIS_URL} and redis-server is not installed")
        port = free_port(8440, 8449)
        server = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(port)
        url = f"redis://127.0.0.1:{port}/13"
    redis.Redis.from_url(url).flushdb()  # the fault tests' own database number
    yield url
    if server is not None:
        server.terminate()
        server.wait(timeout=10)


def start_worker(cluster, sink, tmp_path, name, broker_url):
    env = app_env(
        cluster,
        CELERY_BROKER_URL=broker_url,
        CELERY_VISIBILITY_TIMEOUT="5",  # a dead worker's task runs again after 5 s
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_TIMEOUT="5",
        DEFAULT_FROM_EMAIL="servicetorg@nabovik.no",
    )
    args = [
        str(BIN / "celery"), "-A", "servicetorg", "worker", "--concurrency", "1", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--prefetch-multiplier", "1",
        "-n", f"{name}@faults",
    ]  # fmt: skip
    return Process(args, env, tmp_path / f"{name}.log", new_session=True)


def wait_for(predicate, timeout, what, nudge=None, every=20.0, log=None):
    """Wait until ``predicate()``; ``nudge()`` every ``every`` seconds meanwhile (what beat does each
    minute in production). On time-out the worker's log tail says what it was doing."""
    deadline = time.monotonic() + timeout
    nudged = time.monotonic()
    while time.monotonic() < deadline:
        if predicate():
            return
        if nudge is not None and time.monotonic() - nudged > every:
            nudge()
            nudged = time.monotonic()
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log is not None and log.exists() else ""
    raise TimeoutError(f"{what}\n{tail}")


def test_killed_worker_and_refusing_mail_server_lose_nothing_and_send_once(
    cluster, smtp_sink, broker, tmp_path
):
    import psycopg
    from celery import Celery

    setup = json.loads(
        manage(cluster, "shell", "-c", SETUP.replace("DUE", str(DUE))).strip().splitlines()[-1]
    )
    ids, today, mine = setup["ids"], setup["today"], int(setup["municipality"])
    broker_url, broker = broker, Celery("faults", broker=broker)
    smtp_sink.refusing = True  # the mail server is down at first

    def count(where):
        """Outbox messages of this test's municipality (other tests share the cluster)."""
        query = f"SELECT count(*) FROM core_outboxmessage WHERE municipality_id = {mine} AND {where}"  # noqa: S608
        return cluster.sql(query)[0][0]

    outbox = "key LIKE 'inquiries.deadline-warning:%'"
    # Hold one inquiry's row: the warning run stops there, part-way through.
    holder = psycopg.connect(cluster.url().replace("postgres://", "postgresql://"))
    holder.execute("SELECT id FROM inquiries_inquiry WHERE id = %s FOR UPDATE", [ids[BLOCK_AT]])

    first = start_worker(cluster, smtp_sink, tmp_path, "first", broker_url)
    try:
        broker.send_task("inquiries.send_deadline_warnings", kwargs={"today": today})
        wait_for(lambda: count(outbox) == BLOCK_AT, 120, "the warning run to reach the held row")
        time.sleep(1)
        assert count(outbox) == BLOCK_AT  # held there, mid-task
        os.killpg(first.proc.pid, signal.SIGKILL)  # kill -9 of the worker and its pool
        first.proc.wait(timeout=30)
    finally:
        first.stop()
        holder.rollback()
        holder.close()
    refused = count("attempts > 0 AND state = 'pending'")

    time.sleep(6)  # past the visibility timeout: Redis gives the unacknowledged task back
    second = start_worker(cluster, smtp_sink, tmp_path, "second", broker_url)
    try:
        wait_for(lambda: count(outbox) == DUE, 180, "the re-run to warn every due inquiry")
        listed = ",".join(str(int(pk)) for pk in ids)
        warned = cluster.sql(
            f"SELECT count(*) FROM inquiries_inquiry WHERE id IN ({listed}) "  # noqa: S608 (integers)
            "AND warning_sent_for = reply_deadline"
        )[0][0]
        assert warned == DUE
        # Still refused: failures are recorded with their reason and wait for their retry.
        wait_for(
            lambda: count("attempts = 0") == 0,
            180,
            "every message to be tried once",
        )
        assert smtp_sink.messages == []
        assert count("last_error LIKE '%421%'") == DUE
        # The mail server is back; the retries fall due (the back-off itself is tested in tests/core).
        smtp_sink.refusing = False
        # Only this test's messages fall due: earlier fault tests on this cluster left theirs pending
        # (their mail server is gone), and a sweep sends the oldest first — thousands of receipts
        # before these warnings (412 s, a time-out, when the intake fault test ran first).
        cluster.sql(
            "UPDATE core_outboxmessage SET next_attempt_at = now() + interval '1 day' "  # noqa: S608
            f"WHERE state = 'pending' AND municipality_id IS DISTINCT FROM {mine}"
        )
        cluster.sql(
            "UPDATE core_outboxmessage SET next_attempt_at = now() "  # noqa: S608
            f"WHERE state = 'pending' AND municipality_id = {mine}"
        )
        broker.send_task("core.outbox_sweep")
        wait_for(
            lambda: count("state = 'sent'") == DUE,
            300,
            "every warning to be sent",
            nudge=lambda: broker.send_task("core.outbox_sweep"),  # a later sweep, as beat would send
            log=tmp_path / "second.log",
        )
        broker.send_task("core.outbox_sweep")  # a second sweep sends nothing again
        broker.send_task("inquiries.send_deadline_warnings", kwargs={"today": today})  # nor a re-run
        time.sleep(3)
    finally:
        second.stop()
    assert count(outbox) == DUE
    warnings = [message for message in smtp_sink.messages if "desk@nabovik.no" in message]
    message_ids = [
        line.split(":", 1)[1].strip()
        for message in warnings
        for line in message.splitlines()
        if line.lower().startswith("message-id:")
    ]
    assert len(warnings) == DUE and len(set(message_ids)) == DUE
    print(
        "\nworker fault figures:",
        json.dumps({"due": DUE, "killed_after": BLOCK_AT, "tried_before_kill": refused, "delivered": DUE}),
    )
