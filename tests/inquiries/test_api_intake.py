"""Intake API hot path: Api-Key authentication, tenant limits, queries per request, rollups."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servicetorg.core.choices import Role
from servicetorg.inquiries import services
from servicetorg.inquiries.models import ChannelRule, DailyServiceStat, DailyStat, IdempotencyRecord, Inquiry
from tests.factories import make_staff
from tests.inquiries.conftest import keyed

pytestmark = pytest.mark.django_db

URL = "/api/inquiries/inquiries/"


def body(municipality, **extra):
    return {"municipality": municipality.pk, "channel": "phone", "subject": "Spørsmål", **extra}


def test_api_key_registers_as_the_service_account(client_key, municipality, service):
    response = keyed(client_key).post(
        URL, body(municipality, service=service.pk), format="json", HTTP_IDEMPOTENCY_KEY="a1"
    )
    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get()
    assert inquiry.registered_by.username == "system-intake"
    assert inquiry.contact_person == inquiry.registered_by
    assert inquiry.deadline_source == "service"
    assert IdempotencyRecord.objects.get().inquiry == inquiry
    assert inquiry.history.count() == 1


@pytest.mark.parametrize("header", ["Api-Key wrong", "Api-Key", "Api-Key a b"])
def test_bad_api_key_is_refused(client_key, municipality, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, body(municipality), format="json")
    # DRF answers a failed authentication with 403 when the first scheme (session) has no challenge.
    assert response.status_code == 403
    assert not Inquiry.objects.exists()


def test_inactive_client_or_account_is_refused(client_key, municipality):
    from servicetorg.inquiries.models import ApiClient

    client = ApiClient.objects.get()
    client.active = False
    client.save()
    assert keyed(client_key).post(URL, body(municipality), format="json").status_code == 403
    client.active = True
    client.save()
    client.user.is_active = False
    client.user.save()
    assert keyed(client_key).post(URL, body(municipality), format="json").status_code == 403


def test_open311_client_without_account_cannot_use_the_rest_api(municipality, make_staff):
    admin = make_staff(Role.ADMINISTRATION, municipality)
    _client, key = services.create_api_client(municipality=municipality, name="Open311", user=admin)
    assert keyed(key).post(URL, body(municipality), format="json").status_code == 403


def test_api_key_is_limited_to_its_municipality(client_key, municipality, other_municipality):
    # Even when the service account also works in another municipality, the key is for one only.
    from servicetorg.core.models import Membership
    from servicetorg.inquiries.models import ApiClient

    account = ApiClient.objects.get().user
    Membership.objects.create(user=account, municipality=other_municipality, role=Role.DESK_WORKER)
    response = keyed(client_key).post(URL, body(other_municipality), format="json")
    assert response.status_code == 400 and "municipality" in response.data
    assert not Inquiry.objects.exists()


def test_key_lookup_reads_memberships_once_and_the_own_municipalitys_rules(
    client_key, municipality, other_municipality, unit
):
    """The key's one statement joins memberships and channel rules: each membership is kept once
    however many rules there are, and only the client's municipality's rules are read."""
    from servicetorg.core import permissions, tenancy
    from servicetorg.core.models import Membership
    from servicetorg.core.permissions import Perm
    from servicetorg.inquiries import deadlines
    from servicetorg.inquiries.models import ApiClient, hash_token
    from servicetorg.inquiries.sql import client_and_account

    account = ApiClient.objects.get().user
    Membership.objects.create(user=account, municipality=municipality, unit=unit, role=Role.CASE_OFFICER)
    Membership.objects.create(user=account, municipality=other_municipality, role=Role.DESK_WORKER)
    ChannelRule.objects.create(municipality=municipality, channel="letter", working_days=7)
    ChannelRule.objects.create(municipality=municipality, channel="email", working_days=3)
    ChannelRule.objects.create(municipality=other_municipality, channel="phone", working_days=9)
    with CaptureQueriesContext(connection) as queries:
        user, client = client_and_account(hash_token(client_key))
        assert permissions.municipality_ids(user, Perm.INQUIRY_REGISTER) == {
            municipality.pk,
            other_municipality.pk,
        }
        assert deadlines.channel_rules_of(client.municipality) == {"letter": 7, "email": 3}
    assert len(queries) == 1
    read = tenancy.memberships(user)
    assert len(read) == 3
    assert set(read) == {
        (municipality.pk, None, Role.DESK_WORKER),
        (municipality.pk, unit.pk, Role.CASE_OFFICER),
        (other_municipality.pk, None, Role.DESK_WORKER),
    }
    assert client.municipality_id == municipality.pk


def test_service_account_must_work_in_the_municipality(municipality, other_staff, make_staff):
    admin = make_staff(Role.ADMINISTRATION, municipality)
    with pytest.raises(ValidationError):
        services.create_api_client(
            municipality=municipality, name="X", user=admin, service_account=other_staff
        )


def test_intake_queries_per_request(client_key, municipality, service):
    """Authentication (+ memberships, the client's municipality and its channel rules), service
    (+ reply promise), and one statement for key claim, inquiry, history, rollups and kept response;
    nothing per field or rollup row."""
    client = keyed(client_key)
    client.post(URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="warm")
    for extra, reads in (({}, 1), ({"service": service.pk}, 2)):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                URL, body(municipality, **extra), format="json", HTTP_IDEMPOTENCY_KEY=f"k{extra}"
            )
        assert response.status_code == 201
        sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        # At most: expired key cleared, key claimed, inquiry, history, three rollups, response kept
        # (SQLite with the direct path on; PostgreSQL writes it all in one statement, below).
        assert len(sql) <= reads + 8, "\n".join(sql)
        assert not any(q.startswith("SELECT 1 AS") for q in sql)  # no full_clean existence checks
        assert not any("catalogue_promise" in q and q.startswith('SELECT "catalogue_promise"') for q in sql)
        assert not any(q.startswith('SELECT "inquiries_channelrule"') for q in sql)
        rollup_statements = [q for q in sql if "inquiries_dailystat" in q]
        assert len(rollup_statements) == 1
        if connection.vendor == "postgresql":  # no transaction: one statement writes it all
            assert len(sql) == reads + 1, "\n".join(sql)
            for table in (
                "idempotencyrecord",
                "inquiry",
                "historicalinquiry",
                "backlogstat",
                "dailyservicestat",
            ):
                assert f'INSERT INTO "inquiries_{table}"' in rollup_statements[0]


def test_prefetched_rules_and_promises_give_the_same_deadlines(
    client_key, municipality, service, plain_service
):
    ChannelRule.objects.create(municipality=municipality, channel="letter", working_days=7)
    client = keyed(client_key)
    letter = client.post(URL, body(municipality, channel="letter"), format="json").json()
    promised = client.post(URL, body(municipality, service=service.pk), format="json").json()
    plain = client.post(URL, body(municipality, service=plain_service.pk), format="json").json()
    for data in (letter, promised, plain):
        inquiry = Inquiry.objects.get(pk=data["id"])
        from servicetorg.inquiries.deadlines import reply_deadline

        expected = reply_deadline(municipality.pk, inquiry.service, inquiry.channel, inquiry.received_at)
        assert (inquiry.reply_deadline, inquiry.deadline_source) == expected
    assert letter["deadline_source"] == "channel_rule"
    assert promised["deadline_source"] == "service"
    assert plain["deadline_source"] == "channel_rule"


def test_rollups_count_every_intake(client_key, municipality, service):
    client = keyed(client_key)
    for i in range(3):
        client.post(URL, body(municipality, service=service.pk), format="json", HTTP_IDEMPOTENCY_KEY=f"r{i}")
    client.post(URL, body(municipality, service=service.pk), format="json", HTTP_IDEMPOTENCY_KEY="r0")
    assert sum(DailyStat.objects.values_list("received", flat=True)) == 3
    assert DailyServiceStat.objects.get(service_key=service.pk).received == 3
    from servicetorg.inquiries.models import BacklogStat

    assert BacklogStat.objects.get(municipality=municipality, unit_key=0).open_count == 3


def test_national_id_is_still_validated_on_the_api(api_desk, municipality, service):
    service.requires_national_id = True
    service.save()
    response = api_desk.post(
        URL, body(municipality, service=service.pk, national_id="12345678901"), format="json"
    )
    assert response.status_code == 400 and "national_id" in response.data


@pytest.fixture
def api_desk(municipality):
    client = APIClient()
    client.force_authenticate(make_staff(Role.DESK_WORKER, municipality))
    return client


def test_intake_writes_the_history_row_and_counts(client_key, municipality):
    """The intake writes inquiry, history row and rollups together (one statement on PostgreSQL)."""
    response = keyed(client_key).post(
        URL, body(municipality, contact_name="Kari"), format="json", HTTP_IDEMPOTENCY_KEY="h1"
    )
    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get()
    assert response.json()["id"] == inquiry.pk
    assert response.json()["reference"] == inquiry.reference
    row = inquiry.history.get()
    assert row.history_type == "+"
    assert row.history_user.username == "system-intake"
    assert (row.reference, row.subject, row.contact_name, row.received_at, row.reply_deadline) == (
        inquiry.reference,
        inquiry.subject,
        "Kari",
        inquiry.received_at,
        inquiry.reply_deadline,
    )
    assert row.municipality_id == municipality.pk
    assert inquiry.updated_at is not None
    assert DailyStat.objects.get(municipality=municipality).received == 1
    assert DailyServiceStat.objects.get(municipality=municipality).received == 1


def test_derived_rows_follow_their_relations_through_the_orm(client_key, municipality):
    """History, rollup and idempotency rows have no database constraints (CONCURRENT_INTAKE in
    models.py); deleting through Django still cascades to them."""
    from servicetorg.catalogue.models import ServiceArea
    from servicetorg.core.models import Municipality
    from servicetorg.inquiries.models import BacklogStat

    response = keyed(client_key).post(URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="x1")
    inquiry = Inquiry.objects.get(pk=response.json()["id"])
    assert IdempotencyRecord.objects.filter(inquiry=inquiry).exists()
    inquiry.delete()
    assert not IdempotencyRecord.objects.filter(key="x1").exists()

    empty = Municipality.objects.create(number="9998", name="Tom", organization_number="999999999")
    DailyStat.objects.create(municipality=empty, day="2026-01-05", channel="phone", handling="pending")
    BacklogStat.objects.create(municipality=empty, unit_key=0, open_count=1)
    ServiceArea.objects.filter(municipality=empty).delete()  # a new municipality gets the seed areas
    empty.delete()
    assert not DailyStat.objects.filter(municipality_id=empty.pk).exists()
    assert not BacklogStat.objects.filter(municipality_id=empty.pk).exists()
