"""Peer groups and «lignende kommuner» (benchmarking/compare/peers.py)."""

import pytest

from servicetorg.benchmarking.compare import peers
from servicetorg.benchmarking.compare.models import (
    KostraGroup,
    KostraGrouping,
    KostraGroupMember,
    SavedPeerGroup,
)
from servicetorg.benchmarking.models import Region
from servicetorg.indicators.models import Direction, MergeRule, Sector
from tests.factories import MunicipalityFactory

from . import compare_world as w

pytestmark = pytest.mark.django_db

VESTFOLD = ["3901", "3903", "3905", "3907", "3909", "3911"]


@pytest.fixture
def world():
    w.register()


def context(*codes):
    return [
        w.indicator(c, direction=Direction.NEUTRAL, sector=Sector.CONTEXT, rule=MergeRule.APART, unit="x")
        for c in codes
    ]


def test_county_and_country_leave_the_municipality_out(world):
    assert peers.peer_codes("county", "3909", 2024) == ["3901", "3903", "3905", "3907", "3911"]
    country = peers.peer_codes("country", "3909", 2024)
    assert "3909" not in country and "0301" in country and "3805" not in country  # today's codes only
    assert len(country) == len(w.CURRENT) - 1


def test_fictional_municipalities_are_in_no_peer_group(world):
    Region.objects.filter(code="3911").update(fictional=True)
    assert "3911" not in peers.peer_codes("county", "3909", 2024)
    assert "3911" not in peers.peer_codes("country", "3909", 2024)


def test_kostra_group_follows_the_grouping_of_the_year(world):
    old = KostraGrouping.objects.create(year=2020)
    new = KostraGrouping.objects.create(year=2024)
    g_old = KostraGroup.objects.create(grouping=old, code="EKG13", name="Store")
    g_new = KostraGroup.objects.create(grouping=new, code="EKG13", name="Store")
    for code in ["3909", "3905", "0301"]:
        KostraGroupMember.objects.create(group=g_old, region_code=code)
    for code in ["3909", "3907"]:
        KostraGroupMember.objects.create(group=g_new, region_code=code)
    assert peers.peer_codes("kostra_group", "3909", 2022) == ["0301", "3905"]
    assert peers.peer_codes("kostra_group", "3909", 2024) == ["3907"]
    assert peers.peer_codes("kostra_group", "3909", 2024, group="EKG13") == ["3907"]
    with pytest.raises(peers.PeerError):
        peers.peer_codes("kostra_group", "1580", 2024)
    with pytest.raises(peers.PeerError):
        peers.peer_codes("kostra_group", "3909", 2024, group="EKG99")


def test_saved_group_by_token_only(world):
    group = SavedPeerGroup.objects.create(
        municipality=MunicipalityFactory(), name="Mine", codes=["3909", "0301", "3905"]
    )
    assert peers.peer_codes("saved", "3909", 2024, group=group) == ["0301", "3905"]
    with pytest.raises(peers.PeerError):  # an id can be counted: only the share token opens a group
        peers.peer_codes("saved", "3909", 2024, group=group.pk)
    assert peers.peer_codes("saved", "3909", 2024, group=group.token) == ["0301", "3905"]
    with pytest.raises(peers.PeerError):
        peers.peer_codes("saved", "3909", 2024, group="nope")


def _spread(indicators, table, year=2024):
    for code, values in table.items():
        for ind, v in zip(indicators, values, strict=True):
            if v is not None:
                w.value(ind, code, year, v)


def test_nearest_is_itself_excluded_and_sorted(world):
    a, b = context("folk", "tett")
    _spread(
        [a, b],
        {
            "3901": (1, 1),
            "3903": (2, 2),
            "3905": (10, 10),
            "3907": (3, 3),
            "3909": (1.5, 1.5),
            "3911": (20, 20),
        },
    )
    found = peers.similar("3909", 2024, k=3)
    codes = [c for c, _d in found.neighbours]
    assert "3909" not in codes
    assert codes == ["3901", "3903", "3907"]
    distances = [d for _c, d in found.neighbours]
    assert distances == sorted(distances)
    assert found.weights == {"folk": 1.0, "tett": 1.0}
    assert found.candidates == 6  # Oslo, Moss … have no figures: left out, not zero


def test_weights_matter(world):
    a, b = context("folk", "tett")
    # 3901 is near on folk, far on tett; 3903 the other way round
    _spread([a, b], {"3909": (0, 0), "3901": (0, 5), "3903": (5, 0), "3905": (10, 10), "3907": (-10, -10)})
    assert peers.similar("3909", 2024, k=1, weights={"folk": 5, "tett": 1}).neighbours[0][0] == "3901"
    assert peers.similar("3909", 2024, k=1, weights={"folk": 1, "tett": 5}).neighbours[0][0] == "3903"
    assert peers.similar("3909", 2024, k=1, weights={"folk": 1, "tett": 0}).weights["tett"] == 0.0
    with pytest.raises(peers.PeerError):
        peers.similar("3909", 2024, weights={"folk": 0, "tett": 0})
    with pytest.raises(peers.PeerError):
        peers.similar("3909", 2024, weights={"folk": -1})


def test_ties_are_broken_by_code(world):
    (a,) = context("folk")
    _spread([a], {"3909": (5,), "3911": (6,), "3901": (4,), "3905": (6,), "3903": (4,), "3907": (100,)})
    first = peers.similar("3909", 2024, k=4).neighbours
    assert [c for c, _d in first] == ["3901", "3903", "3905", "3911"]
    assert peers.similar("3909", 2024, k=4).neighbours == first


def test_chosen_context_and_the_largest_differences(world):
    a, b, c = context("folk", "tett", "inntekt")
    _spread(
        [a, b, c],
        {
            "3909": (5, 50, 1),
            "3901": (5, 10, 1),
            "3903": (5, 12, 1.2),
            "3905": (6, 11, 1.1),
            "3907": (4, 9, 0.9),
        },
    )
    found = peers.similar("3909", 2024, k=3)
    assert found.largest_differences[0].code == "tett"
    assert found.largest_differences[0].value == 50
    assert found.largest_differences[0].peers == pytest.approx(11)
    assert len(found.largest_differences) == 3
    only = peers.similar("3909", 2024, k=3, context_codes=["folk"])
    assert list(only.weights) == ["folk"]
    with pytest.raises(peers.PeerError):
        peers.similar("3909", 2024, context_codes=["grunnskolepoeng"])


def test_a_municipality_without_context_figures_has_no_similar(world):
    (a,) = context("folk")
    _spread([a], {"3901": (1,), "3903": (2,)})
    with pytest.raises(peers.PeerError):
        peers.similar("3909", 2024)
    with pytest.raises(peers.PeerError):
        peers.peer_codes("similar", "3909", 2024)


def test_similar_reads_a_renumbered_municipality_through_its_series(world):
    (a,) = context("folk")
    _spread([a], {"3805": (5,), "3901": (4,), "3903": (9,)}, year=2023)
    found = peers.similar("3909", 2023, k=1)
    assert found.neighbours[0][0] == "3901"


def test_a_grouping_made_before_a_renumbering_finds_the_municipality_under_its_old_number(world):
    """SSB's grouping of 2023 lists Larvik as 3805 and Sandefjord as 3804: asked for 3909 in 2024, the
    group is found through the code history and its members come under today's numbers (and under
    the year's numbers for statistics keyed by them)."""
    grouping = KostraGrouping.objects.create(year=2023)
    group = KostraGroup.objects.create(grouping=grouping, code="EKG13", name="Store")
    for code in ["3805", "3804", "0301"]:
        KostraGroupMember.objects.create(group=group, region_code=code)
    assert peers.kostra_group_of("3909", 2024) == group
    assert peers.peer_codes("kostra_group", "3909", 2024) == ["0301", "3907"]
    assert peers.peer_codes("kostra_group", "3805", 2023, codes_of_year=True) == ["0301", "3804"]
    assert peers.peer_codes("kostra_group", "3909", 2024, codes_of_year=True) == ["0301", "3907"]
