"""An OpenAPI 3.0 document → ``dcat:DataService`` (DCAT-AP-NO), the way Digdir's ``oastodcat`` does it.

Digdir's ``oastodcat`` (PyPI) is the tool meant for this, but it cannot be installed beside this
project: its last release (2.0.x) pins ``rdflib<7``, ``datacatalogtordf<2`` and ``pyyaml<6``, while
we need rdflib 7 (pyshacl, fdk-rdf-parser) and datacatalogtordf 4, and pyyaml 5 no longer builds on
Python 3.11. This module therefore carries its mapping over to datacatalogtordf 4's DataService,
property for property:

=========================  ==============================================
OpenAPI                    dcat:DataService
=========================  ==============================================
``info.title``             ``dct:title``
``info.description``       ``dct:description``
``info.contact``           ``dcat:contactPoint`` (vcard:Organization)
``info.license.url``       ``dct:license``
every ``content`` key      ``dcat:mediaType`` (IANA)
``externalDocs.url``       ``dcat:landingPage``
each ``servers[].url``     ``dcat:endpointURL`` (one data service per server)
the document's address     ``dcat:endpointDescription``
=========================  ==============================================

Where the document lacks something (our schema has no servers, contact or licence), the caller's
values are used: the municipality's address, contact point and chosen licence.
"""

from __future__ import annotations

from datacatalogtordf import Contact, DataService

from .vocab import media_type


def media_types(document: dict) -> list[str]:
    """IANA IRIs of every media type the document's requests and responses use (sorted)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "content" and isinstance(value, dict):
                    found.update(media_type(k) for k in value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return sorted(found)


def data_service(
    document: dict,
    *,
    identifier: str,
    endpoint_url: str,
    endpoint_description: str,
    licence: str = "",
    contact: Contact | None = None,
    publisher=None,
    language: str = "en",
) -> DataService:
    """A datacatalogtordf DataService describing the API of an OpenAPI 3.0 ``document``."""
    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        raise ValueError(f"Only OpenAPI 3 documents are supported, not {version or 'an unversioned one'!r}.")
    info = document.get("info") or {}
    if not info.get("title"):
        raise ValueError("The OpenAPI document has no info.title.")
    service = DataService(identifier)
    service.title = {language: info["title"]}
    if info.get("description"):
        service.description = {language: info["description"]}
    servers = [s["url"] for s in document.get("servers") or [] if isinstance(s, dict) and s.get("url")]
    service.endpointURL = servers[0] if servers and servers[0].startswith("http") else endpoint_url
    service.endpointDescription = endpoint_description
    found_contact = info.get("contact") or {}
    if found_contact:
        contact = Contact()
        contact.identifier = f"{identifier}#kontaktpunkt"
        if found_contact.get("name"):
            contact.name = {language: found_contact["name"]}
        if found_contact.get("email"):
            contact.email = found_contact["email"]
        if found_contact.get("url"):
            contact.url = found_contact["url"]
    if contact is not None:
        service.contactpoint = contact
    licence_url = (info.get("license") or {}).get("url") or licence
    if licence_url:
        service.license = licence_url
    service.media_types = media_types(document)
    external = (document.get("externalDocs") or {}).get("url")
    if external:
        service.landing_page = [external]
    if publisher is not None:
        service.publisher = publisher
    return service
