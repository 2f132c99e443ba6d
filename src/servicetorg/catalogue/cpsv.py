"""Open-data export of a municipality's published services in CPSV-AP-NO (RDF).

CPSV-AP-NO is Digdir's Norwegian profile of the EU Core Public Service Vocabulary Application
Profile, the format data.norge.no harvests service descriptions in. Each published service
becomes a ``cpsv:PublicService`` with its competent authority and owner (the municipality as a
``cv:PublicOrganisation`` identified by its organisation number), contact point, channels, cost,
rules and legal resources, requirement (who the service is for), required evidence (what the
citizen must bring), possible output, processing time, LOS theme, language and status.

The export is written so that it says the same thing to both readers that matter:

- Digdir's SHACL shapes for CPSV-AP-NO v1.1 (``shapes/digdir-cpsv-ap-no-v1.ttl``), which name the
  output ``cpsvno:hasPossibleOutput`` and the evidence ``cpsvno:hasRequiredEvidence``;
- the national catalogue's parser (``fdk-rdf-parser``), which still reads ``cpsv:produces`` and
  ``cpsv:hasInput``. The same output and evidence nodes are therefore linked both ways.

IRIs are stable: ``<base>/apne-data/<kommunenummer>/tjenester/<slug>`` for a service, with
``#kanal-<channel>``, ``#gebyr``, ``#regel``, ``#regelverk``, ``#kontaktpunkt``, ``#apningstid``,
``#resultat``, ``#krav``, ``#dokumentasjon`` and ``#serviceerklaering`` fragments for its parts.

One bad value never breaks a municipality's export: a field whose value cannot be written (a link
that is not a valid IRI, say) is left out, and a service that fails for any other reason is left
out; both are reported in :attr:`Export.problems` (and logged), so the command and staff can see
what to fix.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from django.db.models import QuerySet
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, TIME, XSD

from servicetorg.core.models import Municipality

from .models import PromiseKind, Service, ServiceState
from .services import search_word_list

logger = logging.getLogger(__name__)

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
#: The service declaration vocabulary (see declarations.py and shapes/serviceerklaering.ttl).
SE = Namespace("https://w3id.org/servicetorg/serviceerklaering#")

NOK = URIRef("http://publications.europa.eu/resource/authority/currency/NOK")
NORWEGIAN_BOKMAL = URIRef("http://publications.europa.eu/resource/authority/language/NOB")
NORWAY = URIRef("http://publications.europa.eu/resource/authority/country/NOR")
#: CPSV-AP-NO v1.1 takes the status from the EU's distribution-status vocabulary.
STATUS_COMPLETED = URIRef("http://publications.europa.eu/resource/authority/distribution-status/COMPLETED")
ENHETSREGISTERET = "https://data.brreg.no/enhetsregisteret/api/enheter/"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SHAPES_DIR = Path(__file__).resolve().parent / "shapes"
SHAPES_PATH = SHAPES_DIR / "cpsv-ap-no.ttl"
DIGDIR_SHAPES_PATH = SHAPES_DIR / "digdir-cpsv-ap-no-v1.ttl"

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
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "se": str(SE),
    "skos": str(SKOS),
    "time": str(TIME),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}

#: Characters that may not appear in an IRI (RFC 3987) and that would break Turtle or N-Triples.
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")


@dataclass(frozen=True)
class ExportProblem:
    """Something the export left out, and why (shown by the command, logged by the portal)."""

    service: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.service}: {self.field}: {self.message}"


@dataclass
class Export:
    graph: Graph
    problems: list[ExportProblem] = field(default_factory=list)
    services: int = 0


def safe_iri(value: str | None, *, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """``value`` if it can be written as an IRI with one of ``schemes``, else None.

    Django's URLField accepts addresses such as ``https://lovdata.no/x">`` that no RDF syntax can
    hold; they are refused here rather than breaking the whole serialisation.
    """
    value = (value or "").strip()
    if not value or _IRI_FORBIDDEN.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes:
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return None
    return value


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


def declaration_iri(municipality: Municipality, slug: str, base_url: str) -> URIRef:
    return URIRef(f"{service_iri(municipality, slug, base_url)}#serviceerklaering")


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


def mailto_uri(email: str) -> str | None:
    """``mailto:`` URI of an e-mail address, or None when it cannot be one."""
    email = (email or "").strip()
    if not email or "@" not in email or _IRI_FORBIDDEN.search(email):
        return None
    return f"mailto:{email}"


def _text(value: str) -> Literal:
    return Literal(value.strip(), lang="nb")


def _processing_promise(promises):
    by_kind = {p.kind: p for p in promises}
    return by_kind.get(PromiseKind.DECISION) or by_kind.get(PromiseKind.REPLY)


def _add_organisation(graph: Graph, municipality: Municipality, problems: list[ExportProblem]) -> URIRef:
    org = organisation_iri(municipality)
    graph.add((org, RDF.type, CV.PublicOrganisation))
    graph.add((org, RDF.type, FOAF.Agent))
    graph.add((org, DCTERMS.identifier, Literal(municipality.organization_number)))
    graph.add((org, SKOS.prefLabel, _text(municipality.name)))
    graph.add((org, DCTERMS.title, _text(municipality.name)))
    graph.add((org, DCTERMS.spatial, NORWAY))
    graph.add((NORWAY, RDF.type, DCTERMS.Location))
    if municipality.website:
        homepage = safe_iri(municipality.website)
        if homepage:
            graph.add((org, FOAF.homepage, URIRef(homepage)))
        else:
            problems.append(
                ExportProblem("(kommunen)", "website", f"{municipality.website!r} is not a valid address")
            )
    return org


def _add_area(graph: Graph, area, scheme: URIRef) -> URIRef:
    concept = URIRef(f"{scheme}/{area.slug}")
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, scheme))
    graph.add((concept, SKOS.prefLabel, _text(area.name)))
    if area.name_en:
        graph.add((concept, SKOS.prefLabel, Literal(area.name_en, lang="en")))
    return concept


def _service_graph(
    service: Service, *, org: URIRef, municipality, base_url: str, problems: list[ExportProblem]
) -> Graph:
    """The triples of one service, in a graph of their own (merged only if it is built whole)."""
    graph = Graph()
    version = service.published_version
    iri = service_iri(municipality, service.slug, base_url)
    page = URIRef(f"{base_url}/tjenester/{service.slug}/")
    unit = service.responsible_unit
    add = graph.add

    def left_out(field_name: str, value: str) -> None:
        problems.append(
            ExportProblem(
                service.slug, field_name, f"{value!r} is not a valid address; left out of the export"
            )
        )

    add((iri, RDF.type, CPSV.PublicService))
    add((iri, DCTERMS.identifier, Literal(str(iri), datatype=XSD.anyURI)))
    add((iri, DCTERMS.title, _text(version.name)))
    add((iri, DCTERMS.description, _text(version.summary or version.name)))
    add((iri, DCTERMS.language, NORWEGIAN_BOKMAL))
    add((iri, DCTERMS.spatial, NORWAY))
    add((iri, ADMS.status, STATUS_COMPLETED))
    add((iri, CV.hasCompetentAuthority, org))
    add((iri, CV.ownedBy, org))
    add((iri, SCHEMA.url, page))
    add((iri, FOAF.homepage, page))
    add((iri, DCAT.keyword, _text(service.area.name)))
    if unit is not None:
        add((iri, DCAT.keyword, _text(unit.name)))
    # The service's own search words (issue 24 §3): what people call it, in bokmål and English.
    for word in search_word_list(service.search_words):
        add((iri, DCAT.keyword, _text(word)))
    for word in search_word_list(service.search_words_en):
        add((iri, DCAT.keyword, Literal(word, lang="en")))

    # Thematic area: LOS theme where our area maps to one, and the area itself as a concept.
    scheme = URIRef(f"{base_url}/apne-data/{municipality.number}/tjenesteomrader")
    area_concept = _add_area(graph, service.area, scheme)
    add((iri, DCTERMS.subject, area_concept))
    theme = LOS_THEMES.get(service.area.slug)
    theme_iri = LOS_THEME[theme] if theme else area_concept
    add((iri, CV.thematicArea, theme_iri))
    add((theme_iri, RDF.type, SKOS.Concept))

    # Possible output (mandatory in CPSV-AP-NO 1.1; cpsv:produces is what the catalogue's parser reads).
    output = URIRef(f"{iri}#resultat")
    add((iri, CPSVNO.hasPossibleOutput, output))
    add((iri, CPSV.produces, output))
    add((output, RDF.type, CPSVNO.PossibleOutput))
    add((output, RDF.type, CV.Output))
    add((output, DCTERMS.identifier, Literal(str(output), datatype=XSD.anyURI)))
    add((output, DCTERMS.title, _text(f"Resultatet av tjenesten «{version.name}»")))
    add((output, DCTERMS.description, _text(version.expectations or version.summary or version.name)))
    add((output, DCTERMS.language, NORWEGIAN_BOKMAL))

    # Contact point (mandatory): the responsible unit, else the municipality.
    contact = URIRef(f"{iri}#kontaktpunkt")
    add((iri, CV.contactPoint, contact))
    add((contact, RDF.type, CV.ContactPoint))
    add((contact, VCARD.category, _text(unit.name if unit else municipality.name)))
    add((contact, CV.contactPage, page))
    add((contact, VCARD.language, NORWEGIAN_BOKMAL))
    phone = telephone_uri((unit.phone if unit else "") or municipality.phone)
    if phone:
        add((contact, CV.telephone, Literal(phone)))
    email_address = (unit.email if unit else "") or municipality.email
    email = mailto_uri(email_address)
    if email:
        add((contact, CV.email, Literal(email, datatype=XSD.anyURI)))
    elif email_address:
        left_out("email", email_address)
    hours = (version.opening_hours or (unit.opening_hours if unit else "")).strip()
    opening = None
    if hours:
        # CPSV-AP-NO wants a time:TemporalEntity; ours is free text, so it becomes its description.
        opening = URIRef(f"{iri}#apningstid")
        add((opening, RDF.type, TIME.TemporalEntity))
        add((opening, DCTERMS.description, _text(hours)))
        add((contact, CV.openingHours, opening))

    # Channels.
    for channel in service.channels:
        if channel not in CHANNEL_TYPES:
            problems.append(ExportProblem(service.slug, "channels", f"unknown channel {channel!r} left out"))
            continue
        node = URIRef(f"{iri}#kanal-{channel.replace('_', '-')}")
        add((iri, CV.hasChannel, node))
        add((node, RDF.type, CV.Channel))
        add((node, DCTERMS.identifier, Literal(str(node), datatype=XSD.anyURI)))
        add((node, DCTERMS.type, CHANNEL_TYPES[channel]))
        add((node, DCTERMS.description, _text(CHANNEL_DESCRIPTIONS[channel])))
        add((node, CV.ownedBy, org))
        if channel == "web_form" and version.application_url:
            application = safe_iri(version.application_url)
            if application:
                add((node, VCARD.hasURL, URIRef(application)))
            else:
                left_out("application_url", version.application_url)
        elif channel == "phone" and phone:
            add((node, VCARD.hasTelephone, Literal(phone)))
        elif channel == "email" and email:
            add((node, VCARD.hasEmail, URIRef(email)))
        if channel in ("phone", "counter") and opening is not None:
            add((node, CV.openingHours, opening))

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

    # Legal basis: the rule, and the legal resource it implements. As in Digdir's examples the
    # legal resource is a node of its own that points to the law on Lovdata (rdfs:seeAlso), so that
    # services citing the same law keep their own title for it; a link that is not a valid address
    # is left out (and reported), never written.
    law_link = None
    if version.legal_basis_url:
        law_link = safe_iri(version.legal_basis_url)
        if law_link is None:
            left_out("legal_basis_url", version.legal_basis_url)
    law = None
    if law_link or version.legal_basis:
        law = URIRef(f"{iri}#regelverk")
        add((iri, CV.hasLegalResource, law))
        add((law, RDF.type, ELI.LegalResource))
        add((law, DCTERMS.identifier, Literal(str(law), datatype=XSD.anyURI)))
        add((law, DCTERMS.title, _text(version.legal_basis or version.name)))
        add((law, DCTERMS.language, NORWEGIAN_BOKMAL))
        if law_link:
            add((law, RDFS.seeAlso, URIRef(law_link)))
    if version.legal_basis:
        rule = URIRef(f"{iri}#regel")
        add((iri, CPSV.follows, rule))
        add((rule, RDF.type, CPSV.Rule))
        add((rule, DCTERMS.identifier, Literal(str(rule), datatype=XSD.anyURI)))
        add((rule, DCTERMS.title, _text(f"Hjemmel for «{version.name}»")))
        add((rule, DCTERMS.description, _text(version.legal_basis)))
        add((rule, DCTERMS.language, NORWEGIAN_BOKMAL))
        add((rule, CPSV.implements, law))

    # Requirement: who the service is for.
    if version.target_group.strip():
        requirement = URIRef(f"{iri}#krav")
        add((iri, CV.holdsRequirement, requirement))
        add((requirement, RDF.type, CV.Requirement))
        add((requirement, DCTERMS.identifier, Literal(str(requirement), datatype=XSD.anyURI)))
        add((requirement, DCTERMS.title, _text("Hvem tjenesten er for")))
        add((requirement, DCTERMS.description, _text(version.target_group)))

    # Required evidence: what the citizen must bring (cpsv:hasInput for the catalogue's parser).
    if version.required_documents.strip():
        evidence = URIRef(f"{iri}#dokumentasjon")
        add((iri, CPSVNO.hasRequiredEvidence, evidence))
        add((iri, CPSV.hasInput, evidence))
        add((evidence, RDF.type, CPSVNO.RequiredEvidence))
        add((evidence, RDF.type, CV.Evidence))
        add((evidence, DCTERMS.identifier, Literal(str(evidence), datatype=XSD.anyURI)))
        add((evidence, DCTERMS.title, _text("Dokumentasjon du må legge ved")))
        add((evidence, DCTERMS.description, _text(version.required_documents)))
        add((evidence, DCTERMS.language, NORWEGIAN_BOKMAL))

    # Processing time from the declaration's decision (else reply) promise; the declaration itself
    # is published beside this export (declarations.py) and linked here.
    promises = list(version.promises.all())
    promise = _processing_promise(promises)
    if promise is not None:
        add((iri, CV.processingTime, iso_duration(promise)))
    if promises or version.declaration.strip():
        add((iri, SE.declaration, declaration_iri(municipality, service.slug, base_url)))
    return graph


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def build_export(municipality: Municipality, *, base_url: str | None = None) -> Export:
    """The CPSV-AP-NO graph of the municipality's published services and what it left out.

    Reads the database with two queries however many services there are.
    """
    base_url = base_url_for(municipality, base_url)
    graph = _bind(Graph(bind_namespaces="core"))
    export = Export(graph=graph)
    org = _add_organisation(graph, municipality, export.problems)
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
    # The catalogue's own contact point (mandatory): the municipality, and the open-data page.
    contact = URIRef(f"{catalogue}#kontaktpunkt")
    graph.add((catalogue, CV.contactPoint, contact))
    graph.add((contact, RDF.type, CV.ContactPoint))
    graph.add((contact, VCARD.category, _text(municipality.name)))
    graph.add((contact, CV.contactPage, URIRef(f"{base_url}/apne-data/{municipality.number}/")))
    if mailto_uri(municipality.email):
        graph.add((contact, CV.email, Literal(mailto_uri(municipality.email), datatype=XSD.anyURI)))
    if telephone_uri(municipality.phone):
        graph.add((contact, CV.telephone, Literal(telephone_uri(municipality.phone))))
    for service in exported_services(municipality):
        try:
            part = _service_graph(
                service, org=org, municipality=municipality, base_url=base_url, problems=export.problems
            )
            # Serialising catches anything rdflib cannot write; a broken service stays out.
            part.serialize(format="nt")
        except Exception as exc:  # noqa: BLE001 - one service must never break the catalogue
            logger.exception("CPSV-AP-NO export of %s/%s failed", municipality.number, service.slug)
            export.problems.append(
                ExportProblem(service.slug, "(tjenesten)", f"left out of the export: {exc}")
            )
            continue
        graph += part
        graph.add((catalogue, DCATNO.containsService, service_iri(municipality, service.slug, base_url)))
        export.services += 1
    for problem in export.problems:
        logger.warning("CPSV-AP-NO export of %s: %s", municipality.number, problem)
    return export


def build_graph(municipality: Municipality, *, base_url: str | None = None) -> Graph:
    """The CPSV-AP-NO graph of the municipality's published services (two queries)."""
    return build_export(municipality, base_url=base_url).graph


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


def shapes_graph(path: Path = SHAPES_PATH) -> Graph:
    """SHACL shapes the export is checked against (ours by default, Digdir's with DIGDIR_SHAPES_PATH)."""
    return Graph().parse(path, format="turtle")


def validate(graph: Graph, *, shapes: Path = SHAPES_PATH) -> tuple[bool, str]:
    """Validate a graph against SHACL shapes with pyshacl.

    Returns ``(conforms, report_text)``. ``shapes`` is our own file by default; pass
    ``DIGDIR_SHAPES_PATH`` for Digdir's shapes of CPSV-AP-NO v1.1.
    """
    from pyshacl import validate as shacl_validate

    conforms, _report_graph, report_text = shacl_validate(
        graph, shacl_graph=shapes_graph(shapes), inference="none", abort_on_first=False
    )
    return bool(conforms), report_text


def violations(graph: Graph, *, shapes: Path = DIGDIR_SHAPES_PATH) -> list[str]:
    """Messages of the sh:Violation results (warnings left out) of validating ``graph``."""
    from pyshacl import validate as shacl_validate

    SH = Namespace("http://www.w3.org/ns/shacl#")
    _conforms, report, _text_report = shacl_validate(
        graph, shacl_graph=shapes_graph(shapes), inference="none", abort_on_first=False
    )
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        found.append(
            f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
            f"{report.value(result, SH.resultMessage)}"
        )
    return sorted(found)
