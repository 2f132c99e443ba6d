"""Demo: the providers, users, decisions, choices, waiting lists and visits of Fjordvik's home-help
scheme (``demo.py`` makes the scheme itself), close to the Oslo pilot's evaluation (seed 004): about
11 % of all users and 21 % of new users with a private provider.

- the municipal provider (Hjemmetjenesten, a ``core.Unit``), the scheme's default provider;
- 7 approved private providers, one more withdrawn half-way through the year (its users moved,
  ``how=moved``), one application awaiting a decision and one rejected with a reason;
- 1 000 users with care decisions over 12 months (synthetic fødselsnumre: month + 80, no real person
  has them), their first choices (active or default), switches with reasons, a full provider with a
  waiting list, visits of the last three months (mostly attested);
- Ingrid Hansen (citizens/demo.py) with a private provider and visits still to attest, so that Min
  side (she, or Ola as her relative) has something to show.

Bulk inserts only (no service call per row) so that ``make run`` stays fast; a fixed seed; loaded once
(a second run finds the providers and the decisions and changes nothing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.no import fodselsnummer

from servicetorg.core.models import Unit
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workdays import is_working_day

from . import settlement
from .models import (
    Application,
    ApplicationState,
    AttestedBy,
    Band,
    Choice,
    ChoiceHow,
    ChoiceState,
    Decision,
    DecisionHours,
    DecisionState,
    Provider,
    ProviderMember,
    Scheme,
    SchemeState,
    SupplementaryService,
    SwitchReason,
    Visit,
    VisitSource,
    VisitState,
    WaitingEntry,
    WaitingState,
)
from .visits import band_of

OSLO = ZoneInfo("Europe/Oslo")
USERS = 999  # and Ingrid: 1 000
NEW_USERS = 200  # decisions that start within the 12 months
PERIOD_DAYS = 365
VISIT_DAYS = 92  # visits of the last three months
INGRID = "30915020093"  # citizens/demo.py
DISTRICTS = ["Sentrum", "Nordbyen", "Strandvika", "Åsen", "Vestre Fjordvik", "Holmen"]
MUNICIPAL_NAME = "Hjemmetjenesten i Fjordvik kommune"


@dataclass
class P:
    key: str
    name: str
    orgnr: str
    profile: str
    languages: str
    districts: str = ""
    fixed_helper: bool = False
    capacity: int = 40
    staff: int = 8
    weight: int = 10  # how often users pick it (relative)
    supplementary: list[tuple[str, str, str]] = field(default_factory=list)
    state: str = ApplicationState.APPROVED
    reason: str = ""


PRIVATE = [
    P(
        "hjemmehjelp",
        "Fjordvik Hjemmehjelp AS",
        "926647377",
        "Lokalt firma med 14 ansatte som har levert praktisk bistand i Fjordvik siden ordningen startet. "
        "Du får en fast hjelper og en vikar du kjenner, og vi ringer alltid hvis vi blir forsinket.",
        "norsk, engelsk",
        fixed_helper=True,
        capacity=45,
        staff=9,
        weight=14,
        supplementary=[
            ("Vindusvask", "Vask av vinduer innvendig og utvendig, vår og høst.", "520 kr per time"),
            ("Følge til lege og frisør", "Følge til avtaler i Fjordvik sentrum.", "480 kr per time"),
        ],
    ),
    P(
        "omsorgspartner",
        "Omsorgspartner Vestfold AS",
        "982883008",
        "Regional leverandør av hjemmetjenester med egne team i hver bydel. Vi har vakttelefon hele "
        "dagen og tar imot nye brukere innen fem virkedager.",
        "norsk, engelsk, polsk",
        capacity=60,
        staff=16,
        weight=12,
    ),
    P(
        "hverdagshjelpen",
        "Hverdagshjelpen Fjordvik AS",
        "959612331",
        "Vi hjelper med rengjøring, klesvask og innkjøp, og legger vekt på at besøket skal være hyggelig. "
        "Mange av våre hjelpere er pensjonerte hjelpepleiere.",
        "norsk",
        districts="Sentrum, Nordbyen, Åsen",
        capacity=35,
        staff=7,
        weight=10,
        supplementary=[("Hagearbeid", "Plenklipping og enkelt hagestell om sommeren.", "450 kr per time")],
    ),
    P(
        "trygghjemme",
        "Trygg Hjemme Fjordvik AS",
        "987150211",
        "Praktisk bistand med fast hjelper og faste tider. Vi har egne hjelpere for brukere med demens.",
        "norsk, svensk",
        districts="Strandvika, Holmen, Vestre Fjordvik",
        fixed_helper=True,
        capacity=30,
        staff=6,
        weight=8,
    ),
    P(
        "nabohjelpen",
        "Nabohjelpen Fjordvik SA",
        "910728563",
        "Et lite samvirke av hjelpere som bor i nabolaget. Du får alltid den samme hjelperen. Vi har "
        "venteliste når vi er fulle; plassene fordeles etter når du meldte deg.",
        "norsk",
        districts="Åsen, Holmen",
        fixed_helper=True,
        capacity=12,
        staff=4,
        weight=9,
    ),
    P(
        "amina",
        "Amina Hjemmetjenester AS",
        "972207314",
        "Hjelpere som snakker arabisk, somali og tigrinja i tillegg til norsk. Vi tilpasser hjelpen til "
        "kultur og høytider.",
        "norsk, arabisk, somali, tigrinja",
        capacity=25,
        staff=6,
        weight=6,
    ),
    P(
        "kysten",
        "Kystens Praktiske Hjelp AS",
        "986352864",
        "Praktisk bistand og handlehjelp i de ytre delene av kommunen, også på kveldstid.",
        "norsk, engelsk",
        districts="Strandvika, Vestre Fjordvik",
        capacity=25,
        staff=6,
        weight=7,
        supplementary=[("Handlehjelp utover vedtaket", "Ekstra innkjøp med levering.", "390 kr per tur")],
    ),
    P(
        "solsiden",
        "Solsiden Assistanse AS",
        "945786574",
        "Praktisk bistand i hele kommunen.",
        "norsk, engelsk",
        capacity=30,
        staff=8,
        weight=8,
        state=ApplicationState.WITHDRAWN,
        reason="Leverandøren sa opp avtalen med tre måneders varsel fordi selskapet avvikles. Brukerne er "
        "flyttet til sitt neste valg eller til kommunens hjemmetjeneste.",
    ),
    P(
        "renglede",
        "Ren Glede Hjemmeservice AS",
        "964012709",
        "Nyetablert firma med tre ansatte. Vi søker om å bli godkjent for praktisk bistand i Fjordvik.",
        "norsk, litauisk",
        capacity=15,
        staff=3,
        weight=0,
        state=ApplicationState.SUBMITTED,
    ),
    P(
        "hjelp24",
        "Hjelp24 Fjordvik Odd Hansen",
        "971898399",
        "Enkeltpersonforetak.",
        "norsk",
        capacity=5,
        staff=1,
        weight=0,
        state=ApplicationState.REJECTED,
        reason="Søknaden oppfyller ikke kravene: politiattest og dokumentasjon av internkontroll mangler, og "
        "foretaket er ikke registrert i Merverdiavgiftsregisteret. Du kan søke på nytt når dette er "
        "på plass.",
    ),
]
WITHDRAWN = "solsiden"
FULL = "nabohjelpen"
MEMBER_PROVIDER = "hjemmehjelp"  # the demo user `leverandor` works here; Ingrid is its user

FIRST_NAMES = (
    "Anna Astrid Berit Bjørg Eli Elin Gerd Grete Gunn Hanne Inger Ingrid Jorunn Karin Kari Kirsten Liv "
    "Magnhild Marit Målfrid Ragnhild Randi Reidun Sigrid Solveig Torill Turid Åse Aslak Arne "
    "Bjørn Einar Erling Finn "
    "Gunnar Harald Helge Johannes Kjell Knut Leif Magne Nils Odd Olav Per Rolf Svein Terje Tor Trygve Arvid "
    "Fatima Amina Hamid Ali Zofia Jan Mirela"
).split()
LAST_NAMES = (
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen "
    "Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Halvorsen Henriksen Lund "
    "Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen Bakken "
    "Kristoffersen Mathisen Lie Amundsen Nguyen Rasmussen Ali Lunde Solheim Berge Moe Nygård Bakke"
).split()

ENDINGS = {  # reasons a user switches, with weights
    SwitchReason.QUALITY: 5,
    SwitchReason.CONTINUITY: 4,
    SwitchReason.LANGUAGE: 1,
    SwitchReason.MOVED: 2,
    SwitchReason.OTHER: 1,
}


def synthetic_national_id(rng: random.Random, used: set[str], born: tuple[int, int] = (1925, 1975)) -> str:
    """A synthetic fødselsnummer (month + 80; Skatteetaten's Test-Norge) of a person born in the
    years ``born`` (1925–1975 unless asked): valid control digits, never a real person's number."""
    while True:
        born_on = date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
        individual = rng.randint(0, 499) if born_on.year < 2000 else rng.randint(500, 999)
        digits = f"{born_on:%d}{born_on.month + 80:02d}{born_on:%y}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(digits)
        if len(first) != 1:
            continue
        second = fodselsnummer.calc_check_digit2(digits + first)
        if len(second) != 1:
            continue
        number = digits + first + second
        if number not in used and number != INGRID:
            used.add(number)
            return number


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def _scheme_versions(scheme: Scheme) -> tuple[Scheme, Scheme | None]:
    """(the version in force, the version it replaced)."""
    return scheme, (Scheme.objects.get(pk=scheme.replaces_id) if scheme.replaces_id else None)


def current_scheme(municipality, service) -> Scheme | None:
    return (
        Scheme.objects.filter(municipality=municipality, service=service, state=SchemeState.ADOPTED)
        .order_by("-version")
        .first()
    )


def load(municipality, scheme: Scheme, *, seed: int) -> None:
    rng = random.Random(seed * 21 + 4)
    providers = _providers(municipality, scheme)
    if providers is None:
        return  # loaded before
    current, previous = _scheme_versions(scheme)
    _users(municipality, current, previous, providers, rng)
    _settle(current)


def _settle(scheme: Scheme) -> None:
    """The two last whole months settled (settlement.compute: one SQL statement per price model):
    the older approved and paid, the latest approved."""
    first_this_month = timezone.localdate().replace(day=1)
    last_month = (first_this_month - timedelta(days=1)).replace(day=1)
    month_before = (last_month - timedelta(days=1)).replace(day=1)
    for month, paid in ((month_before, True), (last_month, False)):
        if scheme.valid_from and month < scheme.valid_from:
            continue
        for statement in settlement.compute(scheme, month, user=SYSTEM):
            statement = settlement.approve(statement, user=SYSTEM)
            if paid:
                settlement.pay(statement, user=SYSTEM)


# --- providers and applications ------------------------------------------------------------------


def _providers(municipality, scheme: Scheme) -> dict[str, Provider] | None:
    orgnrs = [p.orgnr for p in PRIVATE]
    if Provider.objects.filter(municipality=municipality, organization_number__in=orgnrs).exists():
        return None
    unit = Unit.objects.filter(municipality=municipality, slug="hjemmetjenesten").first()
    municipal = Provider.objects.filter(municipality=municipality, unit__isnull=False, unit=unit).first()
    if municipal is None:
        municipal = Provider.objects.create(
            municipality=municipality,
            name=MUNICIPAL_NAME,
            organization_number=municipality.organization_number,
            unit=unit,
            profile=(
                "Kommunens egen hjemmetjeneste. Vi har hjelpere i alle bydeler, hele døgnet, og tar alltid "
                "imot nye brukere. Velger du ikke selv, får du hjelp av oss."
            ),
            languages="norsk, engelsk",
            fixed_helper=False,
            capacity_users=2000,
            capacity_hours_per_month=20000,
            email="hjemmetjenesten@fjordvik.kommune.no",
            phone="33 40 02 50",
            website="https://fjordvik.kommune.no/hjemmetjenesten",
        )
    created = Provider.objects.bulk_create(
        [
            Provider(
                municipality=municipality,
                name=p.name,
                organization_number=p.orgnr,
                profile=p.profile,
                languages=p.languages,
                districts=p.districts,
                fixed_helper=p.fixed_helper,
                capacity_users=p.capacity,
                capacity_hours_per_month=p.capacity * 16,
                email=f"post@{p.key}.example.no",
                phone=f"33 4{i} {10 + i}0 {20 + i}0",
                website=f"https://{p.key}.example.no",
            )
            for i, p in enumerate(PRIVATE)
        ]
    )
    by_key = {p.key: obj for p, obj in zip(PRIVATE, created, strict=True)}
    if created[0].pk is None:  # a database that returns no ids from a bulk insert
        by_key = {
            p.key: Provider.objects.get(municipality=municipality, organization_number=p.orgnr)
            for p in PRIVATE
        }
    SupplementaryService.objects.bulk_create(
        [
            SupplementaryService(provider=by_key[p.key], name=name, description=text, price=price)
            for p in PRIVATE
            for name, text, price in p.supplementary
        ]
    )
    Scheme.objects.filter(municipality=municipality, service=scheme.service).update(
        default_provider=municipal
    )
    by_key["municipal"] = municipal
    leverandor = get_user_model().objects.filter(username="leverandor").first()
    if leverandor is not None:
        ProviderMember.objects.get_or_create(provider=by_key[MEMBER_PROVIDER], user=leverandor)
    return by_key


def _applications(scheme: Scheme, providers: dict[str, Provider], today: date, withdrawn_on: date) -> None:
    start = scheme.valid_from or today
    rows = [
        Application(
            scheme=scheme,
            provider=providers["municipal"],
            state=ApplicationState.APPROVED,
            competence="Kommunens hjemmetjeneste, fagarbeidere og assistenter.",
            quality_assurance="Kommunens internkontroll.",
            decide_by=start,
            decided_at=_aware(start - timedelta(days=20), 10),
        )
    ]
    for i, p in enumerate(PRIVATE):
        decided = p.state != ApplicationState.SUBMITTED
        rows.append(
            Application(
                scheme=scheme,
                provider=providers[p.key],
                state=p.state,
                competence="Fagbrev i helsearbeiderfaget for arbeidsleder; opplæring for alle.",
                quality_assurance="Internkontroll etter forskrift om ledelse og kvalitetsforbedring.",
                decide_by=start if decided else today + timedelta(days=12),
                decided_at=_aware(start - timedelta(days=30 - i), 11) if decided else None,
                reason=p.reason,
                effective_on=withdrawn_on if p.state == ApplicationState.WITHDRAWN else None,
            )
        )
    created = Application.objects.bulk_create(rows)
    submitted = {
        ApplicationState.SUBMITTED: _aware(today - timedelta(days=6), 9),
        ApplicationState.REJECTED: _aware(today - timedelta(days=60), 9),
    }
    for application in created:
        application.submitted_at = submitted.get(application.state, _aware(start - timedelta(days=45), 9))
    Application.objects.bulk_update(created, ["submitted_at"])


# --- users ---------------------------------------------------------------------------------------


@dataclass
class Person:
    national_id: str
    name: str
    district: str
    valid_from: date
    valid_until: date | None
    new: bool
    hours: dict[str, Decimal]
    # (provider key, how, reason, effective from, waiting provider key or "")
    choices: list[tuple[str, str, str, date, str]] = field(default_factory=list)
    decision: Decision | None = None


def _hours(rng: random.Random) -> dict[str, Decimal]:
    """Hours per week by band: most have daytime help only, some evening, a few weekend too."""
    band = rng.random()
    day = Decimal(rng.choice(["1.5", "2", "2", "2.5", "3", "3", "4", "4.5", "6"]))
    hours = {Band.DAY: day}
    if band < 0.22:
        hours[Band.EVENING] = Decimal(rng.choice(["1", "1.5", "2"]))
    if band < 0.07:
        hours[Band.WEEKEND] = Decimal(rng.choice(["1", "2"]))
    return hours


def _pick(rng: random.Random, keys: list[str]) -> str:
    weights = [next(p.weight for p in PRIVATE if p.key == k) for k in keys]
    return rng.choices(keys, weights=weights)[0]


def _users(municipality, current: Scheme, previous: Scheme | None, providers, rng: random.Random) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=PERIOD_DAYS)
    withdrawn_on = (start + timedelta(days=PERIOD_DAYS // 2)).replace(day=1)
    _applications(current, providers, today, withdrawn_on)
    first_ever = previous.valid_from if previous and previous.valid_from else start - timedelta(days=730)
    approved = [p.key for p in PRIVATE if p.state in (ApplicationState.APPROVED, ApplicationState.WITHDRAWN)]
    open_after = [k for k in approved if k != WITHDRAWN]
    used: set[str] = set()
    people: list[Person] = []
    for i in range(USERS):
        new = i >= USERS - NEW_USERS
        if new:
            valid_from = start + timedelta(days=rng.randint(0, PERIOD_DAYS - 10))
        else:
            valid_from = first_ever + timedelta(days=rng.randint(0, (start - first_ever).days - 1))
        valid_until = None
        if rng.random() < (0.05 if new else 0.09):  # died, moved to a nursing home, no longer needs help
            end = max(valid_from, start) + timedelta(days=rng.randint(30, 300))
            valid_until = end if end < today - timedelta(days=3) else None
        person = Person(
            national_id=synthetic_national_id(rng, used),
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            district=rng.choice(DISTRICTS),
            valid_from=valid_from,
            valid_until=valid_until,
            new=new,
            hours=_hours(rng),
        )
        # the first choice: existing users 7 % private, new users 21 % (a few onto the waiting list)
        roll = rng.random()
        if roll < (0.23 if new else 0.07):
            keys = open_after if valid_from >= withdrawn_on else approved
            key = _pick(rng, keys)
            person.choices.append((key, ChoiceHow.ACTIVE, SwitchReason.FIRST, valid_from, ""))
        elif roll < (0.35 if new else 0.25):
            person.choices.append(("municipal", ChoiceHow.ACTIVE, SwitchReason.FIRST, valid_from, ""))
        else:
            person.choices.append(("municipal", ChoiceHow.DEFAULT, SwitchReason.FIRST, valid_from, ""))
        people.append(person)

    _switches(people, rng, start, today, withdrawn_on, open_after)
    _waiting_list(people, rng, today)
    people.append(_ingrid(rng, today))
    _insert(municipality, current, previous, providers, people, rng, today)


def _last_day(person: Person, today: date) -> date:
    return person.valid_until or today


def _switches(people, rng, start, today, withdrawn_on, open_after) -> None:
    """Switches within the period (about 4 per 100 users), then the withdrawal's moves."""
    reasons = list(ENDINGS)
    weights = list(ENDINGS.values())
    for person in people:
        if rng.random() > 0.045:
            continue
        first = person.choices[0]
        begin = max(first[3], start) + timedelta(days=20)
        end = _last_day(person, today) - timedelta(days=20)
        if end <= begin or first[1] == ChoiceHow.WAITING:
            continue
        day = begin + timedelta(days=rng.randint(0, (end - begin).days))
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)  # one month's notice: the 1st
        if day >= _last_day(person, today):
            continue
        reason = rng.choices(reasons, weights)[0]
        if first[0] == "municipal":
            target = _pick(rng, open_after) if rng.random() < 0.55 else "municipal"
        else:
            target = (
                "municipal" if rng.random() < 0.5 else _pick(rng, [k for k in open_after if k != first[0]])
            )
        if target == first[0]:
            continue
        if target == "municipal" and first[0] == "municipal":
            continue
        person.choices.append((target, ChoiceHow.ACTIVE, reason, day, ""))
    # the withdrawn provider's users move on its last day + 1: half to their next choice, half to the default
    for person in people:
        current = person.choices[-1]
        if current[0] != WITHDRAWN or _last_day(person, today) < withdrawn_on:
            continue
        if current[3] >= withdrawn_on:
            person.choices[-1] = (_pick(rng, open_after), *current[1:])
            continue
        target = _pick(rng, open_after) if rng.random() < 0.5 else "municipal"
        person.choices.append((target, ChoiceHow.MOVED, SwitchReason.PROVIDER_LEFT, withdrawn_on, ""))


def _waiting_list(people, rng, today) -> None:
    """Six new users of the last half year wished for the full provider: the default provider serves
    them meanwhile; the two earliest got a place when one became free."""
    candidates = [
        p
        for p in people
        if p.new
        and p.valid_until is None
        and p.valid_from > today - timedelta(days=180)
        and len(p.choices) == 1
        and p.choices[0][0] == "municipal"
    ]
    waiting = sorted(rng.sample(candidates, min(6, len(candidates))), key=lambda p: p.valid_from)
    for n, person in enumerate(waiting):
        person.choices[0] = ("municipal", ChoiceHow.WAITING, SwitchReason.FIRST, person.valid_from, FULL)
        placed = person.valid_from + timedelta(days=rng.randint(25, 60))
        if n < 2 and placed < today - timedelta(days=5):
            person.choices.append((FULL, ChoiceHow.ACTIVE, SwitchReason.WAITING_OVER, placed, ""))


def _ingrid(rng, today) -> Person:
    valid_from = today - timedelta(days=200)
    return Person(
        national_id=INGRID,
        name="Ingrid Hansen",
        district="Åsen",
        valid_from=valid_from,
        valid_until=None,
        new=True,
        hours={Band.DAY: Decimal("3")},
        choices=[(MEMBER_PROVIDER, ChoiceHow.ACTIVE, SwitchReason.FIRST, valid_from, "")],
    )


def _insert(municipality, current, previous, providers, people, rng, today) -> None:
    unit = Unit.objects.filter(municipality=municipality, slug="helse-og-omsorg").first()
    decisions = []
    for n, person in enumerate(people, start=1):
        scheme = current
        if (
            previous is not None
            and person.valid_until
            and current.valid_from
            and person.valid_until < current.valid_from
        ):
            scheme = previous
        ended = person.valid_until is not None and person.valid_until < today
        person.decision = Decision(
            municipality=municipality,
            scheme=scheme,
            unit=unit,
            national_id=person.national_id,
            name=person.name,
            district=person.district,
            state=DecisionState.ENDED if ended else DecisionState.IN_FORCE,
            case_reference=f"{person.valid_from:%y}/{n:05d}",
            decided_on=person.valid_from - timedelta(days=rng.randint(3, 14)),
            valid_from=person.valid_from,
            valid_until=person.valid_until,
        )
        decisions.append(person.decision)
    Decision.objects.bulk_create(decisions, batch_size=500)
    DecisionHours.objects.bulk_create(
        [
            DecisionHours(decision=p.decision, band=band, hours_per_week=h)
            for p in people
            for band, h in p.hours.items()
        ],
        batch_size=1000,
    )
    choices, chosen_at, waiting = [], [], []
    for person in people:
        rows = person.choices
        for i, (key, how, reason, effective_from, wait_for) in enumerate(rows):
            following = rows[i + 1] if i + 1 < len(rows) else None
            until = following[3] - timedelta(days=1) if following else person.valid_until
            done = until is not None and until < today
            choice = Choice(
                decision=person.decision,
                provider=providers[key],
                how=how,
                state=ChoiceState.ENDED if done else ChoiceState.CURRENT,
                reason=reason,
                next_provider=providers["municipal"] if key != "municipal" and rng.random() < 0.3 else None,
                effective_from=effective_from,
                effective_until=until,
            )
            choices.append(choice)
            # chosen a month before it took effect (the notice), never before the decision
            chosen_at.append(_aware(max(person.decision.decided_on, effective_from - timedelta(days=30)), 12))
            if wait_for:
                placed = following is not None and following[2] == SwitchReason.WAITING_OVER
                waiting.append(
                    (
                        WaitingEntry(
                            decision=person.decision,
                            provider=providers[wait_for],
                            state=WaitingState.PLACED if placed else WaitingState.WAITING,
                            ended_at=_aware(following[3], 9) if placed else None,
                        ),
                        _aware(person.decision.decided_on, 13),
                    )
                )
    Choice.objects.bulk_create(choices, batch_size=1000)
    for choice, at in zip(choices, chosen_at, strict=True):
        choice.chosen_at = at
    Choice.objects.bulk_update(choices, ["chosen_at"], batch_size=500)
    entries = WaitingEntry.objects.bulk_create([entry for entry, _ in waiting])
    for entry, (_, at) in zip(entries, waiting, strict=True):
        entry.wished_at = at
    WaitingEntry.objects.bulk_update(entries, ["wished_at"])
    _visits(people, providers, rng, today)


def _staff(key: str, n: int) -> list[str]:
    return [f"{key[:3].upper()}-{i:02d}" for i in range(1, n + 1)]


def _visits(people, providers, rng: random.Random, today: date) -> None:
    """Visits of the last three months by the provider then serving each user: one to three a week
    per band; a fixed-helper provider sends the same helper nine times in ten, the others whoever is
    free (``visits.band_of`` gives the band). Visits older than a week are attested (a few disputed);
    the latest wait for the user."""
    first_day = today - timedelta(days=VISIT_DAYS)
    staff = {p.key: _staff(p.key, p.staff) for p in PRIVATE}
    staff["municipal"] = _staff("kom", 60)
    fixed = {p.key for p in PRIVATE if p.fixed_helper}
    shortfall = {"municipal": 0.06, "omsorgspartner": 0.08, "hverdagshjelpen": 0.03, "kysten": 0.05}
    visits = []
    for person in people:
        if person.valid_from > today:
            continue
        periods = _periods(person, today)
        helper = {}
        for key, begin, end in periods:
            begin, end = max(begin, first_day), min(end, today - timedelta(days=1))
            if begin > end:
                continue
            pool = staff[key]
            helper.setdefault(key, rng.choice(pool))
            week = begin - timedelta(days=begin.weekday())
            while week <= end:
                for band, hours in person.hours.items():
                    minutes_week = int(hours * 60)
                    count = max(1, min(3, round(float(hours) / 1.5)))
                    length = minutes_week // count
                    for v in range(count):
                        if rng.random() < shortfall.get(key, 0.04):
                            continue  # not delivered this time
                        if band == Band.WEEKEND:
                            day = week + timedelta(days=5 + v % 2)
                            hour = rng.choice([10, 11, 12, 13])
                        else:
                            day = week + timedelta(days=v * 2 + (rng.randint(0, 1) if v < 2 else 0))
                            hour = (
                                rng.choice([8, 9, 10, 11, 12])
                                if band == Band.DAY
                                else rng.choice([16, 17, 18])
                            )
                        if not (begin <= day <= end):
                            continue
                        if band != Band.WEEKEND and not is_working_day(day):
                            continue
                        starts = _aware(day, hour, rng.choice([0, 15, 30]))
                        minutes = max(30, length + rng.choice([-15, 0, 0, 0, 5]))
                        who = helper[key] if key in fixed and rng.random() < 0.9 else rng.choice(pool)
                        visits.append((person, key, starts, minutes, who))
                week += timedelta(days=7)
    rows = []
    for n, (person, key, starts, minutes, who) in enumerate(visits):
        local_day = starts.astimezone(OSLO).date()
        recent = (
            local_day > today - timedelta(days=8)
            or person.national_id == INGRID
            and local_day > today - timedelta(days=15)
        )
        state = VisitState.REGISTERED
        attested_at = None
        attested_by = ""
        if not recent:
            roll = rng.random()
            if roll < 0.005:
                state = VisitState.DISPUTED
            elif roll < 0.97:
                state = VisitState.ATTESTED
                attested_at = starts + timedelta(days=rng.randint(1, 6), hours=2)
                attested_by = AttestedBy.USER if rng.random() < 0.7 else AttestedBy.RELATIVE
        rows.append(
            Visit(
                provider=providers[key],
                decision=person.decision,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=minutes),
                band=band_of(starts),
                minutes=minutes,
                staff_pseudonym=who,
                source=VisitSource.UPLOAD if n % 3 else VisitSource.REGISTERED,
                external_id=f"demo-{n:06d}" if n % 3 else "",
                state=state,
                attested_at=attested_at,
                attested_by=attested_by,
            )
        )
    Visit.objects.bulk_create(rows, batch_size=2000)


def _periods(person: Person, today: date) -> list[tuple[str, date, date]]:
    """(provider key, first day, last day) the provider actually served the user."""
    out = []
    rows = person.choices
    last = _last_day(person, today)
    for i, (key, _how, _reason, effective_from, _wait) in enumerate(rows):
        until = rows[i + 1][3] - timedelta(days=1) if i + 1 < len(rows) else last
        out.append((key, effective_from, min(until, last)))
    return out
