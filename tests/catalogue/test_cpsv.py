"""CPSV-AP-NO open-data export (catalogue/cpsv.py, shapes/cpsv-ap-no.ttl, export_cpsv)."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from servicetorg.catalogue import cpsv, demo_data
from servicetorg.catalogue import services as catalogue_services
from servicetorg.catalogue.cpsv import CHANNEL_TYPE, CPSV, CV, LOS_THEME, SCHEMA
from servicetorg.catalogue.models import ServiceArea
from servicetorg.core.models import Unit
from servicetorg.core.permissions import SYSTEM
from tests.factories import UnitFactory, make_service

BASE = "https://tjenester.fjordvik.no"
ORG = URIRef("https://data.brreg.no/enhetsregisteret/api/enheter/940192226")
pytestmark = pytest.mark.django_db


def iri(slug, number="3999", base=BASE):
    return URIRef(f"{base}/apne-data/{number}/tjenester/{slug}")


@pytest.fixture
def area(municipality):
    # New municipalities may already have the ten default areas; reuse "barnehage" if so.
    area, _ = ServiceArea.objects.get_or_create(
        municipality=municipality,
        slug="barnehage",
        defaults={"name": "Barnehage", "name_en": "Kindergarten", "position": 1},
    )
    return area


@pytest.fixture
def unit(municipality):
    return UnitFactory(
        municipality=municipality,
        slug="barnehagekontoret",
        name="Barnehagekontoret",
        phone="33 40 01 20",
        email="barnehage@fjordvik.kommune.no",
        opening_hours="Mandag–fredag 08.00–15.30",
    )


@pytest.fixture
def barnehage(municipality, area, unit):
    return make_service(
        municipality,
        area=area,
        unit=unit,
        slug="barnehageplass",
        name="Barnehageplass",
        summary="Søk om plass i barnehage.",
        expectations="Barn med rett til plass får plass fra august.",
        channels=["web_form", "phone", "counter", "email", "letter", "social_media"],
        application_url="https://fjordvik.kommune.no/skjema/barnehageplass",
        price="Maksimalpris 1 200 kroner i måneden.",
        price_amount="1200.00",
        legal_basis="Barnehageloven § 16",
        legal_basis_url="https://lovdata.no/lov/2005-06-17-64",
    )


def parse(text, fmt):
    return Graph().parse(data=text, format=fmt)


def test_turtle_export_describes_the_service(municipality, barnehage):
    graph = parse(cpsv.serialize(municipality, "turtle", base_url=BASE), "turtle")
    service = iri("barnehageplass")

    assert (service, RDF.type, CPSV.PublicService) in graph
    assert graph.value(service, DCTERMS.identifier) == Literal(str(service), datatype=ns.XSD.anyURI)
    assert graph.value(service, DCTERMS.title) == Literal("Barnehageplass", lang="nb")
    assert graph.value(service, DCTERMS.description) == Literal("Søk om plass i barnehage.", lang="nb")
    assert graph.value(service, SCHEMA.url) == URIRef(f"{BASE}/tjenester/barnehageplass/")

    # The municipality is the competent authority, identified by its organisation number.
    assert list(graph.objects(service, CV.hasCompetentAuthority)) == [ORG]
    assert (ORG, RDF.type, CV.PublicOrganisation) in graph
    assert graph.value(ORG, DCTERMS.identifier) == Literal("940192226")
    assert graph.value(ORG, SKOS.prefLabel) == Literal("Fjordvik", lang="nb")

    # Channels are typed with Digdir's service channel types.
    types = {graph.value(c, DCTERMS.type) for c in graph.objects(service, CV.hasChannel)}
    assert types == {
        CHANNEL_TYPE["online-service"],
        CHANNEL_TYPE["telephone"],
        CHANNEL_TYPE["service-bureau"],
        CHANNEL_TYPE["e-mail"],
        CHANNEL_TYPE["mail"],
        CHANNEL_TYPE["homepage"],
    }
    web = URIRef(f"{service}#kanal-web-form")
    assert str(graph.value(web, URIRef("http://www.w3.org/2006/vcard/ns#hasURL"))).endswith("/barnehageplass")

    # Cost with amount and currency.
    cost = graph.value(service, CV.hasCost)
    assert (cost, RDF.type, CV.Cost) in graph
    assert graph.value(cost, CV.value).toPython() == Decimal("1200.00")
    assert graph.value(cost, CV.currency) == cpsv.NOK
    assert "1 200 kroner" in str(graph.value(cost, DCTERMS.description))

    # Legal basis as a rule linked to the law.
    rule = graph.value(service, CPSV.follows)
    assert (rule, RDF.type, CPSV.Rule) in graph
    assert graph.value(rule, DCTERMS.description) == Literal("Barnehageloven § 16", lang="nb")
    law = graph.value(rule, CPSV.implements)
    assert law == URIRef(f"{service}#regelverk") == graph.value(service, CV.hasLegalResource)
    assert graph.value(law, ns.RDFS.seeAlso) == URIRef("https://lovdata.no/lov/2005-06-17-64")
    assert graph.value(law, DCTERMS.title) == Literal("Barnehageloven § 16", lang="nb")

    # Contact point from the responsible unit.
    contact = graph.value(service, CV.contactPoint)
    assert graph.value(contact, CV.telephone) == Literal("tel:+4733400120")
    assert graph.value(contact, CV.email) == Literal(
        "mailto:barnehage@fjordvik.kommune.no", datatype=ns.XSD.anyURI
    )

    # Thematic area (LOS), the area as a concept, keywords, output, processing time (4 weeks).
    assert graph.value(service, CV.thematicArea) == LOS_THEME["barnehage"]
    subject = graph.value(service, DCTERMS.subject)
    assert graph.value(subject, SKOS.prefLabel, any=True) in {
        Literal("Barnehage", lang="nb"),
        Literal("Kindergarten", lang="en"),
    }
    assert Literal("Barnehage", lang="nb") in set(graph.objects(service, ns.DCAT.keyword))
    output = graph.value(service, CPSV.produces)
    assert (output, RDF.type, CV.Output) in graph
    assert graph.value(service, CV.processingTime) == Literal("P28D", datatype=ns.XSD.duration)

    # The catalogue lists the service and is published by the municipality.
    catalogue = URIRef(f"{BASE}/apne-data/3999/tjenester")
    assert (catalogue, cpsv.DCATNO.containsService, service) in graph
    assert graph.value(catalogue, DCTERMS.publisher) == ORG


def test_json_ld_carries_the_same_graph_as_turtle(municipality, barnehage):
    turtle = cpsv.serialize(municipality, "turtle", base_url=BASE)
    jsonld = cpsv.serialize(municipality, "json-ld", base_url=BASE)
    document = json.loads(jsonld)
    assert document["@context"]["cpsv"] == "http://purl.org/vocab/cpsv#"
    assert isomorphic(parse(turtle, "turtle"), parse(jsonld, "json-ld"))


def test_export_conforms_to_the_shapes(municipality, barnehage, area):
    # A sparse service too: no unit, price, legal basis or promises.
    make_service(
        municipality, area=area, slug="informasjon", name="Informasjon", channels=["phone"], promises=[]
    )
    graph = cpsv.build_graph(municipality, base_url=BASE)
    conforms, report = cpsv.validate(graph)
    assert conforms, report
    sparse = iri("informasjon")
    assert graph.value(sparse, CV.hasCost) is None
    assert graph.value(sparse, CPSV.follows) is None
    assert graph.value(sparse, CV.processingTime) is None


def _drop_title(graph, service):
    graph.remove((service, DCTERMS.title, None))


def _second_authority(graph, service):
    other = URIRef("https://data.brreg.no/enhetsregisteret/api/enheter/964965226")
    graph.add((other, RDF.type, CV.PublicOrganisation))
    graph.add((other, DCTERMS.identifier, Literal("964965226")))
    graph.add((service, CV.hasCompetentAuthority, other))


def _cost_without_currency(graph, service):
    graph.remove((graph.value(service, CV.hasCost), CV.currency, None))


def _unknown_channel_type(graph, service):
    channel = URIRef(f"{service}#kanal-phone")
    graph.set((channel, DCTERMS.type, URIRef("https://example.org/carrier-pigeon")))


def _bad_organisation_number(graph, service):
    graph.set((ORG, DCTERMS.identifier, Literal("Fjordvik")))


def _title_without_language(graph, service):
    graph.set((service, DCTERMS.title, Literal("Barnehageplass")))


def _bad_processing_time(graph, service):
    graph.set((service, CV.processingTime, Literal("fire uker")))


def _no_contact_point(graph, service):
    graph.remove((service, CV.contactPoint, None))


def _no_owner(graph, service):
    graph.remove((service, CV.ownedBy, None))


def _old_status_vocabulary(graph, service):
    graph.set((service, cpsv.ADMS.status, URIRef("http://purl.org/adms/status/Completed")))


def _no_possible_output(graph, service):
    graph.remove((service, cpsv.CPSVNO.hasPossibleOutput, None))


def _contact_point_without_ways_to_reach(graph, service):
    contact = graph.value(service, CV.contactPoint)
    for predicate in (CV.email, CV.telephone, CV.contactPage):
        graph.remove((contact, predicate, None))


@pytest.mark.parametrize(
    "break_graph, expected",
    [
        (_no_contact_point, "kontaktpunkt (cv:contactPoint)"),
        (_no_owner, "cv:ownedBy"),
        (_old_status_vocabulary, "distribution-status"),
        (_no_possible_output, "cpsvno:hasPossibleOutput"),
        (_contact_point_without_ways_to_reach, "e-post, telefon eller kontaktside"),
        (_drop_title, "title"),
        (_second_authority, "hasCompetentAuthority"),
        (_cost_without_currency, "currency"),
        (_unknown_channel_type, "tjenestekanaltyper"),
        (_bad_organisation_number, "organisasjonsnummeret"),
        (_title_without_language, "title"),
        (_bad_processing_time, "processingTime"),
    ],
)
def test_shapes_catch_a_broken_export(municipality, barnehage, break_graph, expected):
    graph = cpsv.build_graph(municipality, base_url=BASE)
    assert cpsv.validate(graph)[0]
    break_graph(graph, iri("barnehageplass"))
    conforms, report = cpsv.validate(graph)
    assert not conforms
    assert expected in report


def test_only_published_services_are_exported(municipality, area, barnehage):
    make_service(municipality, area=area, slug="utkast", name="Utkast", publish=False)
    withdrawn = make_service(municipality, area=area, slug="trukket", name="Trukket")
    catalogue_services.withdraw(withdrawn, user=SYSTEM)
    # A published service with a new draft is exported with its published text.
    catalogue_services.save_draft(
        catalogue_services.ensure_draft(barnehage, user=SYSTEM),
        description={"name": "Nytt navn i utkast"},
        user=SYSTEM,
    )

    graph = cpsv.build_graph(municipality, base_url=BASE)
    services = set(graph.subjects(RDF.type, CPSV.PublicService))
    assert services == {iri("barnehageplass")}
    assert graph.value(iri("barnehageplass"), DCTERMS.title) == Literal("Barnehageplass", lang="nb")
    assert "Utkast" not in cpsv.serialize(municipality, "turtle")
    assert "Trukket" not in cpsv.serialize(municipality, "json-ld")


def test_other_municipalities_services_are_not_exported(municipality, other_municipality, barnehage):
    make_service(other_municipality, slug="barnehageplass", name="Nabovik barnehage")
    make_service(other_municipality, slug="nabovik-renovasjon", name="Renovasjon i Nabovik")

    graph = cpsv.build_graph(municipality, base_url=BASE)
    assert set(graph.subjects(RDF.type, CPSV.PublicService)) == {iri("barnehageplass")}
    assert set(graph.subjects(RDF.type, CV.PublicOrganisation)) == {ORG}
    assert "Nabovik" not in graph.serialize(format="turtle")

    other = cpsv.build_graph(other_municipality, base_url=BASE)
    assert set(other.subjects(RDF.type, CPSV.PublicService)) == {
        iri("barnehageplass", "3998"),
        iri("nabovik-renovasjon", "3998"),
    }


def test_export_reads_with_a_fixed_number_of_queries(municipality, area, unit, django_assert_num_queries):
    for n in range(6):
        make_service(
            municipality, area=area, unit=unit if n % 2 else None, slug=f"tjeneste-{n}", name=f"T {n}"
        )
    with django_assert_num_queries(2):
        graph = cpsv.build_graph(municipality, base_url=BASE)
    assert len(set(graph.subjects(RDF.type, CPSV.PublicService))) == 6


def test_base_url_comes_from_the_portal_host_or_the_local_default(municipality, barnehage):
    assert cpsv.base_url_for(municipality) == "http://127.0.0.1:8000"
    graph = cpsv.build_graph(municipality)
    assert (iri("barnehageplass", base="http://127.0.0.1:8000"), RDF.type, CPSV.PublicService) in graph

    municipality.portal_host = "tjenester.fjordvik.kommune.no"
    municipality.save()
    graph = cpsv.build_graph(municipality)
    expected = iri("barnehageplass", base="https://tjenester.fjordvik.kommune.no")
    assert (expected, RDF.type, CPSV.PublicService) in graph
    assert cpsv.base_url_for(municipality, "https://example.no/") == "https://example.no"


def test_iris_are_stable_between_exports(municipality, barnehage):
    first = cpsv.serialize(municipality, base_url=BASE)
    assert cpsv.serialize(municipality, base_url=BASE) == first
    graph = parse(first, "turtle")
    # Every node has an IRI of its own (no blank nodes), derived from the slug, not database ids.
    assert not [node for node in graph.all_nodes() if isinstance(node, BNode)]
    service = iri("barnehageplass")
    parts = {s for s in graph.subjects() if str(s).startswith(str(service))}
    assert parts == {
        service,
        *(
            URIRef(f"{service}#{part}")
            for part in ("gebyr", "regel", "regelverk", "kontaktpunkt", "apningstid", "resultat")
        ),
        *(
            URIRef(f"{service}#kanal-{c}")
            for c in ("web-form", "phone", "counter", "email", "letter", "social-media")
        ),
    }


@pytest.mark.parametrize(
    "promises, expected",
    [
        ([{"kind": "reply", "limit_value": 2, "limit_unit": "working_days"}], "P2D"),
        (
            [
                {"kind": "reply", "limit_value": 2, "limit_unit": "working_days"},
                {"kind": "decision", "limit_value": 10, "limit_unit": "working_days"},
            ],
            "P10D",
        ),
        ([{"kind": "decision", "limit_value": 3, "limit_unit": "weeks"}], "P21D"),
        ([{"kind": "delivery", "limit_value": 2, "limit_unit": "weeks"}], None),
    ],
)
def test_processing_time_comes_from_the_decision_or_reply_promise(municipality, area, promises, expected):
    make_service(municipality, area=area, slug="frist", promises=promises)
    value = cpsv.build_graph(municipality, base_url=BASE).value(iri("frist"), CV.processingTime)
    assert (str(value) if value is not None else None) == expected


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("33 40 00 00", "tel:+4733400000"),
        ("+47 33 40 00 00", "tel:+4733400000"),
        ("0047 800 80 000", "tel:+4780080000"),
        ("ring oss", None),
        ("", None),
    ],
)
def test_telephone_uri(phone, expected):
    assert cpsv.telephone_uri(phone) == expected


def test_unknown_format_is_refused(municipality):
    with pytest.raises(ValueError, match="turtle"):
        cpsv.serialize(municipality, "rdf/xml")


@pytest.mark.slow  # the whole demo catalogue through SHACL
def test_the_whole_demo_catalogue_conforms(municipality):
    """Every demo service, published through the catalogue's own operations, exports validly."""
    areas = {
        slug: ServiceArea.objects.get_or_create(
            municipality=municipality, slug=slug, defaults={"name": nb, "name_en": en, "position": i}
        )[0]
        for i, (slug, nb, en) in enumerate(demo_data.AREAS)
    }
    units = {u["slug"]: Unit.objects.create(municipality=municipality, **u) for u in demo_data.UNITS}
    for data in demo_data.SERVICES:
        description = {k: data[k] for k in catalogue_services.DESCRIPTION_FIELDS}
        service = catalogue_services.create_service(
            user=SYSTEM,
            municipality=municipality,
            area=areas[data["area"]],
            slug=data["slug"],
            responsible_unit=units[data["unit"]],
            ladder_level=data["ladder_level"],
            channels=data["channels"],
            requires_national_id=data["requires_national_id"],
            description=description,
            promises=data["promises"],
        )
        catalogue_services.publish(service.versions.get(), user=SYSTEM)

    graph = cpsv.build_graph(municipality, base_url=BASE)
    assert len(set(graph.subjects(RDF.type, CPSV.PublicService))) == len(demo_data.SERVICES)
    conforms, report = cpsv.validate(graph)
    assert conforms, report
    nav_service = iri("okonomisk-sosialhjelp")
    assert graph.value(nav_service, CV.processingTime) == Literal("P10D", datatype=ns.XSD.duration)
    assert graph.value(graph.value(nav_service, CV.contactPoint), CV.telephone) == Literal("tel:+4755553333")


# ------------------------------------------------------------------------------ export_cpsv command
def test_command_writes_turtle_to_a_file(municipality, barnehage, tmp_path):
    target = tmp_path / "tjenester.ttl"
    out = StringIO()
    call_command("export_cpsv", "3999", "--output", str(target), "--base-url", BASE, stdout=out)
    assert "Wrote 1 services" in out.getvalue()
    graph = Graph().parse(target, format="turtle")
    assert (iri("barnehageplass"), RDF.type, CPSV.PublicService) in graph


def test_command_writes_json_ld_and_validates(municipality, barnehage, tmp_path):
    target = tmp_path / "tjenester.jsonld"
    call_command(
        "export_cpsv",
        "3999",
        "--format",
        "json-ld",
        "-o",
        str(target),
        "--base-url",
        BASE,
        "--validate",
        stdout=StringIO(),
    )
    graph = Graph().parse(target, format="json-ld")
    assert graph.value(iri("barnehageplass"), DCTERMS.title) == Literal("Barnehageplass", lang="nb")


def test_command_prints_to_standard_output(municipality, barnehage):
    out = StringIO()
    call_command("export_cpsv", "3999", stdout=out)
    graph = parse(out.getvalue(), "turtle")
    assert (iri("barnehageplass", base="http://127.0.0.1:8000"), RDF.type, CPSV.PublicService) in graph


def test_command_reports_what_it_left_out(municipality, barnehage, tmp_path):
    from servicetorg.catalogue.models import ServiceDescription

    ServiceDescription.objects.filter(pk=barnehage.published_version_id).update(
        legal_basis_url='https://lovdata.no/lov/2005-06-17-64">'
    )
    out, err = StringIO(), StringIO()
    call_command("export_cpsv", "3999", "--validate", "-o", str(tmp_path / "t.ttl"), stdout=out, stderr=err)
    assert "Left out: barnehageplass: legal_basis_url:" in err.getvalue()
    assert "Wrote 1 services" in out.getvalue()
    graph = parse((tmp_path / "t.ttl").read_text(), "turtle")
    assert (iri("barnehageplass", base="http://127.0.0.1:8000"), RDF.type, CPSV.PublicService) in graph


@pytest.mark.parametrize(
    "args, message",
    [
        (["1234"], "No municipality with number 1234"),
        (["39"], "four digits"),
        (["oslo"], "four digits"),
        (["3999", "--base-url", "not a url"], "--base-url"),
    ],
)
def test_command_errors_clearly(municipality, args, message, tmp_path):
    target = tmp_path / "out.ttl"
    with pytest.raises(CommandError, match=message):
        call_command("export_cpsv", *args, "--output", str(target), stdout=StringIO())
    assert not target.exists()


def test_command_refuses_a_directory_as_output(municipality, tmp_path):
    with pytest.raises(CommandError, match="directory"):
        call_command("export_cpsv", "3999", "--output", str(tmp_path), stdout=StringIO())
