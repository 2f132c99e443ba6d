"""The portal's open-data page and the files it links to (/apne-data/<kommunenummer>/…)."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from rdflib import Graph

from servicetorg.catalogue import declarations
from servicetorg.catalogue.models import ServiceDescription
from servicetorg.core.opendata import get_registry

from ..factories import ServiceAreaFactory, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(municipality):
    area = ServiceAreaFactory(municipality=municipality, name="Barnehage", slug="barnehage", position=1)
    make_service(
        municipality,
        area=area,
        slug="barnehageplass",
        name="Barnehageplass",
        declaration="Vi svarer innen to virkedager.",
        promises=[
            {
                "kind": "reply",
                "limit_value": 2,
                "limit_unit": "working_days",
                "text": "Svar innen to virkedager.",
                "guarantee": "Du får 500 kroner om vi ikke svarer i tide.",
                "compensation_amount": "500.00",
            },
            {"kind": "decision", "limit_value": 4, "limit_unit": "weeks"},
        ],
    )
    make_service(municipality, area=area, slug="renovasjon", name="Renovasjon", promises=[])
    return municipality


def links(body: str) -> list[str]:
    return re.findall(r'href="([^"#]+)"', body)


def test_the_page_lists_every_dataset_with_links_that_work(client, catalogue):
    response = client.get(reverse("portal:open-data", args=["3999"]))
    assert response.status_code == 200
    body = response.content.decode()
    for dataset in get_registry().datasets:
        assert f'id="{dataset.key}"' in body
        assert dataset.title["nb"] in body
    # Every link on the page to open data answers (files, catalogue, glossary, API descriptions).
    targets = [u for u in links(body) if u.startswith(("/apne-data/", "/api/"))]
    assert len(targets) > 15
    for url in sorted(set(targets)):
        answer = client.get(url)
        assert answer.status_code == 200, url
    assert "Norsk lisens for offentlige data" in body or "NLOD" in body


def test_the_page_is_in_english_too(client, catalogue):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("portal:open-data", args=["3999"])).content.decode()
    assert "Service declarations and user guarantees" in body
    assert "Updated as soon as something changes." in body


@pytest.mark.parametrize("number", ["0000", "39", "abcd", "3999x"])
def test_unknown_municipalities_are_404(client, catalogue, number):
    assert client.get(f"/apne-data/{number}/").status_code == 404
    assert client.get(f"/apne-data/{number}/katalog.ttl").status_code == 404


@pytest.mark.parametrize("name", ["nope.csv", "..%2Fsettings.py", "tjenester.xml"])
def test_unknown_files_are_404(client, catalogue, name):
    assert client.get(f"/apne-data/3999/{name}").status_code == 404


@pytest.mark.parametrize(
    "name, content_type, fmt",
    [
        ("katalog.ttl", "text/turtle", "turtle"),
        ("katalog.jsonld", "application/ld+json", "json-ld"),
        ("begreper.ttl", "text/turtle", "turtle"),
        ("begreper.jsonld", "application/ld+json", "json-ld"),
        ("serviceerklaeringer.ttl", "text/turtle", "turtle"),
        ("serviceerklaeringer.jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_rdf_files_parse(client, catalogue, name, content_type, fmt):
    response = client.get(f"/apne-data/3999/{name}")
    assert response["Content-Type"].startswith(content_type)
    assert response["Access-Control-Allow-Origin"] == "*"
    graph = Graph().parse(data=response.content.decode(), format=fmt)
    assert len(graph) > 10


def test_declarations_as_csv(client, catalogue):
    response = client.get("/apne-data/3999/serviceerklaeringer.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["tjeneste"], r["lofte"], r["frist"], r["enhet"], r["frist_virkedager"]) for r in rows] == [
        ("Barnehageplass", "Svar", "2", "virkedager", "2"),
        ("Barnehageplass", "Vedtak", "4", "uker", "20"),
    ]
    assert rows[0]["kompensasjon_nok"] == "500.00"
    assert rows[0]["garanti"] == "Du får 500 kroner om vi ikke svarer i tide."
    assert rows[0]["tjeneste_id"].endswith("/apne-data/3999/tjenester/barnehageplass")


def test_declarations_conform_to_their_vocabularys_shapes(client, catalogue):
    from pyshacl import validate

    graph = declarations.build_graph(catalogue, base_url="https://t.no")
    conforms, _, report = validate(graph, shacl_graph=declarations.vocabulary(), inference="rdfs")
    assert conforms, report
    se = declarations.SE
    promise = next(graph.subjects(se.promiseKind, se.Decision))
    assert str(graph.value(promise, se.timeLimit)) == "P28D"
    assert int(graph.value(promise, se.workingDays)) == 20
    # Broken: a promise without a limit.
    graph.remove((promise, se.limitValue, None))
    assert not validate(graph, shacl_graph=declarations.vocabulary(), inference="rdfs")[0]


def test_the_cpsv_export_links_each_service_to_its_declaration(client, catalogue):
    turtle = client.get("/apne-data/3999/tjenester.ttl").content.decode()
    graph = Graph().parse(data=turtle, format="turtle")
    se = declarations.SE
    linked = {str(o) for o in graph.objects(None, se.declaration)}
    assert linked == {"http://testserver/apne-data/3999/tjenester/barnehageplass#serviceerklaering"}
    decl = Graph().parse(
        data=client.get("/apne-data/3999/serviceerklaeringer.ttl").content.decode(), format="turtle"
    )
    assert set(map(str, decl.subjects(declarations.RDF.type, se.ServiceDeclaration))) == linked


def test_the_vocabulary_and_the_open311_description_are_served(client, catalogue):
    vocabulary = client.get("/apne-data/vokabular/serviceerklaering.ttl")
    assert vocabulary.status_code == 200
    assert len(Graph().parse(data=vocabulary.content.decode(), format="turtle")) > 50
    assert client.get("/apne-data/vokabular/nope.ttl").status_code == 404
    document = client.get("/apne-data/api/open311.json").json()
    assert document["openapi"].startswith("3.0")
    assert "/requests.{fmt}" in document["paths"]
    assert client.get("/apne-data/api/nope.json").status_code == 404


def test_a_file_follows_the_data_it_holds(client, catalogue):
    first = client.get("/apne-data/3999/serviceerklaeringer.csv").content.decode()
    version = ServiceDescription.objects.get(service__slug="barnehageplass", state="published")
    promise = version.promises.get(kind="reply")
    promise.limit_value = 3
    promise.save()
    # The cache key follows the services' last change; publishing a new version moves it.
    from servicetorg.catalogue.models import Service

    Service.objects.filter(slug="barnehageplass").update(updated_at=version.created_at.replace(year=2099))
    second = client.get("/apne-data/3999/serviceerklaeringer.csv").content.decode()
    assert first != second
    assert ",Svar,3,virkedager,3," in second


def test_catalogue_licence_follows_the_municipality(client, catalogue):
    text = client.get("/apne-data/3999/katalog.ttl").content.decode()
    assert "licence/NLOD_2_0" in text
    catalogue.open_data_license = "CC_BY_4_0"
    catalogue.save()
    text = client.get("/apne-data/3999/katalog.ttl").content.decode()
    assert "licence/CC_BY_4_0" in text and "licence/NLOD_2_0" not in text


def test_jsonstat_is_json(client, catalogue):
    response = client.get("/apne-data/3999/indikatorer.json")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["version"] == "2.0"
