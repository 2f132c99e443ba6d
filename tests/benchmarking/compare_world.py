"""A small register and catalogue for the compare part's tests (the full register takes seconds to
load): Vestfold's six municipalities with Larvik's history, Oslo, Moss after the 2020 merger and its
2024 renumbering, and Ålesund's 2024 split; indicators of each direction and three context figures."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servicetorg.benchmarking.models import CodeChange, OfficialValue, Region, RegionKind
from servicetorg.indicators.models import Direction, ImportRun, Indicator, MergeRule, Sector, Source

CURRENT = {
    "3901": ("Horten", "39", "Vestfold"),
    "3903": ("Holmestrand", "39", "Vestfold"),
    "3905": ("Tønsberg", "39", "Vestfold"),
    "3907": ("Sandefjord", "39", "Vestfold"),
    "3909": ("Larvik", "39", "Vestfold"),
    "3911": ("Færder", "39", "Vestfold"),
    "0301": ("Oslo", "03", "Oslo"),
    "3103": ("Moss", "31", "Østfold"),
    "1508": ("Ålesund", "15", "Møre og Romsdal"),
    "1580": ("Haram", "15", "Møre og Romsdal"),
}
OLD = {
    # code: (name, county, valid_from, valid_to)
    "3805": ("Larvik", "38", 2020, 2023),
    "0712": ("Larvik", "07", 2018, 2019),
    "3002": ("Moss", "30", 2020, 2023),
    "0104": ("Moss", "01", None, 2019),
    "0136": ("Rygge", "01", None, 2019),
    "1507": ("Ålesund", "15", 2020, 2023),
    "3804": ("Sandefjord", "38", 2020, 2023),
}
CHANGES = [
    ("0712", "3805", 2020, CodeChange.Kind.RENUMBERING),
    ("3805", "3909", 2024, CodeChange.Kind.RENUMBERING),
    ("3804", "3907", 2024, CodeChange.Kind.RENUMBERING),
    ("0104", "3002", 2020, CodeChange.Kind.MERGER),
    ("0136", "3002", 2020, CodeChange.Kind.MERGER),
    ("3002", "3103", 2024, CodeChange.Kind.RENUMBERING),
    ("1507", "1508", 2024, CodeChange.Kind.SPLIT),
    ("1507", "1580", 2024, CodeChange.Kind.SPLIT),
]


def register() -> None:
    for code, (name, county, county_name) in CURRENT.items():
        Region.objects.create(
            code=code,
            name=name,
            kind=RegionKind.MUNICIPALITY,
            county_code=county,
            county_name=county_name,
            valid_from=dt.date(2024, 1, 1),
        )
    for code, (name, county, start, end) in OLD.items():
        Region.objects.create(
            code=code,
            name=name,
            kind=RegionKind.MUNICIPALITY,
            county_code=county,
            county_name="",
            valid_from=dt.date(start, 1, 1) if start else None,
            valid_to=dt.date(end, 12, 31),
        )
    names = {**{c: v[0] for c, v in CURRENT.items()}, **{c: v[0] for c, v in OLD.items()}}
    for old, new, year, kind in CHANGES:
        CodeChange.objects.create(
            old_code=old,
            old_name=names[old],
            new_code=new,
            new_name=names[new],
            occurred=dt.date(year, 1, 1),
            kind=kind,
        )
    Region.objects.create(code="EAK", name="Landet", kind=RegionKind.COUNTRY)


def indicator(
    code, *, direction=Direction.HIGHER_IS_BETTER, sector=Sector.SCHOOL, rule=MergeRule.APART, unit="poeng"
):
    return Indicator.objects.create(
        code=code,
        name=code.capitalize(),
        unit_of_measure=unit,
        direction=direction,
        sector=sector,
        merge_rule=rule,
        source=Source.KOSTRA,
    )


def value(ind, code, year, number=None, symbol="", run=None):
    return OfficialValue.objects.create(
        indicator=ind,
        region_code=code,
        year=year,
        value=number,
        symbol=symbol,
        run=run,
        changed_at=timezone.now(),
    )


def demo_run():
    return ImportRun.objects.create(kind=ImportRun.Kind.DEMO, file_name="demo")
