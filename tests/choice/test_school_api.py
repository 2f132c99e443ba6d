"""The rounds API (/api/skolevalg/runder/): public rounds and cutoffs, a round created, run and
published by the school office with an Idempotency-Key, explanations per applicant, other
municipalities refused, a special-needs priority never named in the published cutoffs."""

import pytest

from servicetorg.choice.schools.models import (
    AllocationRun,
    Cutoff,
    Placement,
    Priority,
    Round,
    RoundState,
)
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage
from tests.factories import make_staff

from .school_factories import address, application, school, school_round

pytestmark = pytest.mark.django_db
URL = "/api/skolevalg/runder/"


def post(client, url, body=None, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, body or {}, content_type="application/json", **headers)


@pytest.fixture
def office(municipality):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


@pytest.fixture
def town(municipality):
    a = school(municipality, "Alfa skole", lat="59.0500", lon="10.0000")
    b = school(municipality, "Beta skole", lat="59.0500", lon="10.1000")
    near_a = address(municipality, "Alfaveien 1", a, lat="59.0505", lon="10.0005")
    near_b = address(municipality, "Betaveien 1", b, lat="59.0505", lon="10.1005")
    return a, b, near_a, near_b


@pytest.fixture
def closed(municipality, town):
    """A closed round: Alfa (1 seat) wished by three, two from Beta's catchment."""
    a, b, near_a, near_b = town
    round_ = school_round(municipality, {a: 1, b: 3})
    apps = [application(round_, near_a, [a])]
    apps += [application(round_, near_b, [a, b]) for _ in range(2)]
    apps[-1].contact_email = "foresatt@example.org"
    apps[-1].save()
    return round_, apps


def test_the_school_office_creates_runs_and_publishes(client, municipality, town, office):
    a, b, near_a, near_b = town
    client.force_login(office)
    body = {
        "name": "Skolestart 2028",
        "school_year": 2028,
        "grade": 1,
        "opens_on": "2028-01-05",
        "closes_on": "2028-02-01",
        "priorities": ["catchment", "sibling"],
        "seats": [{"school": a.pk, "seats": 50}, {"school": b.pk, "seats": 40, "class_size": 20}],
    }
    assert post(client, URL, body, key=None).status_code == 400  # the key is required
    created = post(client, URL, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["state"] == "draft" and data["municipality"] == municipality.number
    assert {(s["name"], s["seats"]) for s in data["schools"]} == {("Alfa skole", 50), ("Beta skole", 40)}
    assert data["seed"] is None and data["seed_hash"] is None
    again = post(client, URL, body)
    assert again.status_code == 201 and again.json() == data and again["Idempotent-Replayed"] == "true"
    assert Round.objects.filter(name="Skolestart 2028").count() == 1
    assert post(client, URL, {**body, "name": "Annen"}).status_code == 422  # same key, another request
    # the model's rules, per field: with the guarantee, the catchment group comes first
    wrong = post(client, URL, {**body, "priorities": ["sibling", "catchment"]}, key="k-2")
    assert wrong.status_code == 400 and "priorities" in wrong.json()
    assert (
        post(client, URL, {**body, "seats": [{"school": 10**12, "seats": 1}]}, key="k-3").status_code == 400
    )
    # a draft is the school office's own: not public
    client.logout()
    assert client.get(f"{URL}{data['id']}/").status_code == 404


def test_run_and_publish_with_the_certificate(client, municipality, closed, office):
    round_, apps = closed
    client.force_login(office)
    run = post(client, f"{URL}{round_.pk}/kjoring/", key="run-1")
    assert run.status_code == 201, run.content
    cert = run.json()["certificate"]
    assert cert["stable"] and cert["blocking_pairs"] == 0 and cert["by_wish"] == [1, 2]
    replay = post(client, f"{URL}{round_.pk}/kjoring/", key="run-1")
    assert replay.json() == run.json() and AllocationRun.objects.count() == 1
    # before publishing nobody outside sees the cutoffs
    assert client.get(f"{URL}{round_.pk}/grenser/").status_code == 404
    published = post(client, f"{URL}{round_.pk}/publisering/", key="pub-1")
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["round"]["state"] == "published" and body["told"] == 1
    assert body["round"]["seed"] == "seed-for-tests"  # revealed
    assert OutboxMessage.objects.filter(recipients=["foresatt@example.org"]).count() == 1
    # out of turn: the table refuses, field by field, and nothing changes
    late = post(client, f"{URL}{round_.pk}/kjoring/", key="run-2")
    assert late.status_code == 400 and AllocationRun.objects.count() == 1
    client.logout()
    public = client.get(URL, {"municipality": municipality.number})
    assert public.status_code == 200 and [r["id"] for r in public.json()["results"]] == [round_.pk]
    cutoffs = client.get(f"{URL}{round_.pk}/grenser/")
    assert cutoffs.status_code == 200
    alfa = next(c for c in cutoffs.json()["cutoffs"] if c["school_name"] == "Alfa skole")
    assert alfa["full"] and alfa["last_group"] == "catchment" and alfa["last_lottery"] >= 1
    assert post(client, f"{URL}{round_.pk}/kjoring/", key="run-3").status_code in (401, 403)


def test_explanations_for_the_school_office(client, municipality, closed, office):
    round_, apps = closed
    client.force_login(office)
    assert post(client, f"{URL}{round_.pk}/kjoring/", key="r").status_code == 201
    at_b = next(p for p in Placement.objects.filter(run__round=round_) if p.wish_rank == 2)
    response = client.get(f"{URL}{round_.pk}/forklaringer/", {"soknad": at_b.application_id})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["placement"]["school_name"] == "Beta skole" and data["placement"]["wish_rank"] == 2
    [wish] = data["wishes"]
    assert wish["school_name"] == "Alfa skole" and wish["full"] and wish["last_group"] == "catchment"
    assert wish["her_group"] == "other" and "Alfa skole" in wish["text"]
    assert data["transport"] is None  # Beta is her catchment school
    for bad in ({}, {"soknad": "x"}, {"soknad": 10**12}, {"soknad": at_b.application_id, "kjoring": 10**12}):
        assert client.get(f"{URL}{round_.pk}/forklaringer/", bad).status_code in (400, 404)
    # the council reads rounds, not the children's data
    client.force_login(make_staff(Role.COUNCIL, municipality))
    assert client.get(f"{URL}{round_.pk}/forklaringer/", {"soknad": at_b.application_id}).status_code == 403


def test_another_municipality_gets_404(client, municipality, other_municipality, closed):
    round_, apps = closed
    stranger = make_staff(Role.SCHOOL_OFFICE, other_municipality, username="nabo")
    client.force_login(stranger)
    assert post(client, f"{URL}{round_.pk}/kjoring/").status_code == 404
    assert post(client, f"{URL}{round_.pk}/publisering/", key="p").status_code == 404
    assert client.get(f"{URL}{round_.pk}/forklaringer/", {"soknad": apps[0].pk}).status_code == 404
    body = {
        "municipality": municipality.number,
        "name": "X",
        "school_year": 2028,
        "opens_on": "2028-01-05",
        "closes_on": "2028-02-01",
        "priorities": ["catchment"],
    }
    assert post(client, URL, body, key="c").status_code == 400
    assert not AllocationRun.objects.exists() and Round.objects.count() == 1
    # nor may a school office use another municipality's school
    own = school(other_municipality, "Nabo skole")
    body = {**body, "municipality": other_municipality.number, "seats": [{"school": own.pk, "seats": 5}]}
    assert post(client, URL, body, key="d").status_code == 201
    body["seats"] = [{"school": round_.schools.first().school_id, "seats": 5}]
    assert post(client, URL, body, key="e").status_code == 400


def test_public_reading_and_special_needs_never_named(client, municipality, town, office):
    a, b, near_a, near_b = town
    round_ = school_round(municipality, {a: 1, b: 3}, priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT])
    application(round_, near_b, [a], special=a)
    application(round_, near_a, [a, b])
    from servicetorg.choice.schools import allocate, rounds

    allocate.run_main(round_, user=office)
    rounds.publish(round_, user=office)
    cutoff = Cutoff.objects.get(run__round=round_, school=a)
    assert cutoff.full and cutoff.last_group == 0  # special needs took Alfa's only seat
    data = client.get(f"{URL}{round_.pk}/grenser/").json()
    alfa = next(c for c in data["cutoffs"] if c["school"] == a.pk)
    assert alfa["full"] and alfa["last_group"] is None and alfa["last_lottery"] is None
    text = str(data).lower()
    assert not any(word in text for word in ("special", "decision", "særskilte", "særlige"))
    detail = client.get(f"{URL}{round_.pk}/")
    assert detail.status_code == 200 and detail.json()["priorities"] == ["special_needs", "catchment"]
    for bad in ("x", "0", "9" * 30):
        assert client.get(f"{URL}{bad}/").status_code == 404
    assert client.get(URL, {"school_year": "x"}).status_code == 400
    assert client.get(URL, {"state": "nonsense"}).status_code == 400
    assert client.get(URL, {"state": "published"}).json()["count"] == 1
    draft = school_round(municipality, {a: 1}, state=RoundState.DRAFT, name="Utkast")
    assert client.get(f"{URL}{draft.pk}/").status_code == 404
    client.force_login(make_staff(Role.COUNCIL, municipality))
    assert client.get(f"{URL}{draft.pk}/").status_code == 200  # staff read their own drafts
