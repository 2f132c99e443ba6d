"""The register of municipalities from SSB's classification 131 (shipped data)."""

import datetime as dt

import pytest
from django.core.management import call_command

from servicetorg.benchmarking.models import CodeChange, Region, RegionKind
from servicetorg.benchmarking.registry import load_registry

pytestmark = pytest.mark.django_db


def test_load_gives_357_current_municipalities_in_15_counties_and_is_idempotent():
    first = load_registry()
    assert first.current_municipalities == 357
    assert first.current_counties == 15
    assert first.changed
    second = load_registry()
    assert not second.changed
    assert second.regions_created == second.regions_updated == second.changes_created == 0
    assert not Region.objects.filter(code="9999").exists()  # "Uoppgitt" is no municipality


def test_validity_and_names_follow_the_code_history():
    load_registry()
    larvik = {r.code: r for r in Region.objects.filter(code__in=["0712", "3805", "3909"])}
    assert larvik["0712"].valid_from == dt.date(2018, 1, 1)
    assert larvik["0712"].valid_to == dt.date(2019, 12, 31)
    assert larvik["3805"].valid_from == dt.date(2020, 1, 1)
    assert larvik["3805"].valid_to == dt.date(2023, 12, 31)
    assert larvik["3909"].valid_to is None and larvik["3909"].county_name == "Vestfold"
    assert Region.objects.get(code="EKA39").kind == RegionKind.COUNTY
    assert Region.objects.get(code="EKA38").valid_to == dt.date(2023, 12, 31)
    assert not Region.objects.filter(code="EKA13").exists()  # Bergen county ended in 1972


def test_change_kinds():
    load_registry()

    def kind(old, new, year):
        return CodeChange.objects.get(old_code=old, new_code=new, occurred__year=year).kind

    assert kind("3805", "3909", 2024) == CodeChange.Kind.RENUMBERING
    assert kind("0104", "3002", 2020) == CodeChange.Kind.MERGER
    assert kind("0136", "3002", 2020) == CodeChange.Kind.MERGER
    assert kind("1507", "1508", 2024) == CodeChange.Kind.SPLIT
    assert kind("1507", "1580", 2024) == CodeChange.Kind.SPLIT


def test_command_says_what_it_did(capsys):
    call_command("load_municipality_registry")
    call_command("load_municipality_registry")
    out = capsys.readouterr().out
    assert "357 municipalities in 15 counties" in out
    assert "Nothing to change." in out
