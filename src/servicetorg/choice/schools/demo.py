"""Demo: fritt skolevalg in Fjordvik (issue 22), called from the choice app's demo.

- 12 schools (9 primary, 1–7; 3 lower secondary, 8–10) spread over nine neighbourhoods near the
  demo municipality's centre, each with its own presentation (egenomtale);
- an address register of 1 500 addresses with coordinates; each address's catchment school
  (nærskole) for each stage is the nearest school of that stage (straight line);
- the school office's demo user ``skolekontor`` (``core.demo.DEMO_PASSWORD``);
- «Skolestart <year>», the 1st-grade round of the coming autumn: 2 000 applicants (synthetic
  numbers, born in the year they turn six), three wishes each from a popularity + distance model (as
  shared/bench/school_instances.py), about 10 % with a sibling at a wished school, six with a
  special-needs decision naming Lysheim skole; priorities special needs, catchment, sibling;
  the guarantee on. Created closed with its seed committed (the seed follows from the demo's seed),
  then allocated (``allocate.run_main`` as SYSTEM), published, about 60 % of the seats accepted and
  5 % declined, a waiting-list re-run done, three appeals (one answered);
- «Ungdomsskole <year>», the 8th-grade round, open for applications, with a few of them;
- Marte Fjeld (a synthetic guardian, :data:`GUARDIAN`) with two children recorded as hers: Lea,
  placed in the 1st-grade round, and Magnus, who may apply in the 8th-grade round on Min side.

The synthetic families gave no e-mail or mobile (only Marte did), so loading the demo puts no more
than a message or two in the outbox. Rows are inserted in bulk (creation in a state is allowed);
every change of state after creation goes through the transition tables (``workflow.py``) or the
services that use them. Loaded once: each part looks for what it makes first and leaves it alone
when it is there. About 3 s on SQLite.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.no import fodselsnummer

from servicetorg.citizens import services as citizen_services
from servicetorg.citizens.models import Citizen, Relation, RelationKind, RelationSource
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.demo import DEMO_PASSWORD
from servicetorg.core.models import Membership
from servicetorg.core.permissions import SYSTEM

from ..demo_users import LAST_NAMES, synthetic_national_id
from . import allocate, lottery, rounds
from . import appeals as appeals_service
from .models import (
    AllocationRun,
    Appeal,
    AppealState,
    ApplicationSource,
    Intake,
    Placement,
    PlacementState,
    Priority,
    Round,
    RoundSchool,
    RoundState,
    School,
    SchoolAddress,
    SchoolApplication,
    TieBreak,
    Wish,
)
from .workflow import (
    ACCEPT,
    DECLINE,
    PLACEMENT_WORKFLOW,
)

OSLO = ZoneInfo("Europe/Oslo")
APPLICANTS = 2000
EIGHTH_GRADE_APPLICANTS = 24
WISHES = 3
OFFICE_USERNAME = "skolekontor"
OFFICE_NAME = "Synne Skolekontor"

#: The demo guardian (synthetic: month + 80; born 9 June 1988) and her two children, whose numbers
#: follow the round's year (:func:`child_number`): Lea starts 1st grade, Magnus 8th grade.
GUARDIAN = "09868810073"
GUARDIAN_NAME = "Marte Fjeld"
GUARDIAN_EMAIL = "marte.fjeld@example.org"
GUARDIAN_ADDRESS = ("Lindeveien", 12)
CHILDREN = (("Lea Fjeld", 1, (3, 14)), ("Magnus Fjeld", 8, (10, 2)))  # name, grade, (month, day)
#: Lea's wishes: the most wished-for school, outside her catchment, then her catchment school (she
#: is placed at her second wish, with an explanation of the first).
LEA_WISHES = ("Fjordvik skole", "Åsen skole")


@dataclass(frozen=True)
class District:
    name: str
    postcode: str
    latitude: float
    longitude: float
    addresses: int
    streets: tuple[str, ...]


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    first: int
    last: int
    latitude: float
    longitude: float
    address: str
    district: str
    popularity: float  # the families' liking beyond distance (the bench model's quality)
    profile: str


DISTRICTS = [
    District(
        "Sentrum",
        "3990",
        59.0533,
        10.0352,
        230,
        ("Storgata", "Kirkegata", "Prinsegata", "Torggata", "Skolegata", "Havnegata", "Bøkkerveien"),
    ),
    District(
        "Nordbyen",
        "3991",
        59.0690,
        10.0280,
        210,
        ("Nordbyveien", "Granveien", "Furuveien", "Bjørkeveien", "Lønneveien", "Eikeveien"),
    ),
    District(
        "Åsen",
        "3992",
        59.0660,
        10.0590,
        210,
        ("Åsveien", "Lindeveien", "Rognebærstien", "Heiaveien", "Solbakken", "Utsikten"),
    ),
    District(
        "Strandvika",
        "3993",
        59.0420,
        10.0640,
        160,
        ("Strandveien", "Båtstøa", "Måkeveien", "Tangen", "Sjøsiden", "Fyrveien"),
    ),
    District(
        "Holmen",
        "3994",
        59.0390,
        10.0170,
        170,
        ("Holmeveien", "Brygga", "Kaiveien", "Smia", "Verkstedgata", "Slippen"),
    ),
    District(
        "Vestre Fjordvik",
        "3995",
        59.0560,
        9.9920,
        160,
        ("Vestreveien", "Kløverveien", "Hegreveien", "Tiurveien", "Bekkeløkka", "Myrveien"),
    ),
    District(
        "Lysheim",
        "3996",
        59.0840,
        10.0080,
        140,
        ("Lysheimveien", "Åkerveien", "Låveveien", "Stallbakken", "Kornmoen"),
    ),
    District(
        "Kvernmo",
        "3997",
        59.1020,
        10.0650,
        70,
        ("Kvernmoveien", "Møllebakken", "Dammen", "Sagbruksveien"),
    ),
    District(
        "Bøkelia",
        "3998",
        59.0790,
        10.0500,
        150,
        ("Bøkeliveien", "Hasselveien", "Askeveien", "Ospeveien", "Hyllestien"),
    ),
]

SCHOOLS = [
    SchoolSpec(
        "Fjordvik skole",
        1,
        7,
        59.0541,
        10.0338,
        "Skolegata 4",
        "Sentrum",
        1.0,
        "Fjordvik skole er byens eldste skole, med nye klasserom bak den gamle murbygningen fra 1911. "
        "Vi bruker byen som klasserom: biblioteket, museet og havna ligger noen minutter unna. "
        "Skolen har et stort kulturskoletilbud i SFO-tiden og leksehjelp fire dager i uka.",
    ),
    SchoolSpec(
        "Nordbyen skole",
        1,
        7,
        59.0702,
        10.0268,
        "Nordbyveien 30",
        "Nordbyen",
        0.0,
        "Nordbyen skole ligger midt i boligfeltet, med skogen og ballbingen rett utenfor gjerdet. "
        "Vi legger vekt på lesing og matematikk de første årene, med fast lesevenn fra 5. trinn. "
        "De fleste elevene går eller sykler til skolen.",
    ),
    SchoolSpec(
        "Åsen skole",
        1,
        7,
        59.0668,
        10.0604,
        "Heiaveien 2",
        "Åsen",
        0.8,
        "Åsen skole flyttet inn i nytt bygg i 2022, med åpne læringsarealer, verksted og eget "
        "skolekjøkken. Vi jobber tverrfaglig i perioder og lar elevene lage og teste egne løsninger. "
        "Skolen har universell utforming og heis i alle etasjer.",
    ),
    SchoolSpec(
        "Strandvika skole",
        1,
        7,
        59.0414,
        10.0655,
        "Strandveien 21",
        "Strandvika",
        0.9,
        "Strandvika skole ligger ved sjøen, og mye av undervisningen skjer ute: i fjæra, på "
        "svaberget og i skolens egen båthavn. Alle elever får svømmeopplæring hvert år. "
        "Vi har et aktivt FAU og en skolehage som elevene driver selv.",
    ),
    SchoolSpec(
        "Holmen skole",
        1,
        7,
        59.0385,
        10.0160,
        "Verkstedgata 7",
        "Holmen",
        -0.3,
        "Holmen skole er en mellomstor skole i det gamle verftsområdet. Vi har elever med mange "
        "ulike morsmål og et eget tilbud om morsmålsstøtte og norskopplæring. "
        "Skolen samarbeider tett med nærmiljøet om trygge skoleveier.",
    ),
    SchoolSpec(
        "Vestre Fjordvik skole",
        1,
        7,
        59.0566,
        9.9935,
        "Kløverveien 15",
        "Vestre Fjordvik",
        -0.2,
        "Vestre Fjordvik skole har små trinn og korte avstander mellom lærere, elever og foreldre. "
        "Vi har egen naturlekeplass og turdag hver uke. "
        "Skolen har gode erfaringer med aldersblandede grupper i praktiske fag.",
    ),
    SchoolSpec(
        "Lysheim skole",
        1,
        7,
        59.0835,
        10.0095,
        "Lysheimveien 40",
        "Lysheim",
        0.2,
        "Lysheim skole har kommunens forsterkede avdeling for elever med store behov for "
        "tilrettelegging, med spesialpedagoger og sansemotorisk rom. "
        "Alle elever er en del av fellesskapet, og vi har lang erfaring med inkludering. "
        "Skolen ligger i landlige omgivelser med gårdsbruk som nærmeste nabo.",
    ),
    SchoolSpec(
        "Kvernmo skole",
        1,
        7,
        59.1010,
        10.0638,
        "Møllebakken 3",
        "Kvernmo",
        -0.5,
        "Kvernmo skole er en liten grendeskole med rundt hundre elever. "
        "Alle kjenner alle, og de eldste elevene er faddere for de yngste. "
        "Skolebuss fra de fleste adressene i kretsen.",
    ),
    SchoolSpec(
        "Bøkelia skole",
        1,
        7,
        59.0797,
        10.0512,
        "Bøkeliveien 18",
        "Bøkelia",
        0.6,
        "Bøkelia skole ligger i kanten av bøkeskogen og har et eget uteklasserom med bålplass. "
        "Vi har satset på digitale ferdigheter og programmering fra 3. trinn. "
        "Skolen har musikkprofil med skolekorps og kor for alle som vil.",
    ),
    SchoolSpec(
        "Fjordvik ungdomsskole",
        8,
        10,
        59.0575,
        10.0412,
        "Torggata 12",
        "Sentrum",
        0.6,
        "Fjordvik ungdomsskole er sentrumsskolen for 8.–10. trinn, med valgfag i scenekunst, "
        "programmering og friluftsliv. Vi har eget elevråd som styrer skolens kantine. "
        "Skolen samarbeider med videregående om fordypning i realfag.",
    ),
    SchoolSpec(
        "Åsen ungdomsskole",
        8,
        10,
        59.0731,
        10.0566,
        "Solbakken 1",
        "Åsen",
        0.3,
        "Åsen ungdomsskole har idrettshall, svømmebasseng og en egen linje for toppidrett i "
        "samarbeid med klubbene i Fjordvik. Vi legger vekt på trygt skolemiljø, med "
        "miljøarbeidere i friminuttene og fast kontaktlærer alle tre år.",
    ),
    SchoolSpec(
        "Vestbyen ungdomsskole",
        8,
        10,
        59.0472,
        10.0015,
        "Vestreveien 55",
        "Vestre Fjordvik",
        0.0,
        "Vestbyen ungdomsskole er en oversiktlig skole med tre klasser per trinn. "
        "Vi har praktisk arbeidslivsfag, eget verksted og samarbeid med bedrifter i havneområdet. "
        "Skolen har leksehjelp og studietid etter skoletid tre dager i uka.",
    ),
]
#: The school the special-needs decisions name (its forsterkede avdeling).
SPECIAL_SCHOOL = "Lysheim skole"
SPECIAL_NEEDS = 6

GIRLS = (
    "Nora Emma Olivia Ella Sofie Leah Frida Ingrid Maja Astrid Sara Vilde Iben Selma Hedda Aurora Alma "
    "Ellinor Amalie Mathilde Tiril Hanna Linnea Ida Thea Jenny Mia Aisha Zofia Eline"
).split()
BOYS = (
    "Jakob Emil Noah Oliver Filip William Lucas Liam Henrik Oskar Aksel Theodor Elias Kasper Magnus "
    "Johannes Isak Mohammed Ludvig Olav Sander Tobias Even Mathias Jonas Adrian Ali Leon Storm Tor"
).split()


# --- Entry point --------------------------------------------------------------------------------


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    rng = random.Random(seed * 22 + 4)
    today = timezone.localdate()
    year = intake_year(today)
    office = _office_user(municipality)
    schools = _schools(municipality)
    addresses = _addresses(municipality, schools, rng)
    _guardian(municipality, year)
    _first_grade(municipality, schools, addresses, year, today, seed=seed, office=office)
    _eighth_grade(municipality, schools, addresses, year, today, seed=seed)


def intake_year(today: date) -> int:
    """The autumn the next intake starts: this year's until July, next year's from August."""
    return today.year + 1 if today.month >= 8 else today.year


def first_round_name(year: int) -> str:
    return f"Skolestart {year}"


def eighth_round_name(year: int) -> str:
    return f"Ungdomsskole {year}"


def child_number(birth: date) -> str:
    """A synthetic fødselsnummer (month + 80) for ``birth``: the first individual number from 500 that
    gives two valid control digits."""
    for individual in range(500, 1000):
        digits = f"{birth:%d}{birth.month + 80:02d}{birth:%y}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(digits)
        if len(first) != 1:
            continue
        second = fodselsnummer.calc_check_digit2(digits + first)
        if len(second) == 1:
            return digits + first + second
    raise ValueError(birth)


def children(year: int) -> list[tuple[str, str, int, date]]:
    """The guardian's children for the intake of ``year``: (number, name, grade, birth date)."""
    out = []
    for name, grade, (month, day) in CHILDREN:
        birth = date(year - 5 - grade, month, day)  # school starts the year a child turns six
        out.append((child_number(birth), name, grade, birth))
    return out


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def _seed_of(seed: int, name: str) -> str:
    """The round's lottery seed, fixed by the demo's seed (a real round draws it: rounds.close_round)."""
    return hashlib.sha256(f"fjordvik-demo:{seed}:{name}".encode()).hexdigest()


# --- Users --------------------------------------------------------------------------------------


def _office_user(municipality):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=OFFICE_USERNAME,
        defaults={
            "first_name": OFFICE_NAME.split()[0],
            "last_name": OFFICE_NAME.split()[1],
            "email": f"{OFFICE_USERNAME}@fjordvik.kommune.no",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, municipality=municipality, unit=None, role=Role.SCHOOL_OFFICE)
    return user


def _guardian(municipality, year: int) -> None:
    """Marte Fjeld and the children the municipality records as hers (the population register)."""
    Citizen.objects.get_or_create(national_id_digest=national_id_digest(GUARDIAN))
    for number, name, _grade, birth in children(year):
        exists = Relation.objects.filter(
            municipality=municipality,
            representative_digest=national_id_digest(GUARDIAN),
            subject_digest=national_id_digest(number),
        ).exists()
        if not exists:
            citizen_services.register_relation(
                municipality,
                kind=RelationKind.GUARDIAN,
                representative_national_id=GUARDIAN,
                subject_national_id=number,
                subject_name=name,
                valid_from=birth,
                valid_until=birth.replace(year=birth.year + 18) - timedelta(days=1),
                note="Folkeregisteret (demo)",
                source=RelationSource.IMPORTED,
                user=SYSTEM,
            )


# --- Schools and addresses ----------------------------------------------------------------------


def _schools(municipality) -> dict[str, School]:
    existing = {s.name: s for s in School.objects.filter(municipality=municipality)}
    missing = [
        School(
            municipality=municipality,
            name=spec.name,
            first_grade=spec.first,
            last_grade=spec.last,
            address=f"{spec.address}, {_district(spec.district).postcode} Fjordvik",
            latitude=Decimal(f"{spec.latitude:.6f}"),
            longitude=Decimal(f"{spec.longitude:.6f}"),
            profile=spec.profile,
            website=f"https://fjordvik.kommune.no/skoler/{_slug(spec.name)}/",
            email=f"{_slug(spec.name)}@fjordvik.kommune.no",
            phone=f"33 00 {40 + n:02d} 00",
        )
        for n, spec in enumerate(SCHOOLS)
        if spec.name not in existing
    ]
    School.objects.bulk_create(missing)
    return {
        s.name: s
        for s in School.objects.filter(municipality=municipality, name__in=[s.name for s in SCHOOLS])
    }


def _district(name: str) -> District:
    return next(d for d in DISTRICTS if d.name == name)


def _slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "-"})
    return name.lower().translate(table)


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Straight-line distances in km between every (lat1, lon1) and every (lat2, lon2) point."""
    a = np.column_stack([np.repeat(lat1, len(lat2)), np.repeat(lon1, len(lat2))])
    b = np.column_stack([np.tile(lat2, len(lat1)), np.tile(lon2, len(lat1))])
    return allocate.distances_km(a, b).reshape(len(lat1), len(lat2))


def plan_addresses(rng: random.Random) -> list[tuple[str, str, str, float, float]]:
    """The register's addresses: (street and number, postcode, district, latitude, longitude). Each
    street starts near its neighbourhood's centre and runs in its own direction, 18 m a number."""
    out = []
    for district in DISTRICTS:
        per_street = math.ceil(district.addresses / len(district.streets))
        left = district.addresses
        for street in district.streets:
            count = min(per_street, left)
            left -= count
            lat0 = district.latitude + rng.gauss(0, 0.0045)
            lon0 = district.longitude + rng.gauss(0, 0.0080)
            angle = rng.uniform(0, math.pi)
            step_lat = 0.00016 * math.sin(angle)  # about 18 m
            step_lon = 0.00031 * math.cos(angle)
            for number in range(1, count + 1):
                lat = lat0 + number * step_lat + rng.gauss(0, 0.00005)
                lon = lon0 + number * step_lon + rng.gauss(0, 0.00009)
                out.append((f"{street} {number}", district.postcode, district.name, lat, lon))
    return out


def _addresses(municipality, schools: dict[str, School], rng: random.Random) -> list[SchoolAddress]:
    planned = plan_addresses(rng)  # drawn whatever is stored, so the rest of the demo stays the same
    stored = SchoolAddress.objects.filter(
        municipality=municipality, postcode__in={d.postcode for d in DISTRICTS}
    )
    if not stored.exists():
        primary = [schools[s.name] for s in SCHOOLS if s.last <= 7]
        secondary = [schools[s.name] for s in SCHOOLS if s.first >= 8]
        lat = np.array([p[3] for p in planned])
        lon = np.array([p[4] for p in planned])
        nearest = {}
        for stage, group in (("primary", primary), ("secondary", secondary)):
            km = _km(lat, lon, [float(s.latitude) for s in group], [float(s.longitude) for s in group])
            nearest[stage] = [group[j] for j in km.argmin(axis=1)]
        district_of = {s.name: s.district for s in SCHOOLS}
        SchoolAddress.objects.bulk_create(
            [
                SchoolAddress(
                    municipality=municipality,
                    address=text,
                    postcode=postcode,
                    # the school district as drawn: the catchment primary school's neighbourhood
                    district=district_of[nearest["primary"][i].name],
                    latitude=Decimal(f"{la:.6f}"),
                    longitude=Decimal(f"{lo:.6f}"),
                    primary_school=nearest["primary"][i],
                    secondary_school=nearest["secondary"][i],
                )
                for i, (text, postcode, _district_name, la, lo) in enumerate(planned)
            ],
            batch_size=500,
        )
    return list(stored.order_by("pk"))


# --- The 1st-grade round ------------------------------------------------------------------------


@dataclass
class Applicant:
    number: str
    name: str
    address: SchoolAddress
    wishes: list[School]
    sibling_at: School | None = None
    special: School | None = None
    guardian_digest: str = ""
    email: str = ""
    source: str = ApplicationSource.PORTAL


def _child_name(rng: random.Random) -> str:
    first = rng.choice(GIRLS if rng.random() < 0.49 else BOYS)
    return f"{first} {rng.choice(LAST_NAMES)}"


def plan_applicants(
    rng: random.Random,
    addresses: list[SchoolAddress],
    schools: list[School],
    *,
    grade: int,
    count: int,
    born: int,
    used: set[str],
) -> list[Applicant]:
    """``count`` children at addresses drawn from the register, each listing up to three schools by a
    utility of the school's popularity, minus 1.4 per km, plus Gumbel noise (the bench model): most
    wish for a school near home, many for a popular one farther away. 60 % list three wishes, 25 %
    two, 15 % one; about 10 % have a sibling at a wished school (mostly the first)."""
    popularity = np.array(
        [next(s.popularity for s in SCHOOLS if s.name == school.name) for school in schools]
    )
    chosen = [addresses[rng.randrange(len(addresses))] for _ in range(count)]
    km = _km(
        [float(a.latitude) for a in chosen],
        [float(a.longitude) for a in chosen],
        [float(s.latitude) for s in schools],
        [float(s.longitude) for s in schools],
    )
    out = []
    for i, address in enumerate(chosen):
        noise = np.array([-math.log(-math.log(rng.random() or 1e-12)) for _ in schools])
        utility = popularity - 1.4 * km[i] + noise
        order = [schools[j] for j in np.argsort(-utility)]
        roll = rng.random()
        listed = WISHES if roll < 0.60 else 2 if roll < 0.85 else 1
        applicant = Applicant(
            number=synthetic_national_id(rng, used, born=(born, born)),
            name=_child_name(rng),
            address=address,
            wishes=order[: min(listed, len(schools))],
        )
        if rng.random() < 0.10:
            applicant.sibling_at = applicant.wishes[
                0 if rng.random() < 0.7 else rng.randrange(len(applicant.wishes))
            ]
        out.append(applicant)
    return out


def _insert_applications(round_: Round, applicants: list[Applicant], *, submitted_from: date, rng) -> list:
    rows = [
        SchoolApplication(
            round=round_,
            national_id=a.number,
            name=a.name,
            guardian_digest=a.guardian_digest,
            contact_email=a.email,
            address=a.address,
            catchment_school_id=(
                a.address.primary_school_id if round_.grade <= 7 else a.address.secondary_school_id
            ),
            special_needs_school=a.special,
            source=a.source,
            external_id="",
        )
        for a in applicants
    ]
    SchoolApplication.objects.bulk_create(rows, batch_size=500)
    wishes = [
        Wish(application=row, rank=rank, school=school, sibling=school == a.sibling_at)
        for row, a in zip(rows, applicants, strict=True)
        for rank, school in enumerate(a.wishes, start=1)
    ]
    Wish.objects.bulk_create(wishes, batch_size=1000)
    # when each was sent (auto_now_add wrote now): one UPDATE per day of the period (bulk_update's
    # CASE per row is slow on SQLite)
    days = max(1, (round_.closes_on - submitted_from).days)
    by_day: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_day[rng.randrange(days)].append(row.pk)
    for offset, ids in sorted(by_day.items()):
        sent = _aware(submitted_from + timedelta(days=offset), 7 + offset % 15, (offset * 17) % 60)
        SchoolApplication.objects.filter(pk__in=ids).update(submitted_at=sent)
    return rows


def _first_grade(municipality, schools, addresses, year, today, *, seed: int, office) -> None:
    name = first_round_name(year)
    if Round.objects.filter(municipality=municipality, name=name).exists():
        return
    rng = random.Random(seed * 22 + 1)
    primary = [schools[s.name] for s in SCHOOLS if s.last <= 7]
    used: set[str] = set()
    lea_number = children(year)[0][0]
    used.add(lea_number)
    applicants = plan_applicants(
        rng, addresses, primary, grade=1, count=APPLICANTS - 1, born=year - 6, used=used
    )
    special = schools[SPECIAL_SCHOOL]
    for applicant in rng.sample(applicants, SPECIAL_NEEDS):
        applicant.special = special
        applicant.wishes = [special, *[s for s in applicant.wishes if s != special]][:WISHES]
        if applicant.sibling_at not in applicant.wishes:
            applicant.sibling_at = None
    for applicant in applicants:
        if rng.random() < 0.2:
            applicant.source = ApplicationSource.IMPORT  # the school office's file: no guardian
        else:
            guardian = synthetic_national_id(rng, used, born=(year - 45, year - 25))
            applicant.guardian_digest = national_id_digest(guardian)
    lea_address = next(a for a in addresses if a.address == f"{GUARDIAN_ADDRESS[0]} {GUARDIAN_ADDRESS[1]}")
    lea = Applicant(
        number=lea_number,
        name=CHILDREN[0][0],
        address=lea_address,
        wishes=[schools[n] for n in LEA_WISHES],
        guardian_digest=national_id_digest(GUARDIAN),
        email=GUARDIAN_EMAIL,
    )
    applicants.insert(rng.randrange(len(applicants)), lea)

    closes_on = today - timedelta(days=45)
    opens_on = closes_on - timedelta(days=31)
    seed_text = _seed_of(seed, name)
    round_ = Round.objects.create(
        municipality=municipality,
        name=name,
        school_year=year,
        intake=Intake.FIRST_GRADE,
        grade=1,
        opens_on=opens_on,
        closes_on=closes_on,
        answer_within_days=14,
        wishes=WISHES,
        priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT, Priority.SIBLING],
        tie_break=TieBreak.SINGLE,
        guarantee=True,
        state=RoundState.CLOSED,  # created closed: the seed committed the day after applications closed
        seed=seed_text,
        seed_hash=lottery.seed_hash(seed_text),
        seed_committed_at=_aware(closes_on + timedelta(days=1), 9),
        created_by=office,
    )
    round_.created_at = _aware(opens_on - timedelta(days=30), 10)
    Round.objects.filter(pk=round_.pk).update(created_at=round_.created_at)
    RoundSchool.objects.bulk_create(
        [
            RoundSchool(round=round_, school=school, seats=n, class_size=25)
            for school, n in seats_for(applicants, primary).items()
        ]
    )
    _insert_applications(round_, applicants, submitted_from=opens_on, rng=rng)

    allocate.run_main(round_, user=SYSTEM)
    rounds.publish(round_, user=SYSTEM)  # reveals the seed; tells the families who gave contacts
    _answer(round_, rng, today)
    allocate.run_waiting_list(round_, user=SYSTEM)
    _appeals(round_, rng, office)


def seats_for(applicants: list[Applicant], schools: list[School]) -> dict[School, int]:
    """Seats per school: each school's catchment children (and those a special-needs decision sends
    there) and 4 % more, at least two spare: a little more than the demand in all, while the popular
    schools get more first wishes than seats."""
    sure = {s.pk: 0 for s in schools}
    for a in applicants:
        target = a.special.pk if a.special else a.address.primary_school_id
        sure[target] = sure.get(target, 0) + 1
    return {s: math.ceil(sure[s.pk] * 1.04) + 2 for s in schools}


def _answer(round_: Round, rng: random.Random, today: date) -> None:
    """About 65 % of the families accept their seat and 5 % decline it (the guardian's Lea has not
    answered yet); the rest have not answered. After the waiting-list re-run about 60 % hold an
    accepted seat (those offered a better one answer again). Each placement through its table (lock,
    apply, save), as the school office registering answers given by phone: ``answers.answer`` per
    placement (the permission, the round's and the run's locks, a confirmation each) took the
    whole school demo from 4 to 17 s on SQLite."""
    run = AllocationRun.objects.get(round=round_, current=True)
    lea = national_id_digest(children(round_.school_year)[0][0])
    placements = list(
        Placement.objects.filter(run=run, school__isnull=False)
        .exclude(application__national_id_digest=lea)
        .order_by("application_id")
    )
    now = timezone.now()
    for placement in placements:
        roll = rng.random()
        if roll < 0.65:
            action = ACCEPT
        elif roll < 0.70:
            action = DECLINE
        else:
            continue
        PLACEMENT_WORKFLOW.lock(placement)
        PLACEMENT_WORKFLOW.apply(placement, action)  # TransitionRefused unless offered
        days_ago = rng.randint(0, 9)
        placement.answered_at = now - timedelta(days=days_ago, hours=days_ago % 5)
        placement.save(update_fields=["state", "answered_at"])


#: (text, answer's outcome or "", answer); ``{school}``: the appellant's first wish.
APPEALS = [
    (
        "Vi søkte {school} fordi storebroren går i 3. klasse der og vi ikke har bil. "
        "Søskenprioriteten ble ikke brukt, og vi ber om at søknaden vurderes på nytt.",
        AppealState.REJECTED,
        "Søsken prioriteres etter nærskolen, slik reglene for opptaket sier. {school} ble fylt av barn "
        "med skolen som nærskole og barn med bedre plass i prioriteringen. Klagen tas ikke til følge. "
        "Barnet står fortsatt på ventelisten til {school}.",
    ),
    (
        "Datteren vår har astma og tåler dårlig lang skolevei. Vi ber om plass på {school}, vårt "
        "første ønske.",
        "",
        "",
    ),
    (
        "Vi flytter nærmere {school} i juni og ønsker at sønnen vår begynner der fra høsten.",
        "",
        "",
    ),
]


def _appeals(round_: Round, rng: random.Random, office) -> None:
    """Three appeals from families placed below their first wish; the first answered (not upheld)."""
    run = AllocationRun.objects.get(round=round_, current=True)
    lower = list(
        Placement.objects.filter(run=run, wish_rank__in=[0, 2, 3], state=PlacementState.OFFERED)
        .order_by("application_id")
        .values_list("application_id", flat=True)[:400]
    )
    picked = rng.sample(lower, len(APPEALS))
    first = dict(
        Wish.objects.filter(application_id__in=picked, rank=1).values_list("application_id", "school__name")
    )
    appeals = Appeal.objects.bulk_create(
        [
            Appeal(application_id=pk, text=text.format(school=first[pk]))
            for pk, (text, _state, _answer) in zip(picked, APPEALS, strict=True)
        ]
    )
    for appeal, (_text, state, answer) in zip(appeals, APPEALS, strict=True):
        if state:
            appeals_service.answer_appeal(
                appeal,
                user=office,
                uphold=state == AppealState.UPHELD,
                answer=answer.format(school=first[appeal.application_id]),
            )


# --- The 8th-grade round ------------------------------------------------------------------------


def _eighth_grade(municipality, schools, addresses, year, today, *, seed: int) -> None:
    name = eighth_round_name(year)
    if Round.objects.filter(municipality=municipality, name=name).exists():
        return
    rng = random.Random(seed * 22 + 8)
    secondary = [schools[s.name] for s in SCHOOLS if s.first >= 8]
    used: set[str] = {number for number, *_ in children(year)}
    applicants = plan_applicants(
        rng, addresses, secondary, grade=8, count=EIGHTH_GRADE_APPLICANTS, born=year - 13, used=used
    )
    opens_on = today - timedelta(days=14)
    round_ = Round.objects.create(
        municipality=municipality,
        name=name,
        school_year=year,
        intake=Intake.EIGHTH_GRADE,
        grade=8,
        opens_on=opens_on,
        closes_on=today + timedelta(days=30),
        answer_within_days=14,
        wishes=WISHES,
        priorities=[Priority.CATCHMENT, Priority.SIBLING],
        tie_break=TieBreak.SINGLE,
        guarantee=True,
        state=RoundState.OPEN,  # created open: its rules are published
    )
    RoundSchool.objects.bulk_create(
        [
            RoundSchool(round=round_, school=schools[s.name], seats=seats, class_size=28)
            for s, seats in zip([s for s in SCHOOLS if s.first >= 8], (196, 168, 112), strict=True)
        ]
    )
    _insert_applications(round_, applicants, submitted_from=opens_on, rng=rng)
