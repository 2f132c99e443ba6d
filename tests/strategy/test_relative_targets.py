"""Relative strategy targets: "better than the county's median", computed from the official
statistics of the peer group in the target year, across Larvik's renumbering (3805 → 3909 in 2024)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from servicetorg.benchmarking.models import OfficialValue, Region, RegionKind
from servicetorg.benchmarking.owndata import peers
from servicetorg.benchmarking.registry import load_registry
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.models import Direction, ImportRun, Indicator, Source
from servicetorg.strategy import selectors, services, workflow
from servicetorg.strategy.models import Target
from tests.factories import MunicipalityFactory, make_staff

from .conftest import make_indicator, soon

pytestmark = pytest.mark.django_db


def municipalities_of(county: str, year: int) -> list[str]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return sorted(
        Region.objects.filter(kind=RegionKind.MUNICIPALITY, county_code=county, valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .values_list("code", flat=True)
    )


@pytest.fixture
def larvik(db):
    load_registry()
    municipality = MunicipalityFactory(name="Larvik", number="3909")
    indicator = Indicator.objects.create(
        code="barnehagedekning",
        name="Barnehagedekning",
        unit_of_measure="%",
        source=Source.KOSTRA,
        direction=Direction.HIGHER_IS_BETTER,
    )
    run = ImportRun.objects.create(kind=ImportRun.Kind.JSONSTAT, table_id="12362")
    now = timezone.now()
    rows = []
    # 2023: Vestfold og Telemark (38), Larvik as 3805; 2024: Vestfold (39), Larvik as 3909.
    for year, county, own in ((2023, "38", "3805"), (2024, "39", "3909")):
        for n, code in enumerate(c for c in municipalities_of(county, year) if c != own):
            rows.append(
                OfficialValue(
                    indicator=indicator, region_code=code, year=year, value=float(n), run=run, changed_at=now
                )
            )
        rows.append(
            OfficialValue(
                indicator=indicator, region_code=own, year=year, value=100.0, run=run, changed_at=now
            )
        )
    # a symbol is never 0: a peer without a number is left out
    rows.append(
        OfficialValue(
            indicator=indicator,
            region_code="3101",
            year=2024,
            value=None,
            symbol="..",
            run=run,
            changed_at=now,
        )
    )
    OfficialValue.objects.bulk_create(rows)
    return municipality, indicator


def adopt(strategy):
    strategy = services.transition(
        strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    return services.transition(
        strategy, workflow.ADOPT, adopted_on=dt.date(2023, 6, 1), case_reference="PS 1/23", user=SYSTEM
    )


def relative_strategy(municipality, indicator, kind="county", statistic="median"):
    strategy = services.create_strategy(
        municipality=municipality, start_year=2023, title="Strategi", user=SYSTEM
    )
    area = services.add_focus_area(strategy, title="Oppvekst", user=SYSTEM)
    goal = services.add_goal(area, title="Full barnehagedekning", user=SYSTEM)
    link = services.add_goal_indicator(goal, indicator=indicator, baseline_year=2022, user=SYSTEM)
    for year in (2023, 2024, 2025):
        services.set_target(link, year=year, peers=kind, peer_statistic=statistic, user=SYSTEM)
    return strategy, link


def test_the_peer_group_follows_the_code_in_force_each_year(larvik):
    municipality, indicator = larvik
    in_2023 = peers.compare(indicator, "3909", 2023, "county", "median")
    in_2024 = peers.compare(indicator, "3909", 2024, "county", "median")
    peers_2023 = [c for c in municipalities_of("38", 2023) if c != "3805"]
    peers_2024 = [c for c in municipalities_of("39", 2024) if c != "3909"]
    assert (in_2023.own_code, in_2023.own_value, in_2023.n) == ("3805", 100.0, len(peers_2023))
    assert (in_2024.own_code, in_2024.own_value, in_2024.n) == ("3909", 100.0, len(peers_2024))
    assert in_2023.median == (len(peers_2023) - 1) / 2  # values 0 … n-1, the municipality itself left out
    assert in_2024.median == (len(peers_2024) - 1) / 2
    assert in_2023.group != in_2024.group  # Vestfold og Telemark, then Vestfold
    upper = peers.compare(indicator, "3909", 2024, "county", "upper_quartile")
    assert upper.peer_value == upper.upper_quartile > upper.median
    country = peers.compare(indicator, "3909", 2024, "country", "median")
    assert country.n == len(peers_2024)  # only Vestfold has values; 3101's ".." is not counted
    assert peers.compare(indicator, "3909", 2026, "county", "median").peer_value is None


def test_relative_target_is_computed_for_the_target_year(larvik):
    municipality, indicator = larvik
    strategy, link = relative_strategy(municipality, indicator)
    assert Target.objects.get(goal_indicator=link, year=2024).value is None
    figures = selectors.build_followup(strategy, 2025, with_charts=False)
    row = figures.areas[0].goals[0].rows[0]
    cells = {c.year: c for c in row.cells}
    n38 = len(municipalities_of("38", 2023)) - 1
    assert float(cells[2023].target) == (n38 - 1) / 2
    assert cells[2023].actual == 100 and cells[2023].status.code == "on_track"
    assert cells[2024].status.code == "on_track"
    assert cells[2025].target is None and cells[2025].status.code == "no_data"  # not published yet
    assert [c.own_code for c in row.comparisons] == ["3805", "3909", "3909"]


def test_lower_is_better_compares_the_other_way(larvik):
    municipality, indicator = larvik
    indicator.direction = Direction.LOWER_IS_BETTER
    indicator.save()
    strategy, _link = relative_strategy(municipality, indicator)
    figures = selectors.build_followup(strategy, 2024, with_charts=False)
    assert [c.status.code for c in figures.areas[0].goals[0].rows[0].cells[:2]] == ["missed", "missed"]


def test_validation_and_history(larvik, municipality):
    larvik_municipality, indicator = larvik
    strategy, link = relative_strategy(larvik_municipality, indicator)
    with pytest.raises(ValidationError):
        services.set_target(link, year=2026, peers="county", peer_statistic="mean", user=SYSTEM)
    with pytest.raises(ValidationError):
        services.set_target(link, year=2026, peers="region", peer_statistic="median", user=SYSTEM)
    with pytest.raises(ValidationError):
        services.set_target(link, year=2026, user=SYSTEM)  # neither a number nor a peer group
    target = services.set_target(link, year=2025, value=80, user=SYSTEM)  # back to a number
    assert (target.value, target.peers, target.peer_statistic) == (80, "", "")
    assert target.history.count() == 2
    assert target.history.earliest().peers == "county"
    own = make_indicator(larvik_municipality, code="egen")
    own_link = services.add_goal_indicator(link.goal, indicator=own, baseline_year=2022, user=SYSTEM)
    with pytest.raises(ValidationError):
        services.set_target(own_link, year=2024, peers="county", peer_statistic="median", user=SYSTEM)


def test_roll_keeps_relative_targets(larvik):
    municipality, indicator = larvik
    strategy, _link = relative_strategy(municipality, indicator)
    strategy = adopt(strategy)
    rolled = services.roll(strategy, user=SYSTEM)
    copied = Target.objects.filter(goal_indicator__goal__focus_area__strategy=rolled)
    assert {(t.year, t.peers, t.peer_statistic, t.value) for t in copied} == {
        (2023, "county", "median", None),
        (2024, "county", "median", None),
        (2025, "county", "median", None),
    }


def test_report_and_public_page_show_the_peer_comparison(larvik, client):
    municipality, indicator = larvik
    strategy, _link = relative_strategy(municipality, indicator)
    strategy = adopt(strategy)
    report = services.create_report(strategy, as_of_year=2024, user=SYSTEM)
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    with translation.override("en"):
        page = client.get(reverse("strategy:report-detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="ds-table peer-comparison"' in html
    assert "(3805)" in html and "(3909)" in html
    assert "source-line" in html and "relative-target" in html


def test_target_form_sets_a_relative_target(larvik, client):
    municipality, indicator = larvik
    strategy, link = relative_strategy(municipality, indicator)
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    url = reverse("strategy:target-set", args=[strategy.pk, link.pk])
    response = client.post(url, {"year": 2026, "peers": "country", "peer_statistic": "upper_quartile"})
    assert response.status_code == 302
    target = Target.objects.get(goal_indicator=link, year=2026)
    assert (target.peers, target.peer_statistic, target.value) == ("country", "upper_quartile", None)
    assert client.post(url, {"year": 2026, "value": "", "peers": ""}).status_code == 200  # neither: refused


def test_kostra_group_needs_the_compare_parts_groups(larvik):
    from servicetorg.benchmarking.compare.models import KostraGroup, KostraGrouping, KostraGroupMember

    municipality, indicator = larvik
    strategy, link = relative_strategy(municipality, indicator)
    with pytest.raises(ValidationError):  # no KOSTRA groups uploaded yet
        services.set_target(link, year=2026, peers="kostra_group", peer_statistic="median", user=SYSTEM)
    grouping = KostraGrouping.objects.create(year=2024)
    group = KostraGroup.objects.create(grouping=grouping, code="EKG13", name="KOSTRA-gruppe 13")
    for code in ("3901", "3903", "3905", "3909"):
        KostraGroupMember.objects.create(group=group, region_code=code)
    services.set_target(link, year=2024, peers="kostra_group", peer_statistic="median", user=SYSTEM)
    comparison = peers.compare(indicator, "3909", 2024, "kostra_group", "median")
    assert comparison.n == 3 and comparison.own_value == 100.0 and "EKG13" in comparison.group
    # 2023: Larvik was 3805, in no group of the uploaded grouping: no peers, no value (never a guess)
    assert peers.compare(indicator, "3909", 2023, "kostra_group", "median").peer_value is None


def test_api_report_figures_give_the_comparison(larvik, client):
    municipality, indicator = larvik
    strategy, _link = relative_strategy(municipality, indicator)
    report = services.create_report(adopt(strategy), as_of_year=2024, user=SYSTEM)
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    data = client.get(f"/api/strategy/reports/{report.pk}/figures/").json()
    (row,) = data["focus_areas"][0]["goals"][0]["indicators"]
    assert [p["own_code"] for p in row["peer_comparison"]] == ["3805", "3909"]
    assert row["years"][0]["relative"] and row["years"][0]["target"] is not None


def test_the_official_own_value_is_measured_not_the_stores(larvik):
    from servicetorg.indicators import services as indicator_services

    municipality, indicator = larvik
    strategy, _link = relative_strategy(municipality, indicator)
    indicator_services.record_value(
        indicator=indicator, municipality=municipality, year=2024, value=1, source=Source.KOSTRA, user=SYSTEM
    )
    cells = selectors.build_followup(strategy, 2024, with_charts=False).areas[0].goals[0].rows[0].cells
    assert cells[1].year == 2024 and cells[1].actual == 100 and cells[1].status.code == "on_track"
