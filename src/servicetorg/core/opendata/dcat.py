"""A municipality's DCAT-AP-NO catalogue of everything the platform publishes, built with Digdir's
``datacatalogtordf``.

One ``dcat:Dataset`` per registered :class:`~.registry.Dataset` (with its distributions, licence,
publisher, themes, frequency, temporal and spatial coverage and contact point), one
``dcat:DataService`` per registered API (from its OpenAPI document, see openapi.py), and the
datasets linked with ``dct:subject`` to the glossary's SKOS-AP-NO concepts (concepts.py).

datacatalogtordf writes almost all of it; what it has no property for (dct:subject, more than one
keyword per language, the names of the licence and of the area covered) is added to its graph here.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime

from datacatalogtordf import Agent, Catalog, Contact, Distribution, PeriodOfTime
from datacatalogtordf import Dataset as DcatDataset
from django.utils import timezone
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from servicetorg.core.models import Municipality

from . import concepts as glossary
from . import registry as reg
from . import vocab
from .openapi import data_service

logger = logging.getLogger(__name__)

ENHETSREGISTERET = "https://data.brreg.no/enhetsregisteret/api/enheter/"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
FORMATS = {"turtle": "text/turtle", "json-ld": "application/ld+json"}
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "skosno": "https://data.norge.no/vocabulary/skosno#",
    "dcatno": "https://data.norge.no/vocabulary/dcatno#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def base_url_for(municipality: Municipality, base_url: str | None = None) -> str:
    """The site the IRIs and links point to, without a trailing slash."""
    if base_url:
        return base_url.rstrip("/")
    if municipality.portal_host:
        return f"https://{municipality.portal_host}".rstrip("/")
    return DEFAULT_BASE_URL


def organisation_iri(municipality: Municipality) -> str:
    return f"{ENHETSREGISTERET}{municipality.organization_number}"


def catalogue_iri(municipality: Municipality, base_url: str) -> str:
    return f"{base_url}/apne-data/{municipality.number}/katalog"


def dataset_iri(municipality: Municipality, base_url: str, key: str) -> str:
    return f"{base_url}/apne-data/{municipality.number}/datasett/{key}"


def data_service_iri(municipality: Municipality, base_url: str, key: str) -> str:
    return f"{base_url}/apne-data/{municipality.number}/api/{key}"


def area_iri(municipality: Municipality, base_url: str) -> str:
    return f"{base_url}/apne-data/{municipality.number}/omrade"


def file_url(municipality: Municipality, base_url: str, filename: str) -> str:
    return f"{base_url}/apne-data/{municipality.number}/{filename}"


def access_path(item: reg.Distribution, municipality: Municipality) -> str:
    """The API address of a distribution, with the municipality's number filled in."""
    return item.access_path.replace("{number}", municipality.number)


def licence_iri(municipality: Municipality) -> str:
    return str(vocab.LICENCE[municipality.open_data_license])


def telephone_digits(phone: str) -> str:
    """+47… of a Norwegian phone number as people write it ("33 40 00 00" → +4733400000), or ""."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits and not digits.startswith("+"):
        digits = "+47" + digits
    return digits if re.fullmatch(r"\+\d{4,15}", digits) else ""


def _publisher(municipality: Municipality) -> Agent:
    agent = Agent(organisation_iri(municipality))
    agent.name = {"nb": f"{municipality.name} kommune"}
    agent.organization_id = municipality.organization_number
    return agent


def _contact(municipality: Municipality, base_url: str) -> Contact:
    contact = Contact(f"{base_url}/apne-data/{municipality.number}/#kontaktpunkt")
    contact.name = {"nb": f"{municipality.name} kommune"}
    if municipality.email and "@" in municipality.email:
        contact.email = municipality.email
    phone = telephone_digits(municipality.phone)
    if phone:
        contact.telephone = phone
    contact.url = f"{base_url}/apne-data/{municipality.number}/"
    return contact


def _date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


def _distribution(
    municipality: Municipality,
    base_url: str,
    dataset_uri: str,
    item: reg.Distribution,
    services: dict,
) -> Distribution:
    name = item.filename or re.sub(r"[^a-z0-9.]+", "-", item.access_path.split("?")[0].lower()).strip("-")
    dist = Distribution(f"{dataset_uri}/distribusjon/{name}")
    dist.title = dict(item.title)
    if item.description:
        dist.description = dict(item.description)
    if item.is_file:
        url = file_url(municipality, base_url, item.filename)
        dist.download_URL = url
        dist.access_URL = url
    else:
        dist.access_URL = f"{base_url}{access_path(item, municipality)}"
        if item.access_service in services:
            dist.access_service = services[item.access_service]
    dist.license = licence_iri(municipality)
    dist.media_types = [vocab.media_type(item.media_type)]
    dist.formats = [str(vocab.FILE_TYPE[item.file_type])]
    if item.conforms_to:
        dist.conforms_to = list(item.conforms_to)
    return dist


def _dataset(
    municipality: Municipality, base_url: str, item: reg.Dataset, publisher: Agent, contact: Contact, services
) -> DcatDataset:
    uri = dataset_iri(municipality, base_url, item.key)
    dataset = DcatDataset(uri)
    dataset.dct_identifier = uri
    dataset.title = dict(item.title)
    dataset.description = dict(item.description)
    dataset.publisher = publisher
    dataset.contactpoint = contact
    dataset.theme = [str(vocab.DATA_THEME[code]) for code in item.themes] + [
        str(vocab.LOS_THEME[path]) for path in item.los_themes
    ]
    dataset.keyword = {lang: words[0] for lang, words in item.keywords.items() if words}
    dataset.frequency = str(vocab.FREQUENCY[item.frequency])
    dataset.spatial = [area_iri(municipality, base_url)]
    if item.temporal is not None:
        start, end = item.temporal(municipality)
        if start or end:
            period = PeriodOfTime()
            if start:
                period.start_date = _date(start)
            if end:
                period.end_date = _date(end)
            dataset.temporal = [period]
    if item.modified is not None:
        modified = _date(item.modified(municipality))
        if modified:
            dataset.modification_date = modified
    dataset.access_rights = str(vocab.PUBLIC)
    dataset.landing_page = [f"{base_url}/apne-data/{municipality.number}/#{item.key}"]
    dataset.language = [str(vocab.NORWEGIAN_BOKMAL)]
    if item.conforms_to:
        dataset.conforms_to = list(item.conforms_to)
    dataset.distributions = [
        _distribution(municipality, base_url, uri, dist, services) for dist in item.distributions
    ]
    return dataset


def build_graph(municipality: Municipality, *, base_url: str | None = None) -> Graph:
    """The DCAT-AP-NO catalogue: datasets, distributions and data services (no glossary)."""
    base_url = base_url_for(municipality, base_url)
    registry = reg.get_registry()
    publisher = _publisher(municipality)
    contact = _contact(municipality, base_url)

    catalog = Catalog(catalogue_iri(municipality, base_url))
    catalog.dct_identifier = catalog.identifier
    catalog.title = {
        "nb": f"Åpne data fra {municipality.name} kommune",
        "nn": f"Opne data frå {municipality.name} kommune",
        "en": f"Open data from {municipality.name} municipality",
    }
    catalog.description = {
        "nb": f"Datasett og API-er {municipality.name} kommune publiserer gjennom Servicetorg: "
        "tjenestekatalogen, serviceerklæringer, indikatorer, servicetorgets nøkkeltall, "
        "servicestrategien og meldinger etter Open311.",
        "nn": f"Datasett og API-ar {municipality.name} kommune publiserer gjennom Servicetorg.",
        "en": f"Datasets and APIs {municipality.name} municipality publishes through Servicetorg.",
    }
    catalog.publisher = publisher
    catalog.homepage = f"{base_url}/apne-data/{municipality.number}/"
    catalog.language = [str(vocab.NORWEGIAN_BOKMAL)]
    catalog.license = licence_iri(municipality)

    # Data services first: distributions point to them.
    services = {}
    for item in registry.data_services:
        try:
            document = item.openapi()
            service = data_service(
                document,
                identifier=data_service_iri(municipality, base_url, item.key),
                endpoint_url=f"{base_url}{item.endpoint_path}",
                endpoint_description=f"{base_url}{item.description_path}",
                licence=licence_iri(municipality),
                contact=contact,
                publisher=publisher,
            )
        except Exception:  # noqa: BLE001 - one broken API description must not hide the catalogue
            logger.exception("Could not describe the data service %s", item.key)
            continue
        # Our own titles (in Norwegian too) over the document's English one.
        service.title = {**service.title, **item.title}
        service.description = {**(getattr(service, "description", None) or {}), **item.description}
        service.theme = [str(vocab.DATA_THEME[code]) for code in item.themes]
        service.access_rights = str(vocab.ACCESS_RIGHT[item.access_rights])
        if item.landing_path:
            service.landing_page = [f"{base_url}{item.landing_path}"]
        if item.conforms_to:
            service.conforms_to = list(item.conforms_to)
        services[item.key] = service

    datasets = {}
    for spec in registry.datasets:
        try:
            datasets[spec.key] = _dataset(municipality, base_url, spec, publisher, contact, services)
        except Exception:  # noqa: BLE001 - one broken dataset must not hide the others
            logger.exception("Could not describe the dataset %s", spec.key)
    for item in registry.data_services:
        if item.key in services:
            services[item.key].servesdatasets = [datasets[k] for k in item.serves if k in datasets]
    catalog.datasets = list(datasets.values())
    catalog.services = list(services.values())

    graph = Graph().parse(data=catalog.to_rdf(format="turtle"), format="turtle")
    _add_what_datacatalogtordf_cannot(graph, municipality, base_url, registry, datasets)
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _add_what_datacatalogtordf_cannot(graph: Graph, municipality, base_url, registry, datasets) -> None:
    add = graph.add
    # The area covered: the municipality, by its number and name.
    area = URIRef(area_iri(municipality, base_url))
    add((area, RDF.type, DCTERMS.Location))
    add((area, DCTERMS.identifier, Literal(municipality.number)))
    add((area, DCTERMS.title, Literal(f"{municipality.name} kommune", lang="nb")))
    # The licence: its name and the text people read.
    licence = URIRef(licence_iri(municipality))
    add((licence, RDF.type, DCTERMS.LicenseDocument))
    add((licence, SKOS.prefLabel, Literal(municipality.get_open_data_license_display(), lang="nb")))
    page = vocab.LICENCE_PAGES.get(municipality.open_data_license)
    if page:
        add((licence, FOAF.page, URIRef(page)))
    for item in registry.datasets:
        if item.key not in datasets:
            continue
        uri = URIRef(dataset_iri(municipality, base_url, item.key))
        for lang, words in item.keywords.items():
            for word in words[1:]:
                add((uri, DCAT.keyword, Literal(word, lang=lang)))
        for key in item.concepts:
            add((uri, DCTERMS.subject, URIRef(glossary.concept_iri(municipality, base_url, key))))


def build_concepts(municipality: Municipality, *, base_url: str | None = None) -> Graph:
    """The glossary (SKOS-AP-NO) the catalogue's datasets link to."""
    base_url = base_url_for(municipality, base_url)
    return glossary.build_graph(municipality, base_url=base_url, organisation=organisation_iri(municipality))


def serialize_graph(graph: Graph, fmt: str = "turtle") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
    return graph.serialize(format="turtle")
