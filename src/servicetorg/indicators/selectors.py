"""Read queries of the indicator store."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet

from servicetorg.core.permissions import Perm, municipality_ids

from .models import Indicator, IndicatorValue


def visible_indicators(user) -> QuerySet[Indicator]:
    """National indicators and those of the municipalities the user works in."""
    allowed = municipality_ids(user, Perm.INDICATOR_READ)
    qs = Indicator.objects.select_related("municipality")
    if allowed is None:
        return qs
    return qs.filter(Q(municipality__isnull=True) | Q(municipality__in=allowed))


def indicators_for_municipality(municipality) -> QuerySet[Indicator]:
    return Indicator.objects.filter(Q(municipality__isnull=True) | Q(municipality=municipality))


def value_table(
    municipality, indicator_ids: Iterable[int], years: Iterable[int] | None = None
) -> dict[tuple[int, int], Decimal]:
    """{(indicator_id, year): value} of the municipality as a whole (no unit), in one query."""
    qs = IndicatorValue.objects.filter(
        municipality=municipality, unit__isnull=True, indicator_id__in=list(indicator_ids)
    )
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return {(i, y): v for i, y, v in qs.values_list("indicator_id", "year", "value")}


def values_of(indicator: Indicator, municipality_ids_: set[int] | None) -> QuerySet[IndicatorValue]:
    """Values of one indicator in the given municipalities (``None``: all)."""
    qs = indicator.values.select_related("municipality", "unit").order_by(
        "municipality__name", "year", "unit"
    )
    if municipality_ids_ is not None:
        qs = qs.filter(municipality__in=municipality_ids_)
    return qs


def value_changes(indicator: Indicator, municipality_ids_: set[int] | None):
    """The audit trail of an indicator's values (newest first), in the given municipalities."""
    qs = IndicatorValue.history.filter(indicator_id=indicator.pk).select_related(
        "history_user", "municipality"
    )
    if municipality_ids_ is not None:
        qs = qs.filter(municipality_id__in=municipality_ids_)
    return qs.order_by("-history_date", "-history_id")
