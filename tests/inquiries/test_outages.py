"""A cache or broker outage degrades, never refuses a citizen (issue 18 §3.2): with Redis down or
frozen the contact form and Open311 POST answered 500 (the throttle read the cache); with the broker
frozen the contact form held the citizen for up to 60 s, then gunicorn's 500, though her inquiry was
saved. Real Redis clients against a port where nothing listens, and against one that never answers."""

import contextlib
import socket
import threading
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from servicetorg.celery import app as celery_app
from servicetorg.core.models import OutboxMessage, OutboxState
from servicetorg.inquiries.models import Inquiry
from tests.inquiries.test_double_submit import CONTACT, token_of

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def silent_server():
    """A TCP server that accepts connections and never answers (a frozen Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cache(settings, port: int) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    caches._settings = caches.settings = settings.CACHES  # the handler reads its settings once
    with contextlib.suppress(AttributeError):
        del caches._connections.default


@pytest.fixture(autouse=True)
def _restore_caches():
    yield
    from django.conf import settings

    caches._settings = caches.settings = settings.CACHES
    with contextlib.suppress(AttributeError):
        del caches._connections.default


def post_contact(client):
    url = reverse("inquiries_public:contact")
    return client.post(url, {**CONTACT, "once_token": token_of(client.get(url))})


@pytest.mark.parametrize("outage", ["down", "frozen"])
def test_contact_form_registers_when_the_cache_is_out(
    client, municipality, service, settings, caplog, outage
):
    with contextlib.ExitStack() as stack:
        port = unused_port() if outage == "down" else stack.enter_context(silent_server())
        redis_cache(settings, port)
        started = time.monotonic()
        response = post_contact(client)
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and "/kontakt/kvittering/" in response["Location"]
    assert Inquiry.objects.count() == 1
    assert elapsed < 5
    assert any("throttle contact not counted" in r.getMessage() for r in caplog.records)


def test_open311_post_is_not_a_500_when_the_cache_is_down(client, municipality, service, settings):
    from servicetorg.core.choices import Role
    from servicetorg.inquiries import services
    from tests.factories import make_staff

    admin = make_staff(Role.ADMINISTRATION, municipality)
    _client, key = services.create_api_client(municipality=municipality, name="App", user=admin)
    redis_cache(settings, unused_port())
    response = client.post(
        "/api/open311/v2/requests.json",
        {
            "jurisdiction_id": municipality.number,
            "service_code": service.slug,
            "description": "Hull",
            "api_key": key,
        },
    )
    assert response.status_code < 500, response.content[:300]


def test_a_frozen_broker_does_not_hold_the_citizen(
    client, municipality, service, django_capture_on_commit_callbacks
):
    with silent_server() as port:
        previous = dict(celery_app.conf.items())
        celery_app.conf.update(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False)
        celery_app._pool = None
        try:
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                response = post_contact(client)
            elapsed = time.monotonic() - started
        finally:
            celery_app.conf.update(
                broker_url=previous["broker_url"], task_always_eager=previous["task_always_eager"]
            )
            celery_app._pool = None
    assert response.status_code == 302
    assert elapsed < 15, f"the citizen waited {elapsed:.1f} s"
    receipt = OutboxMessage.objects.get()
    assert receipt.state == OutboxState.PENDING  # the sweep sends it when the broker is back
