"""/helse/ for monitoring (docs/operations.md): a verdict for anyone, figures for the monitor."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from servicetorg.core import outbox
from servicetorg.core.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db


def test_anyone_gets_the_verdict_and_nothing_more(client):
    response = client.get("/helse/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_monitor_gets_the_outbox_figures(client, settings, municipality):
    settings.HEALTH_TOKEN = "monitor-token-1234567890"
    outbox.enqueue_email(municipality=municipality, to="a@example.org", subject="s", body="b", key="health:1")
    outbox.enqueue_email(municipality=municipality, to="b@example.org", subject="s", body="b", key="health:2")
    OutboxMessage.objects.filter(key="health:1").update(created_at=timezone.now() - timedelta(minutes=10))
    OutboxMessage.objects.filter(key="health:2").update(state=OutboxState.FAILED)
    assert "outbox_pending" not in client.get("/helse/", HTTP_AUTHORIZATION="Bearer wrong").json()
    body = client.get("/helse/", HTTP_AUTHORIZATION="Bearer monitor-token-1234567890").json()
    assert body["outbox_pending"] == 1 and body["outbox_failed"] == 1
    assert 590 <= body["outbox_oldest_pending_seconds"] <= 700


def test_a_database_that_does_not_answer_is_a_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(OutboxMessage.objects, "aggregate", broken)
    response = client.get("/helse/")
    assert response.status_code == 503 and response.json()["database"] == "failing"
