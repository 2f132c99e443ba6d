"""The intake API's direct path (Api-Key + JSON, a new inquiry) answers exactly as the viewset would,
and hands every other case to the viewset with nothing written."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from servicetorg.core.crypto import decrypt_national_id, national_id_digest
from servicetorg.inquiries import api, services
from servicetorg.inquiries.models import (
    BacklogStat,
    DailyStat,
    IdempotencyRecord,
    Inquiry,
    InquiryMessage,
    MessageKind,
)
from tests.inquiries.conftest import keyed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_path_on(settings):
    """These tests are about the fast path: on, whatever the run's INQUIRIES_FAST_INTAKE says."""
    settings.INQUIRIES_FAST_INTAKE = True


URL = "/api/inquiries/inquiries/"
#: Differ between two otherwise equal intakes.
OWN = {"id", "reference", "received_at", "replied_at", "closed_at"}


def body(municipality, change=None, **fields):
    data = {"municipality": municipality.pk, "channel": "email", "subject": "Spørsmål om plass"}
    return data | fields | (change or {})


@pytest.fixture
def account(client_key):
    from servicetorg.inquiries.models import ApiClient

    return ApiClient.objects.get().user


@pytest.fixture
def as_account(account):
    """The service account through the viewset (force-authenticated: no API key, so never direct)."""
    client = APIClient()
    client.force_authenticate(account)
    return client


@pytest.fixture
def spy(monkeypatch):
    """Records what the direct path answered: a status code, or None when it handed over."""
    answers = []
    real = api.direct_intake

    def recording(request):
        response = real(request)
        answers.append(None if response is None else response.status_code)
        return response

    monkeypatch.setattr(api, "direct_intake", recording)
    return answers


def without_own(data):
    return {k: v for k, v in data.items() if k not in OWN}


def test_direct_answer_equals_the_viewset_answer(client_key, as_account, municipality, service, spy):
    data = body(municipality, service=service.pk, contact_name="Kari", contact_email="kari@example.no")
    data |= {"latitude": "59.05", "longitude": 10.0312345, "address": "Skolegata 3"}
    direct = keyed(client_key).post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="d1")
    through_drf = as_account.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="d2")
    assert spy == [201, None]
    assert direct.status_code == through_drf.status_code == 201
    assert direct["Content-Type"] == through_drf["Content-Type"] == "application/json"
    assert without_own(direct.json()) == without_own(through_drf.json())
    first, second = (Inquiry.objects.get(pk=r.json()["id"]) for r in (direct, through_drf))
    for field in ("channel", "service_id", "subject", "contact_email", "contact_person_id", "reply_deadline"):
        assert getattr(first, field) == getattr(second, field)
    for field in ("latitude", "longitude", "address"):
        assert getattr(first, field) == getattr(second, field) and getattr(first, field)
    assert first.check_token("") is False and first.token_hash
    # The kept response is the response (its id filled in by the same statement).
    record = IdempotencyRecord.objects.get(key="d1")
    assert record.inquiry == first and record.status_code == 201
    assert record.response == direct.json()
    assert first.history.get().history_type == "+"


def test_direct_answer_comes_before_the_rest_of_the_cycle(client_key, as_account, municipality, spy):
    """The middleware answers right after SecurityMiddleware: its headers are there, the later
    middleware's (language, frame options) and the URL routing are not; other POSTs pass by."""
    direct = keyed(client_key).post(URL, body(municipality), format="json")
    through_drf = as_account.post(URL, body(municipality), format="json")
    assert spy == [201, None]
    assert direct["X-Content-Type-Options"] == through_drf["X-Content-Type-Options"] == "nosniff"
    assert "Content-Language" in through_drf and "X-Frame-Options" in through_drf
    assert "Content-Language" not in direct and "X-Frame-Options" not in direct
    inquiry = direct.json()["id"]
    reply = keyed(client_key).post(f"{URL}{inquiry}/reply/", {"text": "Svar"}, format="json")
    assert reply.status_code == 200 and spy == [201, None]


def test_citizen_text_becomes_the_first_message(client_key, municipality, spy):
    response = keyed(client_key).post(URL, body(municipality, body="Når får jeg svar?"), format="json")
    assert spy == [201]
    message = InquiryMessage.objects.get(inquiry_id=response.json()["id"])
    assert (message.kind, message.text, message.author) == (MessageKind.CITIZEN, "Når får jeg svar?", None)


def test_repeated_key_gets_the_kept_response(client_key, municipality, spy):
    client = keyed(client_key)
    first = client.post(URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="same")
    again = client.post(URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="same")
    changed = client.post(
        URL, body(municipality, subject="Annet"), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert spy == [201, None, None]  # the repeat inserted nothing and was handed over
    assert (first.status_code, again.status_code, changed.status_code) == (201, 201, 422)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Inquiry.objects.count() == 1
    assert DailyStat.objects.get().received == 1
    assert BacklogStat.objects.get().open_count == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"subject": "x" * 201}, 400),
        ({"channel": "fax"}, 400),
        ({"municipality": "en"}, 400),
        ({"contact_email": "ikke-en-adresse"}, 400),
        ({"national_id": "12345678901"}, 400),  # the service does not need it (a domain check)
        ({"resolve_at_desk": True}, 201),
        ({"resolve_at_desk": "true"}, 201),
    ],
)
def test_other_cases_are_answered_by_the_viewset(client_key, municipality, spy, change, status):
    response = keyed(client_key).post(URL, body(municipality, change), format="json")
    assert spy == [None]
    assert response.status_code == status, response.content
    if status == 400:
        assert set(response.json()) == set(change)
        assert not Inquiry.objects.exists() and not DailyStat.objects.exists()
    else:
        assert response.json()["handling"] == "resolved_at_desk"


def test_form_data_latin1_and_session_go_through_the_viewset(client_key, municipality, account, spy):
    client = keyed(client_key)
    assert client.post(URL, body(municipality)).status_code == 201  # multipart
    latin1 = f'{{"municipality": {municipality.pk}, "channel": "email", "subject": "Bl\xe5b\xe6r"}}'
    response = client.post(URL, latin1.encode("latin-1"), content_type="application/json; charset=latin-1")
    assert response.status_code == 201 and response.json()["subject"] == "Blåbær"
    client.force_login(account)  # a session cookie: DRF's session authentication decides
    client.post(URL, body(municipality), format="json")
    assert spy == [None, None, None]


@pytest.mark.parametrize("header", ["Api-Key wrong", "Api-Key", "Api-Key a b", "Bearer x"])
def test_bad_keys_are_answered_by_the_viewset(client_key, municipality, spy, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.post(URL, body(municipality), format="json").status_code == 403
    assert spy == [None]


def test_malformed_json_is_answered_by_the_viewset(client_key, spy):
    response = keyed(client_key).post(URL, b'{"municipality": NaN}', content_type="application/json")
    assert response.status_code == 400 and spy == [None]


@pytest.mark.django_db(transaction=True)
def test_reference_collision_is_retried_by_the_viewset(client_key, municipality, monkeypatch, spy):
    taken = keyed(client_key).post(URL, body(municipality), format="json").json()["reference"]
    field = Inquiry._meta.get_field("reference")
    references = iter([taken, "FRSK-REF1"])
    monkeypatch.setattr(field, "_get_default", lambda: next(references))
    response = keyed(client_key).post(URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="c")
    assert spy == [201, None]
    assert response.status_code == 201 and response.json()["reference"] == "FRSK-REF1"
    assert Inquiry.objects.count() == 2
    assert DailyStat.objects.get().received == 2
    assert IdempotencyRecord.objects.get().response["reference"] == "FRSK-REF1"


@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_a_key_create_one(client_key, municipality):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    results = []
    barrier = threading.Barrier(8)

    def fire():
        from django.db import connections

        barrier.wait()
        try:
            response = keyed(client_key).post(
                URL, body(municipality), format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            results.append((response.status_code, response.json()["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Inquiry.objects.count() == 1
    assert {status for status, _id in results} == {201}
    assert len({inquiry_id for _status, inquiry_id in results}) == 1
    assert DailyStat.objects.get().received == 1


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=10**6),
    st.text(max_size=12),
    st.sampled_from(
        ["phone", "email", "letter", " ", "x" * 201, "a@b.no", "1.5", "\x00", "59.9", "10,7", "NaN"]
    ),
)
payloads = st.dictionaries(
    st.sampled_from(
        [
            "municipality",
            "channel",
            "service",
            "subject",
            "body",
            "contact_name",
            "contact_email",
            "contact_phone",
            "national_id",
            "latitude",
            "longitude",
            "address",
            "resolve_at_desk",
            "extra",
        ]
    ),  # fmt: skip
    values,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads, valid_municipality=st.booleans())
def test_direct_path_never_accepts_what_the_viewset_refuses(
    client_key, as_account, municipality, other_municipality, service, payload, valid_municipality
):
    """Whatever a client sends, the direct path answers as the viewset does, or hands it over."""
    if valid_municipality:
        payload = {"channel": "phone", "subject": "Hei", **payload, "municipality": municipality.pk}
    if payload.get("service") == 1:
        payload["service"] = service.pk
    direct = keyed(client_key).post(URL, payload, format="json")
    through_drf = as_account.post(URL, payload, format="json")
    assert direct.status_code == through_drf.status_code, (payload, direct.content, through_drf.content)
    if direct.status_code == 201:
        assert without_own(direct.json()) == without_own(through_drf.json())
    else:
        assert direct.json() == through_drf.json()


def test_a_taken_key_writes_nothing(client_key, municipality, account):
    """services.insert with a claim, called directly: a taken key writes nothing."""
    registered = services.prepare(municipality=municipality, channel="phone", subject="Hei", user=account)
    claim = services.IdempotencyClaim(account.pk, "k", "hash", {"subject": "Hei"})
    assert services.insert(registered.inquiry, user=account, claim=claim) is True
    again = services.prepare(municipality=municipality, channel="phone", subject="Hei", user=account)
    assert services.insert(again.inquiry, user=account, claim=claim) is False
    assert again.inquiry.pk is None
    record = IdempotencyRecord.objects.get()
    assert record.response == {"subject": "Hei", "id": registered.inquiry.pk}
    assert Inquiry.objects.count() == 1 and DailyStat.objects.get().received == 1


#: Columns that differ between two otherwise equal inquiries.
INQUIRY_OWN = {"id", "reference", "token_hash", "received_at", "updated_at"}


def _written(inquiry_id):
    """Everything the insert wrote for one inquiry, without what differs between two inquiries."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).values().get()
    history = list(Inquiry.history.filter(id=inquiry_id).values("history_type", "history_user_id"))
    messages = list(InquiryMessage.objects.filter(inquiry_id=inquiry_id).values("kind", "text", "author_id"))
    record = IdempotencyRecord.objects.filter(inquiry_id=inquiry_id).values("status_code", "response").get()
    record["response"] = {k: v for k, v in record["response"].items() if k != "id"}
    return {k: v for k, v in inquiry.items() if k not in INQUIRY_OWN}, history, messages, record


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's")
def test_one_statement_and_orm_paths_write_the_same(client_key, municipality, service, account, settings):
    """On PostgreSQL, insert() writes in one statement; switched off (INQUIRIES_FAST_INTAKE=False) the
    ORM writes. Both write the same inquiry, history row, first message, key record and counts."""
    service.requires_national_id = True
    service.save()
    written, counts, ciphertexts = [], [], []
    for key, on in (("one-statement", True), ("orm", False)):
        settings.INQUIRIES_FAST_INTAKE = on
        fields = {"channel": "email", "subject": "Hei", "body": "Når?", "service": service}
        fields["national_id"] = "150765 00565"
        fields |= {"latitude": "69.6492", "longitude": "18.9553", "address": "Storgata 1"}
        registered = services.prepare(municipality=municipality, user=account, **fields)
        claim = services.IdempotencyClaim(account.pk, key, "hash", {"subject": "Hei"})
        assert services.insert(registered.inquiry, user=account, claim=claim) is True
        written.append(_written(registered.inquiry.pk))
        ciphertexts.append(_stored_national_id(registered.inquiry.pk))
        counts.append(
            (
                sum(DailyStat.objects.values_list("received", flat=True)),
                sum(BacklogStat.objects.values_list("open_count", flat=True)),
            )
        )
    assert written[0] == written[1]
    assert written[0][0]["address"] == "Storgata 1" and written[0][0]["latitude"] == Decimal("69.649200")
    assert counts == [(1, 1), (2, 2)]  # each path counted its inquiry once
    # Both store the number encrypted (a Fernet token of the normalised number, each with its own
    # IV) and the same keyed digest; neither copies it into the history.
    assert written[0][0]["national_id"] == "15076500565"
    assert written[0][0]["national_id_digest"] == national_id_digest("15076500565")
    for stored in ciphertexts:
        assert stored.startswith("gAAAAA") and "15076500565" not in stored
        assert decrypt_national_id(stored) == "15076500565"
    assert ciphertexts[0] != ciphertexts[1]


def _stored_national_id(inquiry_id) -> str:
    """The column as stored (the cast skips the field's decryption)."""
    raw = Cast("national_id", output_field=CharField())
    return Inquiry.objects.filter(pk=inquiry_id).annotate(raw=raw).values_list("raw", flat=True).get()
