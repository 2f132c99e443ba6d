"""A kommunetest world for the tests: an organising tenant (Samarbeidsvik, 3998) with a coordinator
and three testers, a tested tenant (Fjordvik, 3999) with its own staff, a question per channel, and
a round over Fjordvik, Larvik (3909) and Ålesund (1508)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from servicetorg.core.choices import Role
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM
from servicetorg.servicetest import services
from servicetorg.servicetest.models import Item, ItemChannel, Protocol, Question, Round
from tests.factories import MunicipalityFactory, make_service, make_staff

OSLO = ZoneInfo("Europe/Oslo")
#: A Monday without holidays near (the e-mail's working days are counted from it).
SENT = datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)
REGIONS = [("3999", "Fjordvik"), ("3909", "Larvik"), ("1508", "Ålesund")]


@dataclass
class World:
    organiser: Municipality
    tested: Municipality
    coordinator: object
    testers: list
    tested_staff: object
    tested_admin: object
    protocol: Protocol
    questions: dict
    round: Round


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=OSLO)


def build_world(*, start: bool = False, service_slug: str = "byggesak", organiser=None, tested=None) -> World:
    if organiser is None:
        organiser = MunicipalityFactory(name="Samarbeidsvik", number="3998", organization_number="964965226")
    if tested is None:
        tested = MunicipalityFactory(name="Fjordvik", number="3999", organization_number="940192226")
    coordinator = make_staff(Role.TEST_COORDINATOR, organiser, username=f"koordinator-{organiser.number}")
    testers = [make_staff(Role.TESTER, organiser, username=f"tester{i}-{organiser.number}") for i in range(3)]
    tested_staff = make_staff(Role.DESK_WORKER, tested, username=f"skranke-{tested.number}")
    tested_admin = make_staff(Role.ADMINISTRATION, tested, username=f"radmann-{tested.number}")
    service = make_service(organiser, slug=service_slug, name="Byggesak")
    protocol = services.create_protocol(organiser, user=SYSTEM, version="2026.1")
    questions = {
        ItemChannel.EMAIL: services.create_question(
            organiser,
            user=SYSTEM,
            channel=ItemChannel.EMAIL,
            area="Byggesak",
            text="Trenger jeg å søke for å bygge en terrasse på 30 kvadratmeter?",
            answer_key="Ja, over 15 m² eller høyere enn 50 cm må det søkes.",
            rubric="Svarer ja eller nei\nNevner grensene\nLenker til søknaden",
        ),
        ItemChannel.PHONE: services.create_question(
            organiser,
            user=SYSTEM,
            channel=ItemChannel.PHONE,
            area="Barnehage",
            text="Når er søknadsfristen for barnehageplass?",
            answer_key="1. mars for hovedopptaket.",
            rubric="Riktig frist\nForklarer hovedopptaket",
        ),
        ItemChannel.WEB: services.create_question(
            organiser,
            user=SYSTEM,
            channel=ItemChannel.WEB,
            area="Byggesak",
            text="Finn gebyret for en byggesøknad.",
            answer_key="Gebyrregulativet, kapittel byggesak.",
            rubric="Finner gebyret",
            service=service,
            fix_field="price",
        ),
    }
    round_ = services.create_round(
        organiser,
        user=SYSTEM,
        name="Kommunetesten 2026",
        protocol=protocol,
        seed=42,
        per_band=1,
        questions=list(questions.values()),
    )
    for code, name in REGIONS:
        services.add_region(round_, user=SYSTEM, code=code, name=name)
    homes = ["3909", "1508", "3999"]  # tester0 is from Larvik, tester1 from Ålesund, tester2 from Fjordvik
    for tester, home in zip(testers, homes, strict=True):
        services.enrol_tester(round_, user=SYSTEM, tester=tester, home_code=home)
    if start:
        round_ = services.start_round(round_, user=SYSTEM)
    return World(
        organiser, tested, coordinator, testers, tested_staff, tested_admin, protocol, questions, round_
    )


def item_of(world: World, code: str, channel: str) -> Item:
    return Item.objects.get(round=world.round, region__code=code, channel=channel)


def record_everything(world: World) -> None:
    """Record every item of a started round as its testers (web: two agreeing testers per device)."""
    for item in Item.objects.filter(round=world.round).select_related("region").order_by("pk"):
        if item.channel == ItemChannel.EMAIL:
            services.record_email(
                item,
                user=item.tester,
                sent_at=SENT,
                replies=[{"kind": "answer", "at": at(3, 12)}],
                criteria_met=[True, True, False],
                evidence="Svar fra postmottak.",
                inquiry_reference="",
            )
        elif item.channel == ItemChannel.PHONE:
            services.record_phone(
                item,
                user=item.tester,
                calls=[{"at": at(4, 10), "wait_seconds": 45, "answered": True}],
                criteria_met=[True, True],
            )
        else:
            eligible = [
                t for t in world.testers if item.region.code not in services.access.own_codes(t, item.round)
            ]
            for tester in eligible[:2]:
                for device in ("desktop", "mobile"):
                    services.record_web_check(
                        item, user=tester, device=device, found=device == "desktop", seconds=60
                    )


def publish(world: World) -> Round:
    record_everything(world)
    services.close_round(world.round, user=SYSTEM)
    services.approve_recorded(world.round, user=SYSTEM)
    return services.publish_round(world.round, user=SYSTEM)


def questions_of(world: World) -> list[Question]:
    return list(world.questions.values())


def walk_objects(organiser, tested) -> dict:
    """For the roles walk: a published round organised by ``organiser`` that tested ``tested``."""
    world = build_world(start=True, organiser=organiser, tested=tested, service_slug="kommunetest-byggesak")
    publish(world)
    round_ = world.round
    region = round_.regions.get(code=tested.number)
    web = item_of(world, tested.number, ItemChannel.WEB)
    email = item_of(world, tested.number, ItemChannel.EMAIL)
    return {
        "st.round": {"pk": round_.pk},
        "st.round.start": {"pk": round_.pk, "action": "start"},
        "st.region": {"pk": round_.pk, "region_pk": region.pk},
        "st.item": {"pk": email.pk},
        "st.item.approve": {"pk": email.pk, "action": "godkjenn"},
        "st.result": {"pk": region.pk},
        "st.web": {"pk": web.pk},
    }
