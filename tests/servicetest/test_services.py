"""The kommunetest's services: start (freezing, assignment, cross-testing), recording and scoring,
publishing (results, κ, test inquiries), sampling, and the measure from a failed web item."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries.models import DailyStat, Inquiry
from servicetorg.servicetest import access, sampling, services
from servicetorg.servicetest.models import Item, ItemChannel, RoundState
from tests.factories import make_service

from .helpers import SENT, at, build_world, item_of, publish, record_everything

pytestmark = pytest.mark.django_db


def test_start_freezes_the_protocol_and_copies_the_questions():
    world = build_world(start=True)
    round_ = world.round
    assert round_.state == RoundState.RUNNING
    assert round_.protocol_version == "2026.1"
    assert round_.weights == {"web": 40, "phone": 30, "email": 30}
    world.protocol.refresh_from_db()
    assert world.protocol.frozen_at is not None
    with pytest.raises(ValidationError):
        services.update_protocol(world.protocol, user=SYSTEM, weight_web=50, weight_email=20)
    assert Item.objects.filter(round=round_).count() == 9
    email = item_of(world, "3909", ItemChannel.EMAIL)
    assert email.rubric == ["Svarer ja eller nei", "Nevner grensene", "Lenker til søknaden"]
    services.update_question(world.questions[ItemChannel.EMAIL], user=SYSTEM, text="Endret")
    email.refresh_from_db()
    assert email.text.startswith("Trenger jeg")  # the round keeps what was asked
    web = item_of(world, "3909", ItemChannel.WEB)
    assert (web.fix_field, web.service_slug, web.tester) == ("price", "byggesak", None)


def test_no_tester_is_ever_assigned_her_own_municipality():
    world = build_world(start=True)
    homes = {"tester0-3998": "3909", "tester1-3998": "1508", "tester2-3998": "3999"}
    for item in (
        Item.objects.filter(round=world.round).exclude(channel=ItemChannel.WEB).select_related("tester")
    ):
        assert homes[item.tester.username] != item.region.code
    larvik = item_of(world, "3909", ItemChannel.EMAIL)
    with pytest.raises(ValidationError):
        services.assign_item(larvik, user=world.coordinator, tester=world.testers[0])
    services.assign_item(larvik, user=world.coordinator, tester=world.testers[1])
    # A tester who works at a tested tenant never gets its items either, whatever her home code.
    for web in Item.objects.filter(round=world.round, channel=ItemChannel.WEB):
        visible = {t.username for t in world.testers if access.tester_items(t).filter(pk=web.pk).exists()}
        assert {u for u, home in homes.items() if home == web.region.code}.isdisjoint(visible)


def test_start_refuses_when_every_tester_is_from_the_region():
    world = build_world()
    for enrolment in world.round.testers.all():
        services.enrol_tester(world.round, user=SYSTEM, tester=enrolment.user, home_code="3909")
    with pytest.raises(ValidationError):
        services.start_round(world.round, user=SYSTEM)
    world.round.refresh_from_db()
    assert world.round.state == RoundState.DRAFT


def test_only_testers_of_the_organiser_record_and_only_their_items():
    world = build_world(start=True)
    item = item_of(world, "1508", ItemChannel.EMAIL)
    other = next(t for t in world.testers if t != item.tester)
    for user in (other, world.tested_staff, world.tested_admin):
        with pytest.raises(PermissionDenied):
            services.record_email(item, user=user, sent_at=SENT, replies=[], criteria_met=[])
    services.record_email(item, user=item.tester, sent_at=SENT, replies=[], criteria_met=[])


def test_email_scored_as_the_worked_example():
    world = build_world(start=True)
    item = item_of(world, "3909", ItemChannel.EMAIL)
    # Sent Monday 2 March, answered Tuesday 10 March: six working days; the answer meets every criterion.
    recorded = services.record_email(
        item,
        user=item.tester,
        sent_at=SENT,
        replies=[{"kind": "receipt", "at": at(2, 10, 1)}, {"kind": "answer", "at": at(10, 9)}],
        criteria_met=[True, True, True],
    )
    assert recorded.state == "recorded"
    assert recorded.score == 60
    assert recorded.detail["working_days"] == 6
    eleven = services.record_email(
        item,
        user=item.tester,
        sent_at=SENT,
        replies=[{"kind": "answer", "at": at(17, 9)}],
        criteria_met=[True] * 3,
    )
    assert eleven.score == 0 and eleven.detail["reason"] == "too_late"


def test_phone_call_outside_the_window_is_refused():
    world = build_world(start=True)
    item = item_of(world, "3909", ItemChannel.PHONE)
    with pytest.raises(ValidationError):
        services.record_phone(
            item, user=item.tester, calls=[{"at": at(2, 15, 30), "wait_seconds": 10, "answered": True}]
        )
    recorded = services.record_phone(
        item,
        user=item.tester,
        calls=[
            {"at": at(2, 10), "wait_seconds": 300, "answered": True},
            {"at": at(3, 11), "wait_seconds": 20, "answered": True},
        ],
        criteria_met=[True, False],
        transfers=2,
    )
    # Second attempt: wait capped at 50 → 15; handling 70 × 0.5 × 0.8 = 28.
    assert recorded.score == 43
    assert recorded.detail["attempt"] == 2


def test_web_item_needs_two_agreeing_testers_or_a_third():
    world = build_world(start=True)
    item = item_of(world, "3999", ItemChannel.WEB)  # tester2 is from Fjordvik
    t0, t1, t2 = world.testers
    with pytest.raises(PermissionDenied):
        services.record_web_check(item, user=t2, device="desktop", found=True, seconds=30)
    services.record_web_check(item, user=t0, device="desktop", found=True, seconds=30)
    services.record_web_check(item, user=t1, device="desktop", found=False, seconds=120)
    services.record_web_check(
        item, user=t0, device="mobile", found=True, seconds=200
    )  # over 2 min: not found
    services.record_web_check(item, user=t1, device="mobile", found=False, seconds=30)
    item.refresh_from_db()
    assert item.state == "open"  # desktop undecided
    with pytest.raises(ValidationError):
        services.record_web_check(item, user=t0, device="desktop", found=True, seconds=10)
    # Nobody else may decide it: tester2 is from Fjordvik. A fourth tester, from elsewhere, decides.
    from servicetorg.core.choices import Role
    from tests.factories import make_staff

    fourth = make_staff(Role.TESTER, world.organiser)
    services.enrol_tester(world.round, user=SYSTEM, tester=fourth, home_code="0301")
    services.record_web_check(item, user=fourth, device="desktop", found=True, seconds=90)
    item.refresh_from_db()
    assert item.state == "recorded"
    assert item.score == 50
    assert services.round_kappa(world.round) == 0.0  # first two: (T,F), (F,F): agreement 0.5, expected 0.5


def test_publish_computes_results_and_flags_test_inquiries():
    world = build_world(start=True)
    inquiry = Inquiry.objects.create(
        municipality=world.tested,
        channel="email",
        subject="Terrasse",
        contact_name="Testperson Kommunetest",
        received_at=SENT,
        first_deadline=date(2026, 3, 3),
        reply_deadline=date(2026, 3, 10),
        deadline_source="channel_rule",
    )
    from servicetorg.inquiries import rollups

    rollups.rebuild(world.tested.pk)
    assert DailyStat.objects.filter(municipality=world.tested).exists()
    record_everything(world)
    email = item_of(world, "3999", ItemChannel.EMAIL)
    services.record_email(
        email,
        user=email.tester,
        sent_at=SENT,
        replies=[{"kind": "answer", "at": at(3, 12)}],
        criteria_met=[True, True, False],
        inquiry_reference=inquiry.reference,
    )
    services.close_round(world.round, user=world.coordinator)
    with pytest.raises(ValidationError):
        services.publish_round(world.round, user=world.coordinator)
    services.approve_recorded(world.round, user=world.coordinator)
    round_ = services.publish_round(world.round, user=world.coordinator)
    assert round_.state == RoundState.PUBLISHED and round_.published_at
    fjordvik = round_.regions.get(code="3999")
    # e-mail: 1 working day → 40 + 60 × 2/3 = 80; phone: 45 s → 22.5 + 70 = 92.5; web: desktop only → 50.
    assert fjordvik.by_channel == {"email": 80.0, "phone": 92.5, "web": 50.0}
    assert abs(fjordvik.total - (0.3 * 80 + 0.3 * 92.5 + 0.4 * 50)) <= 0.05
    assert fjordvik.approved
    assert round_.kappa == 1.0
    inquiry.refresh_from_db()
    assert inquiry.is_test
    assert sum(DailyStat.objects.filter(municipality=world.tested).values_list("received", flat=True)) == 0
    assert rollups.rebuild(world.tested.pk) == 0  # the rollups agree: test inquiries are left out


def test_publish_is_the_coordinators():
    world = build_world(start=True)
    record_everything(world)
    services.close_round(world.round, user=world.coordinator)
    services.approve_recorded(world.round, user=world.coordinator)
    for user in (world.testers[0], world.tested_admin):
        with pytest.raises(PermissionDenied):
            services.publish_round(world.round, user=user)


def test_sampling_is_deterministic_and_says_when_population_is_missing():
    pool = [
        sampling.Candidate(f"{1000 + i}", f"K{i}", p)
        for i, p in enumerate([800, 3000, 7000, 12000, 25000, 30000, 60000, 700000])
    ]
    first, note = sampling.draw(pool, per_band=1, seed=7)
    again, _note = sampling.draw(list(reversed(pool)), per_band=1, seed=7)
    assert first == again
    assert [band for _c, band in first] == sorted(
        [band for _c, band in first], key=lambda b: [x[0] for x in sampling.BANDS].index(b)
    ) or len({band for _c, band in first}) == 4
    assert len({band for _c, band in first}) == 4
    assert "7" in note
    bare = [sampling.Candidate(c.code, c.name) for c in pool]
    chosen, note = sampling.draw(bare, per_band=1, seed=7)
    assert len(chosen) == 4 and all(band == sampling.NO_BAND for _c, band in chosen)
    assert "innbyggertall" in note  # «Det fantes ikke innbyggertall …» (bokmål, the default)


def test_draw_regions_keeps_regions_added_by_hand():
    world = build_world()
    pool = [
        sampling.Candidate("0301", "Oslo", 700000),
        sampling.Candidate("3999", "Fjordvik", 9000),
        sampling.Candidate("5001", "Trondheim", 210000),
        sampling.Candidate("1111", "Sokndal", 3300),
    ]
    drawn = services.draw_regions(world.round, user=SYSTEM, candidates=pool)
    codes = set(world.round.regions.values_list("code", flat=True))
    assert {"3999", "3909", "1508"} <= codes
    assert all(r.code not in {"3999"} for r in drawn)
    world.round.refresh_from_db()
    assert "42" in world.round.sampling_note


def test_failed_web_item_becomes_a_measure_in_the_tested_strategy():
    from tests.strategy.conftest import build_strategy

    world = build_world(start=True)
    publish(world)
    strategy = build_strategy(world.tested)
    focus_area = strategy.focus_areas.get()
    item = item_of(world, "3999", ItemChannel.WEB)
    assert item.score == 50
    with pytest.raises(PermissionDenied):
        services.make_measure(item, user=world.tested_staff, focus_area=focus_area)
    measure = services.make_measure(item, user=world.tested_admin, focus_area=focus_area)
    assert measure.focus_area == focus_area
    assert "price" in measure.description
    elsewhere = item_of(world, "3909", ItemChannel.WEB)
    with pytest.raises(ValidationError):
        services.make_measure(elsewhere, user=world.tested_admin, focus_area=focus_area)


def test_question_service_must_be_the_organisers():
    world = build_world()
    foreign = make_service(world.tested, slug="annen")
    with pytest.raises(ValidationError):
        services.update_question(world.questions[ItemChannel.WEB], user=SYSTEM, service=foreign)


def test_a_region_added_by_hand_gets_its_population_from_the_register():
    from django.utils import timezone

    from servicetorg.benchmarking.models import OfficialValue
    from servicetorg.indicators.models import Indicator

    world = build_world()
    indicator = Indicator.objects.create(code="folkemengde", name="Folkemengde", unit_of_measure="personer")
    OfficialValue.objects.create(
        indicator=indicator, region_code="0301", year=2023, value=700000, changed_at=timezone.now()
    )
    OfficialValue.objects.create(
        indicator=indicator, region_code="0301", year=2024, value=717000, changed_at=timezone.now()
    )
    region = services.add_region(world.round, user=SYSTEM, code="0301", name="Oslo")
    assert region.population == 717000


def test_only_the_platform_or_the_inquiry_administrators_flag_test_inquiries():
    from servicetorg.core.choices import Role
    from servicetorg.inquiries.services import mark_test_inquiries
    from tests.factories import make_staff

    world = build_world()
    with pytest.raises(PermissionDenied):
        mark_test_inquiries(world.tested, ["ABCD-1234"], user=make_staff(Role.DESK_WORKER, world.tested))
    assert mark_test_inquiries(world.tested, ["ABCD-1234"], user=SYSTEM) == 0


def test_the_organiser_is_never_drawn_in_its_own_round():
    """Testing itself is a choice made by hand (see test_views for who sees such a round)."""
    world = build_world()
    pool = [sampling.Candidate(world.organiser.number, world.organiser.name, 9000)] + [
        sampling.Candidate(code, f"K{code}", 9000 + n) for n, code in enumerate(["1111", "1112", "1113"])
    ]
    for seed in range(5):
        world.round.seed = seed
        world.round.save(update_fields=["seed"])
        drawn = services.draw_regions(world.round, user=SYSTEM, candidates=pool)
        assert world.organiser.number not in {r.code for r in drawn}


def test_enrolment_keeps_its_history():
    """The home code is the record behind "never her own municipality": its changes are kept."""
    world = build_world()
    tester = world.testers[0]
    services.enrol_tester(world.round, user=world.coordinator, tester=tester, home_code="4601")
    enrolment = world.round.testers.get(user=tester)
    assert [h.home_code for h in enrolment.history.order_by("history_date")][-2:] == ["3909", "4601"]
    assert enrolment.history.first().history_user == world.coordinator
