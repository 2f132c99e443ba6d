"""Ranking methods and runs: weights, inputs, coverage, freezing, publishing, byte-identical
recomputation and tenant rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from servicetorg.benchmarking.models import OfficialValue
from servicetorg.benchmarking.ranking import services
from servicetorg.benchmarking.ranking.models import RankingRunState
from servicetorg.benchmarking.ranking.workflow import PUBLISH, RUN_WORKFLOW
from servicetorg.core.workflow import TransitionRefused

from .ranking_world import YEAR, build_world, method_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_default_method_weighs_every_ranked_indicator_and_leaves_neutral_out(world):
    method = services.create_method(municipality=world["tenant"], user=world["admin"], name="M")
    assert "folketall" not in method.indicator_weights
    assert set(method.indicator_weights) == {
        "barnehage-dekning",
        "barnehage-ansatte",
        "skole-grunnskolepoeng",
        "skole-frafall",
        "helse-legedekning",
    }
    assert method.sector_weights == {"health": 1, "kindergarten": 1, "school": 1}


def test_run_reads_the_latest_year_of_current_real_municipalities(world):
    _method, ranking = method_and_run(world)
    codes = [r[0] for r in ranking.inputs["regions"]]
    assert "3999" not in codes and "3805" not in codes  # fictional, no longer current
    assert ranking.year == YEAR
    assert all(v != 999.0 for row in ranking.inputs["values"] for v in row)
    assert ranking.synthetic
    assert ranking.results.count() == 8 and ranking.state == RankingRunState.DRAFT


def test_symbols_are_missing_and_the_coverage_rule_leaves_the_municipality_unranked(world):
    _method, ranking = method_and_run(world)
    kinn = ranking.results.get(region_code="4602")
    assert not kinn.ranked and kinn.rank is None
    assert kinn.coverage == pytest.approx(1 / 3)
    assert sorted(kinn.missing) == ["helse-legedekning", "skole-frafall", "skole-grunnskolepoeng"]
    assert kinn.indicator_grades["skole-frafall"] == [None, None, None]  # never 0
    ranked = ranking.results.filter(ranked=True)
    assert ranked.count() == 7 == ranking.ranked
    assert sorted(ranked.values_list("rank", flat=True))[0] == 1
    for r in ranked:
        assert r.rank_low <= r.rank <= r.rank_high


def test_weights_are_frozen_in_the_run_and_an_edit_raises_the_version(world):
    method, ranking = method_and_run(world)
    services.update_method(
        method, user=world["admin"], indicator_weights={"skole-frafall": 3}, sector_weights={"school": 2}
    )
    method.refresh_from_db()
    assert method.version == 2
    latest = method.history.first()  # who changed the weights, and from what
    assert latest.history_user == world["admin"] and latest.version == 2
    assert latest.prev_record.indicator_weights != latest.indicator_weights
    ranking.refresh_from_db()
    assert ranking.method_version == 1 and ranking.indicator_weights["barnehage-dekning"] == 1
    again = services.run(method, user=world["admin"], draws=50)
    assert again.method_version == 2
    assert set(again.results.get(region_code="3901").indicator_grades) == {"skole-frafall"}


def test_bad_weights_are_refused_with_messages(world):
    method = services.create_method(municipality=world["tenant"], user=world["admin"], name="M")
    for weights in ({"nope": 1}, {"skole-frafall": -1}, {"skole-frafall": "x"}, {"folketall": 1}):
        with pytest.raises(ValidationError):
            services.update_method(method, user=world["admin"], indicator_weights=weights)
    with pytest.raises(ValidationError):
        services.update_method(method, user=world["admin"], sector_weights={"context": 1})
    with pytest.raises(ValidationError):
        services.update_method(method, user=world["admin"], indicator_weights={"skole-frafall": 0})


def test_a_published_run_recomputes_byte_identically(world):
    _method, ranking = method_and_run(world, publish=True)
    check = services.verify(ranking, user=world["admin"])
    assert check.identical and check.data_unchanged
    # New figures afterwards do not change the published run, and verify says the data moved on.
    OfficialValue.objects.filter(region_code="3901", year=YEAR).update(value=42.0)
    check = services.verify(ranking, user=world["admin"])
    assert check.identical and check.data_unchanged is False
    # A tampered row is found.
    row = ranking.results.get(region_code="3903")
    row.total = (row.total or 0) + 0.5
    row.save()
    assert not services.verify(ranking, user=world["admin"]).identical
    # Anyone may verify a published run; a draft only its benchmark editors.
    assert services.verify(ranking, user=world["other_admin"]).identical is False
    _m, draft = method_and_run(world, draws=10)
    assert services.verify(draft, user=world["admin"]).identical
    with pytest.raises(PermissionDenied):
        services.verify(draft, user=world["other_admin"])


def test_same_inputs_give_the_same_hashes_and_seed(world):
    method, first = method_and_run(world)
    second = services.run(method, user=world["admin"], draws=100)
    assert first.data_hash == second.data_hash and first.results_hash == second.results_hash
    assert first.seed == second.seed == int(first.data_hash[:8], 16)


def test_lifting_and_lowering_are_the_largest_contributions(world):
    _method, ranking = method_and_run(world)
    for r in ranking.results.filter(ranked=True):
        contributions = {code: g[2] for code, g in r.indicator_grades.items() if g[2] is not None}
        assert len(r.lifting) <= 3 and len(r.lowering) <= 3
        assert all(contributions[c] > 0 for c in r.lifting)
        assert all(contributions[c] < 0 for c in r.lowering)
        assert sum(contributions.values()) == pytest.approx(r.total - 3.5, abs=1e-5)


@pytest.mark.parametrize(("state", "action"), RUN_WORKFLOW.pairs())
def test_every_state_action_pair(world, state, action):
    _method, ranking = method_and_run(world, draws=20)
    ranking.state = state
    ranking.save(update_fields=["state"])
    if RUN_WORKFLOW.allows(state, action):
        services.publish(ranking, user=world["admin"])
        ranking.refresh_from_db()
        assert ranking.state == RankingRunState.PUBLISHED and ranking.published_at
    else:
        with pytest.raises(TransitionRefused):
            services.publish(ranking, user=world["admin"])
    assert action == PUBLISH


def test_only_the_tenants_benchmark_editors_act(world):
    method, ranking = method_and_run(world, draws=20)
    for user in (world["desk"], world["other_admin"]):
        with pytest.raises(PermissionDenied):
            services.create_method(municipality=world["tenant"], user=user, name="X")
        with pytest.raises(PermissionDenied):
            services.update_method(method, user=user, name="X")
        with pytest.raises(PermissionDenied):
            services.run(method, user=user)
        with pytest.raises(PermissionDenied):
            services.publish(ranking, user=user)


def test_an_older_year_is_read_through_the_code_history(world):
    import datetime as dt

    from django.utils import timezone

    from servicetorg.benchmarking.models import CodeChange

    CodeChange.objects.create(
        old_code="3805",
        old_name="Larvik",
        new_code="3909",
        new_name="Larvik",
        occurred=dt.date(2024, 1, 1),
        kind=CodeChange.Kind.RENUMBERING,
    )
    frafall = world["indicators"]["skole-frafall"]
    OfficialValue.objects.create(
        indicator=frafall, region_code="3805", year=YEAR - 1, value=12.5, changed_at=timezone.now()
    )
    OfficialValue.objects.filter(region_code="3909", year=YEAR - 1).delete()  # 3909 did not exist
    method = services.create_method(
        municipality=world["tenant"], user=world["admin"], name="M", year=YEAR - 1
    )
    ranking = services.run(method, user=world["admin"], draws=20)
    larvik = ranking.results.get(region_code="3909")
    assert larvik.indicator_grades["skole-frafall"][0] == 12.5
    assert larvik.indicator_grades["skole-grunnskolepoeng"][0] is None


def test_a_merged_municipality_reads_its_predecessors_by_the_merge_rule(world):
    import datetime as dt

    from django.utils import timezone

    from servicetorg.benchmarking.models import CodeChange, Region, RegionKind
    from servicetorg.indicators.models import MergeRule

    Region.objects.create(
        code="3103",
        name="Moss",
        kind=RegionKind.MUNICIPALITY,
        county_code="31",
        county_name="Østfold",
        valid_from=dt.date(2024, 1, 1),
    )
    for old in ("3002x", "3002y"):
        CodeChange.objects.create(
            old_code=old,
            old_name=old,
            new_code="3103",
            new_name="Moss",
            occurred=dt.date(2024, 1, 1),
            kind=CodeChange.Kind.MERGER,
        )
    additive = world["indicators"]["helse-legedekning"]
    additive.merge_rule = MergeRule.SUM
    additive.save()
    now = timezone.now()
    for old, value in (("3002x", 2.0), ("3002y", 3.0)):
        for indicator in world["indicators"].values():
            OfficialValue.objects.create(
                indicator=indicator, region_code=old, year=YEAR - 1, value=value, changed_at=now
            )
    method = services.create_method(
        municipality=world["tenant"], user=world["admin"], name="M", year=YEAR - 1
    )
    ranking = services.run(method, user=world["admin"], draws=20)
    moss = ranking.results.get(region_code="3103")
    assert moss.indicator_grades["helse-legedekning"][0] == 5.0  # summed
    assert moss.indicator_grades["skole-frafall"][0] is None  # "apart": not added up, missing
    assert "skole-frafall" in moss.missing
