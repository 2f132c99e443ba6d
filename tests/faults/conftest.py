"""Fault tests: real processes, real faults (``pytest -m faults``).

A private PostgreSQL cluster (initdb in a temporary directory, a free port in 15400-15499) with the
project's migrations, gunicorn and Celery workers started as the operator would start them, an
SMTP sink on a free port in 8400-8499, and Redis database 13 (``FAULTS_REDIS_URL``) as the broker
(a private redis-server when that Redis is not running).
The tests restart, freeze and kill these processes and check that nothing acknowledged is lost and
nothing is done twice. They skip only when a binary they need is absent (PostgreSQL's initdb;
redis-server when no Redis is running).
"""

import contextlib
import glob
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
REDIS_URL = os.environ.get("FAULTS_REDIS_URL", "redis://127.0.0.1:6379/13")


def free_port(low: int, high: int) -> int:
    """A port of the range that nobody listens on now, chosen at random (parallel runs rarely meet)."""
    ports = list(range(low, high + 1))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def pg_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class Cluster:
    """A throw-away PostgreSQL cluster. As root, its processes run as the ``postgres`` user."""

    def __init__(self, bindir: Path, root: Path, port: int):
        self.bindir, self.root, self.port = bindir, root, port
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *args, check=True, timeout=120):
        return subprocess.run(
            [*self.as_user, *map(str, args)], check=check, capture_output=True, text=True, timeout=timeout
        )

    def init(self):
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self.run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        started = self.run(
            self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start",
            check=False,
        )  # fmt: skip
        if started.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stdout} {started.stderr}\n{log}")

    def stop(self, mode="fast", check=True):
        self.run(self.bindir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=check)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def processes(self) -> list[int]:
        pid = self.postmaster_pid()
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [pid, *map(int, children)]

    def kill_postmaster(self):
        """SIGKILL of the postmaster and its backends: a crash; the next start runs crash recovery."""
        pids = self.processes()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(pid) for pid in pids):
            time.sleep(0.1)
        # A dead postmaster that its parent has not reaped yet still "exists" for the next start's
        # lock file check; wait for it to go, else remove its stale lock file (as an operator would).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pids[0]}").exists():
            time.sleep(0.1)
        if Path(f"/proc/{pids[0]}").exists():
            (self.data / "postmaster.pid").unlink(missing_ok=True)

    def freeze(self, seconds: float):
        """SIGSTOP every process of the cluster (a hung server or VM), then SIGCONT."""
        pids = self.processes()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        time.sleep(seconds)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def url(self, db="servicetorg") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str, db="servicetorg"):
        import psycopg

        with psycopg.connect(self.url(db).replace("postgres://", "postgresql://"), autocommit=True) as conn:
            rows = conn.execute(statement)
            return rows.fetchall() if rows.description else None


def app_env(cluster: Cluster, **extra) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},  # the entry point chooses
        "DATABASE_URL": cluster.url(),
        "SERVICETORG_DEV": "0",  # production settings, as an operator runs them
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1 (TLS ends at the proxy in production)
        "SECURE_HSTS_SECONDS": "0",
        "SECRET_KEY": "fault-tests-only-" + "x7Kq2pL9mZ4vR8tN3wB6yH1cJ5dF0gS" * 2,
        "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        "FIELD_ENCRYPTION_KEYS": "ZmF1bHQtdGVzdHMtb25seS1maWVsZC1rZXktMzJieXQ=",
        "NATIONAL_ID_HASH_KEY": "fault-tests-only-national-id-hash-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "DB_CONN_MAX_AGE": "600",
        "DB_CONNECT_TIMEOUT": "3",
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO / "src"),
    }
    env.update(extra)
    return env


def manage(cluster: Cluster, *args, **extra) -> str:
    done = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), *args],
        env=app_env(cluster, **extra),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="session")
def cluster():
    bindir = pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb is not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: initdb cannot run")
    root = Path(tempfile.mkdtemp(prefix="servicetorg-faults-"))
    cluster = Cluster(bindir, root, free_port(15400, 15499))
    cluster.init()
    for _attempt in range(5):
        try:
            cluster.start()
            break
        except RuntimeError as error:  # the port was taken meanwhile (a parallel run): another one
            if "Address already in use" not in str(error):
                raise
            cluster.port = free_port(15400, 15499)
    try:
        cluster.sql("CREATE DATABASE servicetorg", db="postgres")
        manage(cluster, "migrate", "--noinput")
        yield cluster
    finally:
        cluster.stop("immediate", check=False)
        shutil.rmtree(root, ignore_errors=True)


SETUP = """
from servicetorg.core.choices import Role
from servicetorg.core.models import Membership, Municipality
from servicetorg.inquiries import services
from django.contrib.auth import get_user_model
m, _ = Municipality.objects.get_or_create(
    number="3999", defaults={"name": "Fjordvik", "organization_number": "940192226"}
)
User = get_user_model()
admin, _ = User.objects.get_or_create(username="fault-admin", defaults={"email": "admin@fjordvik.no"})
Membership.objects.get_or_create(user=admin, municipality=m, unit=None, role=Role.ADMINISTRATION)
account, _ = User.objects.get_or_create(username="fault-intake-{n}")
Membership.objects.get_or_create(user=account, municipality=m, unit=None, role=Role.DESK_WORKER)
_client, key = services.create_api_client(
    municipality=m, name="Faults {n}", user=admin, service_account=account
)
import json; print(json.dumps({"municipality": m.pk, "key": key}))
"""


def api_client(cluster: Cluster, n: int) -> dict:
    return json.loads(manage(cluster, "shell", "-c", SETUP.replace("{n}", str(n))).strip().splitlines()[-1])


class Process:
    def __init__(self, args, env, log: Path, new_session: bool = False):
        self.log = log
        self.new_session = new_session
        self.handle = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            args,
            env=env,
            cwd=REPO,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )

    def stop(self):
        if self.proc.poll() is None:
            if self.new_session:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGTERM)
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.new_session:  # whatever is left of its process group (a pool child)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.handle.close()


def wait_http(url: str, timeout: float = 60):
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            requests.get(url, timeout=2)
            return
        time.sleep(0.3)
    raise TimeoutError(url)


@pytest.fixture
def gunicorn(cluster, tmp_path):
    port = free_port(8400, 8449)
    server = Process(
        [
            str(BIN / "gunicorn"),
            "servicetorg.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "90",
        ],
        # Two workers share their throttle counts, as production must (gunicorn refuses -w 2 without
        # CACHE_URL); a Redis that is not there only makes the throttles fail open.
        app_env(cluster, CACHE_URL=REDIS_URL.rsplit("/", 1)[0] + "/10"),
        tmp_path / "gunicorn.log",
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/api/open311/v2/services.json")
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.stop()


class SmtpSink:
    """A minimal SMTP server that records each message, or refuses (421) while ``refusing``."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[str] = []
        self.refusing = False
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", port))
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        with conn, conn.makefile("rb") as reader:

            def say(line: str):
                conn.sendall(line.encode() + b"\r\n")

            if self.refusing:
                say("421 4.3.2 Service not available, try later")
                return
            say("220 sink ESMTP")
            while True:
                line = reader.readline().decode("utf-8", "replace").rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    say("250 sink")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    say("250 OK")
                elif verb == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (raw := reader.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(raw.decode("utf-8", "replace"))
                    with self.lock:
                        self.messages.append("".join(lines))
                    say("250 OK queued")
                elif verb == "QUIT" or not line:
                    say("221 Bye")
                    return
                else:
                    say("502 Command not implemented")

    def close(self):
        self.server.close()


@pytest.fixture
def smtp_sink():
    sink = SmtpSink(free_port(8450, 8499))
    yield sink
    sink.close()
