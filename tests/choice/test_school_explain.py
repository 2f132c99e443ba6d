"""Why a child got her seat (choice/schools/explain.py): on random small rounds the explanations
recompute exactly the group and lottery number the run used, and every wish above the placement
filled with its last seat before her — what the run's stability proved; another child's
special-needs priority is never named; the transport note by the Education Act's distances."""

import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from servicetorg.choice.schools import allocate, explain
from servicetorg.choice.schools.models import (
    Cutoff,
    Placement,
    PlacementState,
    Priority,
    RoundState,
    School,
    SchoolApplication,
    TieBreak,
)
from servicetorg.choice.schools.workflow import DECLINE, PLACEMENT_WORKFLOW, PUBLISH, ROUND_WORKFLOW
from servicetorg.core.choices import Role

from .school_factories import address, application, school, school_round

pytestmark = pytest.mark.django_db

GUARANTEED_ORDERS = [
    [Priority.CATCHMENT],
    [Priority.CATCHMENT, Priority.SIBLING],
    [Priority.SPECIAL_NEEDS, Priority.CATCHMENT],
    [Priority.SPECIAL_NEEDS, Priority.CATCHMENT, Priority.SIBLING],
]
FREE_ORDERS = [
    [],
    [Priority.SIBLING],
    [Priority.SIBLING, Priority.SPECIAL_NEEDS, Priority.CATCHMENT],
    [Priority.SPECIAL_NEEDS, Priority.SIBLING],
]


@pytest.fixture
def office(municipality, make_staff):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


def random_round(municipality, rng: random.Random, name: str):
    """3–4 schools with 1–3 seats, 6–14 applicants with 1–3 wishes, siblings, special needs, the
    guarantee or not, one lottery or one per school."""
    m = rng.randint(3, 4)
    schools = [
        school(
            municipality,
            f"{name} skole {j}",
            lat=f"59.{rng.randint(0, 999):03d}0",
            lon=f"10.{rng.randint(0, 999):03d}0",
        )
        for j in range(m)
    ]
    addresses = [
        address(
            municipality,
            f"{name}veien {j}",
            s,
            lat=f"59.{rng.randint(0, 999):03d}5",
            lon=f"10.{rng.randint(0, 999):03d}5",
        )
        for j, s in enumerate(schools)
    ]
    guarantee = rng.random() < 0.5
    round_ = school_round(
        municipality,
        {s: rng.randint(1, 3) for s in schools},
        name=name,
        guarantee=guarantee,
        priorities=rng.choice(GUARANTEED_ORDERS if guarantee else FREE_ORDERS),
        tie_break=rng.choice([TieBreak.SINGLE, TieBreak.PER_SCHOOL]),
        wishes=3,
        seed=f"seed-{name}",
    )
    for _ in range(rng.randint(6, 14)):
        wishes = rng.sample(schools, rng.randint(1, 3))
        siblings = [s for s in wishes if rng.random() < 0.2]
        special = rng.choice(schools) if rng.random() < 0.15 else None
        application(round_, rng.choice(addresses), wishes, siblings=siblings, special=special)
    return round_


def assert_explanations_agree(round_, run):
    """For every application of the run: her group and number at each explained wish are the run's own
    (``build_instance``), and she comes after each such school's last seat."""
    instance = allocate.build_instance(round_, seed=round_.seed)
    row = {int(a): i for i, a in enumerate(instance.application_ids)}
    column = {s: j for j, s in enumerate(instance.school_ids)}
    checked = 0
    for app in SchoolApplication.objects.filter(pk__in=row):
        items = explain.explain(app, run)
        assert explain.agrees_with_stability(items), [i.text() for i in items]
        placement = Placement.objects.get(run=run, application=app)
        if placement.school_id is None:
            assert len(items) == app.wishes.count() or placement.state == PlacementState.DECLINED
        for item in items:
            i = row[app.pk]
            j = list(instance.prefs[i]).index(column[item.school.pk])
            assert item.her_group_index == instance.group[i, j]
            assert item.her_lottery == instance.lottery[i, j]
            assert instance.groups[item.her_group_index] == item.her_group
            assert item.rank < (placement.wish_rank or 99)
            checked += 1
    return checked


@pytest.mark.parametrize("seed", range(8))
def test_explanations_agree_with_stability_on_random_rounds(municipality, office, seed):
    rng = random.Random(seed)
    round_ = random_round(municipality, rng, f"R{seed}")
    run = allocate.run_main(round_, user=office)
    assert run.certificate["stable"]
    assert_explanations_agree(round_, run)


def test_explanations_agree_after_a_waiting_list_re_run(municipality, office):
    rng = random.Random(99)
    total = 0
    for k in range(3):
        round_ = random_round(municipality, rng, f"W{k}")
        main = allocate.run_main(round_, user=office)
        total += assert_explanations_agree(round_, main)
        ROUND_WORKFLOW.lock(round_)
        ROUND_WORKFLOW.apply(round_, PUBLISH)
        round_.save()
        for placement in Placement.objects.filter(run=main, school__isnull=False).order_by("pk")[::3]:
            PLACEMENT_WORKFLOW.lock(placement)
            PLACEMENT_WORKFLOW.apply(placement, DECLINE)
            placement.save()
        rerun = allocate.run_waiting_list(round_, user=office)
        total += assert_explanations_agree(round_, rerun)
    assert total > 0  # some wishes were explained at all


@pytest.fixture
def town(municipality):
    a = school(municipality, "Alfa skole", lat="59.0500", lon="10.0000")
    b = school(municipality, "Beta skole", lat="59.0500", lon="10.1000")
    c = school(municipality, "Gamma skole", lat="59.1000", lon="10.0500")
    near_a = address(municipality, "Alfaveien 1", a, lat="59.0505", lon="10.0005")
    near_c = address(municipality, "Gammaveien 1", c, lat="59.1005", lon="10.0505")
    return a, b, c, near_a, near_c


def test_the_sentence_names_the_last_seat_and_hers(municipality, office, town):
    a, b, c, near_a, near_c = town
    round_ = school_round(municipality, {a: 1, b: 5, c: 5}, priorities=[Priority.CATCHMENT, Priority.SIBLING])
    local = application(round_, near_a, [a], name="Lokal")
    hopeful = application(round_, near_c, [a, b], name="Håp")
    run = allocate.run_main(round_, user=office)
    assert Placement.objects.get(run=run, application=hopeful).school == b
    (item,) = explain.explain(hopeful, run)
    lottery_local = Placement.objects.get(run=run, application=local).lottery
    assert item.school == a and item.full and item.last_group == Priority.CATCHMENT
    assert item.last_lottery == lottery_local and item.her_group == Priority.OTHER
    with translation.override("en"):
        text = item.text()
    assert text == (
        f"Alfa skole filled; the last seat went to priority group «The catchment school (nærskole)» with "
        f"lottery number {lottery_local}; yours was «Others», {item.her_lottery}."
    )
    assert explain.explain(local, run) == []  # her first wish: nothing above it


def test_another_childs_special_needs_priority_is_never_named(municipality, office, town):
    a, b, c, near_a, near_c = town
    round_ = school_round(
        municipality,
        {a: 1, b: 5, c: 5},
        priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT],
    )
    special = application(round_, near_c, [a], special=a, name="Særskilt")
    other = application(round_, near_a, [a, b], name="Nabo")
    run = allocate.run_main(round_, user=office)
    assert Placement.objects.get(run=run, application=special).school == a
    special_number = Placement.objects.get(run=run, application=special).lottery
    (item,) = explain.explain(other, run)
    assert item.special_needs_cutoff and item.last_lottery is None
    assert explain.agrees_with_stability([item])
    with translation.override("en"):
        text = item.text()
    assert "individual decision" in text and "Special needs" not in text
    assert str(special_number) not in text.replace(f"«{item.her_group_label}», {item.her_lottery}", "")
    # Her own special-needs priority may be shown to her (here at a school where she lost).
    round2 = school_round(
        municipality, {a: 1, b: 5, c: 5}, name="To", priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT]
    )
    first = application(round2, near_c, [a], special=a)
    second = application(round2, near_c, [a, b], special=a)
    run2 = allocate.run_main(round2, user=office)
    loser = second if Placement.objects.get(run=run2, application=first).school == a else first
    items = explain.explain(loser, run2)
    assert items and items[0].her_special_needs and items[0].special_needs_cutoff
    assert explain.agrees_with_stability(items)


def test_an_unplaced_child_sees_every_wish_and_a_held_school_is_said_so(municipality, office, town):
    a, b, c, near_a, near_c = town
    round_ = school_round(municipality, {a: 1, b: 1, c: 1}, guarantee=False, priorities=[])
    apps = [application(round_, near_c, [a, b]) for _ in range(3)]
    run = allocate.run_main(round_, user=office)
    unplaced = [p for p in Placement.objects.filter(run=run) if p.school_id is None]
    assert len(unplaced) == 1
    items = explain.explain(unplaced[0].application, run)
    assert [i.school for i in items] == [a, b] and explain.agrees_with_stability(items)
    assert all(i.her_group == Priority.OTHER for i in items)
    # A school full of pupils keeping their seats (a waiting-list re-run's last seat): said so, no number.
    held = explain.WishExplanation(
        rank=1,
        school=a,
        in_run=True,
        full=True,
        last_group=None,
        last_group_index=None,
        last_lottery=None,
        held=True,
        her_group=Priority.OTHER,
        her_group_index=0,
        her_lottery=2,
    )
    with translation.override("en"):
        assert "keeping their seats" in held.text()
    assert explain.agrees_with_stability([held])
    assert len(apps) == 3


def test_a_broken_result_is_caught_by_the_check(municipality, office, town):
    a, b, c, near_a, near_c = town
    round_ = school_round(municipality, {a: 1, b: 5, c: 5})
    application(round_, near_a, [a])
    late = application(round_, near_c, [a, b])
    run = allocate.run_main(round_, user=office)
    assert explain.agrees_with_stability(explain.explain(late, run))
    Cutoff.objects.filter(run=run, school=a).update(last_group=2, last_lottery=99)  # «others», after her
    assert not explain.agrees_with_stability(explain.explain(late, run))
    Cutoff.objects.filter(run=run, school=a).update(full=False)
    assert not explain.agrees_with_stability(explain.explain(late, run))


def test_per_school_numbers_are_hers_at_each_school(municipality, office, town):
    a, b, c, near_a, near_c = town
    round_ = school_round(
        municipality, {a: 1, b: 1, c: 9}, tie_break=TieBreak.PER_SCHOOL, guarantee=False, priorities=[]
    )
    apps = [application(round_, near_c, [a, b, c]) for _ in range(6)]
    run = allocate.run_main(round_, user=office)
    for app in apps:
        placement = Placement.objects.get(run=run, application=app)
        items = explain.explain(app, run)
        assert explain.agrees_with_stability(items)
        if placement.school_id == c.pk:
            assert [i.school for i in items] == [a, b]


# --- Transport ---------------------------------------------------------------------------------------


def note(placed_km, catchment_km, *, grade=1, same=False):
    placed = School(pk=1, name="Beta skole")
    catchment = placed if same else School(pk=2, name="Alfa skole")
    app = SchoolApplication(catchment_school=catchment)
    placement = Placement(
        application=app,
        school=placed,
        distance_km=Decimal(placed_km),
        catchment_distance_km=Decimal(catchment_km),
    )
    return explain.transport(placement, SimpleNamespace(grade=grade))


def test_transport_is_flagged_only_for_a_farther_school_than_the_catchment_school():
    assert note("5.0", "1.0", same=True) is None
    assert note("1.0", "3.0") is None  # nearer than the catchment school
    with translation.override("en"):
        far = note("6.3", "2.4")  # the catchment school gives free transport in the 1st grade (> 2 km)
        assert far.catchment_free and far.family_pays
        text = far.text()
        assert "6.3 km" in text and "2.4 km" in text and "your family pays the extra" in text
        assert "From the 2nd grade the walking distance is 4 km." in text
        walk = note("5.0", "3.0", grade=8)  # the catchment is within 4 km: no free transport there
        assert not walk.catchment_free and walk.family_pays and "no free school transport" in walk.text()
        both = note("1.5", "0.4")
        assert not both.family_pays and "either" in both.text()
    assert explain.limit_km(1) == 2 and explain.limit_km(2) == 4 and explain.limit_km(10) == 4


def test_the_run_stores_the_distances_the_note_reads(municipality, office, town):
    a, b, c, near_a, near_c = town
    round_ = school_round(municipality, {a: 1, b: 1, c: 2}, state=RoundState.CLOSED)
    app = application(round_, near_c, [a])
    run = allocate.run_main(round_, user=office)
    placement = Placement.objects.select_related("school", "application__catchment_school").get(
        run=run, application=app
    )
    found = explain.transport(placement, round_)
    assert placement.school == a and found is not None and found.catchment_school == c
    assert found.distance_km > found.catchment_distance_km and found.family_pays
