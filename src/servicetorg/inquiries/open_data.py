"""What the front desk publishes as open data (registered in core's open-data registry).

The Open311 GeoReport v2 API (open311.py) is described as a data service from the OpenAPI 3.0
document below, and the service requests it lists (no personal data) as a dataset it serves.
"""

from django.db.models import Max, Min

from servicetorg.core.opendata import Concept, DataService, Dataset, Distribution, vocab

from .models import Inquiry

_FORMAT = {
    "name": "fmt",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
_JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "description": "Kommunenummer (four digits).",
    "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
}
_RESPONSE = {
    "content": {
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        "text/xml": {"schema": {"type": "string"}},
    }
}


def open311_openapi() -> dict:
    """The Open311 GeoReport v2 endpoints of open311.py as an OpenAPI 3.0 document."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open311 GeoReport v2",
            "description": "Services and service requests (inquiries) of the municipality in the "
            "Open311 GeoReport v2 format. Lists carry no personal data; posting a request needs an api_key.",
            "version": "v2",
        },
        "externalDocs": {"url": vocab.OPEN311},
        "paths": {
            "/services.{fmt}": {
                "get": {
                    "summary": "Services that accept requests",
                    "parameters": [_FORMAT, _JURISDICTION],
                    "responses": {"200": {"description": "The service list", **_RESPONSE}},
                }
            },
            "/services/{service_code}.{fmt}": {
                "get": {
                    "summary": "A service's definition",
                    "parameters": [
                        {
                            "name": "service_code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        _FORMAT,
                        _JURISDICTION,
                    ],
                    "responses": {"200": {"description": "The definition", **_RESPONSE}},
                }
            },
            "/requests.{fmt}": {
                "get": {
                    "summary": "Service requests",
                    "parameters": [
                        _FORMAT,
                        _JURISDICTION,
                        {"name": "service_request_id", "in": "query", "schema": {"type": "string"}},
                        {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "start_date",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "end_date",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {"name": "status", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "Up to 1000 requests", **_RESPONSE}},
                },
                "post": {
                    "summary": "Submit a service request",
                    "parameters": [_FORMAT, _JURISDICTION],
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                        }
                    },
                    "responses": {"201": {"description": "The new request's id", **_RESPONSE}},
                },
            },
            "/requests/{service_request_id}.{fmt}": {
                "get": {
                    "summary": "One service request",
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        _FORMAT,
                        _JURISDICTION,
                    ],
                    "responses": {"200": {"description": "The request", **_RESPONSE}},
                }
            },
        },
    }


def _temporal(municipality):
    span = Inquiry.objects.filter(municipality=municipality).aggregate(first=Min("received_at"))
    return span["first"], None


def _modified(municipality):
    return Inquiry.objects.filter(municipality=municipality).aggregate(changed=Max("updated_at"))["changed"]


DATA_SERVICES = [
    DataService(
        key="open311",
        position=20,
        title={"nb": "Open311 GeoReport v2", "en": "Open311 GeoReport v2"},
        description={
            "nb": "Tjenester og meldinger (henvendelser) etter den internasjonale standarden Open311 "
            "GeoReport v2. Listene har ingen personopplysninger.",
            "en": "Services and service requests (inquiries) in the Open311 GeoReport v2 standard. "
            "Lists carry no personal data.",
        },
        endpoint_path="/api/open311/v2/",
        openapi=open311_openapi,
        description_path="/apne-data/api/open311.json",
        landing_path="/apne-data/api/open311.json",
        conforms_to=(vocab.OPEN311,),
        serves=("open311-meldinger",),
    ),
]

DATASETS = [
    Dataset(
        key="open311-meldinger",
        position=60,
        title={
            "nb": "Meldinger til kommunen (Open311)",
            "nn": "Meldingar til kommunen (Open311)",
            "en": "Service requests to the municipality (Open311)",
        },
        description={
            "nb": "Henvendelser til kommunen som Open311-meldinger: tjeneste, status, ansvarlig enhet, "
            "når meldingen kom og når den ventes besvart. Ingen personopplysninger.",
            "nn": "Førespurnader til kommunen som Open311-meldingar: teneste, status, ansvarleg eining, "
            "når meldinga kom og når ho vert venta svara. Ingen personopplysningar.",
            "en": "Inquiries to the municipality as Open311 service requests: service, status, unit "
            "responsible, when it came in and when a reply is due. No personal data.",
        },
        distributions=(
            Distribution(
                filename="",
                title={"nb": "Meldinger (Open311, JSON)", "en": "Service requests (Open311, JSON)"},
                media_type="application/json",
                file_type="JSON",
                access_path="/api/open311/v2/requests.json?jurisdiction_id={number}",
                access_service="open311",
                conforms_to=(vocab.OPEN311,),
            ),
            Distribution(
                filename="",
                title={"nb": "Meldinger (Open311, XML)", "en": "Service requests (Open311, XML)"},
                media_type="text/xml",
                file_type="XML",
                access_path="/api/open311/v2/requests.xml?jurisdiction_id={number}",
                access_service="open311",
                conforms_to=(vocab.OPEN311,),
            ),
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("Open311", "henvendelser", "meldinger"), "en": ("service requests",)},
        frequency="CONT",
        concepts=("henvendelse", "servicetorg"),
        temporal=_temporal,
        modified=_modified,
        conforms_to=(vocab.OPEN311,),
    ),
]

CONCEPTS = [
    Concept(
        key="servicetorg",
        term={"nb": "servicetorg", "nn": "servicetorg", "en": "service desk"},
        definition={
            "nb": "Kommunens felles kontaktpunkt for innbyggerne, der henvendelser tas imot og "
            "løses eller sendes videre til riktig enhet.",
            "nn": "Det felles kontaktpunktet til kommunen for innbyggjarane, der førespurnader vert "
            "tekne imot og løyste eller sende vidare til rett eining.",
            "en": "The municipality's one-stop front desk, where inquiries are received and resolved or "
            "passed on to the right unit.",
        },
        alternative_terms={"nb": ("innbyggertorg", "servicekontor")},
        see_also=("henvendelse", "tjenestetrappa"),
    ),
    Concept(
        key="henvendelse",
        term={"nb": "henvendelse", "nn": "førespurnad", "en": "inquiry"},
        definition={
            "nb": "Et spørsmål, en søknad eller en melding fra en innbygger til kommunen, uansett kanal.",
            "nn": "Eit spørsmål, ein søknad eller ei melding frå ein innbyggjar til kommunen, "
            "same kva kanal.",
            "en": "A question, application or message from a resident to the municipality, in any channel.",
        },
        see_also=("servicetorg",),
    ),
]
