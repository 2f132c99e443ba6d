"""Read queries of the service catalogue."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from servicetorg.core.models import Municipality

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


def search_published(municipality: Municipality, query: str) -> QuerySet[Service]:
    """Full-text search over published services.

    PostgreSQL: Norwegian stemming with prefix matching on a stored, GIN-indexed vector, so that
    "barnehage" finds "barnehageplass". Other databases: every term must occur in the text.
    """
    services = published_services(municipality)
    terms = search_terms(query)
    if not terms:
        return services
    if connection.vendor == "postgresql":
        raw = " & ".join(f"{term}:*" for term in terms)
        tsquery = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
        return (
            services.filter(search_vector=tsquery)
            .annotate(rank=SearchRank(F("search_vector"), tsquery))
            .order_by("-rank", "name")
        )
    condition = Q()
    for term in terms:
        condition &= Q(search_text__icontains=term)
    return services.filter(condition).order_by("name")


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
