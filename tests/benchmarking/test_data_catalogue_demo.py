"""The KOSTRA catalogue (idempotent load) and the synthetic demo values (code history, symbols)."""

import time

import pytest
from django.core.management import call_command

from servicetorg.benchmarking import catalogue, demo, selectors
from servicetorg.benchmarking.models import OfficialValue, Region
from servicetorg.indicators.models import Direction, ImportRun, Indicator, MergeRule, Sector

pytestmark = pytest.mark.django_db


def test_catalogue_loads_once_with_ratio_parts(capsys):
    first = catalogue.load_catalogue()
    assert first.created == len(catalogue.entries()) >= 48
    service = [e for e in catalogue.entries() if e.sector != Sector.CONTEXT]
    context = [e for e in catalogue.entries() if e.sector == Sector.CONTEXT]
    assert len(service) >= 40 and len(context) >= 8
    assert {e.direction for e in catalogue.entries()} == set(Direction.values)
    second = catalogue.load_catalogue()
    assert not second.changed and second.unchanged == len(catalogue.entries())
    coverage = Indicator.objects.get(code="barnehagedekning")
    assert coverage.merge_rule == MergeRule.RATIO and coverage.scale == 100
    assert coverage.numerator.code == "barn-1-5-i-barnehage"
    assert coverage.denominator.code == "innbyggere-1-5"
    assert coverage.municipality is None and coverage.source == "kostra"
    call_command("load_kostra_catalogue")
    assert "Nothing to change" in capsys.readouterr().out


def test_catalogue_updates_a_changed_indicator_in_place():
    catalogue.load_catalogue()
    Indicator.objects.filter(code="grunnskolepoeng").update(direction=Direction.LOWER_IS_BETTER)
    result = catalogue.load_catalogue()
    assert (result.created, result.updated) == (0, 1)
    assert Indicator.objects.get(code="grunnskolepoeng").direction == Direction.HIGHER_IS_BETTER


@pytest.fixture
def demo_loaded(municipality):
    started = time.monotonic()
    demo.load(municipality, seed=1)
    return time.monotonic() - started


def test_demo_values_follow_the_code_history(demo_loaded, municipality):
    larvik = dict(
        OfficialValue.objects.filter(
            indicator__code="folkemengde", region_code__in=["0709", "0712", "3805", "3909"]
        ).values_list("year", "region_code")
    )
    assert larvik == {
        2015: "0709",
        2016: "0709",
        2017: "0709",
        2018: "0712",
        2019: "0712",
        2020: "3805",
        2021: "3805",
        2022: "3805",
        2023: "3805",
        2024: "3909",
    }
    # one profile across the renumberings: no jump between 3805 (2023) and 3909 (2024)
    pop = dict(
        OfficialValue.objects.filter(
            indicator__code="folkemengde", region_code__in=["3805", "3909"]
        ).values_list("year", "value")
    )
    assert abs(pop[2024] / pop[2023] - 1) < 0.03
    assert Region.objects.get(code="3999").fictional
    assert OfficialValue.objects.filter(region_code="3999", year=2015).count() == len(catalogue.entries())
    assert OfficialValue.objects.filter(region_code="EAK", indicator__code="folkemengde", year=2024).exists()
    # 357 current municipalities + the fictional one in 2024
    assert (
        OfficialValue.objects.filter(indicator__code="folkemengde", year=2024)
        .exclude(region_code__startswith="E")
        .count()
        == 358
    )


def test_demo_ratios_are_their_parts_and_symbols_are_no_numbers(demo_loaded):
    v = {
        (row[0], row[1]): row[2]
        for row in OfficialValue.objects.filter(region_code="3909", year=2024).values_list(
            "indicator__code", "region_code", "value"
        )
    }
    ratio = v[("barn-1-5-i-barnehage", "3909")] / v[("innbyggere-1-5", "3909")] * 100
    assert abs(v[("barnehagedekning", "3909")] - ratio) < 0.06
    symbols = OfficialValue.objects.exclude(symbol="")
    assert symbols.exists()
    assert set(symbols.values_list("symbol", flat=True)) <= {"..", ":", "."}
    assert not symbols.exclude(value__isnull=True).exists()


def test_demo_is_synthetic_and_loads_once(demo_loaded, municipality):
    run = ImportRun.objects.get(kind=ImportRun.Kind.DEMO)
    assert run.created == OfficialValue.objects.count()
    assert selectors.synthetic_notice(OfficialValue.objects.filter(region_code="3909"))
    assert selectors.synthetic_notice(list(OfficialValue.objects.filter(region_code="3909")[:3]))
    assert not selectors.synthetic_notice(OfficialValue.objects.none())
    assert not selectors.synthetic_notice([])
    assert demo.load_values(seed=1) is None  # once
    assert demo_loaded < 60
