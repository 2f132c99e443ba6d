"""Open data of user choice: the providers a user may choose per scheme in force (CSV and JSON),
registered in the open-data registry; never personal data."""

import csv
import io
import json

import pytest

from servicetorg.choice.models import ApplicationState, Choice, ChoiceHow, Decision
from servicetorg.core.opendata import get_registry
from tests.factories import UnitFactory

from .conftest import build_scheme
from .people import INGRID, approve, make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(municipality, other_municipality):
    scheme = build_scheme(municipality, adopt=True)
    municipal = make_provider(municipality, "Hjemmetjenesten", unit=UnitFactory(municipality=municipality))
    full = make_provider(municipality, "Liten Hjelp AS", capacity=1, districts="Sentrum, Nord")
    full.languages, full.fixed_helper = "norsk, polsk", True
    full.save()
    open_ = make_provider(municipality, "Stor Hjelp AS", capacity=50)
    rejected = make_provider(municipality, "Avvist AS")
    scheme.default_provider = municipal
    scheme.save(update_fields=["default_provider"])
    approve(scheme, full)
    approve(scheme, open_)
    application = approve(scheme, rejected)
    application.state = ApplicationState.REJECTED
    application.save()
    decision = Decision.objects.create(
        municipality=municipality,
        scheme=scheme,
        national_id=INGRID,
        name="Ingrid Hansen",
        decided_on=scheme.valid_from,
        valid_from=scheme.valid_from,
    )
    Choice.objects.create(
        decision=decision, provider=full, how=ChoiceHow.ACTIVE, effective_from=scheme.valid_from
    )
    # another municipality's provider never shows
    other = build_scheme(other_municipality, adopt=True)
    approve(other, make_provider(other_municipality, "Annen Kommune AS"))
    return scheme


def test_registered_with_csv_and_json():
    dataset = get_registry().dataset("brukervalg-leverandorer")
    assert dataset is not None
    assert {d.filename for d in dataset.distributions} == {
        "brukervalg-leverandorer.csv",
        "brukervalg-leverandorer.json",
    }


def test_csv_lists_approved_providers_and_whether_they_take_new_users(client, providers):
    response = client.get("/apne-data/3999/brukervalg-leverandorer.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["leverandor"], r["kommunal"], r["tar_nye_brukere"]) for r in rows] == [
        ("Hjemmetjenesten", "ja", "ja"),
        ("Liten Hjelp AS", "nei", "nei"),  # capacity 1, one user
        ("Stor Hjelp AS", "nei", "ja"),
    ]
    liten = rows[1]
    assert liten["bydeler"] == "Sentrum; Nord" and liten["sprak"] == "norsk; polsk"
    assert liten["fast_hjelper"] == "ja"
    assert liten["organisasjonsnummer"].isdigit() and len(liten["organisasjonsnummer"]) == 9
    assert "Avvist AS" not in body and "Annen Kommune AS" not in body
    assert "Ingrid" not in body and INGRID not in body


def test_json_groups_providers_by_scheme(client, providers):
    response = client.get("/apne-data/3999/brukervalg-leverandorer.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["kommunenummer"] == "3999"
    [scheme] = document["ordninger"]
    assert scheme["ordning"] == providers.name
    names = [p["leverandor"] for p in scheme["leverandorer"]]
    assert names == ["Hjemmetjenesten", "Liten Hjelp AS", "Stor Hjelp AS"]
    liten = scheme["leverandorer"][1]
    assert liten["bydeler"] == ["Sentrum", "Nord"] and liten["tar_nye_brukere"] is False
    assert set(liten) == {
        "leverandor",
        "organisasjonsnummer",
        "kommunal",
        "bydeler",
        "sprak",
        "fast_hjelper",
        "tar_nye_brukere",
        "kapasitet_brukere",
    }
    assert "Ingrid" not in response.content.decode()


def test_no_scheme_in_force_gives_an_empty_file(client, municipality):
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/apne-data/3999/brukervalg-leverandorer.csv").content.decode())
        )
    )
    assert rows == []
