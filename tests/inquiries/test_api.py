"""DRF API: intake with Idempotency-Key (also concurrently on PostgreSQL), actions, dashboard, tenancy."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from servicetorg.inquiries.models import IdempotencyRecord, Inquiry

pytestmark = pytest.mark.django_db

URL = "/api/inquiries/inquiries/"


@pytest.fixture
def api(desk_worker):
    client = APIClient()
    client.force_authenticate(desk_worker)
    return client


def payload(municipality, service=None, **extra):
    data = {"municipality": municipality.pk, "channel": "email", "subject": "Spørsmål om plass"}
    if service is not None:
        data["service"] = service.pk
    data.update(extra)
    return data


def test_intake_and_list(api, municipality, service, django_assert_max_num_queries):
    response = api.post(URL, payload(municipality, service), format="json")
    assert response.status_code == 201, response.content
    assert response.data["reference"] and response.data["reply_deadline"]
    for _ in range(5):
        api.post(URL, payload(municipality, service), format="json")
    with django_assert_max_num_queries(6):
        listing = api.get(URL)
    assert listing.data["count"] == 6


def test_idempotency_key_repeats_create_one(api, municipality, service):
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-123"}
    first = api.post(URL, payload(municipality, service), format="json", **headers)
    second = api.post(URL, payload(municipality, service), format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.data["id"] == second.data["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Inquiry.objects.count() == 1
    changed = api.post(URL, payload(municipality, service, subject="Annet"), format="json", **headers)
    assert changed.status_code == 422
    assert Inquiry.objects.count() == 1


def test_idempotency_failed_request_is_not_stored(api, municipality):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k1"}
    bad = api.post(URL, {"municipality": municipality.pk, "channel": "fax"}, format="json", **headers)
    assert bad.status_code == 400
    assert {"channel", "subject"} <= set(bad.data)
    assert not IdempotencyRecord.objects.exists()
    good = api.post(URL, payload(municipality), format="json", **headers)
    assert good.status_code == 201


def test_idempotency_keys_are_per_user(api, municipality, make_staff):
    from servicetorg.core.choices import Role

    other = APIClient()
    other.force_authenticate(make_staff(Role.DESK_WORKER, municipality))
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared"}
    api.post(URL, payload(municipality), format="json", **headers)
    other.post(URL, payload(municipality), format="json", **headers)
    assert Inquiry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_idempotency_key_creates_one(municipality, desk_worker):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    results = []
    barrier = threading.Barrier(8)

    def fire():
        from django.db import connections

        client = APIClient()
        client.force_authenticate(desk_worker)
        barrier.wait()
        try:
            response = client.post(URL, payload(municipality), format="json", HTTP_IDEMPOTENCY_KEY="same-key")
            results.append((response.status_code, response.data.get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Inquiry.objects.count() == 1
    assert {status for status, _id in results} == {201}
    assert len({i for _s, i in results}) == 1


def test_other_municipality_refused(api, municipality, other_municipality, service, other_staff):
    response = api.post(URL, payload(other_municipality), format="json")
    assert response.status_code == 400 and "municipality" in response.data
    created = api.post(URL, payload(municipality, service), format="json").data
    other = APIClient()
    other.force_authenticate(other_staff)
    assert other.get(URL).data["count"] == 0
    assert other.get(f"{URL}{created['id']}/").status_code == 404
    assert other.post(f"{URL}{created['id']}/reply/", {"text": "x"}, format="json").status_code == 404
    # Service of another municipality: a 400 field error, not a 500.
    from tests.factories import make_service

    foreign = make_service(other_municipality, slug="fremmed")
    response = api.post(URL, payload(municipality, foreign), format="json")
    assert response.status_code == 400 and "service" in response.data


def test_reply_route_and_refused_transition(api, municipality, service, unit):
    created = api.post(URL, payload(municipality, service), format="json").data
    routed = api.post(
        f"{URL}{created['id']}/route/", {"unit": unit.pk, "handling": "forwarded"}, format="json"
    )
    assert routed.status_code == 200 and routed.data["state"] == "routed"
    replied = api.post(f"{URL}{created['id']}/reply/", {"text": "Svar"}, format="json")
    assert replied.data["state"] == "replied"
    again = api.post(
        f"{URL}{created['id']}/route/", {"unit": unit.pk, "handling": "forwarded"}, format="json"
    )
    assert again.status_code == 400


def test_dashboard_api(municipality, service, unit_leader, other_staff, desk_worker):
    client = APIClient()
    client.force_authenticate(desk_worker)
    client.post(URL, payload(municipality, service), format="json")
    assert client.get("/api/inquiries/dashboard/").status_code == 403
    client.force_authenticate(unit_leader)
    data = client.get("/api/inquiries/dashboard/").data
    assert data["total"] == 1 and data["by_channel"] == {"email": 1}
    assert client.get("/api/inquiries/dashboard/", {"start": "2026-13-01"}).status_code == 400
    client.force_authenticate(other_staff)
    assert client.get("/api/inquiries/dashboard/", {"municipality": municipality.pk}).status_code == 403


def test_anonymous_refused():
    assert APIClient().get(URL).status_code in (401, 403)
