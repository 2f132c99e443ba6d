"""The platform's glossary as SKOS-AP-NO concepts, written with Digdir's ``concepttordf``.

Terms such as *serviceerklæring*, *brukergaranti* and *tjenestetrappa* have no national definition
to point to yet, so each municipality publishes the platform's definitions as a concept collection
(``<base>/apne-data/<kommunenummer>/begreper``); the datasets that use a term link to it with
``dct:subject``. Apps register their terms as :class:`~.registry.Concept` (see registry.py).
"""

from __future__ import annotations

import contextlib
import io

from concepttordf import Collection, Contact, Definition
from concepttordf import Concept as SkosConcept
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from servicetorg.core.models import Municipality

from . import registry as reg


def collection_iri(municipality: Municipality, base_url: str) -> str:
    return f"{base_url}/apne-data/{municipality.number}/begreper"


def concept_iri(municipality: Municipality, base_url: str, key: str) -> str:
    return f"{collection_iri(municipality, base_url)}/{key}"


def _contact(municipality: Municipality, base_url: str) -> Contact:
    from .dcat import telephone_digits

    contact = Contact()
    contact.name = {"nb": f"{municipality.name} kommune"}
    if municipality.email:
        contact.email = municipality.email
    phone = telephone_digits(municipality.phone)
    if phone:
        contact.telephone = phone
    contact.url = f"{base_url}/apne-data/{municipality.number}/"
    return contact


def build_graph(municipality: Municipality, *, base_url: str, organisation: str) -> Graph:
    """The glossary of every registered concept, published by ``organisation`` (an IRI)."""
    concepts = reg.get_registry().concepts
    built: dict[str, SkosConcept] = {}
    for item in concepts:
        concept = SkosConcept()
        concept.identifier = concept_iri(municipality, base_url, item.key)
        concept.dct_identifier = concept.identifier
        concept.term = {"name": dict(item.term)}
        if item.alternative_terms:
            concept.alternativeterm = {"name": {k: list(v) for k, v in item.alternative_terms.items()}}
        definition = Definition()
        definition.text = dict(item.definition)
        if item.source or item.source_url:
            definition.relationtosource = "basertPaKilde"
            definition.source = {
                **({"text": dict(item.source)} if item.source else {}),
                **({"url": item.source_url} if item.source_url else {}),
            }
        if item.example:
            definition.example = dict(item.example)
        concept.definition = definition
        concept.publisher = organisation
        concept.contactpoint = _contact(municipality, base_url)
        built[item.key] = concept
    for item in concepts:
        if item.see_also:
            built[item.key].seeAlso = [built[key] for key in item.see_also]

    collection = Collection()
    collection.identifier = collection_iri(municipality, base_url)
    collection.name = {
        "nb": f"Begreper i {municipality.name} kommunes åpne data",
        "nn": f"Omgrep i dei opne dataa til {municipality.name} kommune",
        "en": f"Terms used in {municipality.name} municipality's open data",
    }
    collection.description = {
        "nb": "Definisjoner av begrepene Servicetorg bruker: serviceerklæring, brukergaranti, "
        "tjenestetrappa og flere.",
        "nn": "Definisjonar av omgrepa Servicetorg bruker: serviceerklæring, brukargaranti, "
        "tenestetrappa og fleire.",
        "en": "Definitions of the terms Servicetorg uses: service declaration, user guarantee, "
        "service ladder and more.",
    }
    collection.publisher = organisation
    collection.members = list(built.values())
    # concepttordf 3.0 prints every concept it serialises; keep that out of the server's output.
    with contextlib.redirect_stdout(io.StringIO()):
        text = collection.to_rdf(format="turtle")
    graph = Graph().parse(data=text, format="turtle")
    # concepttordf 3.0 writes the older SKOS-AP-NO form (skosxl labels, skosno:definisjon) and puts
    # all alternative terms of a language into one label, of which readers keep one. The same
    # terms and definitions are therefore also written as plain SKOS (as SKOS-AP-NO 2 has them),
    # which the national catalogue's parser prefers.
    for item in concepts:
        uri = URIRef(concept_iri(municipality, base_url, item.key))
        for lang, text_ in item.term.items():
            graph.add((uri, SKOS.prefLabel, Literal(text_, lang=lang)))
        for lang, terms in item.alternative_terms.items():
            for term in terms:
                graph.add((uri, SKOS.altLabel, Literal(term, lang=lang)))
        for lang, text_ in item.definition.items():
            graph.add((uri, SKOS.definition, Literal(text_, lang=lang)))
    return graph
