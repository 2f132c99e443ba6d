"""Read queries of the service catalogue."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet
from django.utils import timezone

from servicetorg.core.db import is_postgresql
from servicetorg.core.models import Municipality

from . import sql
from .models import Promise, Service, ServiceArea, ServiceDescription, ServiceState, VersionState

SEARCH_CONFIG = "norwegian"
_TERM = re.compile(r"[\wæøåÆØÅ]+", re.UNICODE)


def published_services(municipality: Municipality) -> QuerySet[Service]:
    """Published services of one municipality, ready for listing (area and unit joined)."""
    return (
        Service.objects.filter(municipality=municipality, state=ServiceState.PUBLISHED)
        .select_related("area", "responsible_unit")
        .order_by("area__position", "area__name", "name")
    )


def published_service(municipality: Municipality, slug: str) -> Service:
    """One published service with its published description and promises (raises DoesNotExist)."""
    return (
        Service.objects.select_related("area", "responsible_unit", "published_version", "municipality")
        .prefetch_related("published_version__promises")
        .get(municipality=municipality, slug=slug, state=ServiceState.PUBLISHED)
    )


def search_terms(query: str) -> list[str]:
    return [t.lower() for t in _TERM.findall(query or "")][:8]


#: Endings of Norwegian inflection, longest first: "barnehagen" → "barnehag", "søknadene" → "søknad".
_ENDINGS = ("ene", "ane", "ende", "ert", "er", "en", "et", "ar", "a", "e")


def search_stem(term: str) -> str:
    """A light stem of a word for prefix search: a known ending cut, never below four letters.

    The stem is always the start of the word, so a prefix search on it finds the word itself, its
    other forms and the compounds it begins ("barnehag" → barnehage, barnehagen, barnehageplass).
    PostgreSQL stems with its own Norwegian dictionary (Snowball); this is SQLite's stand-in."""
    for ending in _ENDINGS:
        if term.endswith(ending) and len(term) - len(ending) >= 4:
            return term[: -len(ending)]
    return term


def search_published(municipality: Municipality, query: str, *, limit: int = 100) -> list[Service]:
    """The municipality's published services that match a query, best first (at most ``limit``).

    The one search of the catalogue: the portal page and the API call it. Every word must match
    (as a prefix, so "barnehage" finds "barnehageplass"); when no service has them all, any word
    does. Ranked by where the words are: the name and the service's search words weigh most, then
    the summary, then the rest of the text.

    - PostgreSQL: full-text search with Norwegian stemming on a stored, GIN-indexed vector
      (``services.refresh_search_vector``), ranked by ``ts_rank``.
    - SQLite: an FTS5 index kept by triggers (``sql.py``), ranked by bm25, with a light stemming of
      the query (:func:`search_stem`).
    """
    terms = search_terms(query)
    if not terms:
        return list(published_services(municipality)[:limit])
    search = _search_postgresql if is_postgresql() else _search_sqlite
    found = search(municipality, terms, "and", limit)
    if not found and len(terms) > 1:
        found = search(municipality, terms, "or", limit)
    return found


def _search_postgresql(municipality, terms: list[str], mode: str, limit: int) -> list[Service]:
    raw = (" & " if mode == "and" else " | ").join(f"{term}:*" for term in terms)
    tsquery = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
    return list(
        published_services(municipality)
        .filter(search_vector=tsquery)
        .annotate(rank=SearchRank(F("search_vector"), tsquery))
        .order_by("-rank", "name", "pk")[:limit]
    )


def _search_sqlite(municipality, terms: list[str], mode: str, limit: int) -> list[Service]:
    match = (" " if mode == "and" else " OR ").join(f'"{search_stem(term)}"*' for term in terms)
    ids = sql.fts_search(municipality.pk, match, limit)
    by_id = published_services(municipality).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def promise_for(service: Service, kind: str) -> Promise | None:
    """The promise of the given kind in the service's published declaration, if any."""
    if not service.published_version_id:
        return None
    return Promise.objects.filter(description_id=service.published_version_id, kind=kind).first()


def draft_of(service: Service) -> ServiceDescription | None:
    return service.versions.filter(state=VersionState.DRAFT).first()


def areas_of(municipality: Municipality) -> QuerySet[ServiceArea]:
    return ServiceArea.objects.filter(municipality=municipality).order_by("position", "name")


def review_overdue(queryset: QuerySet[Service]) -> QuerySet[Service]:
    return queryset.filter(review_due__lt=timezone.localdate()).exclude(state=ServiceState.ARCHIVED)
