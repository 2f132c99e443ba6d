"""Open-data export of a municipality's published services in CPSV-AP-NO (RDF).

CPSV-AP-NO is Digdir's Norwegian profile of the EU Core Public Service Vocabulary Application
Profile, the format data.norge.no harvests service descriptions in. Each published service
becomes a ``cpsv:PublicService`` with its competent authority (the municipality as a
``cv:PublicOrganisation`` identified by its organisation number), channels, cost, legal basis
(``cpsv:Rule``), contact point, thematic area (LOS), output and processing time.

IRIs are stable: ``<base>/apne-data/<kommunenummer>/tjenester/<slug>`` for a service, with
``#kanal-<channel>``, ``#gebyr``, ``#regel``, ``#kontaktpunkt`` and ``#resultat`` fragments for
its parts. The SHACL shapes in ``shapes/cpsv-ap-no.ttl`` describe what a valid export contains.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from servicetorg.core.models import Municipality

from .models import PromiseKind, Service, ServiceState

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CPSVNO = Namespace("https://data.norge.no/vocabulary/cpsvno#")
CV = Namespace("http://data.europa.eu/m8g/")
DCATNO = Namespace("https://data.norge.no/vocabulary/dcatno#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("http://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CHANNEL_TYPE = Namespace("https://data.norge.no/vocabulary/service-channel-type#")
LOS_THEME = Namespace("https://psi.norge.no/los/tema/")

NOK = URIRef("http://publications.europa.eu/resource/authority/currency/NOK")
NORWEGIAN_BOKMAL = URIRef("http://publications.europa.eu/resource/authority/language/NOB")
NORWAY = URIRef("http://publications.europa.eu/resource/authority/country/NOR")
STATUS_COMPLETED = URIRef("http://purl.org/adms/status/Completed")
ENHETSREGISTERET = "https://data.brreg.no/enhetsregisteret/api/enheter/"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SHAPES_PATH = Path(__file__).resolve().parent / "shapes" / "cpsv-ap-no.ttl"

FORMATS = {"turtle": "text/turtle", "json-ld": "application/ld+json"}

#: Our channels → Digdir's controlled vocabulary of service channel types.
CHANNEL_TYPES = {
    "phone": CHANNEL_TYPE["telephone"],
    "counter": CHANNEL_TYPE["service-bureau"],
    "email": CHANNEL_TYPE["e-mail"],
    "web_form": CHANNEL_TYPE["online-service"],
    "letter": CHANNEL_TYPE["mail"],
    "social_media": CHANNEL_TYPE["homepage"],
}
#: Norwegian descriptions of the channels (the export's language is bokmål, whatever the UI language).
CHANNEL_DESCRIPTIONS = {
    "phone": "Telefon",
    "counter": "Oppmøte på servicetorget",
    "email": "E-post",
    "web_form": "Nettskjema",
    "letter": "Brev",
    "social_media": "Sosiale medier",
}
#: Our service areas (by their usual short names) → LOS themes (psi.norge.no/los).
LOS_THEMES = {
    "skole": "grunnskole",
    "barnehage": "barnehage",
    "pleie-og-omsorg": "omsorgstjenester",
    "helse": "helsetjenester",
    "sosiale-tjenester": "sosiale-tjenester",
    "tekniske-tjenester": "bygg-og-eiendom",
    "samferdsel": "trafikk-og-transport",
    "naringsutvikling": "naringsutvikling",
    "kultur-og-fritid": "kultur-idrett-og-fritid",
    "sentraladministrasjon": "demokrati-og-innbyggerrettigheter",
}

CONTEXT = {
    "adms": str(ADMS),
    "cpsv": str(CPSV),
    "cpsvno": str(CPSVNO),
    "cv": str(CV),
    "dcat": str(DCAT),
    "dcatno": str(DCATNO),
    "dct": str(DCTERMS),
    "eli": str(ELI),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


def base_url_for(municipality: Municipality, base_url: str | None = None) -> str:
    """The site the IRIs and portal links point to, without a trailing slash."""
    if base_url:
        return base_url.rstrip("/")
    if municipality.portal_host:
        return f"https://{municipality.portal_host}".rstrip("/")
    return DEFAULT_BASE_URL


def catalogue_iri(municipality: Municipality, base_url: str) -> URIRef:
    return URIRef(f"{base_url}/apne-data/{municipality.number}/tjenester")


def service_iri(municipality: Municipality, slug: str, base_url: str) -> URIRef:
    return URIRef(f"{base_url}/apne-data/{municipality.number}/tjenester/{slug}")


def organisation_iri(municipality: Municipality) -> URIRef:
    return URIRef(f"{ENHETSREGISTERET}{municipality.organization_number}")


def exported_services(municipality: Municipality) -> QuerySet[Service]:
    """The municipality's published services with everything the export reads (two queries)."""
    return (
        Service.objects.filter(
            municipality=municipality, state=ServiceState.PUBLISHED, published_version__isnull=False
        )
        .select_related("published_version", "area", "responsible_unit")
        .prefetch_related("published_version__promises")
        .order_by("slug")
    )


def iso_duration(promise) -> Literal:
    """A promise's limit as an xsd:duration: working days as days (P10D), weeks as seven days each."""
    days = promise.limit_value * 7 if promise.limit_unit == "weeks" else promise.limit_value
    return Literal(f"P{days}D", datatype=XSD.duration)


def telephone_uri(phone: str) -> str | None:
    """``tel:`` URI of a Norwegian phone number as people write it ("33 40 00 00" → tel:+4733400000)."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        digits = "+47" + digits
    return f"tel:{digits}" if re.fullmatch(r"\+\d{4,15}", digits) else None


def _text(value: str) -> Literal:
    return Literal(value.strip(), lang="nb")


def _processing_promise(promises):
    by_kind = {p.kind: p for p in promises}
    return by_kind.get(PromiseKind.DECISION) or by_kind.get(PromiseKind.REPLY)


def _add_organisation(graph: Graph, municipality: Municipality) -> URIRef:
    org = organisation_iri(municipality)
    graph.add((org, RDF.type, CV.PublicOrganisation))
    graph.add((org, RDF.type, FOAF.Agent))
    graph.add((org, DCTERMS.identifier, Literal(municipality.organization_number)))
    graph.add((org, SKOS.prefLabel, _text(municipality.name)))
    graph.add((org, DCTERMS.title, _text(municipality.name)))
    graph.add((org, DCTERMS.spatial, NORWAY))
    if municipality.website:
        graph.add((org, FOAF.homepage, URIRef(municipality.website)))
    return org


def _add_area(graph: Graph, area, scheme: URIRef) -> URIRef:
    concept = URIRef(f"{scheme}/{area.slug}")
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, scheme))
    graph.add((concept, SKOS.prefLabel, _text(area.name)))
    if area.name_en:
        graph.add((concept, SKOS.prefLabel, Literal(area.name_en, lang="en")))
    return concept


def _add_service(graph: Graph, service: Service, *, org: URIRef, municipality, base_url: str) -> URIRef:
    version = service.published_version
    iri = service_iri(municipality, service.slug, base_url)
    page = URIRef(f"{base_url}/tjenester/{service.slug}/")
    unit = service.responsible_unit
    add = graph.add

    add((iri, RDF.type, CPSV.PublicService))
    add((iri, DCTERMS.identifier, Literal(str(iri), datatype=XSD.anyURI)))
    add((iri, DCTERMS.title, _text(version.name)))
    add((iri, DCTERMS.description, _text(version.summary or version.name)))
    add((iri, DCTERMS.language, NORWEGIAN_BOKMAL))
    add((iri, DCTERMS.spatial, NORWAY))
    add((iri, ADMS.status, STATUS_COMPLETED))
    add((iri, CV.hasCompetentAuthority, org))
    add((iri, SCHEMA.url, page))
    add((iri, FOAF.homepage, page))
    add((iri, DCAT.keyword, _text(service.area.name)))
    if unit is not None:
        add((iri, DCAT.keyword, _text(unit.name)))

    # Thematic area: LOS theme where our area maps to one, and the area itself as a concept.
    scheme = URIRef(f"{base_url}/apne-data/{municipality.number}/tjenesteomrader")
    area_concept = _add_area(graph, service.area, scheme)
    add((iri, DCTERMS.subject, area_concept))
    theme = LOS_THEMES.get(service.area.slug)
    add((iri, CV.thematicArea, LOS_THEME[theme] if theme else area_concept))

    # Output (mandatory in CPSV-AP-NO).
    output = URIRef(f"{iri}#resultat")
    add((iri, CPSV.produces, output))
    add((output, RDF.type, CV.Output))
    add((output, DCTERMS.identifier, Literal(str(output), datatype=XSD.anyURI)))
    add((output, DCTERMS.title, _text(f"Resultatet av tjenesten «{version.name}»")))
    add((output, DCTERMS.description, _text(version.expectations or version.summary or version.name)))

    # Contact point: the responsible unit, else the municipality.
    contact = URIRef(f"{iri}#kontaktpunkt")
    add((iri, CV.hasContactPoint, contact))
    add((contact, RDF.type, CV.ContactPoint))
    add((contact, CV.contactPage, page))
    phone = telephone_uri((unit.phone if unit else "") or municipality.phone)
    if phone:
        add((contact, CV.telephone, Literal(phone)))
    email = (unit.email if unit else "") or municipality.email
    if email:
        add((contact, CV.email, Literal(f"mailto:{email}", datatype=XSD.anyURI)))
    hours = version.opening_hours or (unit.opening_hours if unit else "")
    if hours:
        add((contact, CV.openingHours, _text(hours)))

    # Channels.
    for channel in service.channels:
        node = URIRef(f"{iri}#kanal-{channel.replace('_', '-')}")
        add((iri, CV.hasChannel, node))
        add((node, RDF.type, CV.Channel))
        add((node, DCTERMS.identifier, Literal(str(node), datatype=XSD.anyURI)))
        add((node, DCTERMS.type, CHANNEL_TYPES[channel]))
        add((node, DCTERMS.description, _text(CHANNEL_DESCRIPTIONS[channel])))
        add((node, CV.ownedBy, org))
        if channel == "web_form" and version.application_url:
            add((node, VCARD.hasURL, Literal(version.application_url, datatype=XSD.anyURI)))
        elif channel == "phone" and phone:
            add((node, VCARD.hasTelephone, Literal(phone)))
        elif channel == "email" and email:
            add((node, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        if channel in ("phone", "counter") and hours:
            add((node, CV.openingHours, _text(hours)))

    # Cost.
    if version.price or version.price_amount is not None:
        cost = URIRef(f"{iri}#gebyr")
        add((iri, CV.hasCost, cost))
        add((cost, RDF.type, CV.Cost))
        add((cost, DCTERMS.identifier, Literal(str(cost), datatype=XSD.anyURI)))
        add((cost, CV.isDefinedBy, org))
        if version.price:
            add((cost, DCTERMS.description, _text(version.price)))
        if version.price_amount is not None:
            add((cost, CV.value, Literal(Decimal(version.price_amount), datatype=XSD.decimal)))
            add((cost, CV.currency, NOK))

    # Legal basis.
    if version.legal_basis:
        rule = URIRef(f"{iri}#regel")
        add((iri, CPSV.follows, rule))
        add((rule, RDF.type, CPSV.Rule))
        add((rule, DCTERMS.identifier, Literal(str(rule), datatype=XSD.anyURI)))
        add((rule, DCTERMS.title, _text(f"Hjemmel for «{version.name}»")))
        add((rule, DCTERMS.description, _text(version.legal_basis)))
        add((rule, DCTERMS.language, NORWEGIAN_BOKMAL))
        if version.legal_basis_url:
            law = URIRef(version.legal_basis_url)
            add((rule, CPSV.implements, law))
            add((iri, CV.hasLegalResource, law))
            add((law, RDF.type, ELI.LegalResource))

    # Processing time from the declaration's decision (else reply) promise.
    promise = _processing_promise(version.promises.all())
    if promise is not None:
        add((iri, CV.processingTime, iso_duration(promise)))
    return iri


def build_graph(municipality: Municipality, *, base_url: str | None = None) -> Graph:
    """The CPSV-AP-NO graph of the municipality's published services (two queries)."""
    base_url = base_url_for(municipality, base_url)
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    org = _add_organisation(graph, municipality)
    catalogue = catalogue_iri(municipality, base_url)
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.identifier, Literal(str(catalogue), datatype=XSD.anyURI)))
    graph.add((catalogue, DCTERMS.title, _text(f"Tjenestekatalog for {municipality.name}")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            _text(f"Tjenestebeskrivelser for {municipality.name} etter CPSV-AP-NO."),
        )
    )
    graph.add((catalogue, DCTERMS.publisher, org))
    graph.add((catalogue, DCTERMS.language, NORWEGIAN_BOKMAL))
    for service in exported_services(municipality):
        iri = _add_service(graph, service, org=org, municipality=municipality, base_url=base_url)
        graph.add((catalogue, DCATNO.containsService, iri))
    return graph


def serialize_graph(graph: Graph, fmt: str = "turtle") -> str:
    """A graph as Turtle or (compacted, with our prefixes as context) JSON-LD."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
    return graph.serialize(format="turtle")


def serialize(municipality: Municipality, fmt: str = "turtle", *, base_url: str | None = None) -> str:
    """The export as text: ``fmt`` is "turtle" or "json-ld"."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return serialize_graph(build_graph(municipality, base_url=base_url), fmt)


def shapes_graph() -> Graph:
    """The SHACL shapes (cpsv-ap-no.ttl) the export is checked against."""
    return Graph().parse(SHAPES_PATH, format="turtle")


def validate(graph: Graph) -> tuple[bool, str]:
    """Validate a graph against the shapes with pyshacl (a development dependency).

    Returns ``(conforms, report_text)``.
    """
    try:
        from pyshacl import validate as shacl_validate
    except ImportError as exc:  # pragma: no cover - pyshacl is installed in development and CI
        raise RuntimeError("Validation needs pyshacl (pip install pyshacl).") from exc
    conforms, _report_graph, report_text = shacl_validate(
        graph, shacl_graph=shapes_graph(), inference="none", abort_on_first=False
    )
    return bool(conforms), report_text
