"""Issue 18 §3.3: upgrading across inquiries 0009 made an Open311 request filed more than 24 hours
before the upgrade a 404 for the client that filed it. A migration must never cut a client off its
own data: what can be known (kept submissions, files and links an Open311 client sent) is backfilled."""

import hashlib
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from servicetorg.inquiries.models import Inquiry, Open311Request
from tests.factories import MunicipalityFactory
from tests.inquiries import open311_test_urls

pytestmark = [
    pytest.mark.slow,  # migrates back and forth
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(open311_test_urls.__name__),
]
BEFORE = [("inquiries", "0008_attachment")]
KEY = "app-key-" + "x" * 40


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


def _old_inquiry(apps, municipality_id, reference, received_at, **fields):
    return apps.get_model("inquiries", "Inquiry").objects.create(
        municipality_id=municipality_id,
        reference=reference,
        channel="web_form",  # what Open311 registered as before 0009
        subject="Hull i veien",
        body="Hull i veien ved skolen",
        received_at=received_at,
        first_deadline=date(2026, 1, 2),
        reply_deadline=date(2026, 1, 5),
        deadline_source="channel",
        **fields,
    )


def test_requests_filed_before_the_upgrade_stay_the_clients(client):
    municipality = MunicipalityFactory(number="3999")
    apps = _migrate(BEFORE)
    try:
        ApiClient = apps.get_model("inquiries", "ApiClient")
        Attachment = apps.get_model("inquiries", "Attachment")
        Submission = apps.get_model("inquiries", "Open311Submission")
        api_client = ApiClient.objects.create(
            municipality_id=municipality.pk, name="App", key_hash=hashlib.sha256(KEY.encode()).hexdigest()
        )
        three_days_ago = timezone.now() - timedelta(days=3)
        # Filed three days ago with a photo link; its submission has long been purged.
        with_link = _old_inquiry(apps, municipality.pk, "AAAA-AAAA", three_days_ago)
        Attachment.objects.create(
            municipality_id=municipality.pk,
            inquiry=with_link,
            source="open311",
            media_url="https://app.example/photo.jpg",
            name="photo.jpg",
        )
        # Filed three days ago; its submission is still there (the hourly purge had not run).
        _old_inquiry(apps, municipality.pk, "BBBB-BBBB", three_days_ago)
        Submission.objects.create(
            client=api_client,
            key="body:x",
            request_hash="x",
            service_request_id="BBBB-BBBB",
            created_at=three_days_ago,
        )
        # A web-form inquiry: nothing says it is Open311's, and it must not become public.
        _old_inquiry(apps, municipality.pk, "CCCC-CCCC", three_days_ago)
    finally:
        _migrate(None)

    assert set(Open311Request.objects.values_list("inquiry__reference", "client__name")) == {
        ("AAAA-AAAA", "App"),
        ("BBBB-BBBB", "App"),
    }
    root = "/api/open311/v2/requests"
    for reference in ("AAAA-AAAA", "BBBB-BBBB"):
        response = client.get(f"{root}/{reference}.json", {"jurisdiction_id": "3999", "api_key": KEY})
        assert response.status_code == 200, reference
        assert response.json()[0]["description"] == "Hull i veien ved skolen"
    assert client.get(f"{root}/CCCC-CCCC.json", {"jurisdiction_id": "3999"}).status_code == 404
    assert Inquiry.objects.count() == 3
