"""Demo data: a year of inquiries (about 55 000) with weekly and seasonal patterns, peaks and breaches.

Idempotent: does nothing when the municipality already has inquiries. Bulk inserts in batches, then
recomputes the rollups in SQL; well under a minute on SQLite.
"""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from servicetorg.catalogue.models import Promise, Service
from servicetorg.core.choices import Channel, Role
from servicetorg.core.maps import map_settings
from servicetorg.core.models import Membership, Unit

from . import rollups
from .deadlines import DEFAULT_CHANNEL_DAYS, deadline_from
from .models import (
    ChannelRule,
    Compensation,
    CompensationState,
    DeadlineSource,
    Handling,
    Inquiry,
    InquiryMessage,
    MessageKind,
    State,
    new_reference,
)

TARGET = 55_000
CHANNEL_WEIGHTS = {
    Channel.PHONE: 34,
    Channel.COUNTER: 16,
    Channel.EMAIL: 20,
    Channel.WEB_FORM: 20,
    Channel.LETTER: 4,
    Channel.SOCIAL_MEDIA: 6,
}
WEEKDAY_FACTOR = (1.35, 1.15, 1.05, 1.0, 0.8, 0.12, 0.08)  # Monday .. Sunday
MONTH_FACTOR = {
    1: 1.05,
    2: 1.25,
    3: 1.3,
    4: 1.0,
    5: 0.95,
    6: 0.9,
    7: 0.45,
    8: 0.95,
    9: 1.05,
    10: 1.05,
    11: 1.0,
    12: 0.75,
}
SUBJECTS = [
    "Spørsmål om søknad",
    "Status i saken min",
    "Endring av adresse",
    "Klage på vedtak",
    "Faktura og betaling",
    "Åpningstider",
    "Trenger skjema",
    "Time og avtale",
]


def _kindergarten(service) -> bool:
    return "barnehage" in f"{service.slug} {service.name}".lower()


STREETS = ("Storgata", "Skolegata", "Fjellveien", "Kirkeveien", "Havnegata", "Bekkeveien", "Furulia")


def _place(rng, center: dict) -> dict:
    """Where a place-bound inquiry is: most have a marked place near the map's centre, some only a
    typed address, a few neither."""
    roll = rng.random()
    if roll < 0.1:
        return {}
    address = f"{rng.choice(STREETS)} {rng.randint(1, 60)}"
    if roll < 0.3:
        return {"address": address}
    lat = Decimal(str(center["lat"] + rng.uniform(-0.02, 0.02))).quantize(Decimal("0.000001"))
    long = Decimal(str(center["long"] + rng.uniform(-0.04, 0.04))).quantize(Decimal("0.000001"))
    return {"latitude": lat, "longitude": long, "address": address if roll < 0.7 else ""}


@transaction.atomic
def load(municipality, *, seed: int, target: int = TARGET) -> None:
    if Inquiry.objects.filter(municipality=municipality).exists():
        return
    rng = random.Random(seed)
    place_rng = random.Random(seed + 1)  # its own sequence: places do not change the rest of the demo
    center = map_settings(municipality)
    for channel, days in DEFAULT_CHANNEL_DAYS.items():
        ChannelRule.objects.get_or_create(
            municipality=municipality, channel=channel, defaults={"working_days": days}
        )
    services = list(Service.objects.filter(municipality=municipality, state="published").order_by("pk"))
    units = list(Unit.objects.filter(municipality=municipality).order_by("pk"))
    # The contact person is someone who does the work: the desk, or a case officer or leader of the
    # unit the inquiry went to (never a council member or a provider).
    desk: list = []
    officers: dict[int, list] = {}
    for membership in (
        Membership.objects.filter(
            municipality=municipality,
            role__in=(Role.DESK_WORKER, Role.CASE_OFFICER, Role.UNIT_LEADER),
        )
        .select_related("user")
        .order_by("pk")
    ):
        if membership.role == Role.DESK_WORKER:
            desk.append(membership.user)
        elif membership.unit_id:
            officers.setdefault(membership.unit_id, []).append(membership.user)
    if not units:
        return
    promises = {
        p.description_id: p
        for p in Promise.objects.filter(
            description_id__in=[s.published_version_id for s in services], kind="reply"
        )
    }
    service_promise = {s.pk: promises.get(s.published_version_id) for s in services}
    # Some services are asked about far more than others, but no single one takes most of the year.
    popularity = [rng.lognormvariate(0, 1) for _ in services]
    channels, channel_w = zip(*CHANNEL_WEIGHTS.items(), strict=True)
    today = timezone.localdate()
    start = today - timedelta(days=364)
    tz = timezone.get_current_timezone()
    day_weights = []
    for offset in range(365):
        day = start + timedelta(days=offset)
        day_weights.append(WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month])
    per_weight = target / sum(day_weights)
    deadline_cache: dict = {}
    now = timezone.now()
    rows: list[Inquiry] = []
    for offset, weight in enumerate(day_weights):
        day = start + timedelta(days=offset)
        peak = 1.0
        if day.month in (2, 3):  # barnehageopptak: applications due 1 March
            peak = 2.5
        n = int(rng.gauss(weight * per_weight, math.sqrt(weight * per_weight)))
        for _ in range(max(n, 0)):
            weights = [
                p * (peak * 4 if _kindergarten(s) else 1) for p, s in zip(popularity, services, strict=True)
            ]
            service = rng.choices(services, weights)[0] if services and rng.random() > 0.07 else None
            channel = rng.choices(channels, channel_w)[0]
            if day.weekday() >= 5 and channel in (Channel.PHONE, Channel.COUNTER):
                channel = Channel.WEB_FORM
            hour = (
                rng.choice((8, 9, 9, 10, 10, 11, 12, 13, 13, 14, 15))
                if channel != Channel.WEB_FORM
                else rng.randrange(24)
            )
            received_at = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=tz)
            if received_at > now:
                received_at = now - timedelta(minutes=rng.randrange(1, 120))
            promise = service_promise.get(service.pk) if service else None
            days = promise.working_days if promise else DEFAULT_CHANNEL_DAYS[channel]
            key = (day, days)
            if key not in deadline_cache:
                deadline_cache[key] = deadline_from(day, days)
            deadline = deadline_cache[key]
            at_desk = channel in (Channel.PHONE, Channel.COUNTER)
            roll = rng.random()
            if at_desk and roll < 0.62 - (0.1 if peak > 1 else 0):
                handling = Handling.RESOLVED_AT_DESK
            elif roll < 0.8:
                handling = Handling.PARTLY_HANDLED
            else:
                handling = Handling.FORWARDED
            unit = None
            if handling != Handling.RESOLVED_AT_DESK:
                unit = (
                    service.responsible_unit if service and service.responsible_unit_id else rng.choice(units)
                )
            candidates = officers.get(unit.pk, []) if unit is not None else []
            owner = rng.choice(candidates or desk) if (candidates or desk) else None
            registrar = None
            if at_desk and desk:
                registrar = owner if owner in desk else rng.choice(desk)
            age_days = (today - day).days
            # Reply time in hours: minutes at the desk, else log-normal, slower in the peak.
            if handling == Handling.RESOLVED_AT_DESK:
                hours = rng.uniform(0.05, 0.5)
            else:
                hours = rng.lognormvariate(math.log(20 * peak), 0.9)
            replied_at = received_at + timedelta(hours=hours)
            state = State.CLOSED
            closed_at = replied_at
            if replied_at > now or (age_days < 6 and rng.random() < 0.5):
                replied_at = closed_at = None
                state = rng.choice((State.NEW, State.ROUTED, State.IN_PROGRESS)) if unit else State.NEW
            elif age_days < 14 and rng.random() < 0.3:
                state, closed_at = State.REPLIED, None
            breached = False
            if replied_at is not None:
                breached = timezone.localtime(replied_at).date() > deadline
            elif deadline < today:
                breached = True
            if state == State.NEW and unit is not None:
                state = State.ROUTED
            rows.append(
                Inquiry(
                    municipality=municipality,
                    reference=new_reference(),
                    channel=channel,
                    service=service,
                    subject=rng.choice(SUBJECTS),
                    state=state,
                    handling=handling if state != State.NEW else Handling.PENDING,
                    unit=unit,
                    contact_person=owner,
                    registered_by=registrar,
                    received_at=received_at,
                    first_deadline=deadline,
                    reply_deadline=deadline,
                    deadline_source=DeadlineSource.SERVICE if promise else DeadlineSource.CHANNEL_RULE,
                    replied_at=replied_at,
                    closed_at=closed_at,
                    breached=breached,
                    **(_place(place_rng, center) if service is not None and service.asks_location else {}),
                )
            )
    Inquiry.objects.bulk_create(rows, batch_size=2000)
    # Compensations for guaranteed promises broken in the last quarter (older ones settled).
    saved = Inquiry.objects.filter(
        municipality=municipality, breached=True, service__isnull=False
    ).values_list("pk", "service_id", "received_at")
    compensations = []
    for pk, service_id, received_at in saved:
        promise = service_promise.get(service_id)
        if promise is None or not promise.compensation_amount:
            continue
        old = (now - received_at).days > 30
        compensations.append(
            Compensation(
                municipality=municipality,
                inquiry_id=pk,
                amount=promise.compensation_amount or Decimal("0"),
                guarantee=promise.guarantee,
                state=CompensationState.PAID if old else CompensationState.OPEN,
                settled_at=now if old else None,
            )
        )
    Compensation.objects.bulk_create(compensations, batch_size=2000)
    load_min_side(municipality)
    # A message log for the most recent open inquiries, so their pages have something to show.
    recent = Inquiry.objects.filter(
        municipality=municipality, state__in=(State.NEW, State.ROUTED, State.IN_PROGRESS)
    )[:300]
    InquiryMessage.objects.bulk_create(
        [
            InquiryMessage(inquiry=i, kind=MessageKind.CITIZEN, text=f"{i.subject}. Kan dere hjelpe meg?")
            for i in recent
        ]
    )
    rollups.rebuild(municipality.pk)


def load_min_side(municipality) -> None:
    """The demo citizens' cases (citizens/demo.py): through the contact form's use case, with the
    number where the service asks for it; one closed case with a reply linked as Kari's."""
    from servicetorg.citizens import demo as people
    from servicetorg.citizens.models import Citizen
    from servicetorg.core.crypto import national_id_digest
    from servicetorg.core.permissions import CITIZEN

    from .models import CitizenCase, CitizenCaseHow
    from .services import register

    kari = Citizen.objects.filter(national_id_digest=national_id_digest(people.KARI)).first()
    if kari is None or CitizenCase.objects.filter(citizen=kari).exists():
        return
    cases = [
        ("redusert-foreldrebetaling", people.KARI, "Redusert foreldrebetaling for høsten", "Kari Nordmann"),
        ("skoleskyss", people.EMMA, "Skoleskyss for Emma fra august", "Kari Nordmann"),
        ("hjemmesykepleie", people.INGRID, "Endring i tidspunkt for hjemmesykepleie", "Ola Nordmann"),
    ]
    for slug, number, subject, writer in cases:
        service = Service.objects.filter(municipality=municipality, slug=slug, state="published").first()
        if service is None or not service.requires_national_id:
            continue
        register(
            municipality=municipality,
            channel=Channel.WEB_FORM,
            service=service,
            subject=subject,
            body=f"{subject}. Hilsen {writer}.",
            contact_name=writer,
            contact_email=f"{writer.split()[0].lower()}@example.no",
            national_id=number,
            user=CITIZEN,
            to_responsible_unit=True,
        )
    replied = (
        Inquiry.objects.filter(municipality=municipality, state=State.CLOSED, replied_at__isnull=False)
        .exclude(service__sensitive=True)
        .order_by("-closed_at")
        .first()
    )
    if replied is not None:
        CitizenCase.objects.get_or_create(
            citizen=kari, inquiry=replied, defaults={"how": CitizenCaseHow.SUBMITTED}
        )
