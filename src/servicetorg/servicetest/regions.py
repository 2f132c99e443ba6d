"""The regions a round may test, read from the municipality register (servicetorg.benchmarking):
current municipalities with their latest official population (indicator ``folkemengde``).

Read here, in one place, so the rest of the app works with :class:`sampling.Candidate` rows.
"""

from __future__ import annotations

from django.apps import apps

from .sampling import Candidate

POPULATION_INDICATOR = "folkemengde"


def register_available() -> bool:
    return apps.is_installed("servicetorg.benchmarking")


def candidates() -> list[Candidate]:
    """Every current municipality of the register (not fictional), with its latest population."""
    if not register_available():
        return []
    from servicetorg.benchmarking.models import OfficialValue, Region

    regions = Region.objects.filter(kind="municipality", valid_to__isnull=True, fictional=False).order_by(
        "code"
    )
    population: dict[str, int] = {}
    values = (
        OfficialValue.objects.filter(indicator__code=POPULATION_INDICATOR, value__isnull=False)
        .order_by("region_code", "year")
        .values_list("region_code", "value")
    )
    for code, value in values:
        population[code] = int(value)  # the latest year wins (ordered by year)
    return [Candidate(r.code, r.name, population.get(r.code)) for r in regions]


def names(codes) -> dict[str, str]:
    """Names of register codes (current or former)."""
    if not register_available():
        return {}
    from servicetorg.benchmarking.models import Region

    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def population(code: str) -> int | None:
    """The latest official population of one region, or None."""
    if not register_available():
        return None
    from servicetorg.benchmarking.models import OfficialValue

    value = (
        OfficialValue.objects.filter(
            indicator__code=POPULATION_INDICATOR, region_code=code, value__isnull=False
        )
        .order_by("-year")
        .values_list("value", flat=True)
        .first()
    )
    return None if value is None else int(value)
