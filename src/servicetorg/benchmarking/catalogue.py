"""The KOSTRA indicator catalogue: national :class:`~servicetorg.indicators.models.Indicator` rows
(``municipality=None``, ``source="kostra"``) from ``data/kostra/kostra_catalogue.csv`` (see its
SOURCE.md for which table and content codes are verified).

:func:`load_catalogue` is idempotent (``manage.py load_kostra_catalogue``): indicators are matched by
``code``; a second run changes nothing and says so. Ratio indicators get their numerator and
denominator (rows of the same catalogue) after every row exists.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction

from servicetorg.indicators.models import Aspect, Direction, Indicator, MergeRule, Sector, Source

FILE = Path(__file__).resolve().parent / "data" / "kostra" / "kostra_catalogue.csv"


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    table: str
    contents_code: str
    unit: str
    sector: str
    direction: str
    merge_rule: str
    numerator: str
    denominator: str
    scale: float
    aspect: str
    verified: bool
    low: float
    high: float

    @property
    def is_context(self) -> bool:
        return self.sector == Sector.CONTEXT


@cache
def entries() -> tuple[Entry, ...]:
    """The catalogue's rows, checked (a bad shipped file fails loudly, in tests first)."""
    out = []
    with FILE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            entry = Entry(
                code=row["code"],
                name=row["name"],
                table=row["table"],
                contents_code=row["contents_code"],
                unit=row["unit"],
                sector=row["sector"],
                direction=row["direction"],
                merge_rule=row["merge_rule"],
                numerator=row["numerator"],
                denominator=row["denominator"],
                scale=float(row["scale"] or 1),
                aspect=row["aspect"],
                verified=row["verified"] == "yes",
                low=float(row["low"]),
                high=float(row["high"]),
            )
            assert entry.sector in Sector.values, entry
            assert entry.direction in Direction.values, entry
            assert entry.merge_rule in MergeRule.values, entry
            assert entry.aspect in Aspect.values, entry
            assert (entry.merge_rule == MergeRule.RATIO) == bool(entry.numerator and entry.denominator), entry
            out.append(entry)
    codes = {e.code for e in out}
    assert len(codes) == len(out), "duplicate code in the catalogue"
    assert all(e.numerator in codes and e.denominator in codes for e in out if e.numerator), "ratio parts"
    return tuple(out)


def by_code() -> dict[str, Entry]:
    return {e.code: e for e in entries()}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _fields(entry: Entry) -> dict:
    return {
        "name": entry.name,
        "unit_of_measure": entry.unit,
        "direction": entry.direction,
        "source": Source.KOSTRA,
        "aspect": entry.aspect,
        "sector": entry.sector,
        "merge_rule": entry.merge_rule,
        "scale": entry.scale,
        "kostra_table": entry.table,
        "kostra_code": entry.contents_code,
    }


@transaction.atomic
def load_catalogue() -> LoadResult:
    """Create or bring up to date the national KOSTRA indicators. Idempotent."""
    result = LoadResult()
    existing = {i.code: i for i in Indicator.objects.filter(municipality__isnull=True)}
    dirty: set[str] = set()
    created: set[str] = set()
    for entry in entries():
        indicator = existing.get(entry.code)
        fields = _fields(entry)
        if indicator is None:
            existing[entry.code] = Indicator.objects.create(municipality=None, code=entry.code, **fields)
            created.add(entry.code)
            continue
        changed = [name for name, value in fields.items() if getattr(indicator, name) != value]
        if changed:
            for name in changed:
                setattr(indicator, name, fields[name])
            indicator.save(update_fields=changed)
            dirty.add(entry.code)
    for entry in entries():
        indicator = existing[entry.code]
        numerator = existing[entry.numerator].pk if entry.numerator else None
        denominator = existing[entry.denominator].pk if entry.denominator else None
        if (indicator.numerator_id, indicator.denominator_id) != (numerator, denominator):
            indicator.numerator_id, indicator.denominator_id = numerator, denominator
            indicator.save(update_fields=["numerator", "denominator"])
            dirty.add(entry.code)
    result.created = len(created)
    result.updated = len(dirty - created)
    result.unchanged = len(entries()) - result.created - result.updated
    return result


def indicators_by_content(table: str) -> dict[str, Indicator]:
    """National indicators of one SSB table by content code (what an import matches on)."""
    return {
        i.kostra_code: i
        for i in Indicator.objects.filter(municipality__isnull=True, kostra_table=table).exclude(
            kostra_code=""
        )
    }
