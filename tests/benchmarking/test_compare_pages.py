"""The public comparison pages: hub, catalogue, indicator, profile, compare, a saved group's link."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from servicetorg.benchmarking.compare import pages
from servicetorg.benchmarking.compare.models import SavedPeerGroup
from servicetorg.indicators.models import Direction, MergeRule, Sector
from tests.factories import MunicipalityFactory

from . import compare_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w.register()
    school = w.indicator("poeng", direction=Direction.HIGHER_IS_BETTER, sector=Sector.SCHOOL)
    cost = w.indicator("kost", direction=Direction.LOWER_IS_BETTER, sector=Sector.SCHOOL, unit="kr")
    folk = w.indicator(
        "folk", direction=Direction.NEUTRAL, sector=Sector.CONTEXT, rule=MergeRule.SUM, unit="personer"
    )
    for year in range(2020, 2025):
        for code, base in {
            "3901": 40,
            "3903": 41,
            "3905": 42,
            "3907": 43,
            "3911": 44,
            "0301": 45,
            "1580": 39,
        }.items():
            if year == 2024 or code not in ("1580",):
                w.value(
                    school,
                    code if year == 2024 or code != "3907" else "3804",
                    year,
                    base + (year - 2020) / 10,
                )
        larvik = "3909" if year == 2024 else "3805"
        w.value(school, larvik, year, 46.0)
        w.value(cost, larvik, year, 100.0)
        w.value(folk, larvik, year, 48000 + year)
        if year <= 2023:
            w.value(school, "1507", year, 42.0)  # Ålesund before the split
        else:
            w.value(school, "1508", year, 41.5)
    w.value(school, "3805", 2019, symbol="..")  # before 2020 Larvik was 0712: not read as 3805
    w.value(folk, "0104", 2019, 30000)
    w.value(folk, "0136", 2019, 15000)
    w.value(folk, "3002", 2020, 49000)
    w.value(folk, "3103", 2024, 51000)
    w.value(cost, "3901", 2024, symbol=":")
    w.value(cost, "3903", 2024, 90.0)
    w.value(cost, "3905", 2024, 91.0)
    return {"school": school, "cost": cost, "folk": folk}


def test_hub_and_catalogue(client, world):
    response = client.get(reverse("benchmarking_public:hub"))
    assert response.status_code == 200
    assert b'value="3909"' in response.content
    assert client.get(reverse("benchmarking_public:hub") + "?kommune=3909")["Location"].endswith(
        "/kommuner/3909/"
    )
    with translation.override("en"):
        response = client.get(reverse("benchmarking_public:indicator-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Poeng" in body and "Kost" in body


def test_profile_through_a_renumbering_with_county_peers(client, world):
    response = client.get(reverse("benchmarking_public:profile", args=["3909"]))
    assert response.status_code == 200
    p = response.context["p"]
    row = next(r for r in p.rows if r.indicator.code == "poeng")
    assert [pt.year for pt in row.trend] == [2020, 2021, 2022, 2023, 2024]
    assert [pt.fed_by for pt in row.trend] == [("3805",)] * 4 + [("3909",)]
    assert row.stats.n == 5  # the five other Vestfold municipalities
    assert row.stats.verdict == "higher" and row.stats.percentile == 100
    assert any("3805" in note for note in row.notes)
    cost = next(r for r in p.rows if r.indicator.code == "kost")
    assert cost.stats.n == 2  # 3901's ":" is left out, not 0
    assert cost.stats.verdict == "few"
    assert b'id="profile-table"' in response.content and b"<svg" in response.content


def test_profile_through_a_merger_sums_an_additive_figure(client, world):
    p = client.get(reverse("benchmarking_public:profile", args=["3103"]) + "?ar=2024").context["p"]
    folk = next(r for r in p.rows if r.indicator.code == "folk")
    assert [pt.value for pt in folk.trend] == [49000, None, None, None, 51000]  # 3002 fed 2020–2023
    p = pages.profile("3103", year=2021)
    folk = next(r for r in p.rows if r.indicator.code == "folk")
    by_year = {pt.year: pt for pt in folk.trend}
    assert by_year[2019].value == 45000 and by_year[2019].fed_by == ("0104", "0136")
    assert by_year[2020].value == 49000 and by_year[2020].fed_by == ("3002",)


def test_profile_through_a_split_shows_a_break(client, world):
    response = client.get(reverse("benchmarking_public:profile", args=["1508"]))
    p = response.context["p"]
    row = next(r for r in p.rows if r.indicator.code == "poeng")
    assert [pt.kind for pt in row.trend][:4] == ["break"] * 4
    assert row.trend[-1].value == 41.5
    assert all(pt.value is None for pt in row.trend[:4])  # 1507's 42.0 is not carried across
    assert any("1507" in note for note in row.notes)


def test_profile_peer_groups(client, world):
    url = reverse("benchmarking_public:profile", args=["3909"])
    country = client.get(url + "?gruppe=country").context["p"]
    assert len(country.peers) == len(w.CURRENT) - 1
    kostra = client.get(url + "?gruppe=kostra_group")
    assert kostra.status_code == 200 and kostra.context["p"].error and b'id="peer-error"' in kostra.content
    group = SavedPeerGroup.objects.create(
        municipality=MunicipalityFactory(), name="G", codes=["0301", "3901"]
    )
    saved = client.get(url + f"?gruppe=saved&g={group.token}").context["p"]
    assert saved.peers == ["0301", "3901"]
    similar = client.get(url + "?gruppe=similar&antall=3").context["p"]
    assert similar.peers == ["3103"]  # only Moss has the context figure too: the rest are left out
    lacking = client.get(reverse("benchmarking_public:profile", args=["3901"]) + "?gruppe=similar").context[
        "p"
    ]
    assert lacking.error and not lacking.peers
    assert client.get(reverse("benchmarking_public:profile", args=["9999"])).status_code == 404
    assert client.get(reverse("benchmarking_public:profile", args=["3805"])).status_code == 302  # to 3909


def test_profile_with_its_kostra_group_reads_the_code_changes_once(client, world):
    """The page finds the group of a 2023 grouping that lists Larvik as 3805, shows the members under
    today's numbers, and reads the code-change table once for all of it (it read it five times)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from servicetorg.benchmarking.compare import services
    from servicetorg.benchmarking.models import CodeChange
    from servicetorg.core.permissions import SYSTEM

    klass = (
        "sourceCode;sourceName;targetCode;targetName\n3805;Larvik;EKG13;Store\n3804;Sandefjord;EKG13;Store\n"
    )
    assert services.upload_kostra_groups(klass.encode(), year=2023, user=SYSTEM).ok
    url = reverse("benchmarking_public:profile", args=["3909"]) + "?gruppe=kostra_group"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and response.context["p"].peers == ["3907"]
    assert response.context["kostra"].code == "EKG13"
    table = CodeChange._meta.db_table
    assert sum(1 for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]) == 1


def test_profile_with_similar_names_weights_and_differences(client, world):
    for code, number in {"3901": 30000, "3903": 47000, "3905": 60000, "3907": 49000}.items():
        w.value(world["folk"], code, 2024, number)
    response = client.get(reverse("benchmarking_public:profile", args=["3909"]) + "?gruppe=similar&antall=2")
    p = response.context["p"]
    assert not p.error
    assert p.peers == ["3103", "3907"]  # 51 000 and 49 000 beside Larvik's 50 024
    assert b'id="similar"' in response.content and b'id="differences"' in response.content


def test_indicator_page_sorts_and_downloads(client, world, django_assert_max_num_queries):
    url = reverse("benchmarking_public:indicator", args=["poeng"])
    with django_assert_max_num_queries(10):  # values: one query, one more for mergers' predecessors
        response = client.get(url)
    assert response.status_code == 200
    table = response.context["table"]
    assert table.years == list(range(2015, 2025))
    assert table.rows[0].municipality.code == "3909"  # 46.0, highest
    assert b"<svg" in response.content and b'id="values"' in response.content
    ascending = client.get(url + "?sorter=value&retning=asc").context["table"]
    assert ascending.rows[0].municipality.code == "1580"
    by_name = client.get(url + "?sorter=name&retning=asc").context["table"]
    assert by_name.rows[0].municipality.name == "Færder"
    csv_text = client.get(url + "?format=csv").content.decode()
    assert "3909;Larvik;2023;46.0;;3805" in csv_text
    assert "Kilde: Statistisk sentralbyrå" in csv_text
    data = json.loads(client.get(url + "?format=json-stat2").content)
    assert data["version"] == "2.0" and data["size"] == [len(w.CURRENT), 10]
    assert len(data["value"]) == len(w.CURRENT) * 10
    assert client.get(reverse("benchmarking_public:indicator", args=["nope"])).status_code == 404


def test_indicator_page_leaves_symbols_out_and_last(client, world):
    table = client.get(reverse("benchmarking_public:indicator", args=["kost"])).context["table"]
    assert table.stats.n == 3  # 3909, 3903, 3905; 3901's ":" left out
    assert table.rows[-1].latest.value is None
    assert any(c == (":", "symbol") for r in table.rows for c in r.cells)


def test_compare_page(client, world, django_assert_max_num_queries):
    url = reverse("benchmarking_public:compare")
    with django_assert_max_num_queries(12) as few:
        response = client.get(url + "?k=3909&k=0301&k=3805&k=abc")
    with django_assert_max_num_queries(len(few)):  # the count does not grow with the municipalities
        client.get(url + "?" + "&".join(f"k={code}" for code in list(w.CURRENT)[:10]))
    c = response.context["c"]
    assert [m.code for m in c.municipalities] == ["3909", "0301"]
    assert c.unknown == ["3805", "abc"]
    assert b'id="compare-unknown"' in response.content
    row = next(r for r in c.rows if r.indicator.code == "poeng")
    assert [pt.value for pt in row.points] == [46.0, 45.0 + 0.4]
    assert row.n == 9  # every municipality of 2024 with a number
    too_many = client.get(url + "?" + "&".join(f"k={code}" for code in list(w.CURRENT) + ["3805"]))
    assert too_many.context["c"].too_many and b'id="compare-error"' in too_many.content
    assert client.get(url).status_code == 200


def test_demo_values_carry_the_notice(client, world):
    run = w.demo_run()
    w.value(world["school"], "3909", 2025, 47.0, run=run)
    response = client.get(reverse("benchmarking_public:indicator", args=["poeng"]))
    assert b'id="synthetic-notice"' in response.content and "Syntetiske demotall" in response.content.decode()
    other = client.get(reverse("benchmarking_public:indicator", args=["kost"]))
    assert b'id="synthetic-notice"' not in other.content
    assert "Kilde: Statistisk sentralbyrå (CC BY 4.0)" in other.content.decode()


def test_saved_group_share_link(client, world):
    owner = MunicipalityFactory(number="3909", name="Larvik")
    group = SavedPeerGroup.objects.create(municipality=owner, name="Våre", codes=["0301", "3901"])
    response = client.get(reverse("benchmarking_public:peer-group", args=[group.token]))
    assert response.status_code == 200
    assert f"g={group.token}".encode() in response.content
    assert client.get(reverse("benchmarking_public:peer-group", args=["nope"])).status_code == 404


def test_a_former_number_leads_to_todays_municipality_or_names_the_split(client):
    from servicetorg.benchmarking.registry import load_registry

    load_registry()
    moved = client.get(reverse("benchmarking_public:profile", args=["3805"]), {"kind": "country"})
    assert moved.status_code == 302
    assert moved["Location"] == reverse("benchmarking_public:profile", args=["3909"]) + "?kind=country"
    split = client.get(reverse("benchmarking_public:profile", args=["1507"]))
    assert split.status_code == 200
    page = split.content.decode()
    assert reverse("benchmarking_public:profile", args=["1508"]) in page
    assert reverse("benchmarking_public:profile", args=["1580"]) in page
    assert client.get(reverse("benchmarking_public:profile", args=["0000"])).status_code == 404
