"""Demo strategy for 2024–2027: 4 focus areas, 12 goals with indicators and targets, instruments,
measures with milestones, a consultation with comments, adoption, a yearly roll (revision 2 with a
changed target), a published follow-up report for 2025 and the 2026 roll (revision 3) out for
consultation with a deadline ahead; revisions 1 and 2 keep their ended consultations. Idempotent:
skipped when it exists."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from servicetorg.catalogue.models import ServiceArea
from servicetorg.core.models import Unit
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.models import Indicator

from . import services, workflow
from .models import (
    CommentRole,
    ElectionPeriod,
    GoalKind,
    InstrumentKind,
    MeasureStatus,
    ModerationState,
    Perspective,
)

START = 2024

#: Goals whose targets are relative to a peer group (indicator code → peer group, statistic): computed
#: from the official statistics (the demo's synthetic ones) of the target year.
RELATIVE = {"bhg-kostnad-per-barn": ("county", "median")}

#: focus area, description, goals: (title, kind, perspective, indicator code, targets 2024–2027)
FOCUS_AREAS = [
    (
        "Tilgjengelighet og god service",
        "Innbyggerne skal få raske og riktige svar, uansett hvilken kanal de bruker.",
        [
            (
                "Raske svar på e-post",
                GoalKind.QUALITY,
                Perspective.USERS,
                "epost-svar-1-virkedag",
                [75, 82, 88, 92],
            ),
            (
                "Flere saker løses ved første kontakt i servicetorget",
                GoalKind.EFFICIENCY,
                Perspective.PROCESSES,
                "ferdig-i-servicetorget",
                [55, 58, 61, 65],
            ),
            (
                "Fornøyde brukere av servicetorget",
                GoalKind.USER_ADAPTATION,
                Perspective.USERS,
                "tilfredshet-servicetorget",
                ["4.7", "4.8", "4.9", "5.0"],
            ),
        ],
    ),
    (
        "Oppvekst",
        "Alle barn skal få barnehageplass og et godt tilbud, til en forsvarlig kostnad.",
        [
            (
                "Full barnehagedekning",
                GoalKind.QUALITY,
                Perspective.USERS,
                "barnehagedekning",
                [92, 93, 94, 95],
            ),
            (
                "Kostnad per barnehagebarn på nivå med sammenlignbare kommuner",
                GoalKind.EFFICIENCY,
                Perspective.ECONOMY,
                "bhg-kostnad-per-barn",
                [250000, 255000, 258000, 262000],
            ),
            (
                "Foreldrene er fornøyde med barnehagen",
                GoalKind.USER_ADAPTATION,
                Perspective.USERS,
                "foreldretilfredshet-barnehage",
                ["5.1", "5.2", "5.3", "5.3"],
            ),
        ],
    ),
    (
        "Helse og omsorg",
        "Eldre skal kunne bo hjemme lenger, og få plass når de trenger det.",
        [
            (
                "Kortere ventetid på sykehjemsplass",
                GoalKind.QUALITY,
                Perspective.USERS,
                "ventetid-sykehjem",
                [44, 38, 32, 30],
            ),
            (
                "Fornøyde brukere av hjemmetjenesten",
                GoalKind.USER_ADAPTATION,
                Perspective.USERS,
                "tilfredshet-hjemmetjenesten",
                ["4.9", "5.0", "5.1", "5.2"],
            ),
            (
                "Flere eldre bor hjemme",
                GoalKind.USER_ADAPTATION,
                Perspective.DEVELOPMENT,
                "andel-80-hjemme",
                ["87.5", 88, "88.5", 89],
            ),
        ],
    ),
    (
        "Effektiv forvaltning og gode arbeidsplasser",
        "Saksbehandlingen skal bli raskere og mer digital, med friske og motiverte medarbeidere.",
        [
            (
                "Raskere byggesaksbehandling",
                GoalKind.EFFICIENCY,
                Perspective.PROCESSES,
                "byggesak-saksbehandlingstid",
                [45, 40, 38, 35],
            ),
            (
                "Lavere sykefravær",
                GoalKind.EFFICIENCY,
                Perspective.EMPLOYEES,
                "sykefravaer",
                ["8.8", "8.5", "8.0", "7.5"],
            ),
            (
                "Flere søknader digitalt",
                GoalKind.USER_ADAPTATION,
                Perspective.DEVELOPMENT,
                "digitale-soknader",
                [68, 74, 80, 85],
            ),
        ],
    ),
]

INSTRUMENTS = [
    (
        InstrumentKind.SERVICE_DECLARATIONS,
        "Serviceerklæringer med svarfrister og brukergaranti for alle publiserte tjenester.",
    ),
    (
        InstrumentKind.BENCHMARKING,
        "Sammenligning med Larvik og Sandefjord i KOSTRA hvert år (ASSSS-nettverket).",
    ),
    (InstrumentKind.USER_CHOICE, "Brukervalg i praktisk bistand og hjemmesykepleie."),
    (InstrumentKind.TENDERING, "Konkurranseutsetting av renhold i kommunale bygg."),
    (InstrumentKind.COOPERATION, "Interkommunalt samarbeid om byggesak og kart med nabokommunene."),
    (InstrumentKind.EMPLOYER_POLICY, "Heltidskultur, lederutvikling og et nærværsprogram."),
]

#: focus area index, title, instrument kind, unit slug, start, due, status, milestones (title, due, reached)
MEASURES = [
    (
        0,
        "Felles innboks og svarmaler for e-post",
        InstrumentKind.SERVICE_DECLARATIONS,
        "servicetorget",
        date(2024, 9, 1),
        date(2025, 3, 1),
        MeasureStatus.DONE,
        [("Maler tatt i bruk", date(2024, 12, 1), date(2024, 11, 20))],
    ),
    (
        0,
        "Opplæring av servicemedarbeidere i trinn 4 på tjenestetrappa",
        InstrumentKind.EMPLOYER_POLICY,
        "servicetorget",
        date(2025, 1, 15),
        date(2026, 12, 31),
        MeasureStatus.IN_PROGRESS,
        [("Første kull ferdig", date(2025, 6, 30), date(2025, 6, 25))],
    ),
    (
        1,
        "Ny barnehage på Nordsiden",
        InstrumentKind.COOPERATION,
        "barnehage",
        date(2024, 8, 1),
        date(2026, 8, 1),
        MeasureStatus.DONE,
        [
            ("Byggestart", date(2025, 2, 1), date(2025, 2, 10)),
            ("Åpning", date(2026, 8, 1), date(2026, 8, 12)),
        ],
    ),
    (
        1,
        "Brukerundersøkelse for foreldre hvert år",
        InstrumentKind.BENCHMARKING,
        "barnehage",
        date(2024, 10, 1),
        date(2027, 12, 31),
        MeasureStatus.IN_PROGRESS,
        [],
    ),
    (
        2,
        "Brukervalg i hjemmetjenesten",
        InstrumentKind.USER_CHOICE,
        "hjemmetjenesten",
        date(2024, 9, 1),
        date(2025, 12, 31),
        MeasureStatus.DONE,
        [("Leverandører godkjent", date(2025, 5, 1), date(2025, 4, 28))],
    ),
    (
        2,
        "Tjue nye korttidsplasser",
        None,
        "hjemmetjenesten",
        date(2025, 1, 1),
        date(2026, 6, 30),
        MeasureStatus.PLANNED,
        [("Vedtak i kommunestyret", date(2025, 10, 1), None)],
    ),
    (
        3,
        "Digital byggesøknad med veiledning",
        InstrumentKind.COOPERATION,
        "byggesak",
        date(2024, 6, 1),
        date(2025, 12, 31),
        MeasureStatus.IN_PROGRESS,
        [("Pilot", date(2025, 3, 1), date(2025, 3, 15))],
    ),
    (
        3,
        "Nærværsprogram i alle enheter",
        InstrumentKind.EMPLOYER_POLICY,
        None,
        date(2024, 9, 1),
        date(2025, 9, 1),
        MeasureStatus.DONE,
        [],
    ),
]

COMMENTS = [
    (
        "Kari Nordmann",
        CommentRole.CITIZEN,
        0,
        "Fint med frister for e-post. Gjelder det også Facebook-meldinger?",
        ModerationState.APPROVED,
        "Ja, sosiale medier får samme frist som e-post.",
    ),
    (
        "Ola Hansen",
        CommentRole.EMPLOYEE,
        2,
        "Ventetiden på sykehjem henger sammen med korttidsplassene. Målet bør følges opp hvert kvartal.",
        ModerationState.APPROVED,
        "Takk. Vi rapporterer ventetiden hvert kvartal til formannskapet.",
    ),
    (
        "Fjordvik pensjonistforening",
        CommentRole.ORGANISATION,
        2,
        "Vi ønsker brukervalg også i praktisk bistand.",
        ModerationState.APPROVED,
        "",
    ),
    ("Anonym", CommentRole.CITIZEN, None, "Reklame for et firma.", ModerationState.REJECTED, ""),
]


OPEN_COMMENTS = [
    (
        "Liv Haugen",
        CommentRole.CITIZEN,
        "Fint at chatten kommer. Husk at mange eldre ringer heller enn å skrive.",
        "Takk. Telefonen er fortsatt åpen like lenge; chatten kommer i tillegg.",
    ),
]


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=zoneinfo.ZoneInfo("Europe/Oslo"))


def _consult(strategy, deadline: date) -> None:
    """Out for consultation as it was then: the service wants a deadline in the future, so the demo,
    which replays earlier years, back-dates the deadline afterwards."""
    services.transition(
        strategy,
        workflow.START_CONSULTATION,
        consultation_deadline=timezone.now() + timedelta(days=1),
        user=SYSTEM,
    )
    type(strategy).objects.filter(pk=strategy.pk).update(consultation_deadline=_end_of_day(deadline))


def _unit(municipality, slug):
    if slug is None:
        return None
    return Unit.objects.filter(municipality=municipality, slug=slug).first()


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    if ElectionPeriod.objects.filter(municipality=municipality, start_year=START).exists():
        return
    indicators = {i.code: i for i in Indicator.objects.filter(municipality__isnull=True)}
    indicators.update({i.code: i for i in Indicator.objects.filter(municipality=municipality)})
    strategy = services.create_strategy(
        municipality=municipality,
        start_year=START,
        title="Servicestrategi for Fjordvik kommune 2024–2027",
        introduction=(
            "Kommunestyret setter her mål for tjenestene i valgperioden, og sier hvilke virkemidler og "
            "tiltak som skal brukes for å nå dem. Strategien rulleres hvert år, og resultatene legges fram "
            "i en oppfølgingsredegjørelse."
        ),
        short_version=(
            "Fjordvik vil gi raskere svar, full barnehagedekning, kortere ventetid på sykehjem og mer "
            "digital saksbehandling. Her ser du målene og hvordan det går."
        ),
        user=SYSTEM,
    )
    status = [
        (
            "sentraladministrasjon",
            "Servicetorget har 12 årsverk og er åpent 08–15.",
            "Om lag 60 000 henvendelser i året, to av tre på telefon og e-post.",
            "Svartider måles hver uke; brukerundersøkelse hvert år.",
            ["epost-svar-1-virkedag", "ferdig-i-servicetorget"],
        ),
        (
            "barnehage",
            "Om lag 30 % av driftsbudsjettet.",
            "1 150 barn i kommunale og private barnehager.",
            "Foreldreundersøkelse hvert år.",
            ["barnehagedekning", "bhg-kostnad-per-barn"],
        ),
        (
            "pleie-og-omsorg",
            "Om lag 35 % av driftsbudsjettet.",
            "600 brukere av hjemmetjenesten og 180 sykehjemsplasser.",
            "Brukerundersøkelse i hjemmetjenesten hvert annet år.",
            ["andel-80-hjemme", "ventetid-sykehjem"],
        ),
    ]
    areas = {a.slug: a for a in ServiceArea.objects.filter(municipality=municipality)}
    for slug, resources, volume, quality, codes in status:
        if slug in areas:
            services.add_status_section(
                strategy,
                service_area=areas[slug],
                resources=resources,
                volume=volume,
                quality=quality,
                indicators=[indicators[c] for c in codes],
                user=SYSTEM,
            )
    instruments = {}
    for kind, text in INSTRUMENTS:
        instruments[kind] = services.add_instrument(strategy, kind=kind, description=text, user=SYSTEM)
    focus_areas = []
    for position, (title, description, goals) in enumerate(FOCUS_AREAS, start=1):
        area = services.add_focus_area(
            strategy, title=title, description=description, position=position, user=SYSTEM
        )
        focus_areas.append(area)
        for goal_title, kind, perspective, code, targets in goals:
            goal = services.add_goal(area, title=goal_title, kind=kind, perspective=perspective, user=SYSTEM)
            link = services.add_goal_indicator(
                goal,
                indicator=indicators[code],
                baseline_year=START - 1,
                targets=dict(zip(range(START, START + 4), targets, strict=True)),
                user=SYSTEM,
            )
            if code in RELATIVE:  # "on a level with comparable municipalities": the peer group's statistic
                peers, statistic = RELATIVE[code]
                for year in range(START, START + 4):
                    services.set_target(link, year=year, peers=peers, peer_statistic=statistic, user=SYSTEM)
    for index, title, kind, unit_slug, start, due, status, milestones in MEASURES:
        measure = services.add_measure(
            focus_areas[index],
            title=title,
            instrument=instruments.get(kind),
            responsible_unit=_unit(municipality, unit_slug),
            start_date=start,
            due_date=due,
            milestones=[{"title": t, "due_date": d, "reached_on": r} for t, d, r in milestones],
            user=SYSTEM,
        )
        if status != MeasureStatus.PLANNED:
            services.record_measure_progress(
                measure, status=status, completed_on=due if status == "done" else None, user=SYSTEM
            )
    _consult(strategy, date(2024, 5, 15))
    for name, role, area_index, text, decision, answer in COMMENTS:
        comment = strategy.comments.create(
            name=name,
            role=role,
            text=text,
            focus_area=focus_areas[area_index] if area_index is not None else None,
        )
        services.moderate_comment(comment, decision=decision, answer=answer, user=SYSTEM)
    services.transition(
        strategy, workflow.ADOPT, adopted_on=date(2024, 6, 20), case_reference="PS 45/24", user=SYSTEM
    )
    strategy = services.transition(strategy, workflow.PUBLISH, user=SYSTEM)

    # The yearly roll in 2025: one target changed, one measure added.
    revision = services.roll(
        strategy, revision_note="Rullering 2025: ventetidsmålet for 2026 justert, nytt tiltak.", user=SYSTEM
    )
    goal = revision.focus_areas.get(position=3).goals.get(title__startswith="Kortere ventetid")
    services.set_target(
        goal.goal_indicators.get(),
        year=2026,
        value=36,
        reason="Korttidsplassene kommer et halvt år senere enn planlagt.",
        user=SYSTEM,
    )
    services.add_measure(
        revision.focus_areas.get(position=1),
        title="Chat på nettsidene i åpningstiden",
        instrument=revision.instruments.get(kind=InstrumentKind.SERVICE_DECLARATIONS),
        responsible_unit=_unit(municipality, "servicetorget"),
        start_date=date(2025, 9, 1),
        due_date=date(2026, 6, 1),
        user=SYSTEM,
    )
    _consult(revision, date(2025, 5, 31))
    services.transition(
        revision, workflow.ADOPT, adopted_on=date(2025, 6, 19), case_reference="PS 52/25", user=SYSTEM
    )
    revision = services.transition(revision, workflow.PUBLISH, user=SYSTEM)

    report = services.create_report(revision, as_of_year=2025, user=SYSTEM)
    notes = {}
    for area in revision.focus_areas.all():
        for g in area.goals.all():
            if g.title.startswith("Kortere ventetid"):
                notes[g.pk] = "Korttidsplassene er forsinket; målet for 2026 er justert i rulleringen."
            elif g.title.startswith("Raskere byggesak"):
                notes[g.pk] = (
                    "Mange søknader i 2024 og vakanser i byggesak. Digital søknad skal hjelpe fra 2026."
                )
            elif g.title.startswith("Kostnad per"):
                notes[g.pk] = "Den nye barnehagen gir høyere kostnader i oppstartsåret."
    services.update_report(
        report,
        summary=("De fleste målene er nådd i 2025. Ventetid på sykehjem og byggesak går for sakte."),
        short_version=(
            "Det går bedre med svar på e-post, barnehageplasser og digitale søknader. Ventetiden på "
            "sykehjem og saksbehandlingstiden i byggesaker er fortsatt for lang."
        ),
        changes="Ventetidsmålet for 2026 ble justert fra 32 til 36 dager i rulleringen 2025.",
        goal_notes=notes,
        user=SYSTEM,
    )
    services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2026, 4, 23), case_reference="PS 31/26", user=SYSTEM
    )
    services.report_transition(report, workflow.PUBLISH, user=SYSTEM)

    # The roll of 2026 is out for consultation now, with a deadline in the future.
    draft = services.roll(
        revision, revision_note="Rullering 2026: nye mål for digitale tjenester.", user=SYSTEM
    )
    deadline = _end_of_day(date(2027, 1, 15))
    if deadline <= timezone.now() + timedelta(days=7):  # the demo loaded long after 2026
        deadline = _end_of_day(timezone.localdate() + timedelta(days=45))
    draft = services.transition(
        draft, workflow.START_CONSULTATION, consultation_deadline=deadline, user=SYSTEM
    )
    for name, role, text, answer in OPEN_COMMENTS:
        comment = draft.comments.create(name=name, role=role, text=text)
        services.moderate_comment(comment, decision=ModerationState.APPROVED, answer=answer, user=SYSTEM)
