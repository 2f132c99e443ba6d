"""Open data: the registry apps fill (registry.py), the DCAT-AP-NO catalogue (dcat.py), the API
descriptions (openapi.py) and the glossary (concepts.py). See docs/open-data.md."""

from .registry import (
    Concept,
    DataService,
    Dataset,
    Distribution,
    Registry,
    RegistryError,
    Vocabulary,
    csv_and_json,
    get_registry,
    pick,
)

__all__ = [
    "Concept",
    "DataService",
    "Dataset",
    "Distribution",
    "Registry",
    "RegistryError",
    "Vocabulary",
    "csv_and_json",
    "pick",
    "get_registry",
]
