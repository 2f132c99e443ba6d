"""The satisfaction question after a closed case: one anonymous answer per closed inquiry.

A municipality has one running satisfaction survey (``template_key`` :data:`SATISFACTION_KEY`,
invitation access, so it is never listed on the portal): a 1–5 question, an optional comment, and two
background questions filled by the system, the inquiry's service and unit, so that the survey module's
results, breakdowns and disclosure control work on it as on any survey.

Anonymity (how a response is kept apart from the case and the citizen):

* a closed case's code is derived from the inquiry with a keyed hash (:func:`case_code`). Closing
  the case stores nothing for it: a row made then would take the next id, and the rows' order (ids,
  the admin's list) would be the order the cases closed, naming the case whose row is later marked
  used. A case closed while the survey runs has the question; the inquiry gets no field and no mark;
* answering makes the :class:`Invitation` (only the hash of the code, no inquiry id, no time stamp, no
  batch of its own, and a random id, so that the invitations' order is not the order of answering) and
  runs the survey module's own :func:`answering.submit` in one transaction: the
  invitation is marked used (one answer per case: the hash is unique), and the :class:`Response` is
  stored with its :class:`Answer` rows under random ids (:func:`answering.random_id`), so that
  their order follows neither the order the cases closed nor the order they answered, with the date
  it was submitted (no time), no code, no inquiry, no reference, no token and no person;
* the service and unit are stored as background answers (options of the two background questions),
  exactly as a paper survey's "which service did you use" — shown only through disclosure control.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from servicetorg.catalogue.models import Service
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import check_actor
from servicetorg.inquiries.models import Inquiry, State

from ..models import (
    BackgroundKind,
    Invitation,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyAccess,
    SurveyKind,
    SurveyState,
)
from ..permissions import require_create
from . import answering, building

SATISFACTION_KEY = "satisfaction-after-case"
RATING = "fornoyd"
COMMENT = "kommentar"
SERVICE = "tjeneste"
UNIT = "enhet"
#: The option of a background question for a case without a service or a unit.
NONE_VALUE = 0

SCALE = ["Svært misfornøyd", "Misfornøyd", "Verken fornøyd eller misfornøyd", "Fornøyd", "Svært fornøyd"]
QUESTION_TEXT = "Hvor fornøyd er du med svaret du fikk?"
#: A running survey: it takes answers until staff close it (then a new one can be set up).
RUNS_FOR_YEARS = 10


def current_survey(municipality: Municipality | int) -> Survey | None:
    """The municipality's satisfaction survey that is not closed (published, or a draft), if any."""
    return (
        Survey.objects.filter(municipality=municipality, template_key=SATISFACTION_KEY)
        .exclude(state=SurveyState.CLOSED)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def setup_satisfaction_survey(
    municipality: Municipality, *, user, opens_on: datetime.date | None = None
) -> Survey:
    """Set up (and publish) the municipality's satisfaction survey; the running one when it exists."""
    require_create(user, municipality.pk, None)
    existing = current_survey(municipality)
    if existing is not None:
        if existing.state == SurveyState.DRAFT:
            building.publish(existing, user=user)
        return existing
    opens_on = opens_on or timezone.localdate()
    survey = building.create_survey(
        municipality=municipality,
        title="Tilfredshet etter henvendelse",
        introduction=(
            "Ett spørsmål til den som har fått svar på en henvendelse. Svaret er anonymt: det lagres "
            "uten saken, navnet ditt og kontaktopplysningene dine."
        ),
        kind=SurveyKind.USER_SURVEY,
        access=SurveyAccess.INVITATION,
        opens_on=opens_on,
        closes_on=datetime.date(opens_on.year + RUNS_FOR_YEARS, 12, 31),
        user=user,
    )
    survey.template_key = SATISFACTION_KEY
    survey.save(update_fields=["template_key"])
    building.add_question(
        survey,
        kind=QuestionKind.LIKERT,
        code=RATING,
        text=QUESTION_TEXT,
        options=SCALE,
        required=True,
        user=user,
    )
    building.add_question(
        survey,
        kind=QuestionKind.FREE_TEXT,
        code=COMMENT,
        text="Vil du si noe mer om svaret? (valgfritt)",
        help_text="Ikke skriv navn eller andre opplysninger om deg selv.",
        user=user,
    )
    # The background questions are filled by the system, so they may start with one option (a
    # municipality without services yet); options for new services and units are added as cases close.
    services: list[Service | Unit] = list(Service.objects.filter(municipality=municipality).order_by("name"))
    units: list[Service | Unit] = list(Unit.objects.filter(municipality=municipality).order_by("name"))
    for position, (code, text, background, none_label, field, targets) in enumerate(
        [
            (
                SERVICE,
                "Tjeneste henvendelsen gjaldt",
                BackgroundKind.SERVICE,
                "Ukjent tjeneste",
                "service",
                services,
            ),
            (UNIT, "Enhet som svarte", BackgroundKind.UNIT, "Ingen enhet", "unit", units),
        ],
        start=3,
    ):
        question = Question(
            survey=survey,
            position=position,
            code=code,
            text=text,
            kind=QuestionKind.SINGLE_CHOICE,
            background=background,
        )
        question.full_clean()
        question.save()
        Option.objects.bulk_create(
            [Option(question=question, value=NONE_VALUE, label=none_label, position=0)]
            + [
                Option(question=question, value=t.pk, label=t.name, position=i, **{field: t})
                for i, t in enumerate(targets, start=1)
            ]
        )
    return building.publish(survey, user=user)


def case_code(inquiry: Inquiry) -> str:
    """The case's one-time code: derived with the site's secret, never stored (only its hash is)."""
    return (
        salted_hmac("servicetorg.surveys.satisfaction", str(inquiry.pk), algorithm="sha256")
        .hexdigest()[:20]
        .upper()
    )


def _code_hash(inquiry: Inquiry) -> str:
    return answering.hash_key("code", case_code(inquiry))


def _option_for(survey: Survey, code: str, target) -> str:
    """The option code of ``target`` (a service or unit) in background question ``code``; added when a
    service or unit is new since the survey was set up."""
    if target is None:
        return str(NONE_VALUE)
    question = Question.objects.select_for_update().get(survey=survey, code=code)
    field = "service" if code == SERVICE else "unit"
    option = question.options.filter(**{field: target}).first()
    if option is None:
        taken = question.options.aggregate(m=Max("value"), p=Max("position"))
        value = target.pk if not question.options.filter(value=target.pk).exists() else (taken["m"] or 0) + 1
        option = Option.objects.create(
            question=question,
            value=value,
            label=target.name,
            position=(taken["p"] or 0) + 1,
            **{field: target},
        )
    return str(option.value)


def _unit_of(inquiry: Inquiry) -> Unit | None:
    """The unit that answered: the inquiry's, else the unit responsible for its service."""
    if inquiry.unit_id is not None:
        return inquiry.unit
    service = inquiry.service
    return service.responsible_unit if service is not None else None


def case_closed(inquiry: Inquiry, *, user) -> None:
    """In the transaction that closes the case (``user`` closed it): the options of its service and
    unit, when new. No row for the case itself (its invitation is made when it is answered: see the
    module's docstring)."""
    check_actor(user)
    survey = current_survey(inquiry.municipality_id)
    if survey is None or not survey.is_open():
        return
    _option_for(survey, SERVICE, inquiry.service)
    _option_for(survey, UNIT, _unit_of(inquiry))


@dataclass(frozen=True)
class CaseQuestion:
    survey: Survey
    answered: bool


def for_case(inquiry: Inquiry) -> CaseQuestion | None:
    """The satisfaction question of a closed case: None when there is none (not closed, no survey)."""
    if inquiry.state != State.CLOSED:
        return None
    invitation = Invitation.objects.select_related("survey").filter(code_hash=_code_hash(inquiry)).first()
    if invitation is not None and (invitation.used or invitation.survey.is_open()):
        return CaseQuestion(survey=invitation.survey, answered=invitation.used)
    survey = current_survey(inquiry.municipality_id)
    if survey is None or not survey.is_open():
        return None
    return CaseQuestion(survey=survey, answered=False)


def waiting(inquiries: list[Inquiry]) -> list[Inquiry]:
    """The closed cases among ``inquiries`` whose question waits for an answer (as :func:`for_case`
    says one by one), in two queries: Min side's list."""
    closed = [i for i in inquiries if i.state == State.CLOSED]
    if not closed:
        return []
    hashes = {_code_hash(i): i for i in closed}
    invitations = {
        inv.code_hash: inv
        for inv in Invitation.objects.select_related("survey").filter(code_hash__in=list(hashes))
    }
    surveys: dict[int, Survey | None] = {}
    out = []
    for code_hash, inquiry in hashes.items():
        invitation = invitations.get(code_hash)
        if invitation is not None and (invitation.used or invitation.survey.is_open()):
            if not invitation.used:
                out.append(inquiry)
            continue
        if inquiry.municipality_id not in surveys:
            surveys[inquiry.municipality_id] = current_survey(inquiry.municipality_id)
        survey = surveys[inquiry.municipality_id]
        if survey is not None and survey.is_open():
            out.append(inquiry)
    return out


def answer(inquiry: Inquiry, *, rating, comment: str = "", user) -> Response:
    """The citizen's answer to her closed case's question (the caller has checked the case link);
    ``user`` is CITIZEN on the case page (SYSTEM in the demo), checked and not stored (anonymous).

    Refused (``ValidationError``) when the case is not closed, has no question, or was answered.
    Field errors are keyed ``rating`` and ``comment``; nothing is stored on an error.
    """
    question = for_case(inquiry)
    if question is None:
        raise ValidationError(_("This case has no satisfaction question."), code="none")
    if question.answered:
        raise ValidationError(_("You have already answered this question. Thank you!"), code="used")
    survey = question.survey
    with transaction.atomic():
        raw = {
            RATING: str(rating or "").strip(),
            COMMENT: comment or "",
            SERVICE: _option_for(survey, SERVICE, inquiry.service),
            UNIT: _option_for(survey, UNIT, _unit_of(inquiry)),
        }
        _clean, errors, _kept = answering.validate_answers(answering.questions_of(survey), raw)
        if errors:  # checked first, so that no draft is kept under the case's code
            names = {RATING: "rating", COMMENT: "comment"}
            raise ValidationError({names.get(code, "__all__"): message for code, message in errors.items()})
        # Made now, not when the case closed (module docstring); the unique hash keeps it to one. Its
        # id is random, not the next number: the rows' order must not be the order cases answered in.
        Invitation.objects.get_or_create(
            code_hash=_code_hash(inquiry), defaults={"survey": survey, "id": answering.random_id()}
        )
        try:
            return answering.submit(survey, _code_hash(inquiry), raw, user=user)
        except ValidationError as error:
            if getattr(error, "code", None) == "used":
                raise ValidationError(
                    _("You have already answered this question. Thank you!"), code="used"
                ) from error
            raise
