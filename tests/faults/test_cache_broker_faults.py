"""Redis frozen or down under the production set-up (issue 18 §3.2), with real processes: gunicorn
(two workers, the production settings) whose CACHE_URL and CELERY_BROKER_URL point at a private
redis-server that the test freezes (SIGSTOP) and then stops. The citizen's contact form must still
be registered and answered with the receipt, quickly, never a 500 (the throttle fails open with a
log line, the receipt waits in the outbox for the sweep); tests/inquiries/test_outages.py covers the
same in-process."""

import os
import re
import shutil
import signal
import time

import pytest
import requests

from tests.faults.conftest import (
    BIN,
    Process,
    api_client,
    app_env,
    free_port,
    manage,
    wait_for_port,
    wait_http,
)

pytestmark = pytest.mark.faults

CONTACT = {"subject": "Gatelys", "body": "Lyset er borte.", "contact_name": "Ola", "contact_email": "o@ex.no"}


def post_contact(base: str, subject: str) -> tuple[int, float, str]:
    session = requests.Session()
    page = session.get(f"{base}/kontakt/", timeout=60)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="once_token" value="([^"]+)"', page.text).group(1)
    started = time.monotonic()
    answer = session.post(
        f"{base}/kontakt/",
        data={
            **CONTACT,
            "subject": subject,
            "once_token": token,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/kontakt/"},
        allow_redirects=False,
        timeout=90,
    )
    return answer.status_code, time.monotonic() - started, answer.headers.get("Location", "")


def test_contact_form_answers_with_redis_frozen_and_down(cluster, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    api_client(cluster, 31)  # the municipality (3999) and its users
    redis_port = free_port(16400, 16499)
    redis = Process(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        dict(os.environ),
        tmp_path / "redis.log",
    )
    web_port = free_port(8450, 8499)
    base = f"http://127.0.0.1:{web_port}"
    env = app_env(
        cluster,
        CACHE_URL=f"redis://127.0.0.1:{redis_port}/1",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/2",
        PORTAL_MUNICIPALITY="3999",
        LOG_LEVEL="WARNING",
        SERVICETORG_VAR_DIR=str(tmp_path / "var"),
    )
    manage(cluster, "collectstatic", "--noinput", SERVICETORG_VAR_DIR=str(tmp_path / "var"))  # hashed names
    web = None
    try:
        wait_for_port(redis_port)
        web = Process(
            [str(BIN / "gunicorn"), "servicetorg.wsgi:application", "-b", f"127.0.0.1:{web_port}", "-w", "2",
             "--timeout", "90"],
            env, tmp_path / "gunicorn.log",
        )  # fmt: skip
        wait_http(f"{base}/kontakt/")
        answers = {"redis up": post_contact(base, "Faults: redis up")}
        os.kill(redis.proc.pid, signal.SIGSTOP)  # frozen: connections open, nothing answers
        try:
            answers["redis frozen"] = post_contact(base, "Faults: redis frozen")
        finally:
            os.kill(redis.proc.pid, signal.SIGCONT)
        redis.stop()  # down: nothing listens
        answers["redis down"] = post_contact(base, "Faults: redis down")
    finally:
        if web is not None:
            web.stop()
        redis.stop()
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    for outage, (status, seconds, location) in answers.items():
        assert status == 302 and "/kontakt/kvittering/" in location, (outage, status, log[-3000:])
        assert seconds < 15, f"{outage}: the citizen waited {seconds:.1f} s"
    subjects = {
        row[0]
        for row in cluster.sql("SELECT subject FROM inquiries_inquiry WHERE subject LIKE 'Faults: redis%'")
    }
    assert subjects == {"Faults: redis up", "Faults: redis frozen", "Faults: redis down"}
    assert "throttle contact not counted" in log  # failed open, with a log line
