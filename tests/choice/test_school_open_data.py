"""Open data of school choice: the published cutoff per round and school (CSV and JSON), registered
through the choice app's open-data module; only published rounds, no personal data, a special-needs
priority never named."""

import csv
import io
import json

import pytest

from servicetorg.choice.schools import allocate, rounds
from servicetorg.choice.schools.models import Priority, RoundState
from servicetorg.core.opendata import get_registry
from servicetorg.core.permissions import SYSTEM

from .school_factories import address, application, child_number, school, school_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(municipality, other_municipality):
    a = school(municipality, "Alfa skole", lat="59.0500", lon="10.0000")
    b = school(municipality, "Beta skole", lat="59.0500", lon="10.1000")
    c = school(municipality, "Gamma skole", lat="59.1000", lon="10.0500")
    near_a = address(municipality, "Alfaveien 1", a, lat="59.0505", lon="10.0005")
    near_b = address(municipality, "Betaveien 1", b, lat="59.0505", lon="10.1005")
    near_c = address(municipality, "Gammaveien 1", c, lat="59.1005", lon="10.0505")
    round_ = school_round(
        municipality,
        {a: 1, b: 2, c: 5},
        priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT, Priority.SIBLING],
    )
    number = child_number()
    application(round_, near_c, [c], special=c, name="Sara Spesiell", number=number)
    application(round_, near_a, [a, b], name="Anna Alfa")
    application(round_, near_b, [a, b], name="Berit Beta")
    application(round_, near_c, [b], siblings=[b], name="Siri Søsken")
    application(round_, near_c, [b, a], name="Gunn Gamma")
    allocate.run_main(round_, user=SYSTEM)
    rounds.publish(round_, user=SYSTEM)
    # a round not yet published, and another municipality's published round, never show
    draft = school_round(municipality, {a: 3}, name="Skolestart 2028", state=RoundState.CLOSED)
    application(draft, near_a, [a])
    allocate.run_main(draft, user=SYSTEM)
    x = school(other_municipality, "Nabo skole")
    other = school_round(other_municipality, {x: 2}, name="Nabovik 2027")
    application(other, address(other_municipality, "Naboveien 1", x), [x])
    allocate.run_main(other, user=SYSTEM)
    rounds.publish(other, user=SYSTEM)
    return round_, number


def test_registered_with_csv_and_json_and_its_terms():
    registry = get_registry()
    dataset = registry.dataset("skolevalg-grenser")
    assert dataset is not None and "EDUC" in dataset.themes
    assert {d.filename for d in dataset.distributions} == {"skolevalg-grenser.csv", "skolevalg-grenser.json"}
    assert {"fritt-skolevalg", "naerskole"} <= {c.key for c in registry.concepts}
    assert registry.dataset("brukervalg-leverandorer") is not None  # user choice's own stays


def test_csv_has_one_row_per_school_of_the_published_round(client, published):
    round_, number = published
    response = client.get("/apne-data/3999/skolevalg-grenser.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["opptak"], r["skole"], r["plasser"], r["tildelt"], r["full"]) for r in rows] == [
        ("Skolestart 2027", "Alfa skole", "1", "1", "ja"),
        ("Skolestart 2027", "Beta skole", "2", "2", "ja"),
        ("Skolestart 2027", "Gamma skole", "5", "2", "nei"),
    ]
    alfa, beta, gamma = rows
    assert alfa["siste_plass_gruppe"] == "naerskole" and int(alfa["siste_plass_loddnummer"]) >= 1
    assert alfa["forstevalg"] == "2" and beta["forstevalg"] == "2"
    assert beta["siste_plass_gruppe"] in {"naerskole", "sosken", "ovrige"}
    assert gamma["siste_plass_gruppe"] == "" and gamma["siste_plass_loddnummer"] == ""
    for secret in ("Sara", "Anna", "Berit", "Siri", "Gunn", number, "spesielle_behov"):
        assert secret not in body
    assert "Skolestart 2028" not in body and "Nabo" not in body


def test_json_holds_the_rules_and_the_seed_and_never_names_special_needs(client, municipality, published):
    round_, number = published
    response = client.get("/apne-data/3999/skolevalg-grenser.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["kommunenummer"] == "3999"
    [entry] = document["opptak"]
    assert entry["opptak"] == "Skolestart 2027" and entry["trinn"] == 1
    assert entry["prioriteter"] == ["spesielle_behov", "naerskole", "sosken", "ovrige"]  # the published rules
    assert entry["loddfro"] == "seed-for-tests" and len(entry["loddfro_sha256"]) == 64
    assert [s["skole"] for s in entry["skoler"]] == ["Alfa skole", "Beta skole", "Gamma skole"]
    assert number not in response.content.decode()


def test_a_last_seat_by_special_needs_is_not_named(municipality):
    a = school(municipality, "Alfa skole")
    near = address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 1}, priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT])
    application(round_, near, [a], special=a)
    application(round_, near, [a])
    allocate.run_main(round_, user=SYSTEM)
    rounds.publish(round_, user=SYSTEM)
    from servicetorg.choice.schools import open_data

    [row] = open_data.rows(municipality)
    assert row["full"] and row["siste_plass_gruppe"] is None and row["siste_plass_loddnummer"] is None


def test_empty_files_are_valid(municipality):
    from servicetorg.choice.schools import open_data

    assert open_data.csv_text(municipality).splitlines() == [",".join(open_data.CSV_COLUMNS)]
    assert json.loads(open_data.json_text(municipality))["opptak"] == []
