"""What the platform as a whole publishes as open data: its REST API, described from the OpenAPI
schema drf-spectacular generates (core's contribution to the open-data registry in this package)."""

from functools import cache

from . import vocab
from .registry import DataService


@cache
def rest_api_openapi() -> dict:
    """The REST API's OpenAPI 3 document (generated once per process; it changes only with the code)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


DATA_SERVICES = [
    DataService(
        key="rest-api",
        position=10,
        title={
            "nb": "Servicetorgs REST-API",
            "nn": "REST-API-et til Servicetorg",
            "en": "Servicetorg REST API",
        },
        description={
            "nb": "Tjenestekatalogen, henvendelser, undersøkelser, indikatorer og strategi som JSON, for "
            "kommunens egne systemer og leverandører: krever innlogging eller API-nøkkel. Beskrivelsen "
            "(OpenAPI) er åpen.",
            "nn": "Tenestekatalogen, førespurnader, undersøkingar, indikatorar og strategi som JSON, for "
            "systema til kommunen og leverandørar: krev innlogging eller API-nøkkel.",
            "en": "The service catalogue, inquiries, surveys, indicators and strategy as JSON, for the "
            "municipality's own systems and suppliers: needs a log-in or an API key. Its OpenAPI "
            "description is open.",
        },
        endpoint_path="/api/",
        openapi=rest_api_openapi,
        description_path="/api/schema/",
        landing_path="/api/docs/",
        conforms_to=(vocab.OPENAPI_3,),
        access_rights="RESTRICTED",
    ),
]
