"""What data.norge.no does to our open data before its parser reads it, re-done in Python for tests.

Digdir's harvesters (fdk-publicservice-harvester and its siblings, Kotlin) fetch a source, cut out
each resource with the resources it refers to, and wrap it in a ``dcat:CatalogRecord`` whose
``foaf:primaryTopic`` is the resource and whose ``dct:isPartOf`` is the record of its catalogue.
``fdk-rdf-parser`` then reads only resources that such a record points to. This module repeats
those steps (``splitServicesFromRDF``/``extractService``: the resource's own triples plus, to a
depth of ten, the triples of the resources it links to, but never another service or event), so
that a test sees exactly what the national catalogue would see.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

CPSV_PUBLIC_SERVICE = URIRef("http://purl.org/vocab/cpsv#PublicService")
CPSVNO_SERVICE = URIRef("https://data.norge.no/vocabulary/cpsvno#Service")
CONTAINS_SERVICE = URIRef("https://data.norge.no/vocabulary/dcatno#containsService")
CV = "http://data.europa.eu/m8g/"
STOP_TYPES = {
    CPSV_PUBLIC_SERVICE,
    CPSVNO_SERVICE,
    URIRef(CV + "Event"),
    URIRef(CV + "BusinessEvent"),
    URIRef(CV + "LifeEvent"),
}
RECORDS = "https://fellesdatakatalog.digdir.no/records/"
HARVESTED = Literal("2026-11-30T08:00:00+01:00", datatype=XSD.dateTime)


def fdk_id(uri: str) -> str:
    """The harvester's id of a resource: a name-based (MD5) UUID of its URI."""
    return str(uuid.UUID(bytes=hashlib.md5(uri.encode()).digest(), version=3))  # noqa: S324


def _should_add(source: Graph, model: Graph, resource) -> bool:
    types = set(source.objects(resource, RDF.type))
    if types & STOP_TYPES:
        return False
    if isinstance(resource, BNode):
        return True
    return (resource, RDF.type, None) not in model


def _add_recursively(source: Graph, model: Graph, resource, depth: int) -> None:
    if not isinstance(resource, URIRef | BNode) or not _should_add(source, model, resource):
        return
    for p, o in source.predicate_objects(resource):
        model.add((resource, p, o))
    if depth - 1 > 0:
        for o in list(source.objects(resource)):
            _add_recursively(source, model, o, depth - 1)


def extract(source: Graph, resource: URIRef, depth: int = 10) -> Graph:
    """A resource with what it refers to, as the harvester cuts it out of a source."""
    model = Graph()
    for p, o in source.predicate_objects(resource):
        model.add((resource, p, o))
    for o in list(source.objects(resource)):
        _add_recursively(source, model, o, depth)
    return model


def _record(model: Graph, topic: URIRef, catalog_record: URIRef | None) -> URIRef:
    record = URIRef(RECORDS + fdk_id(str(topic)))
    model.add((record, RDF.type, DCAT.CatalogRecord))
    model.add((record, DCTERMS.identifier, Literal(fdk_id(str(topic)))))
    model.add((record, FOAF.primaryTopic, topic))
    model.add((record, DCTERMS.issued, HARVESTED))
    model.add((record, DCTERMS.modified, HARVESTED))
    if catalog_record is not None:
        model.add((record, DCTERMS.isPartOf, catalog_record))
    return record


def _catalog_model(source: Graph, catalog: URIRef, member_predicates: Iterable[URIRef]) -> Graph:
    """The catalogue without its members (they are harvested one by one)."""
    model = Graph()
    members = set(member_predicates)
    for p, o in source.predicate_objects(catalog):
        model.add((catalog, p, o))
        if p not in members:
            _add_recursively(source, model, o, 5)
    return model


def harvest(text: str, rdf_format: str, resource_types: Iterable[URIRef]) -> dict[str, str]:
    """Turtle documents, one per harvested resource of one of ``resource_types``, keyed by its IRI.

    Each document holds the resource, what it refers to, its catalogue record and the record and
    description of the catalogue it belongs to, as the harvester stores them.
    """
    source = Graph().parse(data=text, format=rdf_format)
    resource_types = set(resource_types)
    member_predicates = {DCAT.dataset, DCAT.service, CONTAINS_SERVICE, SKOS.member}
    catalog_of: dict[URIRef, URIRef] = {}
    for catalog in set(source.subjects(RDF.type, DCAT.Catalog)) | set(
        source.subjects(RDF.type, SKOS.Collection)
    ):
        for predicate in member_predicates:
            for member in source.objects(catalog, predicate):
                catalog_of[member] = catalog
    documents = {}
    for resource_type in resource_types:
        for resource in source.subjects(RDF.type, resource_type):
            if not isinstance(resource, URIRef):
                continue  # the harvester drops blank-node resources
            model = extract(source, resource)
            catalog = catalog_of.get(resource)
            catalog_record = None
            if catalog is not None:
                model += _catalog_model(source, catalog, member_predicates)
                catalog_record = _record(model, catalog, None)
            _record(model, resource, catalog_record)
            documents[str(resource)] = model.serialize(format="turtle")
    return documents
