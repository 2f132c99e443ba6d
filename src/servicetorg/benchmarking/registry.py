"""The register of municipalities: Statistics Norway's classification 131 (CC BY 4.0), shipped in
``data/klass131`` (see its SOURCE.md), loaded into :class:`Region` and :class:`CodeChange`.

:func:`load_registry` is idempotent: a second run changes nothing and says so. Each municipality
code gets the name of its newest version, its county, and its validity: from the first version that
lists it (or the change that created it) to the day before the first version without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import CodeChange, Region, RegionKind

DATA = Path(__file__).resolve().parent / "data" / "klass131"
#: Codes in the classification that are no municipality ("Uoppgitt").
NOT_MUNICIPALITIES = {"9999"}
COUNTRY_CODE = "EAK"
COUNTY_PREFIX = "EKA"


@dataclass
class LoadResult:
    regions_created: int = 0
    regions_updated: int = 0
    changes_created: int = 0
    current_municipalities: int = 0
    current_counties: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.regions_created or self.regions_updated or self.changes_created)


def _versions() -> list[tuple[dt.date, dt.date | None, list[dict]]]:
    """(valid from, valid to (exclusive) or None, items) of each shipped version, oldest first."""
    out = []
    for path in sorted(DATA.glob("klass131-kommuneinndeling-*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        valid_to = document.get("validTo")
        out.append(
            (
                dt.date.fromisoformat(document["validFrom"]),
                dt.date.fromisoformat(valid_to) if valid_to else None,
                [i for i in document["classificationItems"] if i.get("level") == "1"],
            )
        )
    return out


def county_names() -> dict[str, str]:
    with (DATA / "county_names_numbers.txt").open(encoding="utf-8") as f:
        return {row["county_code"]: row["county_name"] for row in csv.DictReader(f)}


def change_rows() -> list[dict]:
    """The change table with each line's kind: a split when the old code went to several new codes on
    that date, a merger when the new code came from several, a renumbering when one code became one
    other code, "same number" otherwise (a name or boundary change)."""
    changes = json.loads((DATA / "klass131-changetables.json").read_text(encoding="utf-8"))["codeChanges"]
    to_new: dict[tuple, set] = defaultdict(set)
    from_old: dict[tuple, set] = defaultdict(set)
    for c in changes:
        to_new[(c["oldCode"], c["changeOccurred"])].add(c["newCode"])
        from_old[(c["newCode"], c["changeOccurred"])].add(c["oldCode"])
    rows, seen = [], set()
    for c in changes:
        key = (c["oldCode"], c["newCode"], c["changeOccurred"])
        if key in seen:
            continue
        seen.add(key)
        if len(to_new[(c["oldCode"], c["changeOccurred"])]) > 1:
            kind = CodeChange.Kind.SPLIT
        elif len(from_old[(c["newCode"], c["changeOccurred"])]) > 1:
            kind = CodeChange.Kind.MERGER
        elif c["oldCode"] != c["newCode"]:
            kind = CodeChange.Kind.RENUMBERING
        else:
            kind = CodeChange.Kind.NAME
        rows.append(
            {
                "old_code": c["oldCode"],
                "old_name": c["oldName"][:200],
                "new_code": c["newCode"],
                "new_name": c["newName"][:200],
                "occurred": dt.date.fromisoformat(c["changeOccurred"]),
                "kind": kind,
            }
        )
    return rows


def region_rows() -> list[dict]:
    versions = _versions()
    counties = county_names()
    created_on = {r["new_code"]: r["occurred"] for r in change_rows() if r["old_code"] != r["new_code"]}
    seen: dict[str, dict] = {}
    for index, (valid_from, _valid_to, items) in enumerate(versions):
        next_from = versions[index + 1][0] if index + 1 < len(versions) else None
        for item in items:
            code = item["code"]
            if code in NOT_MUNICIPALITIES:
                continue
            row = seen.setdefault(
                code,
                {
                    "code": code,
                    "kind": RegionKind.MUNICIPALITY,
                    # Codes already in the oldest version: valid since the change that made them, if any.
                    "valid_from": valid_from if index else created_on.get(code),
                },
            )
            row["name"] = item["name"][:200]
            row["county_code"] = code[:2]
            row["county_name"] = counties.get(code[:2], "")
            row["valid_to"] = None if next_from is None else next_from - dt.timedelta(days=1)
    rows = list(seen.values())
    rows.append(
        {
            "code": COUNTRY_CODE,
            "name": "Landet",
            "kind": RegionKind.COUNTRY,
            "county_code": "",
            "county_name": "",
        }
    )
    newest = {i["code"][:2] for i in versions[-1][2] if i["code"] not in NOT_MUNICIPALITIES}
    in_use = {r["county_code"] for r in seen.values()}
    for county, name in counties.items():
        if county not in in_use:  # a county of no version since 2017 (Bergen, 13, ended in 1972)
            continue
        rows.append(
            {
                "code": f"{COUNTY_PREFIX}{county}",
                "name": name,
                "kind": RegionKind.COUNTY,
                "county_code": county,
                "county_name": name,
                "valid_to": None if county in newest else _county_end(county, seen),
            }
        )
    return rows


def _county_end(county: str, seen: dict[str, dict]) -> dt.date | None:
    ends = [r["valid_to"] for r in seen.values() if r["county_code"] == county and r["valid_to"]]
    return max(ends) if ends else None


FIELDS = ("name", "kind", "county_code", "county_name", "valid_from", "valid_to")


@transaction.atomic
def load_registry() -> LoadResult:
    """Load (or bring up to date) the register from the shipped files. Idempotent."""
    result = LoadResult()
    existing = {r.code: r for r in Region.objects.all()}
    new, changed = [], []
    for row in region_rows():
        region = existing.get(row["code"])
        if region is None:
            new.append(Region(**row))
            continue
        dirty = False
        for name in FIELDS:
            if name in row and getattr(region, name) != row[name]:
                setattr(region, name, row[name])
                dirty = True
        if dirty:
            changed.append(region)
    Region.objects.bulk_create(new)
    Region.objects.bulk_update(changed, FIELDS)
    result.regions_created, result.regions_updated = len(new), len(changed)
    known = set(CodeChange.objects.values_list("old_code", "new_code", "occurred"))
    changes = [
        CodeChange(**r) for r in change_rows() if (r["old_code"], r["new_code"], r["occurred"]) not in known
    ]
    CodeChange.objects.bulk_create(changes)
    result.changes_created = len(changes)
    current = Region.objects.filter(valid_to__isnull=True)
    result.current_municipalities = current.filter(kind=RegionKind.MUNICIPALITY).count()
    result.current_counties = current.filter(kind=RegionKind.COUNTY).count()
    return result
