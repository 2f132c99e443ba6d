"""Demo: the kommunetest in Fjordvik (issue 23), loaded after the municipality register
(benchmarking's demo, earlier in INSTALLED_APPS).

- the coordinator ``testkoordinator`` and three testers ``tester`` (from Larvik, 3909), ``tester2``
  (Bergen, 4601) and ``tester3`` (Trondheim, 5001), password ``core.demo.DEMO_PASSWORD``; Fjordvik
  organises (a municipality may test itself through testers from elsewhere);
- protocol 2026.1 (web 40, phone 30, e-mail 30) and six questions in three service areas, the web
  questions linked to Fjordvik's catalogue services and the field that would answer them;
- «Kommunetesten 2026», published: one region per size band drawn from the register with the
  demo's seed, plus Fjordvik (3999); every item recorded as its testers would (synthetic replies,
  calls and web checks, deterministic from the seed), approved and published — so /kommunetest/ has
  results, Fjordvik's staff see theirs at /staff/kommunetest/resultater/;
- «Kommunetesten 2027», being tested, over Fjordvik and two other regions: ``tester`` has open
  e-mail and phone items, and Fjordvik's other staff do not see it (blinding).

Every change of state goes through the services (and so the transition tables). Loaded once: a
round that is there is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from servicetorg.catalogue.models import Service
from servicetorg.core.choices import Role
from servicetorg.core.demo import DEMO_PASSWORD
from servicetorg.core.models import Membership
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workdays import add_working_days

from . import access, regions, scoring, services
from .models import Device, ItemChannel, Protocol, Question, Round

OSLO = ZoneInfo("Europe/Oslo")
COORDINATOR = ("testkoordinator", Role.TEST_COORDINATOR, "Tora Testkoordinator")
TESTERS = [
    ("tester", "3909", "Tiril Tester"),
    ("tester2", "4601", "Truls Tester"),
    ("tester3", "5001", "Tone Tester"),
]
PUBLISHED_NAME = "Kommunetesten 2026"
RUNNING_NAME = "Kommunetesten 2027"
#: The first working day the published round's e-mails went out.
START = date(2026, 2, 2)

QUESTIONS = [
    {
        "channel": ItemChannel.EMAIL,
        "area": "Byggesak",
        "text": "Jeg vil bygge en terrasse på 25 kvadratmeter, 60 cm over bakken. Må jeg søke?",
        "answer_key": "Ja: over 50 cm høy eller over 15 m² krever søknad (plan- og bygningsloven § 20-5).",
        "rubric": "Svarer ja eller nei\nNevner grensene (50 cm, 15 m²)\nViser til søknaden eller skjemaet",
    },
    {
        "channel": ItemChannel.EMAIL,
        "area": "Barnehage",
        "text": "Hva koster en heltidsplass i barnehage, og kan vi få redusert pris?",
        "answer_key": "Maksprisen, og redusert foreldrebetaling etter husholdningens inntekt.",
        "rubric": "Oppgir prisen\nNevner redusert foreldrebetaling\nForteller hvordan man søker",
    },
    {
        "channel": ItemChannel.PHONE,
        "area": "Renovasjon",
        "text": "Når blir glassavfallet hentet i Lindeveien?",
        "answer_key": "Hver fjerde uke; tømmekalenderen på nettsiden.",
        "rubric": "Riktig intervall\nViser til tømmekalenderen",
    },
    {
        "channel": ItemChannel.PHONE,
        "area": "Barnehage",
        "text": "Når er søknadsfristen for hovedopptaket i barnehage?",
        "answer_key": "1. mars.",
        "rubric": "Riktig frist\nForklarer hovedopptaket",
    },
    {
        "channel": ItemChannel.WEB,
        "area": "Byggesak",
        "text": "Finn gebyret for å søke om å bygge en garasje.",
        "answer_key": "Gebyrregulativet, byggesak: tiltak i én klasse.",
        "rubric": "Finner gebyret",
        "service": "byggesoknad",
        "fix_field": "price",
    },
    {
        "channel": ItemChannel.WEB,
        "area": "Renovasjon",
        "text": "Finn hvem man kontakter om en glemt søppeltømming.",
        "answer_key": "Renovasjonsselskapets kundesenter (telefon og skjema).",
        "rubric": "Finner kontakten",
        "service": "renovasjon",
        "fix_field": "contact",
    },
]


def _user(username: str, role: str, full_name: str, municipality):
    first, last = full_name.split(" ", 1)
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@fjordvik.kommune.no"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, municipality=municipality, unit=None, role=role)
    return user


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def _bank(municipality):
    protocol, _ = Protocol.objects.get_or_create(municipality=municipality, version="2026.1")
    questions = []
    for spec in QUESTIONS:
        found = Question.objects.filter(municipality=municipality, text=spec["text"]).first()
        if found is None:
            fields = dict(spec)
            slug = fields.pop("service", None)
            fields["service"] = (
                Service.objects.filter(municipality=municipality, slug=slug).first() if slug else None
            )
            found = services.create_question(municipality, user=SYSTEM, **fields)
        questions.append(found)
    return protocol, questions


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    coordinator = _user(*COORDINATOR, municipality)
    testers = [_user(username, Role.TESTER, name, municipality) for username, _home, name in TESTERS]
    protocol, questions = _bank(municipality)
    rng = random.Random(seed * 7 + 23)
    if not Round.objects.filter(municipality=municipality, name=PUBLISHED_NAME).exists():
        round_ = services.create_round(
            municipality,
            user=SYSTEM,
            name=PUBLISHED_NAME,
            protocol=protocol,
            seed=seed,
            per_band=1,
            questions=questions,
        )
        _regions(round_, municipality, draw=True)
        _enrol(round_, testers)
        services.start_round(round_, user=SYSTEM)
        _record(round_, testers, rng)
        services.close_round(round_, user=coordinator)
        services.approve_recorded(round_, user=coordinator)
        services.publish_round(round_, user=coordinator)
    if not Round.objects.filter(municipality=municipality, name=RUNNING_NAME).exists():
        round_ = services.create_round(
            municipality,
            user=SYSTEM,
            name=RUNNING_NAME,
            protocol=protocol,
            seed=seed + 1,
            per_band=1,
            questions=questions,
        )
        _regions(round_, municipality, draw=False)
        _enrol(round_, testers)
        services.start_round(round_, user=SYSTEM)


def _regions(round_: Round, municipality, *, draw: bool) -> None:
    services.add_region(round_, user=SYSTEM, code=municipality.number, name=municipality.name)
    pool = [c for c in regions.candidates() if c.code != municipality.number]
    if draw and pool:
        services.draw_regions(round_, user=SYSTEM, candidates=pool)
    elif pool:
        for candidate in [c for c in pool if c.code in ("3905", "1506")][:2] or pool[:2]:
            services.add_region(round_, user=SYSTEM, code=candidate.code, name=candidate.name)


def _enrol(round_: Round, testers) -> None:
    for user, (_username, home, _name) in zip(testers, TESTERS, strict=True):
        services.enrol_tester(round_, user=SYSTEM, tester=user, home_code=home)


def _record(round_: Round, testers, rng: random.Random) -> None:
    """Every item as its testers would have recorded it, with outcomes drawn from ``rng``."""
    for item in round_.items.select_related("region").order_by("pk"):
        quality = [rng.random() < 0.75 for _c in item.rubric]
        if item.channel == ItemChannel.EMAIL:
            sent = _at(START, 10, 0)
            days = rng.choice([0, 1, 1, 2, 3, 4, 6, 8, 12])
            answered = add_working_days(START, days)
            replies = [{"kind": "receipt", "at": sent + timedelta(minutes=2)}]
            if days > 3 and rng.random() < 0.5:
                replies.append(
                    {"kind": "preliminary", "at": _at(add_working_days(START, 1), 9), "promised_by": answered}
                )
            replies.append({"kind": "answer", "at": _at(answered, 13, rng.randrange(60))})
            services.record_email(
                item,
                user=item.tester,
                sent_at=sent,
                replies=replies,
                criteria_met=quality,
                evidence="Svar mottatt fra postmottak (syntetisk demotekst).",
            )
        elif item.channel == ItemChannel.PHONE:
            first_day = add_working_days(START, rng.randrange(1, 5))
            wait = rng.choice([15, 30, 45, 70, 150, 260])
            calls = [
                {"at": _at(first_day, 10, rng.randrange(60)), "wait_seconds": wait, "answered": wait <= 240}
            ]
            if wait > 240:
                calls.append(
                    {"at": _at(add_working_days(first_day, 1), 13, 15), "wait_seconds": 40, "answered": True}
                )
            services.record_phone(
                item,
                user=item.tester,
                calls=calls,
                criteria_met=quality,
                transfers=rng.choice([0, 0, 1, 2]),
                evidence="Notater fra samtalen (syntetisk demotekst).",
            )
        else:
            eligible = [t for t in testers if item.region.code not in access.own_codes(t, round_)]
            found = {d: rng.random() < 0.65 for d in Device.values}
            for n, tester in enumerate(eligible[:2]):
                for device in Device.values:
                    disagree = n == 1 and len(eligible) > 2 and rng.random() < 0.15  # a third can decide
                    verdict = not found[device] if disagree else found[device]
                    services.record_web_check(
                        item, user=tester, device=device, found=verdict, seconds=rng.randrange(20, 120)
                    )
            item.refresh_from_db()
            if item.state == "open" and len(eligible) > 2:  # the two disagreed: a third decides
                for device in Device.values:
                    checks = item.checks.filter(device=device).order_by("created_at", "pk")
                    verdicts = [c.found and c.seconds <= scoring.WEB_TIMER_SECONDS for c in checks]
                    if scoring.web_device_verdict(verdicts) is None:
                        services.record_web_check(
                            item, user=eligible[2], device=device, found=found[device], seconds=90
                        )
