"""A round's allocation from the database (choice/schools/allocate.py): arrays, runs, certificate,
cutoffs, waiting-list re-runs and what-ifs, and who may run them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from servicetorg.choice.schools import allocate
from servicetorg.choice.schools.models import (
    AllocationRun,
    Cutoff,
    Placement,
    PlacementState,
    Priority,
    RoundState,
    RunKind,
)
from servicetorg.choice.schools.workflow import DECLINE, PLACEMENT_WORKFLOW, PUBLISH, ROUND_WORKFLOW
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.workflow import TransitionRefused
from tests.factories import make_staff

from .school_factories import address, application, school, school_round


@pytest.fixture
def office(municipality):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


@pytest.fixture
def town(municipality):
    a = school(municipality, "Alfa skole", lat="59.0500", lon="10.0000")
    b = school(municipality, "Beta skole", lat="59.0500", lon="10.1000")
    c = school(municipality, "Gamma skole", lat="59.1000", lon="10.0500")
    near_a = address(municipality, "Alfaveien 1", a, lat="59.0505", lon="10.0005")
    near_b = address(municipality, "Betaveien 1", b, lat="59.0505", lon="10.1005")
    near_c = address(municipality, "Gammaveien 1", c, lat="59.1005", lon="10.0505")
    return a, b, c, near_a, near_b, near_c


def placements(run):
    return {p.application_id: p for p in Placement.objects.filter(run=run)}


def test_the_catchment_comes_first_and_the_run_proves_itself(municipality, town, office):
    a, b, c, near_a, near_b, near_c = town
    round_ = school_round(municipality, {a: 2, b: 2, c: 5})
    from_a = [application(round_, near_a, [a, b]) for _ in range(2)]
    from_b = [application(round_, near_b, [a, b]) for _ in range(2)]
    from_c = application(round_, near_c, [a])
    run = allocate.run_main(round_, user=office)
    got = placements(run)
    assert {got[x.pk].school_id for x in from_a} == {a.pk}
    assert {got[x.pk].school_id for x in from_b} == {b.pk}  # A is full of its own catchment
    assert got[from_c.pk].school_id == c.pk and got[from_c.pk].guaranteed  # added below her wish
    assert got[from_c.pk].wish_rank == 0 and got[from_c.pk].state == PlacementState.OFFERED
    cert = run.certificate
    assert cert["stable"] and cert["blocking_pairs"] == 0 and cert["wasted_seats"] == 0
    assert cert["by_wish"][:2] == [2, 2] and cert["guaranteed"] == 1 and cert["unplaced"] == 0
    assert cert["guarantee_feasible"] is True
    cut_a = Cutoff.objects.get(run=run, school=a)
    assert cut_a.full and cut_a.last_group == 0  # the last seat at A went to the catchment group
    assert not Cutoff.objects.get(run=run, school=c).full
    round_.refresh_from_db()
    assert round_.state == RoundState.ALLOCATED and run.current
    assert got[from_b[0].pk].distance_km is not None and got[from_b[0].pk].catchment_distance_km < 1


def test_the_same_seed_gives_the_same_result(municipality, town, office):
    a, b, c, near_a, near_b, near_c = town
    round_ = school_round(municipality, {a: 1, b: 1, c: 3})
    for _ in range(4):
        application(round_, near_c, [a, b])
    first = {k: v.school_id for k, v in placements(allocate.run_main(round_, user=office)).items()}
    second_run = allocate.run_main(round_, user=office)
    assert {k: v.school_id for k, v in placements(second_run).items()} == first
    assert AllocationRun.objects.get(current=True) == second_run
    assert second_run.input_hash == AllocationRun.objects.exclude(pk=second_run.pk).get().input_hash


def test_a_declined_seat_moves_down_the_list_and_nobody_loses(municipality, town, office):
    a, b, c, near_a, near_b, near_c = town
    round_ = school_round(municipality, {a: 1, b: 1, c: 3}, priorities=[Priority.CATCHMENT])
    apps = [application(round_, near_c, [a, b]) for _ in range(3)]
    for app in apps:
        app.contact_email = f"foresatt{app.pk}@example.org"
        app.save()
    main = allocate.run_main(round_, user=office)
    before = placements(main)
    at_a = next(p for p in before.values() if p.school_id == a.pk)
    ROUND_WORKFLOW.lock(round_)
    ROUND_WORKFLOW.apply(round_, PUBLISH)
    round_.save()
    PLACEMENT_WORKFLOW.lock(at_a)
    PLACEMENT_WORKFLOW.apply(at_a, DECLINE)
    at_a.save()
    rerun = allocate.run_waiting_list(round_, user=office)
    after = placements(rerun)
    assert rerun.kind == RunKind.WAITING_LIST and rerun.current and rerun.certificate["stable"]
    assert after[at_a.application_id].state == PlacementState.DECLINED
    assert after[at_a.application_id].school_id is None
    order = {a.pk: 1, b.pk: 2, c.pk: 0}
    rank = {a.pk: 1, b.pk: 2, c.pk: 3}
    for app in apps:
        if app.pk == at_a.application_id:
            continue
        assert rank[after[app.pk].school_id] <= rank[before[app.pk].school_id]
    assert sorted(order[p.school_id] for k, p in after.items() if k != at_a.application_id) == [1, 2]
    moved = [p for k, p in after.items() if p.school_id == a.pk]
    assert len(moved) == 1 and moved[0].state == PlacementState.OFFERED
    # Both moved up (B to A, and C to the freed B): each gets a letter, the declined family none.
    movers = [k for k, p in after.items() if p.school_id != before[k].school_id and p.school_id]
    letters = OutboxMessage.objects.filter(key__startswith="school-better-seat:")
    assert sorted(m.recipients[0] for m in letters) == sorted(f"foresatt{k}@example.org" for k in movers)
    assert len(movers) == 2 and all("Min side" in m.body and "Alfa" not in m.body for m in letters)


def test_what_if_more_seats_and_the_boston_rule(municipality, town, office, make_staff):
    a, b, c, near_a, near_b, near_c = town
    round_ = school_round(municipality, {a: 1, b: 2, c: 3})
    for _ in range(3):
        application(round_, near_c, [a, b])
    main = allocate.run_main(round_, user=office)
    council = make_staff(Role.COUNCIL, municipality, username="politiker")
    more = allocate.run_what_if(
        round_, user=council, variant={"extra_seats": {str(a.pk): 1}}, label="+1 at Alfa"
    )
    assert more.certificate["by_wish"][0] == main.certificate["by_wish"][0] + 1
    assert not more.current and AllocationRun.objects.get(current=True) == main
    boston = allocate.run_what_if(round_, user=council, variant={"rule": "first_wish_first"}, label="Boston")
    assert boston.certificate["rule"] == "first_wish_first"
    with pytest.raises(ValidationError):
        allocate.run_what_if(round_, user=council, variant={"drop": [Priority.CATCHMENT]}, label="x")
    with pytest.raises(PermissionDenied):
        allocate.run_main(round_, user=council)


def test_runs_are_refused_out_of_turn_and_to_another_municipality(
    municipality, other_municipality, town, office, make_staff
):
    a, b, c, near_a, near_b, near_c = town
    draft = school_round(municipality, {a: 1}, state=RoundState.OPEN)
    with pytest.raises(TransitionRefused):
        allocate.run_main(draft, user=office)
    stranger = make_staff(Role.SCHOOL_OFFICE, other_municipality, username="nabo")
    closed = school_round(municipality, {a: 1}, name="Annen")
    with pytest.raises(PermissionDenied):
        allocate.run_main(closed, user=stranger)
    with pytest.raises(PermissionDenied):
        allocate.run_what_if(closed, user=stranger, variant={}, label="x")


def test_the_arrays_take_a_fixed_number_of_queries(municipality, town, django_assert_max_num_queries):
    a, b, c, near_a, near_b, near_c = town
    round_ = school_round(municipality, {a: 5, b: 5, c: 5})
    for i in range(30):
        application(round_, [near_c, near_a, near_b][i % 3], [a, b, c][: 1 + i % 3])
    with django_assert_max_num_queries(3):
        instance = allocate.build_instance(round_, seed="x")
    assert instance.prefs.shape == (30, 4) and instance.key[instance.prefs >= 0].min() > 0
    assert (instance.rank[instance.prefs >= 0] == 0).sum() == 10  # the guarantee added where not wished


def test_those_who_declined_are_not_counted_without_a_seat(municipality, town, office):
    a, b, c, near_a, near_b, near_c = town
    round_ = school_round(municipality, {a: 1, b: 1, c: 3}, priorities=[Priority.CATCHMENT])
    for _ in range(3):
        application(round_, near_c, [a, b])
    main = allocate.run_main(round_, user=office)
    ROUND_WORKFLOW.lock(round_)
    ROUND_WORKFLOW.apply(round_, PUBLISH)
    round_.save()
    at_c = Placement.objects.get(run=main, school=c)
    PLACEMENT_WORKFLOW.lock(at_c)
    PLACEMENT_WORKFLOW.apply(at_c, DECLINE)
    at_c.save()
    cert = allocate.run_waiting_list(round_, user=office).certificate
    assert cert["unplaced"] == 0 and cert["declined"] == 1 and cert["stable"]
