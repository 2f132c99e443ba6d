"""The registry of what the platform publishes as open data.

Core and portal import no domain app (DESIGN.md), so each app says what it publishes: its
AppConfig names a module in ``open_data`` (e.g. ``open_data = "servicetorg.indicators.open_data"``)
that defines any of

- ``DATASETS``: :class:`Dataset` objects (one ``dcat:Dataset`` each, with its distributions),
- ``DATA_SERVICES``: :class:`DataService` objects (APIs, described from their OpenAPI document),
- ``CONCEPTS``: :class:`Concept` objects (terms of the platform's glossary, SKOS-AP-NO),
- ``VOCABULARIES``: :class:`Vocabulary` files of our own that the data uses.

The portal serves every distribution at ``/apne-data/<kommunenummer>/<file name>`` and the
municipality's DCAT-AP-NO catalogue lists them; a new module (choice, benchmarking, servicetest)
adds its datasets by registering them, without touching the catalogue code.

Titles and descriptions are metadata published in the catalogue, so they are given per language
(``{"nb": …, "nn": …, "en": …}``) rather than through gettext.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.utils.translation import get_language

Texts = dict[str, str]

#: Renders a distribution: ``(municipality, base_url) -> str | bytes``.
Renderer = Callable[..., str | bytes]


def pick(texts: Texts, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), else bokmål, else any."""
    language = (language or get_language() or "nb").split("-")[0]
    if language == "no":
        language = "nb"
    return texts.get(language) or texts.get("nb") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Distribution:
    """One way to get a dataset: a file the portal renders, or an API address."""

    #: File name under ``/apne-data/<kommunenummer>/`` (unique across the registry), e.g.
    #: ``indikatorer.csv``; empty for an API distribution (``access_path``).
    filename: str
    title: Texts
    media_type: str  # e.g. "text/csv"
    #: Code in the EU file-type vocabulary (CSV, JSON, RDF_TURTLE, JSON_LD, XML).
    file_type: str
    render: Renderer | None = None
    #: For an API distribution: the path of the endpoint (``/api/open311/v2/requests.json``).
    access_path: str = ""
    #: Key of the :class:`DataService` the access path belongs to.
    access_service: str = ""
    conforms_to: tuple[str, ...] = ()
    description: Texts = field(default_factory=dict)

    @property
    def is_file(self) -> bool:
        return bool(self.filename and self.render)


def csv_and_json(stem: str, title: Texts, *, csv: Callable[..., str], json: Callable[..., str]):
    """A dataset's two files ``<stem>.csv`` and ``<stem>.json``, titled "<title> (CSV)" and
    "<title> (JSON)"; ``csv`` and ``json`` render them from the municipality."""
    return (
        Distribution(
            filename=f"{stem}.csv",
            title={lang: f"{text} (CSV)" for lang, text in title.items()},
            media_type="text/csv",
            file_type="CSV",
            render=lambda municipality, base_url: csv(municipality),
        ),
        Distribution(
            filename=f"{stem}.json",
            title={lang: f"{text} (JSON)" for lang, text in title.items()},
            media_type="application/json",
            file_type="JSON",
            render=lambda municipality, base_url: json(municipality),
        ),
    )


@dataclass(frozen=True)
class Dataset:
    key: str  # stable, used in IRIs: <base>/apne-data/<kommunenummer>/datasett/<key>
    title: Texts
    description: Texts
    distributions: tuple[Distribution, ...]
    #: EU data-theme codes (GOVE, SOCI, EDUC, HEAL, REGI, …).
    themes: tuple[str, ...] = ("GOVE",)
    #: LOS themes (paths under https://psi.norge.no/los/tema/).
    los_themes: tuple[str, ...] = ()
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Code in the EU frequency vocabulary (CONT, DAILY, WEEKLY, MONTHLY, ANNUAL, IRREG, …).
    frequency: str = "IRREG"
    #: Keys of the glossary concepts the dataset uses (linked with dct:subject).
    concepts: tuple[str, ...] = ()
    #: ``(municipality) -> (first date, last date or None)``: the temporal coverage.
    temporal: Callable[..., tuple[date | None, date | None]] | None = None
    #: ``(municipality) -> datetime | None``: when the data last changed (also the cache stamp).
    modified: Callable[..., datetime | None] | None = None
    #: Standards the data follows (IRIs), e.g. the CPSV-AP-NO specification.
    conforms_to: tuple[str, ...] = ()
    position: int = 100


@dataclass(frozen=True)
class DataService:
    key: str  # used in IRIs: <base>/apne-data/<kommunenummer>/api/<key>
    title: Texts
    description: Texts
    #: Path of the endpoint, e.g. "/api/" or "/api/open311/v2/".
    endpoint_path: str
    #: ``() -> dict``: the service's OpenAPI 3.0 document.
    openapi: Callable[[], dict]
    #: Path where people and machines read that document, e.g. "/api/schema/".
    description_path: str
    #: Path of human documentation, e.g. "/api/docs/".
    landing_path: str = ""
    conforms_to: tuple[str, ...] = ()
    #: Keys of the datasets the service serves.
    serves: tuple[str, ...] = ()
    themes: tuple[str, ...] = ("GOVE",)
    #: Code in the EU access-right vocabulary: PUBLIC, or RESTRICTED for an API that needs a key.
    access_rights: str = "PUBLIC"
    position: int = 100


@dataclass(frozen=True)
class Concept:
    """A term of the platform's glossary (SKOS-AP-NO)."""

    key: str  # used in IRIs: <base>/apne-data/begreper/<key>
    term: Texts
    definition: Texts
    alternative_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Where the definition comes from (law, guide), as text, and a link to it.
    source: Texts = field(default_factory=dict)
    source_url: str = ""
    #: Keys of related concepts (skos:related is not in concepttordf; we use "see also").
    see_also: tuple[str, ...] = ()
    example: Texts = field(default_factory=dict)


@dataclass(frozen=True)
class Vocabulary:
    """A vocabulary of our own that published data uses, served at /apne-data/vokabular/<filename>."""

    filename: str
    path: Path
    media_type: str = "text/turtle"


@dataclass(frozen=True)
class Registry:
    datasets: tuple[Dataset, ...]
    data_services: tuple[DataService, ...]
    concepts: tuple[Concept, ...]
    vocabularies: tuple[Vocabulary, ...] = ()

    def dataset(self, key: str) -> Dataset | None:
        return next((d for d in self.datasets if d.key == key), None)

    def distribution(self, filename: str) -> tuple[Dataset, Distribution] | None:
        for dataset in self.datasets:
            for distribution in dataset.distributions:
                if distribution.filename == filename and distribution.is_file:
                    return dataset, distribution
        return None

    def data_service(self, key: str) -> DataService | None:
        return next((s for s in self.data_services if s.key == key), None)

    def concept(self, key: str) -> Concept | None:
        return next((c for c in self.concepts if c.key == key), None)

    def vocabulary(self, filename: str) -> Vocabulary | None:
        return next((v for v in self.vocabularies if v.filename == filename), None)


class RegistryError(ValueError):
    """Two apps registered the same key or file name, or a dataset names a missing concept."""


@cache
def get_registry() -> Registry:
    """Everything the installed apps registered, checked for clashes (read once per process)."""
    datasets: list[Dataset] = []
    data_services: list[DataService] = []
    concepts: list[Concept] = []
    vocabularies: list[Vocabulary] = []
    for config in apps.get_app_configs():
        path = getattr(config, "open_data", None)
        if not path:
            continue
        module = import_module(path)
        datasets.extend(getattr(module, "DATASETS", ()))
        data_services.extend(getattr(module, "DATA_SERVICES", ()))
        concepts.extend(getattr(module, "CONCEPTS", ()))
        vocabularies.extend(getattr(module, "VOCABULARIES", ()))
    return check(
        Registry(
            datasets=tuple(sorted(datasets, key=lambda d: (d.position, d.key))),
            data_services=tuple(sorted(data_services, key=lambda s: (s.position, s.key))),
            concepts=tuple(sorted(concepts, key=lambda c: c.key)),
            vocabularies=tuple(vocabularies),
        )
    )


def check(reg: Registry) -> Registry:
    """Refuse a registry whose keys or file names clash, or whose links point nowhere."""

    def unique(kind: str, keys: list[str]) -> None:
        seen = set()
        for key in keys:
            if key in seen:
                raise RegistryError(f"Two {kind} are registered as {key!r}.")
            seen.add(key)

    unique("datasets", [d.key for d in reg.datasets])
    unique("data services", [s.key for s in reg.data_services])
    unique("concepts", [c.key for c in reg.concepts])
    unique("vocabularies", [v.filename for v in reg.vocabularies])
    unique("files", [x.filename for d in reg.datasets for x in d.distributions if x.filename])
    concepts = {c.key for c in reg.concepts}
    services = {s.key for s in reg.data_services}
    datasets = {d.key for d in reg.datasets}
    for dataset in reg.datasets:
        for key in dataset.concepts:
            if key not in concepts:
                raise RegistryError(f"Dataset {dataset.key!r} uses the unknown concept {key!r}.")
        for distribution in dataset.distributions:
            if distribution.access_service and distribution.access_service not in services:
                raise RegistryError(
                    f"Dataset {dataset.key!r} names the unknown data service {distribution.access_service!r}."
                )
            if not distribution.is_file and not distribution.access_path:
                raise RegistryError(f"A distribution of {dataset.key!r} has neither a file nor an address.")
    for service in reg.data_services:
        for key in service.serves:
            if key not in datasets:
                raise RegistryError(f"Data service {service.key!r} serves the unknown dataset {key!r}.")
    for concept in reg.concepts:
        for key in concept.see_also:
            if key not in concepts:
                raise RegistryError(f"Concept {concept.key!r} refers to the unknown concept {key!r}.")
    return reg
