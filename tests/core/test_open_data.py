"""The open-data registry, the DCAT-AP-NO catalogue, the data services and the glossary, read as the
national catalogue reads them (harvested into catalogue records, parsed with fdk-rdf-parser)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from fdk_rdf_parser import parse_concepts, parse_data_services, parse_datasets
from rdflib import Graph
from rdflib.namespace import DCAT, SKOS

from servicetorg.benchmarking.models import OfficialValue
from servicetorg.catalogue.models import ServiceArea
from servicetorg.core.choices import Role
from servicetorg.core.opendata import (
    Concept,
    DataService,
    Dataset,
    Distribution,
    RegistryError,
    dcat,
    get_registry,
    vocab,
)
from servicetorg.core.opendata import registry as registry_module
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Indicator, Source
from servicetorg.inquiries import services as inquiry_services
from tests.choice.conftest import build_scheme
from tests.factories import MunicipalityFactory, UnitFactory, make_service, make_staff
from tests.harvester import harvest
from tests.servicetest.helpers import walk_objects as servicetest_walk_objects
from tests.strategy.conftest import build_strategy

BASE = "https://tjenester.fjordvik.no"
ORG = "https://data.brreg.no/enhetsregisteret/api/enheter/940192226"
pytestmark = pytest.mark.django_db


def ds_uri(key):
    return f"{BASE}/apne-data/3999/datasett/{key}"


@pytest.fixture
def published(municipality):
    """A municipality with something in every dataset."""
    municipality.email = "postmottak@fjordvik.kommune.no"
    municipality.phone = "33 40 00 00"
    municipality.open_data_license = "CC_BY_4_0"
    municipality.save()
    area, _ = ServiceArea.objects.get_or_create(
        municipality=municipality, slug="barnehage", defaults={"name": "Barnehage"}
    )
    unit = UnitFactory(municipality=municipality, slug="bhg", name="Barnehagekontoret")
    make_service(municipality, area=area, unit=unit, slug="barnehageplass", name="Barnehageplass")
    for source, code in (
        (Source.KOSTRA, "kostra-1"),
        (Source.INQUIRY_KPI, "svar-i-tide"),
        (Source.SURVEY, "tilfreds"),
    ):
        indicator = Indicator.objects.create(
            municipality=municipality, code=code, name=f"Indikator {code}", unit_of_measure="%", source=source
        )
        for year, value in ((2024, "61.5"), (2025, "70")):
            indicator_services.record_value(
                indicator=indicator,
                municipality=municipality,
                year=year,
                value=Decimal(value),
                source=source,
                user=SYSTEM,
            )
    national = Indicator.objects.create(
        code="kostra-nasjonal", name="KOSTRA", unit_of_measure="%", source=Source.KOSTRA
    )
    OfficialValue.objects.create(  # benchmarking's official statistics of the municipality
        indicator=national, region_code="3999", year=2024, value=61.5, changed_at=timezone.now()
    )
    build_strategy(municipality, publish=True)
    build_scheme(municipality, adopt=True)  # user choice: its providers
    inquiry_services.register(
        municipality=municipality,
        channel="phone",
        subject="Når får vi svar om barnehageplass?",
        service=municipality.services.get(slug="barnehageplass"),
        user=make_staff(Role.DESK_WORKER, municipality),
    )
    organiser = MunicipalityFactory(name="Samarbeidsvik", number="3998", organization_number="964965226")
    servicetest_walk_objects(organiser, municipality)  # a published kommunetest that tested it
    return municipality


def catalogue_text(municipality, fmt="turtle"):
    return dcat.serialize_graph(dcat.build_graph(municipality, base_url=BASE), fmt)


# ------------------------------------------------------------------------------------------ registry
def test_every_module_registers_its_datasets():
    reg = get_registry()
    assert [d.key for d in reg.datasets] == [
        "tjenestekatalog",
        "serviceerklaeringer",
        "indikatorer",
        "servicetorget",
        "brukerundersokelser",
        "kostra",
        "open311-meldinger",
        "servicestrategi",
        "brukervalg-leverandorer",
        "skolevalg-grenser",
        "kommunetest-resultater",
        "kommunerangering",
    ]
    assert [s.key for s in reg.data_services] == ["rest-api", "open311"]
    assert {"serviceerklaering", "brukergaranti", "tjenestetrappa", "servicetorg"} <= {
        c.key for c in reg.concepts
    }
    assert reg.distribution("indikatorer.csv")[0].key == "indikatorer"
    assert reg.distribution("nope.csv") is None


def test_a_new_module_adds_a_dataset_by_registering_it(published, monkeypatch, settings):
    """What choice, benchmarking or servicetest will do: name a module in their AppConfig."""
    from django.apps import apps

    config = apps.get_app_config("portal")
    monkeypatch.setattr(config, "open_data", "tests.core.open_data_example", raising=False)
    get_registry.cache_clear()
    try:
        assert get_registry().dataset("skoleopptak") is not None
        graph = dcat.build_graph(published, base_url=BASE)
        assert (None, DCAT.dataset, dcat.URIRef(ds_uri("skoleopptak"))) in graph
        parsed = parse_datasets(
            harvest(catalogue_text(published), "turtle", [DCAT.Dataset])[ds_uri("skoleopptak")]
        )
        assert parsed[ds_uri("skoleopptak")].title == {"nb": "Skoleopptak", "en": "School admissions"}
    finally:
        get_registry.cache_clear()


def _reg(**kwargs):
    return registry_module.Registry(
        datasets=kwargs.get("datasets", ()),
        data_services=kwargs.get("data_services", ()),
        concepts=kwargs.get("concepts", ()),
    )


def _file(name):
    return Distribution(filename=name, title={"nb": name}, media_type="text/csv", file_type="CSV", render=str)


def _dataset(key, *files, concepts=()):
    return Dataset(
        key=key, title={"nb": key}, description={"nb": key}, distributions=files, concepts=concepts
    )


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: _reg(datasets=(_dataset("a", _file("a.csv")), _dataset("a", _file("b.csv")))),
            "Two datasets",
        ),
        (lambda: _reg(datasets=(_dataset("a", _file("x.csv")), _dataset("b", _file("x.csv")))), "Two files"),
        (lambda: _reg(datasets=(_dataset("a", _file("a.csv"), concepts=("nope",)),)), "unknown concept"),
        (
            lambda: _reg(
                datasets=(
                    _dataset(
                        "a",
                        Distribution(
                            filename="",
                            title={},
                            media_type="x",
                            file_type="JSON",
                            access_path="/x",
                            access_service="z",
                        ),
                    ),
                )
            ),
            "unknown data service",
        ),
        (
            lambda: _reg(
                data_services=(
                    DataService(
                        key="s",
                        title={},
                        description={},
                        endpoint_path="/",
                        openapi=dict,
                        description_path="/",
                        serves=("nope",),
                    ),
                )
            ),
            "unknown dataset",
        ),
        (
            lambda: _reg(concepts=(Concept(key="c", term={}, definition={}, see_also=("d",)),)),
            "unknown concept",
        ),
    ],
)
def test_the_registry_refuses_clashes_and_dangling_links(build, message):
    with pytest.raises(RegistryError, match=message):
        registry_module.check(build())


# ---------------------------------------------------------------------------- DCAT-AP-NO, as parsed
def test_every_dataset_reaches_the_national_catalogue_with_its_fields(published):
    text = catalogue_text(published)
    documents = harvest(text, "turtle", [DCAT.Dataset])
    assert set(documents) == {ds_uri(d.key) for d in get_registry().datasets}
    licence = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    for item in get_registry().datasets:
        uri = ds_uri(item.key)
        parsed = parse_datasets(documents[uri])
        assert list(parsed) == [uri]
        d = parsed[uri]
        where = item.key
        assert d.title == dict(item.title), where
        assert d.description == dict(item.description), where
        assert d.publisher.uri == ORG and d.publisher.id == "940192226", where
        assert d.publisher.name == "Fjordvik kommune", where
        [contact] = d.contactPoint
        assert contact.email == "postmottak@fjordvik.kommune.no", where
        assert contact.hasTelephone == "+4733400000", where
        assert contact.organizationName == {"nb": "Fjordvik kommune"}, where
        assert {t.code for t in d.theme} == set(item.themes), where
        assert [t.uri for t in d.losTheme] == [str(vocab.LOS_THEME[p]) for p in item.los_themes], where
        assert d.accrualPeriodicity.uri == str(vocab.FREQUENCY[item.frequency]), where
        assert d.accessRights.uri == str(vocab.PUBLIC), where
        [spatial] = d.spatial
        assert (spatial.uri, spatial.code, spatial.prefLabel) == (
            f"{BASE}/apne-data/3999/omrade",
            "3999",
            {"nb": "Fjordvik kommune"},
        ), where
        [period] = d.temporal
        assert period.startDate, where
        assert {frozenset(k.items()) for k in d.keyword} == {
            frozenset({lang: word}.items()) for lang, words in item.keywords.items() for word in words
        }, where
        assert d.catalog.uri == f"{BASE}/apne-data/3999/katalog", where
        assert d.catalog.title["nb"] == "Åpne data fra Fjordvik kommune", where
        # Distributions: address, licence, format, media type.
        assert len(d.distribution) == len(item.distributions), where
        for dist in d.distribution:
            [lic] = dist.license
            assert lic.uri == licence, where
            assert dist.accessURL, where
            assert dist.fdkFormat, where
        files = sorted(f"{BASE}/apne-data/3999/{x.filename}" for x in item.distributions if x.filename)
        assert sorted(u for dist in d.distribution for u in (dist.downloadURL or [])) == files, where
        # Terms the dataset uses.
        assert {s.uri for s in d.subject} == {f"{BASE}/apne-data/3999/begreper/{k}" for k in item.concepts}, (
            where
        )


def test_strategy_temporal_coverage_is_the_election_period(published):
    documents = harvest(catalogue_text(published), "turtle", [DCAT.Dataset])
    [period] = parse_datasets(documents[ds_uri("servicestrategi")])[ds_uri("servicestrategi")].temporal
    assert (period.startDate[:10], period.endDate[:10]) == ("2024-01-01", "2027-12-31")
    [period] = parse_datasets(documents[ds_uri("indikatorer")])[ds_uri("indikatorer")].temporal
    assert (period.startDate[:10], period.endDate[:10]) == ("2023-01-01", "2026-12-31")


def test_the_rest_api_and_open311_are_data_services_from_their_openapi(published):
    text = catalogue_text(published)
    documents = harvest(text, "turtle", [DCAT.DataService])
    rest = f"{BASE}/apne-data/3999/api/rest-api"
    open311 = f"{BASE}/apne-data/3999/api/open311"
    assert set(documents) == {rest, open311}
    parsed_rest = parse_data_services(documents[rest])[rest]
    assert parsed_rest.title["nb"] == "Servicetorgs REST-API"
    assert parsed_rest.title["en"] == "Servicetorg REST API"
    assert parsed_rest.endpointURL == {f"{BASE}/api/"}
    assert parsed_rest.endpointDescription == {f"{BASE}/api/schema/"}
    assert parsed_rest.publisher.id == "940192226"
    assert f"{BASE}/api/docs/" in parsed_rest.landingPage
    assert parsed_rest.servesDataset is None
    assert parsed_rest.accessRights.uri.endswith("/access-right/RESTRICTED")
    assert "https://www.iana.org/assignments/media-types/application/json" in {
        f.uri for f in parsed_rest.fdkFormat
    }
    parsed_311 = parse_data_services(documents[open311])[open311]
    assert parsed_311.endpointURL == {f"{BASE}/api/open311/v2/"}
    assert parsed_311.endpointDescription == {f"{BASE}/apne-data/api/open311.json"}
    assert parsed_311.servesDataset == {ds_uri("open311-meldinger")}
    assert parsed_311.accessRights.uri.endswith("/access-right/PUBLIC")
    assert {f.uri for f in parsed_311.fdkFormat} >= {
        "https://www.iana.org/assignments/media-types/application/json",
        "https://www.iana.org/assignments/media-types/text/xml",
    }
    assert parsed_311.conformsTo[0].uri == vocab.OPEN311


def test_the_open311_dataset_is_reached_through_its_data_service(published):
    documents = harvest(catalogue_text(published), "turtle", [DCAT.Dataset])
    d = parse_datasets(documents[ds_uri("open311-meldinger")])[ds_uri("open311-meldinger")]
    urls = {u for dist in d.distribution for u in dist.accessURL}
    assert urls == {
        f"{BASE}/api/open311/v2/requests.json?jurisdiction_id=3999",
        f"{BASE}/api/open311/v2/requests.xml?jurisdiction_id=3999",
    }
    assert {s.uri for dist in d.distribution for s in dist.accessService} == {
        f"{BASE}/apne-data/3999/api/open311"
    }


def test_the_glossary_reaches_the_catalogue_as_skos_ap_no(published):
    graph = dcat.build_concepts(published, base_url=BASE)
    text = dcat.serialize_graph(graph, "turtle")
    documents = harvest(text, "turtle", [SKOS.Concept])
    assert len(documents) == len(get_registry().concepts)
    uri = f"{BASE}/apne-data/3999/begreper/serviceerklaering"
    c = parse_concepts(documents[uri])[uri]
    assert c.prefLabel == {"nb": "serviceerklæring", "nn": "serviceerklæring", "en": "service declaration"}
    assert c.definition.text["nb"].startswith("Kommunens skriftlige løfte")
    assert set(c.definition.text) == {"nb", "nn", "en"}
    assert c.publisher.uri == ORG
    assert c.contactPoint.email == "postmottak@fjordvik.kommune.no"
    assert c.seeAlso == {
        f"{BASE}/apne-data/3999/begreper/brukergaranti",
        f"{BASE}/apne-data/3999/begreper/tjenestebeskrivelse",
    }
    assert c.collection.uri == f"{BASE}/apne-data/3999/begreper"
    uri = f"{BASE}/apne-data/3999/begreper/servicetorg"
    alternatives = parse_concepts(documents[uri])[uri].altLabel
    assert sorted(label["nb"] for label in alternatives) == ["innbyggertorg", "servicekontor"]


def test_every_dataset_links_only_to_terms_that_are_published(published):
    catalogue = dcat.build_graph(published, base_url=BASE)
    glossary = dcat.build_concepts(published, base_url=BASE)
    linked = set(catalogue.objects(None, dcat.DCTERMS.subject))
    assert linked
    assert linked <= set(glossary.subjects(dcat.RDF.type, SKOS.Concept))


def test_json_ld_says_the_same_as_turtle(published):
    turtle = Graph().parse(data=catalogue_text(published, "turtle"), format="turtle")
    jsonld = Graph().parse(data=catalogue_text(published, "json-ld"), format="json-ld")
    assert len(turtle) == len(jsonld)


# ------------------------------------------------------------------------------------ the files
def test_indicator_files(published):
    from servicetorg.indicators import open_data

    rows = list(csv.DictReader(io.StringIO(open_data.csv_text(published, open_data.FRONT_DESK))))
    assert [(r["indikator_kode"], r["aar"], r["verdi"], r["enhet"]) for r in rows] == [
        ("svar-i-tide", "2024", "61.5", "Hele kommunen"),
        ("svar-i-tide", "2025", "70", "Hele kommunen"),
    ]
    document = json.loads(open_data.jsonstat_text(published, open_data.FRONT_DESK, label="Servicetorget"))
    assert document["version"] == "2.0" and document["class"] == "dataset"
    assert document["id"] == ["indikator", "enhet", "år"]
    assert document["size"] == [1, 1, 2]
    assert document["value"] == [61.5, 70.0]
    assert document["dimension"]["indikator"]["category"]["label"] == {"svar-i-tide": "Indikator svar-i-tide"}
    assert document["role"]["time"] == ["år"]


def test_json_stat_fills_the_whole_cube(published):
    from servicetorg.indicators import open_data

    unit = UnitFactory(municipality=published, slug="skole", name="Skole")
    indicator = Indicator.objects.get(code="tilfreds")
    indicator_services.record_value(
        indicator=indicator,
        municipality=published,
        unit=unit,
        year=2025,
        value=Decimal("4.2"),
        source=Source.SURVEY,
        user=SYSTEM,
    )
    document = json.loads(open_data.jsonstat_text(published, open_data.SURVEYS, label="x"))
    assert document["size"] == [1, 2, 2]
    # enhet: "Hele kommunen", "Skole" × år: 2024, 2025; Skole has no 2024 value.
    assert document["value"] == [61.5, 70.0, None, 4.2]


def test_empty_datasets_are_valid_files(municipality):
    from servicetorg.indicators import open_data

    assert open_data.csv_text(municipality, open_data.SURVEYS).splitlines() == [
        ",".join(open_data.CSV_COLUMNS)
    ]
    document = json.loads(open_data.jsonstat_text(municipality, open_data.SURVEYS, label="x"))
    assert document["value"] == [] and document["size"] == [0, 0, 0]
    from servicetorg.strategy import open_data as strategy_data

    assert strategy_data.csv_text(municipality).splitlines() == [",".join(strategy_data.CSV_COLUMNS)]


def test_strategy_file_has_targets_and_results(published):
    from servicetorg.strategy import open_data as strategy_data

    rows = list(csv.DictReader(io.StringIO(strategy_data.csv_text(published))))
    assert len(rows) == 2 * 4  # two goals × four years
    first = rows[0]
    assert (first["mal"], first["aar"], first["maal"], first["resultat"], first["utgangspunkt_aar"]) == (
        "Mål 0",
        "2024",
        "60",
        "62",
        "2023",
    )
    assert first["periode"] == "2024–2027"
