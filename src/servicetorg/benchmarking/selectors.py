"""Read queries of the register and the official statistics (public data: no tenant scoping).

:func:`synthetic_notice` is what every page showing official values asks before it renders the
«Syntetiske demotall» notice (``benchmarking/_synthetic_notice.html``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.validators import small_int
from servicetorg.indicators.models import ImportRun, Indicator, Source

from .models import CodeChange, OfficialValue, Region, RegionKind


def demo_run_ids() -> set[int]:
    return set(ImportRun.objects.filter(kind=ImportRun.Kind.DEMO).values_list("pk", flat=True))


def synthetic_notice(values_or_queryset) -> bool:
    """True when any of the values shown comes from a demo run (kind ``demo``).

    Accepts a queryset of :class:`OfficialValue` (one ``EXISTS`` query), or an iterable of values,
    dicts or points carrying ``run_id`` (or ``run``), or of run ids (one query at most)."""
    if isinstance(values_or_queryset, QuerySet):
        if values_or_queryset.model is OfficialValue:
            return values_or_queryset.filter(run__kind=ImportRun.Kind.DEMO).exists()
        if values_or_queryset.model is ImportRun:
            return values_or_queryset.filter(kind=ImportRun.Kind.DEMO).exists()
    run_ids = set()
    for item in values_or_queryset or ():
        if isinstance(item, int):
            run_ids.add(item)
        elif isinstance(item, dict):
            run_ids.add(item.get("run_id", item.get("run")))
        else:
            run_id = getattr(item, "run_id", None)
            if run_id is None and getattr(item, "run", None) is not None:
                run_id = getattr(item.run, "pk", item.run)
            run_ids.add(run_id)
    run_ids.discard(None)
    if not run_ids:
        return False
    return ImportRun.objects.filter(pk__in=run_ids, kind=ImportRun.Kind.DEMO).exists()


def catalogue_indicators() -> QuerySet[Indicator]:
    """The national KOSTRA indicators (the catalogue and any added since)."""
    return Indicator.objects.filter(municipality__isnull=True, source=Source.KOSTRA).order_by(
        "sector", "name"
    )


def current_municipalities() -> QuerySet[Region]:
    return Region.objects.filter(kind=RegionKind.MUNICIPALITY, valid_to__isnull=True).order_by("code")


def current_counties() -> QuerySet[Region]:
    return Region.objects.filter(kind=RegionKind.COUNTY, valid_to__isnull=True).order_by("code")


def former_codes() -> dict[str, list[CodeChange]]:
    """Every code change by the code it led to, newest first (one query); the register page follows
    these back from today's codes."""
    out: dict[str, list[CodeChange]] = {}
    for change in CodeChange.objects.exclude(kind=CodeChange.Kind.NAME).order_by("-occurred", "old_code"):
        out.setdefault(change.new_code, []).append(change)
    return out


def predecessors(code: str, by_new: dict[str, list[CodeChange]]) -> list[CodeChange]:
    """The changes that led to ``code``, followed back through every earlier code (no query)."""
    out, queue, seen = [], [code], {code}
    while queue:
        current = queue.pop(0)
        for change in by_new.get(current, ()):
            out.append(change)
            if change.old_code not in seen:
                seen.add(change.old_code)
                queue.append(change.old_code)
    return out


def values(
    *,
    indicators: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> QuerySet[OfficialValue]:
    qs = OfficialValue.objects.all()
    if indicators:
        qs = qs.filter(indicator_id__in=list(indicators))
    if regions:
        qs = qs.filter(region_code__in=list(regions))
    if years:
        qs = qs.filter(year__in=list(years))
    return qs


def search_regions(qs: QuerySet[Region], text: str) -> QuerySet[Region]:
    text = text.strip()
    if not text:
        return qs
    return qs.filter(Q(name__icontains=text) | Q(code__startswith=text))


#: Where the official figures come from, on every page, file and API answer that shows them.
SOURCE = "Statistisk sentralbyrå (CC BY 4.0)"


def year_param(query) -> int | None:
    """The ``ar`` (year) query parameter of the comparison pages and API: 1990–2100, else None."""
    year = small_int(query.get("ar"), max_digits=4)
    return year if year is not None and 1990 <= year <= 2100 else None


def editable_municipalities(user) -> QuerySet:
    """The municipalities whose benchmark the user edits (``benchmarking.edit`` in the roles matrix),
    by name."""
    allowed = municipality_ids(user, Perm.BENCHMARK_EDIT)
    found = Municipality.objects.order_by("name", "pk")
    return found if allowed is None else found.filter(pk__in=sorted(allowed))
