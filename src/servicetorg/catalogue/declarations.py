"""Service declarations (serviceerklæringer) as open data, beside the CPSV-AP-NO export.

No national vocabulary holds what a municipality promises (deadlines for reply, decision and
delivery, the guarantee and the compensation if a promise is broken), so it is published with a
small vocabulary of our own, ``se:`` (``shapes/serviceerklaering.ttl``, served at
``/apne-data/vokabular/serviceerklaering.ttl``), that reuses DCTERMS and the Core Vocabularies
where it can. The CPSV-AP-NO export links each service to its declaration (``se:declaration``);
this dataset holds the declarations themselves, in Turtle, JSON-LD and CSV.

A declaration (``se:ServiceDeclaration``, ``<service>#serviceerklaering``) has the declaration in
words (``dct:description``) and its promises (``se:promise`` → ``se:Promise``,
``<service>#lofte-<svar|vedtak|levering>``): the kind (``se:promiseKind``: ``se:Reply``,
``se:Decision``, ``se:Delivery``), the limit as promised (``se:limitValue`` + ``se:limitUnit``:
``se:WorkingDays`` or ``se:Weeks``), the same in working days (``se:workingDays``) and as an
``xsd:duration`` (``se:timeLimit``), the promise in words, and the guarantee (``se:guarantee`` →
``se:Guarantee``, ``<service>#garanti-<kind>``) with its text and compensation
(``se:compensationAmount`` in ``cv:currency``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from servicetorg.core.models import Municipality

from . import cpsv
from .models import LimitUnit, PromiseKind

SE = cpsv.SE
VOCABULARY_PATH = Path(__file__).resolve().parent / "shapes" / "serviceerklaering.ttl"
KIND_IRIS = {
    PromiseKind.REPLY: SE.Reply,
    PromiseKind.DECISION: SE.Decision,
    PromiseKind.DELIVERY: SE.Delivery,
}
KIND_SLUGS = {PromiseKind.REPLY: "svar", PromiseKind.DECISION: "vedtak", PromiseKind.DELIVERY: "levering"}
KIND_NAMES = {PromiseKind.REPLY: "Svar", PromiseKind.DECISION: "Vedtak", PromiseKind.DELIVERY: "Levering"}
UNIT_IRIS = {LimitUnit.WORKING_DAYS: SE.WorkingDays, LimitUnit.WEEKS: SE.Weeks}
UNIT_NAMES = {LimitUnit.WORKING_DAYS: "virkedager", LimitUnit.WEEKS: "uker"}
CSV_COLUMNS = [
    "tjeneste_id",
    "tjeneste",
    "serviceerklaering",
    "lofte",
    "frist",
    "enhet",
    "frist_virkedager",
    "lofte_tekst",
    "garanti",
    "kompensasjon_nok",
    "publisert",
]


def vocabulary() -> Graph:
    return Graph().parse(VOCABULARY_PATH, format="turtle")


def _declared(municipality: Municipality):
    for service in cpsv.exported_services(municipality):
        version = service.published_version
        promises = sorted(version.promises.all(), key=lambda p: list(KIND_IRIS).index(p.kind))
        if promises or version.declaration.strip():
            yield service, version, promises


def build_graph(municipality: Municipality, *, base_url: str | None = None) -> Graph:
    """Every published service's declaration and promises (two queries)."""
    base_url = cpsv.base_url_for(municipality, base_url)
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in cpsv.CONTEXT.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    org = cpsv.organisation_iri(municipality)
    add = graph.add
    for service, version, promises in _declared(municipality):
        iri = cpsv.service_iri(municipality, service.slug, base_url)
        declaration = cpsv.declaration_iri(municipality, service.slug, base_url)
        add((iri, RDF.type, cpsv.CPSV.PublicService))
        add((iri, DCTERMS.title, Literal(version.name, lang="nb")))
        add((iri, SE.declaration, declaration))
        add((declaration, RDF.type, SE.ServiceDeclaration))
        add((declaration, DCTERMS.identifier, Literal(str(declaration), datatype=XSD.anyURI)))
        add((declaration, DCTERMS.title, Literal(f"Serviceerklæring for «{version.name}»", lang="nb")))
        add((declaration, SE.declares, iri))
        add((declaration, DCTERMS.publisher, org))
        add((declaration, RDFS.seeAlso, URIRef(f"{base_url}/tjenester/{service.slug}/")))
        if version.declaration.strip():
            add((declaration, DCTERMS.description, Literal(version.declaration.strip(), lang="nb")))
        if version.published_at:
            add((declaration, DCTERMS.issued, Literal(version.published_at.date(), datatype=XSD.date)))
        for promise in promises:
            node = URIRef(f"{iri}#lofte-{KIND_SLUGS[promise.kind]}")
            add((declaration, SE.promise, node))
            add((node, RDF.type, SE.Promise))
            add((node, SE.promiseKind, KIND_IRIS[promise.kind]))
            add((node, SE.limitValue, Literal(promise.limit_value, datatype=XSD.integer)))
            add((node, SE.limitUnit, UNIT_IRIS[promise.limit_unit]))
            add((node, SE.workingDays, Literal(promise.working_days, datatype=XSD.integer)))
            add((node, SE.timeLimit, cpsv.iso_duration(promise)))
            if promise.text.strip():
                add((node, DCTERMS.description, Literal(promise.text.strip(), lang="nb")))
            if promise.guarantee.strip() or promise.compensation_amount is not None:
                guarantee = URIRef(f"{iri}#garanti-{KIND_SLUGS[promise.kind]}")
                add((node, SE.guarantee, guarantee))
                add((guarantee, RDF.type, SE.Guarantee))
                if promise.guarantee.strip():
                    add((guarantee, DCTERMS.description, Literal(promise.guarantee.strip(), lang="nb")))
                if promise.compensation_amount is not None:
                    add(
                        (
                            guarantee,
                            SE.compensationAmount,
                            Literal(promise.compensation_amount, datatype=XSD.decimal),
                        )
                    )
                    add((guarantee, cpsv.CV.currency, cpsv.NOK))
    return graph


def serialize(municipality: Municipality, fmt: str = "turtle", *, base_url: str | None = None) -> str:
    return cpsv.serialize_graph(build_graph(municipality, base_url=base_url), fmt)


def csv_text(municipality: Municipality, *, base_url: str | None = None) -> str:
    """One row per promise (a declaration without promises gets one row), UTF-8, comma-separated."""
    base_url = cpsv.base_url_for(municipality, base_url)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for service, version, promises in _declared(municipality):
        common = {
            "tjeneste_id": str(cpsv.service_iri(municipality, service.slug, base_url)),
            "tjeneste": version.name,
            "serviceerklaering": version.declaration.strip(),
            "publisert": version.published_at.date().isoformat() if version.published_at else "",
        }
        if not promises:
            writer.writerow(common)
        for promise in promises:
            writer.writerow(
                {
                    **common,
                    "lofte": KIND_NAMES[promise.kind],
                    "frist": promise.limit_value,
                    "enhet": UNIT_NAMES[promise.limit_unit],
                    "frist_virkedager": promise.working_days,
                    "lofte_tekst": promise.text.strip(),
                    "garanti": promise.guarantee.strip(),
                    "kompensasjon_nok": (
                        f"{promise.compensation_amount:.2f}"
                        if promise.compensation_amount is not None
                        else ""
                    ),
                }
            )
    return out.getvalue()
