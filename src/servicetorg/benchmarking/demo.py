"""Demo data of benchmarking: the register (as on every installation), the demo's own fictional
municipality in it (marked, so every page can say it is not one of Statistics Norway's codes), the
KOSTRA catalogue, and **synthetic** official values.

The values are deterministic (a hash of indicator, municipality and year — no random state), cover
every catalogue indicator, every municipality of the register and 2015–2024, and are keyed like
Statistics Norway's: by the code in force at the end of the year they describe (Larvik is 0709 for
2015–2017, 0712 for 2018–2019, 3805 for 2020–2023 and 3909 for 2024), with the country (``EAK``)
and the counties (``EKA..``) as aggregates. A renumbered municipality keeps its profile across its
codes (its series is smooth); ratios are computed from their numerator and denominator, so the
series reader can recompute them across mergers. A few cells carry SSB's symbols (``..``, ``:``,
``.``). They are written by one run of kind ``demo``: every page that shows one says «Syntetiske
demotall». Fast: one bulk write (about 200 000 values in a few seconds on SQLite).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from servicetorg.indicators.models import ImportRun, Indicator, MergeRule

from . import catalogue, sql
from .models import CodeChange, Region, RegionKind
from .registry import COUNTRY_CODE, COUNTY_PREFIX, load_registry

YEARS = range(2015, 2025)
DEMO_FILE = "synthetic-demo"
#: Known sizes, so the big cities look big (the rest drawn between 800 and 60 000 inhabitants).
POPULATION = {"0301": 717_000, "4601": 291_000, "5001": 215_000, "1103": 149_000, "3201": 130_000}


def load(municipality, *, seed: int) -> None:
    load_registry()
    Region.objects.update_or_create(
        code=municipality.number,
        defaults={
            "name": municipality.name,
            "kind": RegionKind.MUNICIPALITY,
            "county_code": municipality.number[:2],
            "county_name": Region.objects.filter(code=f"EKA{municipality.number[:2]}")
            .values_list("name", flat=True)
            .first()
            or "",
            "fictional": True,
        },
    )
    catalogue.load_catalogue()
    load_values(seed=seed)
    from .ranking import demo as ranking_demo  # the demo's published ranking over these figures

    ranking_demo.load(municipality, seed=seed)
    from .owndata import demo as owndata_demo  # the demo publishes its own figures in the benchmark

    owndata_demo.load(municipality, seed=seed)


def _u(*parts) -> float:
    """A number in [0, 1) from the parts (deterministic across runs and machines)."""
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def codes_by_year() -> dict[int, list[str]]:
    """The municipality codes in force at the end of each demo year (the register's validity)."""
    out: dict[int, list[str]] = {}
    regions = list(
        Region.objects.filter(kind=RegionKind.MUNICIPALITY).values_list("code", "valid_from", "valid_to")
    )
    for year in YEARS:
        end = dt.date(year, 12, 31)
        out[year] = sorted(
            code
            for code, valid_from, valid_to in regions
            if (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= end)
        )
    return out


def identities() -> dict[str, str]:
    """Each code → the newest code of its renumbering chain (0709 → 3909), so a renumbered
    municipality keeps one profile. Mergers and splits give new profiles."""
    step = dict(
        CodeChange.objects.filter(kind=CodeChange.Kind.RENUMBERING).values_list("old_code", "new_code")
    )
    out = {}
    for code in step:
        seen, current = {code}, code
        while current in step and step[current] not in seen:
            current = step[current]
            seen.add(current)
        out[code] = current
    return out


def _round(value: float, unit: str) -> float:
    if unit in ("kr", "personer", "barn"):
        return float(round(value))
    return round(value, 2 if abs(value) < 10 else 1)


def _level(entry, who: str, year: int, seed: int) -> float:
    """An 'apart' figure: the municipality's level in the typical range, a drift over the years and
    a little noise."""
    span = entry.high - entry.low
    level = (_u(seed, entry.code, who, "a") + _u(seed, entry.code, who, "b")) / 2
    drift = (_u(seed, entry.code, who, "d") - 0.5) * 0.03 * (year - 2015)
    noise = (_u(seed, entry.code, who, year) - 0.5) * 0.06
    value = entry.low + span * (level + drift + noise)
    if entry.unit == "%":
        value = min(max(value, 0.0 if entry.low >= 0 else entry.low - span), 100.0)
    return value


def _population(who: str, year: int, seed: int) -> float:
    base = POPULATION.get(who) or math.exp(
        math.log(800) + _u(seed, "pop", who) * (math.log(60_000) - math.log(800))
    )
    growth = (_u(seed, "growth", who) - 0.35) * 0.02
    return base * (1 + growth) ** (year - 2015)


def _sums(who: str, year: int, seed: int) -> dict[str, float]:
    """The additive figures of one municipality and year (numerators and denominators of ratios)."""
    pop = _population(who, year, seed)
    young = pop * (0.045 + 0.03 * _u(seed, "young", who))
    coverage = min(0.99, 0.8 + 0.15 * _u(seed, "cov", who) + 0.004 * (year - 2015))
    return {
        "folkemengde": round(pop),
        "innbyggere-1-5": round(young),
        "barn-1-5-i-barnehage": round(young * coverage),
        "areal": round(6 + 2500 * _u(seed, "area", who) ** 2, 1),
        "legearsverk": round(pop * (8 + 17 * _u(seed, "lege", who)) / 10_000, 1),
    }


def _symbol(entry, code: str, year: int, seed: int) -> str:
    """About one cell in sixty of the non-additive figures carries a symbol."""
    if entry.merge_rule != MergeRule.APART:
        return ""
    u = _u(seed, "symbol", entry.code, code, year)
    if u < 0.006:
        return ".."
    if u < 0.011:
        return ":"
    if u < 0.016:
        return "."
    return ""


def rows(seed: int):
    """(indicator id, region code, year, value, symbol, preliminary) of every demo value."""
    entries = catalogue.entries()
    ids = dict(
        Indicator.objects.filter(municipality__isnull=True, code__in=[e.code for e in entries]).values_list(
            "code", "pk"
        )
    )
    by_code = {e.code: e for e in entries}
    identity = identities()
    for year, codes in codes_by_year().items():
        # county and country aggregates: sums of the additive figures, means of the others
        summed: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        means: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for code in codes:
            who = identity.get(code, code)
            sums = _sums(who, year, seed)
            for entry in entries:
                if entry.merge_rule == MergeRule.SUM:
                    value = sums[entry.code]
                elif entry.merge_rule == MergeRule.RATIO:
                    value = sums[entry.numerator] / sums[entry.denominator] * entry.scale
                else:
                    value = _level(entry, who, year, seed)
                value = _round(value, entry.unit)
                symbol = _symbol(entry, code, year, seed)
                yield (ids[entry.code], code, year, None if symbol else value, symbol, year == YEARS[-1])
                for region in (COUNTRY_CODE, f"{COUNTY_PREFIX}{code[:2]}"):
                    if entry.merge_rule == MergeRule.SUM:
                        summed[region][entry.code] += value
                    elif entry.merge_rule == MergeRule.APART and not symbol:
                        means[region][entry.code].append(value)
        for region in summed:
            for entry in entries:
                if entry.merge_rule == MergeRule.SUM:
                    value = summed[region][entry.code]
                elif entry.merge_rule == MergeRule.RATIO:
                    parts = summed[region]
                    value = parts[entry.numerator] / parts[entry.denominator] * by_code[entry.code].scale
                else:
                    found = means[region][entry.code]
                    if not found:
                        continue
                    value = sum(found) / len(found)
                yield (ids[entry.code], region, year, _round(value, entry.unit), "", year == YEARS[-1])


@transaction.atomic
def load_values(*, seed: int = 1, force: bool = False) -> ImportRun | None:
    """Write the synthetic values once (a second call does nothing unless ``force``)."""
    if not force and ImportRun.objects.filter(kind=ImportRun.Kind.DEMO).exists():
        return None
    run = ImportRun.objects.create(kind=ImportRun.Kind.DEMO, file_name=DEMO_FILE, table_id="12362")
    with sql.Incoming() as incoming:
        batch = []
        for row in rows(seed):
            batch.append(row)
            if len(batch) >= 20_000:
                incoming.add(batch)
                batch = []
        incoming.add(batch)
        counts = incoming.merge(run_id=run.pk, now=timezone.now())
    run.created, run.updated = counts.created, counts.updated
    run.save(update_fields=["created", "updated"])
    return run
