"""The per-pupil budget (elevsjekk, choice/schools/budget.py): the formula with its parts, the
common costs shared to the krone, the what-ifs, the XLSX export and who may do what."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from servicetorg.choice.schools import budget
from servicetorg.choice.schools.models import (
    BudgetModel,
    BudgetSchool,
    PlacementState,
    Round,
    RoundState,
    RunKind,
    Stage,
)
from servicetorg.core.choices import Role
from tests.factories import make_staff

from .school_factories import address, school, school_round
from .school_office_helpers import budget_model, placed_run


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (the source language), whatever is translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def office(municipality):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


@pytest.fixture
def council(municipality):
    return make_staff(Role.COUNCIL, municipality, username="politiker")


@pytest.fixture
def town(municipality):
    """Two primary schools and a lower secondary school; 3 and 2 pupils placed in the 1st grade and
    4 in the 8th grade of 2027; the model's inputs for each."""
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Beta skole")
    c = school(municipality, "Gamma ungdomsskole", first=8, last=10)
    home = address(municipality, "Alfaveien 1", a, secondary=c)
    first = school_round(municipality, {a: 25, b: 25}, state=RoundState.PUBLISHED)
    eighth = school_round(
        municipality, {c: 60}, state=RoundState.ALLOCATED, grade=8, name="Ungdomsskole 2027"
    )
    placed_run(first, {a: 3, b: 2}, address_=home)
    placed_run(eighth, {c: 4}, address_=home)
    model = budget_model(
        municipality,
        rows={
            a: {"continuing_primary": 20},
            b: {
                "continuing_primary": 10,
                "special_allocation": 50_000,
                "special_reason": "Spesialundervisning",
            },
            c: {"continuing_secondary": 30},
        },
    )
    return a, b, c, home, first, eighth, model


def by_name(result):
    return {s.name: s for s in result.schools}


def test_the_formula_with_its_parts(town, office):
    a, b, c, home, first, eighth, model = town
    result = budget.compute(model, user=office)
    got = by_name(result)
    alfa, beta, gamma = got["Alfa skole"], got["Beta skole"], got["Gamma ungdomsskole"]
    assert (alfa.continuing_primary, alfa.placed_primary, alfa.pupils_primary) == (20, 3, 23)
    assert (beta.pupils_primary, gamma.pupils_secondary, result.pupils) == (12, 34, 69)
    assert alfa.amount_primary == 23 * 80_000 and gamma.amount_secondary == 34 * 95_000
    assert {s.base_grant for s in result.schools} == {Decimal(500_000)}
    # 1 000 000 × 23/69, × 12/69, × 34/69 = 333 333.33, 173 913.04, 492 753.62: rounded down they
    # leave 1 krone, which goes to the largest fraction (Gamma, .62)
    assert (alfa.common_share, beta.common_share, gamma.common_share) == (333_333, 173_913, 492_754)
    assert gamma.rounded_up and not alfa.rounded_up and result.remainder == 1
    assert result.remainder_schools == ["Gamma ungdomsskole"]
    assert alfa.total == 1_840_000 + 500_000 + 333_333
    assert beta.total == 960_000 + 500_000 + 173_913 + 50_000
    assert gamma.total == 3_230_000 + 500_000 + 492_754
    assert result.total == alfa.total + beta.total + gamma.total
    assert result.common_shared == model.common_costs and result.unshared == 0
    assert "Gamma ungdomsskole" in budget.rounding_note(result)
    assert [r["round"] for r in result.rounds] == [first, eighth]
    assert all(isinstance(s.total, Decimal) for s in result.schools)


def test_only_held_seats_of_current_runs_of_the_years_allocated_rounds_count(municipality, town, office):
    a, b, c, home, first, eighth, model = town
    placed_run(first, {a: 5}, address_=home, state=PlacementState.DECLINED, current=False)
    placed_run(first, {a: 7}, address_=home, kind=RunKind.WHAT_IF, current=False)
    draft = school_round(municipality, {a: 30}, state=RoundState.CLOSED, name="Ikke kjørt")
    placed_run(draft, {a: 9}, address_=home)  # a closed round's run (not possible, but not counted)
    later = school_round(municipality, {a: 30}, state=RoundState.PUBLISHED, name="Neste år")
    Round.objects.filter(pk=later.pk).update(school_year=2028)
    placed_run(later, {a: 11}, address_=home)
    assert by_name(budget.compute(model, user=office))["Alfa skole"].placed_primary == 3


def test_declined_seats_do_not_count_and_accepted_ones_do(municipality, office):
    a = school(municipality, "Alfa skole")
    home = address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 25}, state=RoundState.PUBLISHED)
    run = placed_run(round_, {a: 2}, address_=home, state=PlacementState.ACCEPTED)
    run.current = False
    run.save()
    placed_run(round_, {a: 3}, address_=home, state=PlacementState.DECLINED)
    model = budget_model(municipality, rows={a: {}})
    assert budget.compute(model, user=office).schools[0].placed_primary == 0
    run.placements.update(run=run)  # unchanged; now make the accepted run the current one
    round_.runs.update(current=False)
    type(run).objects.filter(pk=run.pk).update(current=True)
    assert budget.compute(model, user=office).schools[0].placed_primary == 2


def test_a_school_with_placed_pupils_but_no_row_is_in_the_table(municipality, office):
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Beta skole")
    home = address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 25, b: 25}, state=RoundState.ALLOCATED)
    placed_run(round_, {b: 4}, address_=home)
    model = budget_model(municipality, rows={a: {"continuing_primary": 4}})
    got = by_name(budget.compute(model, user=office))
    assert not got["Beta skole"].in_model and got["Beta skole"].pupils == 4
    assert got["Alfa skole"].common_share == got["Beta skole"].common_share == 500_000


def test_no_pupils_no_shares(municipality, office):
    a = school(municipality, "Alfa skole")
    model = budget_model(municipality, rows={a: {}})
    result = budget.compute(model, user=office)
    assert result.common_shared == 0 and result.unshared == 1_000_000
    assert result.total == 500_000
    assert "not shared" in budget.rounding_note(result)


@given(
    common=st.integers(min_value=0, max_value=10**11),
    pupils=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=40),
)
def test_the_shares_add_up_to_the_common_costs(common, pupils):
    exact, whole, lucky = budget.share_common_costs(Decimal(common), pupils)
    if sum(pupils) == 0:
        assert sum(whole) == 0 and not lucky
        return
    assert sum(whole) == common
    assert len(lucky) < max(1, len(pupils))
    for e, w in zip(exact, whole, strict=True):
        assert w == int(w) and abs(w - e) < 1
    for i, p in enumerate(pupils):
        if p == 0:
            assert whole[i] == 0


def test_what_if_more_pupils_and_a_what_if_run(town, office):
    a, b, c, home, first, eighth, model = town
    result = budget.compute(model, user=office, extra={a.pk: {Stage.PRIMARY: 25}})
    got = by_name(result)
    assert got["Alfa skole"].pupils_primary == 48 and result.is_what_if
    assert got["Alfa skole"].amount_primary == 48 * 80_000
    assert result.common_shared == 1_000_000
    assert "Alfa skole: +25 pupils" in budget.what_if_note(result)
    fewer = by_name(budget.compute(model, user=office, extra={b.pk: {Stage.PRIMARY: -50}}))
    assert fewer["Beta skole"].pupils_primary == 0  # never below none
    what_if = placed_run(
        first, {a: 10, b: 1}, address_=home, kind=RunKind.WHAT_IF, current=False, label="+1 klasse"
    )
    assert list(budget.what_if_runs(model)) == [what_if]
    got = by_name(budget.compute(model, user=office, what_if_run=what_if))
    assert got["Alfa skole"].placed_primary == 10 and got["Beta skole"].placed_primary == 1
    assert got["Gamma ungdomsskole"].placed_secondary == 4  # the other round keeps its current run
    main = first.runs.get(current=True)
    with pytest.raises(ValidationError):
        budget.compute(model, user=office, what_if_run=main)
    with pytest.raises(ValidationError):
        budget.compute(model, user=office, extra={a.pk: {Stage.PRIMARY: 2001}})
    assert by_name(budget.compute(model, user=office))["Alfa skole"].pupils_primary == 23  # nothing stored


def test_the_xlsx_opens_and_has_the_totals(town, office):
    from openpyxl import load_workbook

    *_, model = town
    result = budget.compute(model, user=office, extra={})
    sheet = load_workbook(io.BytesIO(budget.as_xlsx(result))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "School")
    schools = rows[header + 1 : -1]
    total = rows[-1]
    assert [r[0] for r in schools] == ["Alfa skole", "Beta skole", "Gamma ungdomsskole"]
    assert total[0] == "Total" and total[-1] == int(result.total) == sum(r[-1] for r in schools)
    assert total[14] == 1_000_000 == sum(r[14] for r in schools)  # the shares of the common costs
    assert schools[0][4] == 23 and schools[0][5] == 1_840_000
    assert any(row[0] == "Formula" for row in rows)
    assert any(row[0] == "Rounding" and "Gamma ungdomsskole" in row[1] for row in rows)


def test_who_may_do_what(municipality, other_municipality, town, office, council, other_staff):
    *_, a_model = town
    assert budget.compute(a_model, user=council).total > 0  # the council reads
    with pytest.raises(PermissionDenied):
        budget.compute(a_model, user=other_staff)
    with pytest.raises(PermissionDenied):
        budget.create_model(
            municipality=municipality, school_year=2028, user=council, **dict.fromkeys(budget.MODEL_FIELDS, 1)
        )
    with pytest.raises(PermissionDenied):
        budget.update_model(a_model, user=council, common_costs=Decimal(1))
    assert list(budget.models_for(other_staff)) == []
    assert list(budget.models_for(council)) == [a_model]


def test_create_and_change_a_model(municipality, office, other_municipality):
    a = school(municipality, "Alfa skole")
    school(municipality, "Nedlagt skole", active=False)
    school(other_municipality, "Nabo skole")
    amounts = {"rate_primary": 80_000, "rate_secondary": 95_000, "base_grant": 0, "common_costs": 10}
    model = budget.create_model(municipality=municipality, school_year=2028, user=office, **amounts)
    assert [r.school for r in BudgetSchool.objects.filter(model=model)] == [a]
    with pytest.raises(ValidationError) as caught:
        budget.create_model(municipality=municipality, school_year=2028, user=office, **amounts)
    assert "school_year" in caught.value.message_dict
    with pytest.raises(ValidationError):
        budget.update_model(model, user=office, rate_primary=Decimal(-1))
    budget.update_model(model, user=office, rate_primary=Decimal(81_000))
    assert BudgetModel.objects.get(pk=model.pk).rate_primary == 81_000
    with pytest.raises(ValidationError) as caught:
        budget.update_schools(model, {a.pk: {"special_allocation": Decimal(5)}}, user=office)
    assert "special_reason" in caught.value.message_dict
    budget.update_schools(
        model,
        {a.pk: {"continuing_primary": 100, "special_allocation": Decimal(5), "special_reason": "Tolk"}},
        user=office,
    )
    row = BudgetSchool.objects.get(model=model, school=a)
    assert (row.continuing_primary, row.special_allocation, row.special_reason) == (100, 5, "Tolk")
    nabo = other_municipality.schools.get()
    with pytest.raises(ValidationError):
        budget.update_schools(model, {nabo.pk: {"continuing_primary": 1}}, user=office)
