"""Idempotency of every intake path: REST keys are scoped per client and expire after 24 hours;
Open311 honours Idempotency-Key and refuses an identical post within a short window."""

import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries import services
from servicetorg.inquiries.models import IdempotencyRecord, Inquiry
from tests.factories import make_staff
from tests.inquiries.conftest import keyed

URL = "/api/inquiries/inquiries/"
OPEN311 = "/api/open311/v2/requests.json"


def body(municipality, subject="Spørsmål om plass"):
    return {"municipality": municipality.pk, "channel": "email", "subject": subject}


def age_records(hours=25):
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=hours))


# Both REST paths: the direct path (JSON with an API key) and the viewset (form data).
PATHS = [("json", "direct"), ("multipart", "viewset")]


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "_path"), PATHS)
def test_key_replays_within_24_hours_and_expires_after(client_key, municipality, fmt, _path):
    api = keyed(client_key)
    first = api.post(URL, body(municipality), format=fmt, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(URL, body(municipality), format=fmt, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    other = api.post(URL, body(municipality, "Noe annet"), format=fmt, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    age_records(23)
    assert api.post(URL, body(municipality), format=fmt, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert Inquiry.objects.count() == 1
    # After 24 hours the key is free: the same post is a new request.
    age_records(25)
    later = api.post(URL, body(municipality, "Nytt spørsmål"), format=fmt, HTTP_IDEMPOTENCY_KEY="k-1")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert Inquiry.objects.count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.inquiry_id == later.json()["id"]
    assert record.created_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "_path"), PATHS)
def test_keys_are_scoped_per_client(client_key, municipality, administration, fmt, _path):
    """Two systems sharing one service account use the same key: two inquiries, not a 422."""
    account = IdempotencyRecord._meta.get_field("user").related_model.objects.get(username="system-intake")
    _other, other_key = services.create_api_client(
        municipality=municipality, name="Skjema", user=administration, service_account=account
    )
    a = keyed(client_key).post(URL, body(municipality), format=fmt, HTTP_IDEMPOTENCY_KEY="1")
    b = keyed(other_key).post(URL, body(municipality, "Annet"), format=fmt, HTTP_IDEMPOTENCY_KEY="1")
    assert (a.status_code, b.status_code) == (201, 201) and a.json()["id"] != b.json()["id"]
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db
def test_purge_deletes_expired_keys_only(client_key, municipality):
    api = keyed(client_key)
    for n in range(3):
        api.post(URL, body(municipality, f"S{n}"), format="json", HTTP_IDEMPOTENCY_KEY=f"p{n}")
    IdempotencyRecord.objects.filter(key__in=["p0", "p1"]).update(
        created_at=timezone.now() - timedelta(hours=30)
    )
    assert services.purge_idempotency_keys(user=SYSTEM) == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["p2"]


# --- Open311 -----------------------------------------------------------------------------------------


@pytest.fixture
def api_key(municipality, administration):
    _client, key = services.create_api_client(municipality=municipality, name="Fiks", user=administration)
    return key


def post311(client, municipality, service, api_key, description="Hull i veien", **headers):
    data = {
        "jurisdiction_id": municipality.number,
        "api_key": api_key,
        "service_code": service.slug,
        "description": description,
    }
    return client.post(OPEN311, urlencode(data), content_type="application/x-www-form-urlencoded", **headers)


@pytest.mark.django_db
def test_open311_identical_post_within_the_window_gets_the_first_answer(
    client, municipality, service, api_key
):
    """Issue 18 §3.4: GeoReport has no 409; a keyless repeat (a client resending after a lost answer)
    gets the first answer again and registers nothing."""
    first = post311(client, municipality, service, api_key)
    second = post311(client, municipality, service, api_key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Inquiry.objects.count() == 1
    # Another description is another request.
    assert post311(client, municipality, service, api_key, "Løs kumlokk").status_code == 201
    # After the window the same post is accepted again (a new, real report).
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert post311(client, municipality, service, api_key).status_code == 201
    assert Inquiry.objects.count() == 3


@pytest.mark.django_db
@override_settings(OPEN311_DUPLICATE_WINDOW=0)
def test_open311_idempotency_key_replays_and_refuses_other_content(client, municipality, service, api_key):
    first = post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="abc")
    again = post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = post311(client, municipality, service, api_key, "Annet", HTTP_IDEMPOTENCY_KEY="abc")
    assert other.status_code == 422
    assert post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="").status_code == 400
    assert Inquiry.objects.count() == 1
    # A failed post (unknown service) leaves the key free for the corrected post.
    service.slug, real_slug = "finnes-ikke", service.slug
    assert post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="def").status_code == 404
    service.slug = real_slug
    assert post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="def").status_code == 201
    assert Inquiry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_open311_same_post_twice_at_once_registers_once(municipality, service, api_key):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    barrier, statuses = threading.Barrier(4), []

    def fire():
        try:
            barrier.wait()
            response = post311(Client(), municipality, service, api_key)
            statuses.append((response.status_code, response.json()[0]["service_request_id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # One registered, three repeats with its answer (no 409: GeoReport has none).
    assert [status for status, _ in statuses] == [201] * 4
    assert len({reference for _, reference in statuses}) == 1
    assert Inquiry.objects.count() == 1


@pytest.mark.django_db
def test_staff_key_without_client_is_scoped_to_the_user(client, municipality):
    """Session users have their own key space (client scope 0)."""
    from rest_framework.test import APIClient

    staff = make_staff(Role.DESK_WORKER, municipality)
    api = APIClient()
    api.force_authenticate(staff)
    assert api.post(URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="s").status_code == 201
    assert IdempotencyRecord.objects.get().client_scope == 0


@pytest.mark.django_db
def test_one_idempotency_mechanism_for_open311_and_the_rest_api(client, municipality, service, api_key):
    """Issue 19 §4: Open311 had its own claim, expiry and replay (Open311Submission) beside
    IdempotencyRecord. Now its repeats are IdempotencyRecord rows of its client (acting as no user),
    claimed and replayed by services.idempotency like the REST API's; no adapter touches the table."""
    from pathlib import Path

    from servicetorg.inquiries.models import ApiClient

    first = post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post311(client, municipality, service, api_key, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    record = IdempotencyRecord.objects.get()
    app = ApiClient.objects.get()
    assert (record.user_id, record.client_scope, record.key) == (None, app.pk, "key:k-1")
    assert record.inquiry == Inquiry.objects.get() and record.response == first.json()
    src = Path(__file__).resolve().parents[2] / "src" / "servicetorg" / "inquiries"
    for adapter in ("api.py", "open311.py"):
        assert "IdempotencyRecord" not in (src / adapter).read_text(), adapter
