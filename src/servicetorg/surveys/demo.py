"""Demo surveys for Fjordvik: a citizen survey in two rounds (2023, 2025), one finished user survey
per service area, and the service-desk survey open on the portal. Fixed seed; idempotent (a survey
that already exists by title is left alone).
"""

import datetime
import random

from django.db import transaction

from servicetorg.catalogue.models import Service, ServiceArea, ServiceState
from servicetorg.core.permissions import SYSTEM

from . import services
from .models import Answer, QuestionKind, Response, ResponseSource, Survey, SurveyKind

SATISFACTION = [
    "Svært misfornøyd",
    "Misfornøyd",
    "Litt misfornøyd",
    "Litt fornøyd",
    "Fornøyd",
    "Svært fornøyd",
]
AGE_GROUPS = [
    "Under 20 år",
    "20–29 år",
    "30–39 år",
    "40–49 år",
    "50–59 år",
    "60–66 år",
    "67–79 år",
    "80 år eller eldre",
]
AGE_WEIGHTS = [4, 14, 18, 18, 17, 11, 13, 5]
FREE_TEXTS = [
    "Lengre åpningstid på ettermiddagen hadde hjulpet.",
    "Veldig hyggelig og hjelpsom betjening.",
    "Vanskelig å finne fram på nettsidene.",
    "Det tok for lang tid før jeg fikk svar på e-posten.",
    "Fikk ordnet alt på ett besøk, takk!",
    "Skulle ønske jeg kunne søke digitalt.",
    "Telefonkøen er for lang om morgenen.",
    "Informasjonen om saksgangen var tydelig.",
    "Bedre skilting i rådhuset, takk.",
    "Gi beskjed når søknaden er mottatt.",
]
USER_ITEMS = [
    ("tilgjengelighet", "Hvor fornøyd er du med hvor lett det er å komme i kontakt med oss?", 0.0),
    ("service", "Hvor fornøyd er du med måten du ble møtt på?", 0.4),
    ("informasjon", "Hvor fornøyd er du med informasjonen du fikk?", -0.2),
    ("resultat", "Hvor fornøyd er du med resultatet av tjenesten?", 0.1),
    ("helhet", "Alt i alt, hvor fornøyd er du med tjenesten?", 0.2),
]


def _today() -> datetime.date:
    return datetime.date.today()


def _scale_value(rng: random.Random, level: float, effect: float) -> int | None:
    if rng.random() < 0.05:
        return None  # "vet ikke"
    return max(1, min(6, round(level + effect + rng.gauss(0, 0.8))))


def _answers(
    survey: Survey, rng: random.Random, n: int, *, base: float, submitted: tuple[datetime.date, datetime.date]
):
    """Generate ``n`` realistic responses: a latent satisfaction per respondent drives every scale item."""
    questions = services.questions_of(survey)
    span = max((submitted[1] - submitted[0]).days, 0)
    responses = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                source=ResponseSource.WEB,
                submitted_on=submitted[0] + datetime.timedelta(days=rng.randint(0, span)),
            )
            for _ in range(n)
        ]
    )
    rows = []
    for response in responses:
        level = rng.gauss(base, 0.9)
        for position, q in enumerate(questions):
            options = list(q.options.all())
            if q.kind == QuestionKind.LIKERT:
                value = _scale_value(rng, level, ((position * 37) % 7 - 3) / 10)
                option = next(o for o in options if (o.excluded if value is None else o.value == value))
                rows.append(Answer(survey=survey, response=response, question=q, option=option, value=value))
            elif q.kind == QuestionKind.SINGLE_CHOICE:
                valid = [o for o in options if not o.excluded]
                weights = AGE_WEIGHTS if len(valid) == len(AGE_WEIGHTS) else [1] * len(valid)
                option = rng.choices(valid, weights)[0]
                if q.code in ("lost", "serv_lost"):  # solved at first contact: more likely when satisfied
                    option = valid[0 if level > 4.5 else 1 if level > 3.2 else 2]
                rows.append(
                    Answer(survey=survey, response=response, question=q, option=option, value=option.value)
                )
            elif q.kind == QuestionKind.MULTIPLE_CHOICE:
                valid = [o for o in options if not o.excluded]
                for option in rng.sample(valid, rng.randint(1, min(2, len(valid)))):
                    rows.append(
                        Answer(
                            survey=survey, response=response, question=q, option=option, value=option.value
                        )
                    )
            elif q.kind == QuestionKind.NUMBER:
                number = float(min(q.max_value or 50, max(q.min_value or 0, int(rng.expovariate(1 / 4)))))
                rows.append(Answer(survey=survey, response=response, question=q, value=number))
            elif q.kind == QuestionKind.FREE_TEXT and rng.random() < 0.15:
                rows.append(Answer(survey=survey, response=response, question=q, text=rng.choice(FREE_TEXTS)))
    Answer.objects.bulk_create(rows, batch_size=2000)
    services.release(survey, user=SYSTEM)  # to the live results as a batch, as the portal's answers are


def _citizen_survey(municipality, title, year, previous=None) -> Survey:
    survey = services.create_survey(
        municipality=municipality,
        title=title,
        kind=SurveyKind.CITIZEN_SURVEY,
        opens_on=datetime.date(year, 9, 1),
        closes_on=datetime.date(year, 10, 15),
        previous_round=previous,
        introduction="Hvor fornøyd er du med tjenestene i Fjordvik kommune? Svarene er anonyme.",
        user=SYSTEM,
    )
    section = services.add_section(survey, title="Tjenestene", user=SYSTEM)
    for i, area in enumerate(
        ServiceArea.objects.filter(municipality=municipality).order_by("position", "name")
    ):
        services.add_question(
            survey,
            section=section,
            code=f"omrade_{i + 1}",
            kind=QuestionKind.LIKERT,
            text=f"Hvor fornøyd er du med {area.name.lower()}?",
            options=SATISFACTION,
            dont_know="Vet ikke / ikke brukt",
            user=SYSTEM,
        )
    overall = services.add_section(survey, title="Kommunen som helhet", user=SYSTEM)
    services.add_question(
        survey,
        section=overall,
        code="helhet",
        kind=QuestionKind.LIKERT,
        text="Alt i alt, hvor fornøyd er du med å bo i kommunen?",
        options=SATISFACTION,
        dont_know="Vet ikke",
        required=True,
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=overall,
        code="forbedring",
        kind=QuestionKind.FREE_TEXT,
        text="Hva bør kommunen bli bedre på?",
        user=SYSTEM,
    )
    about = services.add_section(survey, title="Om deg", user=SYSTEM)
    services.add_question(
        survey,
        section=about,
        code="alder",
        kind=QuestionKind.SINGLE_CHOICE,
        text="Alder",
        options=AGE_GROUPS,
        background="age_group",
        user=SYSTEM,
    )
    services.publish(survey, user=SYSTEM)
    return survey


def _user_survey(municipality, area: ServiceArea, year: int) -> Survey:
    area_services = list(
        Service.objects.filter(municipality=municipality, area=area, state=ServiceState.PUBLISHED).order_by(
            "name"
        )[:8]
    )
    unit = next((s.responsible_unit for s in area_services if s.responsible_unit_id), None)
    survey = services.create_survey(
        municipality=municipality,
        title=f"Brukerundersøkelse {area.name.lower()} {year}",
        kind=SurveyKind.USER_SURVEY,
        unit=unit,
        service=area_services[0] if len(area_services) == 1 else None,
        opens_on=datetime.date(year, 3, 1),
        closes_on=datetime.date(year, 3, 31),
        user=SYSTEM,
    )
    section = services.add_section(survey, title="Din erfaring", user=SYSTEM)
    for code, text, _effect in USER_ITEMS:
        services.add_question(
            survey,
            section=section,
            code=code,
            kind=QuestionKind.LIKERT,
            text=text,
            options=SATISFACTION,
            dont_know="Vet ikke / uaktuelt",
            required=code == "helhet",
            user=SYSTEM,
        )
    services.add_question(
        survey,
        section=section,
        code="lost",
        kind=QuestionKind.SINGLE_CHOICE,
        text="Fikk du det du trengte ved første henvendelse?",
        options=["Ja, helt", "Delvis", "Nei"],
        user=SYSTEM,
    )
    services.add_question(
        survey, section=section, code="kommentar", kind=QuestionKind.FREE_TEXT, text="Kommentar", user=SYSTEM
    )
    about = services.add_section(survey, title="Om deg", user=SYSTEM)
    if len(area_services) >= 2:
        services.add_question(
            survey,
            section=about,
            code="tjeneste",
            kind=QuestionKind.SINGLE_CHOICE,
            text="Hvilken tjeneste brukte du?",
            options=[{"label": s.name, "service": s} for s in area_services],
            background="service",
            user=SYSTEM,
        )
    services.add_question(
        survey,
        section=about,
        code="alder",
        kind=QuestionKind.SINGLE_CHOICE,
        text="Alder",
        options=AGE_GROUPS,
        background="age_group",
        user=SYSTEM,
    )
    services.publish(survey, user=SYSTEM)
    return survey


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    rng = random.Random(seed)
    existing = set(Survey.objects.filter(municipality=municipality).values_list("title", flat=True))
    year = _today().year - 1

    previous = Survey.objects.filter(
        municipality=municipality, title=f"Innbyggerundersøkelse {year - 2}"
    ).first()
    if previous is None:
        previous = _citizen_survey(municipality, f"Innbyggerundersøkelse {year - 2}", year - 2)
        _answers(previous, rng, 420, base=4.0, submitted=(previous.opens_on, previous.closes_on))
        services.close(previous, user=SYSTEM)
    if f"Innbyggerundersøkelse {year}" not in existing:
        citizen = _citizen_survey(municipality, f"Innbyggerundersøkelse {year}", year, previous=previous)
        _answers(citizen, rng, 600, base=4.3, submitted=(citizen.opens_on, citizen.closes_on))
        services.close(citizen, user=SYSTEM)

    for i, area in enumerate(
        ServiceArea.objects.filter(municipality=municipality).order_by("position", "name")
    ):
        title = f"Brukerundersøkelse {area.name.lower()} {year}"
        if title in existing:
            continue
        survey = _user_survey(municipality, area, year)
        _answers(
            survey,
            rng,
            60 + (i * 23) % 90,
            base=3.8 + (i % 5) * 0.25,
            submitted=(survey.opens_on, survey.closes_on),
        )
        services.close(survey, user=SYSTEM)

    desk_title = f"Brukerundersøkelse for servicetorget {_today().year}"
    if desk_title not in existing:
        today = _today()
        desk = services.create_from_template(
            "servicetorg_brukerundersokelse",
            municipality=municipality,
            title=desk_title,
            opens_on=today - datetime.timedelta(days=14),
            closes_on=today + datetime.timedelta(days=60),
            user=SYSTEM,
        )
        services.publish(desk, user=SYSTEM)
        _answers(desk, rng, 45, base=4.5, submitted=(desk.opens_on, today))

    from . import satisfaction_demo  # the satisfaction question after closed cases

    satisfaction_demo.load(municipality, seed=seed)
