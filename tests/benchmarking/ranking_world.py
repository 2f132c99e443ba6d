"""A small world for the ranking's tests: regions of the register, catalogue indicators and official
values (one demo import), a tenant with an administrator and another tenant."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servicetorg.benchmarking.models import OfficialValue, Region, RegionKind
from servicetorg.benchmarking.ranking import services
from servicetorg.core.choices import Role
from servicetorg.indicators.models import Direction, ImportRun, Indicator, Source
from tests.factories import MunicipalityFactory, make_staff

REGIONS = [
    ("3901", "Horten", "39", "Vestfold"),
    ("3903", "Holmestrand", "39", "Vestfold"),
    ("3905", "Tønsberg", "39", "Vestfold"),
    ("3907", "Sandefjord", "39", "Vestfold"),
    ("3909", "Larvik", "39", "Vestfold"),
    ("0301", "Oslo", "03", "Oslo"),
    ("4601", "Bergen", "46", "Vestland"),
    ("4602", "Kinn", "46", "Vestland"),
]

# code, name, direction, sector
INDICATORS = [
    ("barnehage-dekning", "Andel barn i barnehage", Direction.HIGHER_IS_BETTER, "kindergarten"),
    ("barnehage-ansatte", "Barn per ansatt", Direction.LOWER_IS_BETTER, "kindergarten"),
    ("skole-grunnskolepoeng", "Grunnskolepoeng", Direction.HIGHER_IS_BETTER, "school"),
    ("skole-frafall", "Frafall", Direction.LOWER_IS_BETTER, "school"),
    ("helse-legedekning", "Legeårsverk", Direction.HIGHER_IS_BETTER, "health"),
    ("folketall", "Folketall", Direction.NEUTRAL, "context"),
]

YEAR = 2024


def build_world(*, demo=True):
    for code, name, county, county_name in REGIONS:
        Region.objects.create(
            code=code,
            name=name,
            kind=RegionKind.MUNICIPALITY,
            county_code=county,
            county_name=county_name,
            valid_from=dt.date(2024, 1, 1),
        )
    Region.objects.create(code="3999", name="Fjordvik", kind=RegionKind.MUNICIPALITY, fictional=True)
    Region.objects.create(
        code="3805", name="Larvik", kind=RegionKind.MUNICIPALITY, valid_to=dt.date(2023, 12, 31)
    )
    indicators = {}
    for code, name, direction, sector in INDICATORS:
        indicators[code] = Indicator.objects.create(
            municipality=None,
            code=code,
            name=name,
            unit_of_measure="%",
            direction=direction,
            sector=sector,
            source=Source.KOSTRA,
        )
    run = ImportRun.objects.create(kind=ImportRun.Kind.DEMO if demo else ImportRun.Kind.JSONSTAT)
    now = timezone.now()
    rows = []
    for i, (code, *_rest) in enumerate(REGIONS):
        for j, (icode, *_r) in enumerate(INDICATORS):
            value = float(10 + (i * 7 + j * 3) % 11)
            symbol = ""
            if code == "4602" and icode in ("skole-grunnskolepoeng", "skole-frafall", "helse-legedekning"):
                value, symbol = None, ".."  # Kinn: too little to be ranked
            rows.append(
                OfficialValue(
                    indicator=indicators[icode],
                    region_code=code,
                    year=YEAR,
                    value=value,
                    symbol=symbol,
                    run=run,
                    changed_at=now,
                )
            )
            # An older year that must not be read, and the old Larvik code.
            rows.append(
                OfficialValue(
                    indicator=indicators[icode],
                    region_code=code,
                    year=YEAR - 1,
                    value=999.0,
                    run=run,
                    changed_at=now,
                )
            )
    rows.append(
        OfficialValue(
            indicator=indicators["skole-frafall"],
            region_code="3999",
            year=YEAR,
            value=0.0,
            run=run,
            changed_at=now,
        )
    )
    OfficialValue.objects.bulk_create(rows)
    tenant = MunicipalityFactory(name="Fjordvik", number="3999", organization_number="940192226")
    other = MunicipalityFactory(name="Nabovik", number="3998", organization_number="964965226")
    admin = make_staff(Role.ADMINISTRATION, tenant)
    other_admin = make_staff(Role.ADMINISTRATION, other)
    desk = make_staff(Role.DESK_WORKER, tenant)
    return {
        "tenant": tenant,
        "other": other,
        "admin": admin,
        "other_admin": other_admin,
        "desk": desk,
        "indicators": indicators,
    }


def method_and_run(world, *, publish=False, draws=100):
    method = services.create_method(municipality=world["tenant"], user=world["admin"], name="Kommunetesten")
    ranking = services.run(method, user=world["admin"], draws=draws)
    if publish:
        services.publish(ranking, user=world["admin"])
    return method, ranking


def walk_objects(municipality) -> dict:
    """For tests/core/test_roles_walk.py: a method and a draft run of ``municipality`` on three
    regions and two indicators (get-or-create, so it sits beside other parts' data)."""
    from servicetorg.core.permissions import SYSTEM

    now = timezone.now()
    for code, name in (("4201", "Risør"), ("4202", "Grimstad"), ("4203", "Arendal")):
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": RegionKind.MUNICIPALITY,
                "county_code": "42",
                "county_name": "Agder",
            },
        )
    for k, direction in enumerate((Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER)):
        indicator, _ = Indicator.objects.get_or_create(
            municipality=None,
            code=f"walk-rank-{k}",
            defaults={
                "name": f"Rangering {k}",
                "unit_of_measure": "%",
                "direction": direction,
                "sector": "school",
                "source": Source.KOSTRA,
            },
        )
        for i, code in enumerate(("4201", "4202", "4203")):
            OfficialValue.objects.get_or_create(
                indicator=indicator,
                region_code=code,
                year=2024,
                defaults={"value": float(10 + i * (k + 1)), "changed_at": now},
            )
    method = services.create_method(
        municipality=municipality,
        user=SYSTEM,
        name="Rangering",
        indicator_weights={"walk-rank-0": 1, "walk-rank-1": 1},
        sector_weights={"school": 1},
    )
    ranking = services.run(method, user=SYSTEM, draws=10)
    return {"rank.method": {"pk": method.pk}, "rank.run": {"pk": ranking.pk}}
