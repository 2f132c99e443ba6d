"""The API of visits (POST with Idempotency-Key) and settlements per period."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from servicetorg.choice import settlement as settlements
from servicetorg.choice.models import Visit, VisitSource
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_staff

from .conftest import build_scheme
from .visit_factories import OLA, at, choose, make_decision, make_provider, provider_user, visit

START = at(date(2026, 3, 2), 10)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    with translation.override("en"):
        yield


@pytest.fixture
def world(municipality):
    scheme = build_scheme(municipality, adopt=True)
    p1, p2 = make_provider(municipality), make_provider(municipality, "Annen AS", n=1)
    d1, d2 = make_decision(scheme), make_decision(scheme, national_id=OLA, name="Ola")
    choose(d1, p1)
    choose(d2, p2)
    return {
        "scheme": scheme,
        "p1": p1,
        "p2": p2,
        "d1": d1,
        "d2": d2,
        "u1": provider_user(p1),
        "u2": provider_user(p2),
    }


def body(world, **overrides):
    return {
        "decision": world["d1"].pk,
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(minutes=45)).isoformat(),
        "staff_pseudonym": "H3",
        "external_id": "sys-1",
        **overrides,
    }


def post(client, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(reverse("choice_api:visit-list"), data, content_type="application/json", **headers)


def test_post_a_visit(client, world):
    client.force_login(world["u1"])
    response = post(client, body(world))
    assert response.status_code == 201, response.content
    made = Visit.objects.get()
    assert response.json()["id"] == made.pk
    assert (made.source, made.minutes, made.band, made.registered_by) == (
        VisitSource.API,
        45,
        "day",
        world["u1"],
    )


def test_a_repeated_post_is_answered_from_the_first(client, world):
    client.force_login(world["u1"])
    first = post(client, body(world), key="k-1")
    again = post(client, body(world), key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1
    other = post(client, body(world, staff_pseudonym="H4"), key="k-1")
    assert other.status_code == 422
    assert Visit.objects.count() == 1


def test_a_refused_post_leaves_the_key_free(client, world):
    client.force_login(world["u1"])
    bad = post(client, body(world, ends_at=START.isoformat()), key="k-2")
    assert bad.status_code == 400 and "kan ikke slutte før det begynner" in str(bad.json())
    assert post(client, body(world), key="k-2").status_code == 201


def test_refusals_are_field_messages(client, world):
    client.force_login(world["u1"])
    post(client, body(world))
    overlap = post(client, body(world, external_id="sys-2"))
    assert overlap.status_code == 400 and "overlapper et annet besøk" in str(overlap.json())
    theirs = post(client, body(world, decision=world["d2"].pk, external_id="sys-3"))
    assert theirs.status_code == 400 and "Ikke en av brukerne deres" in str(theirs.json())
    nowhere = post(client, body(world, decision=10**12, external_id="sys-4"))
    assert nowhere.status_code == 400
    assert post(client, {"decision": "x"}).status_code == 400
    assert Visit.objects.count() == 1


def test_a_provider_lists_only_her_own_visits(client, world):
    mine = visit(world["p1"], world["d1"], START, 60)
    theirs = visit(world["p2"], world["d2"], START, 60)
    client.force_login(world["u1"])
    listed = client.get(reverse("choice_api:visit-list")).json()["results"]
    assert [v["id"] for v in listed] == [mine.pk]
    assert client.get(reverse("choice_api:visit-detail", args=[theirs.pk])).status_code == 404


def test_staff_without_a_provider_are_refused(client, world, municipality):
    client.force_login(make_staff(Role.CASE_OFFICER, municipality))
    assert client.get(reverse("choice_api:visit-list")).status_code == 403
    assert post(client, body(world)).status_code == 403
    assert client.get(reverse("choice_api:settlement-list")).status_code == 403


def test_settlements_per_period(client, world, municipality):
    visit(world["p1"], world["d1"], START, 60, state="attested")
    settlements.compute(world["scheme"], date(2026, 3, 1), user=SYSTEM)
    settlements.compute(world["scheme"], date(2026, 4, 1), user=SYSTEM)
    client.force_login(world["u1"])
    url = reverse("choice_api:settlement-list")
    mine = client.get(url).json()["results"]
    assert {s["provider"] for s in mine} == {world["p1"].pk} and len(mine) == 2
    march = client.get(url, {"month": "2026-03"}).json()["results"]
    assert [s["month"] for s in march] == ["2026-03-01"]
    assert march[0]["lines"][0]["performed_minutes"] == 60 and march[0]["total"] == "612.00"
    assert client.get(url, {"month": "mars"}).status_code == 400
    other = next(s for s in settlements.settlements_for(SYSTEM) if s.provider_id == world["p2"].pk)
    assert client.get(reverse("choice_api:settlement-detail", args=[other.pk])).status_code == 404
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    assert len(client.get(url, {"month": "2026-03"}).json()["results"]) == 2


def test_another_municipality_reads_no_settlement(client, world, other_staff):
    settlements.compute(world["scheme"], date(2026, 3, 1), user=SYSTEM)
    client.force_login(other_staff)
    assert client.get(reverse("choice_api:settlement-list")).json()["results"] == []
