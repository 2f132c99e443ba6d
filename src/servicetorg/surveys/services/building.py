"""Building a questionnaire: surveys, sections, questions and their alternatives; publish and close."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from servicetorg.catalogue.models import Service, ServiceState
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import user_of

from .. import workflow
from ..models import (
    CHOICE_KINDS,
    BackgroundKind,
    Option,
    Question,
    QuestionKind,
    ResponseDraft,
    Section,
    Survey,
    SurveyKind,
)
from ..permissions import require_create, require_edit
from ..workflow import WORKFLOW
from .answering import release

DONT_KNOW_VALUE = 9


def _as_user(instance, user):
    instance._history_user = user_of(user)
    return instance


def _target_unit_id(service: Service | None, unit: Unit | None) -> int | None:
    if unit is not None:
        return unit.pk
    return service.responsible_unit_id if service is not None else None


def _check_target(municipality: Municipality, service: Service | None, unit: Unit | None) -> None:
    errors = {}
    if service is not None and service.municipality_id != municipality.pk:
        errors["service"] = _("The service belongs to another municipality.")
    if unit is not None and unit.municipality_id != municipality.pk:
        errors["unit"] = _("The unit belongs to another municipality.")
    if errors:
        raise ValidationError(errors)


def _check_dates(opens_on: date, closes_on: date) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": _("The closing date cannot be before the opening date.")})


SURVEY_FIELDS = (
    "title",
    "introduction",
    "kind",
    "service",
    "unit",
    "access",
    "opens_on",
    "closes_on",
    "previous_round",
    "anonymity_threshold",
)


@transaction.atomic
def create_survey(
    *,
    municipality: Municipality,
    title: str,
    opens_on: date,
    closes_on: date,
    kind: str = SurveyKind.USER_SURVEY,
    user,
    **fields,
) -> Survey:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields: {sorted(unknown)}")
    require_create(user, municipality.pk, _target_unit_id(fields.get("service"), fields.get("unit")))
    _check_target(municipality, fields.get("service"), fields.get("unit"))
    _check_dates(opens_on, closes_on)
    previous = fields.get("previous_round")
    if previous is not None and previous.municipality_id != municipality.pk:
        raise ValidationError({"previous_round": _("The previous round belongs to another municipality.")})
    survey = Survey(
        municipality=municipality, title=title, opens_on=opens_on, closes_on=closes_on, kind=kind, **fields
    )
    survey.full_clean()
    _as_user(survey, user).save()
    return survey


@transaction.atomic
def update_survey(survey: Survey, *, user, **fields) -> Survey:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields: {sorted(unknown)}")
    require_edit(user, survey)
    if survey.results_final():
        # Its results already count every response: moving the closing date on must not take the
        # last ones out again (the difference would show them).
        release(survey, user=user)
    for name, value in fields.items():
        setattr(survey, name, value)
    if "unit" in fields or "service" in fields:  # moving it to another unit: that unit too
        require_create(user, survey.municipality_id, _target_unit_id(survey.service, survey.unit))
    _check_target(survey.municipality, survey.service, survey.unit)
    _check_dates(survey.opens_on, survey.closes_on)
    if survey.previous_round_id and (
        survey.previous_round_id == survey.pk
        or survey.previous_round.municipality_id != survey.municipality_id
    ):
        raise ValidationError({"previous_round": _("Choose an earlier survey of the same municipality.")})
    survey.full_clean()
    _as_user(survey, user).save()
    return survey


def add_section(
    survey: Survey, *, title: str, introduction: str = "", position: int | None = None, user
) -> Section:
    require_edit(user, survey)
    if position is None:
        position = (survey.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    section = Section(survey=survey, title=title, introduction=introduction, position=position)
    section.full_clean()
    section.save()
    return section


def _next_code(survey: Survey) -> str:
    taken = set(survey.questions.values_list("code", flat=True))
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def _background_options(survey: Survey, background: str) -> list[dict]:
    if background == BackgroundKind.UNIT:
        units = Unit.objects.filter(municipality=survey.municipality).order_by("name")
        return [{"label": u.name, "unit": u} for u in units]
    if background == BackgroundKind.SERVICE:
        services = Service.objects.filter(municipality=survey.municipality, state=ServiceState.PUBLISHED)
        return [{"label": s.name, "service": s} for s in services.order_by("name")]
    return []


@transaction.atomic
def add_question(
    survey: Survey,
    *,
    kind: str,
    text: str,
    code: str = "",
    section: Section | None = None,
    options: list | None = None,
    dont_know: str = "",
    background: str = "",
    required: bool = False,
    help_text: str = "",
    min_value: float | None = None,
    max_value: float | None = None,
    position: int | None = None,
    user,
) -> Question:
    """Add a question. ``options`` are labels (codes 1…n) or dicts (label, value, excluded, unit, service).

    For a Likert scale the labels are its points in order ("I stor grad" … "I liten grad");
    ``dont_know`` adds an option outside the scale (code 9, as in seed 002). A background question of
    kind unit or service gets the municipality's units or published services as options if none given.
    """
    require_edit(user, survey)
    errors = {}
    if kind not in QuestionKind.values:
        errors["kind"] = _("Unknown question kind.")
    if background and background not in BackgroundKind.values:
        errors["background"] = _("Unknown kind of background question.")
    if section is not None and section.survey_id != survey.pk:
        errors["section"] = _("The section belongs to another survey.")
    if min_value is not None and max_value is not None and max_value < min_value:
        errors["max_value"] = _("The highest number cannot be below the lowest.")
    options = list(options or [])
    if background and not options and kind in CHOICE_KINDS:
        options = _background_options(survey, background)
    if kind in CHOICE_KINDS and len(options) < 2:
        errors["options"] = _("A question with alternatives needs at least two of them.")
    if errors:
        raise ValidationError(errors)
    if position is None:
        position = (survey.questions.filter(section=section).aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question(
        survey=survey,
        section=section,
        position=position,
        code=code or _next_code(survey),
        text=text,
        help_text=help_text,
        kind=kind,
        background=background,
        required=required,
        min_value=min_value,
        max_value=max_value,
    )
    question.full_clean()
    question.save()
    if kind in CHOICE_KINDS:
        rows = []
        for index, item in enumerate(options, start=1):
            item = {"label": item} if isinstance(item, str) else dict(item)
            rows.append(
                Option(
                    question=question,
                    value=item.get("value", index),
                    label=item["label"],
                    excluded=item.get("excluded", False),
                    position=index,
                    unit=item.get("unit"),
                    service=item.get("service"),
                )
            )
        if dont_know:
            rows.append(
                Option(
                    question=question,
                    value=DONT_KNOW_VALUE if all(o.value != DONT_KNOW_VALUE for o in rows) else len(rows) + 1,
                    label=dont_know,
                    excluded=True,
                    position=len(rows) + 1,
                )
            )
        values = [o.value for o in rows]
        if len(set(values)) != len(values):
            raise ValidationError({"options": _("Two options of a question cannot have the same code.")})
        Option.objects.bulk_create(rows)
    return question


QUESTION_TEXT_FIELDS = ("text", "help_text", "required", "section", "min_value", "max_value")


@transaction.atomic
def update_question(
    question: Question, *, options: list[str] | None = None, dont_know: str = "", user, **fields
) -> Question:
    """Change a question's wording, help, section, required flag and number range at any time.

    The alternatives can be replaced only while the question has no answers (codes must keep
    their meaning); relabelling them is allowed when their number stays the same.
    """
    unknown = set(fields) - set(QUESTION_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown question fields: {sorted(unknown)}")
    require_edit(user, question.survey)
    section = fields.get("section")
    if section is not None and section.survey_id != question.survey_id:
        raise ValidationError({"section": _("The section belongs to another survey.")})
    low = fields.get("min_value", question.min_value)
    high = fields.get("max_value", question.max_value)
    if low is not None and high is not None and high < low:
        raise ValidationError({"max_value": _("The highest number cannot be below the lowest.")})
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question.save()
    if (
        options is not None
        and question.is_choice
        and question.background not in (BackgroundKind.UNIT, BackgroundKind.SERVICE)
    ):
        current = [o for o in question.options.all() if not o.excluded]
        answered = question.answers.exists()
        if len(options) < 2:
            raise ValidationError({"options": _("A question with alternatives needs at least two of them.")})
        if answered and len(options) != len(current):
            raise ValidationError(
                {"options": _("The question has answers: alternatives can be renamed, not added or removed.")}
            )
        if len(options) == len(current):
            for option, label in zip(current, options, strict=True):
                if option.label != label:
                    option.label = label
                    option.save(update_fields=["label"])
        else:
            question.options.filter(excluded=False).delete()
            Option.objects.bulk_create(
                [
                    Option(question=question, value=i, label=label, position=i)
                    for i, label in enumerate(options, start=1)
                ]
            )
        excluded = question.options.filter(excluded=True).first()
        if excluded and dont_know and excluded.label != dont_know:
            excluded.label = dont_know
            excluded.save(update_fields=["label"])
        elif excluded is None and dont_know:
            Option.objects.create(
                question=question,
                value=DONT_KNOW_VALUE,
                label=dont_know,
                excluded=True,
                position=len(options) + 1,
            )
    return question


def delete_question(question: Question, *, user) -> None:
    require_edit(user, question.survey)
    if question.answers.exists():
        raise ValidationError(_("This question has answers and cannot be deleted."))
    question.delete()


@transaction.atomic
def publish(survey: Survey, *, user) -> Survey:
    """Open a draft survey for answers between its dates; ``TransitionRefused`` in any other state."""
    require_edit(user, survey)
    WORKFLOW.lock(survey)
    WORKFLOW.apply(survey, workflow.PUBLISH)  # TransitionRefused; the object is saved only below
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before publishing the survey."))
    _as_user(survey, user).save(update_fields=["state"])
    return survey


@transaction.atomic
def close(survey: Survey, *, user) -> Survey:
    """Stop taking answers and delete the unfinished ones, at once, and release every waiting response
    to the results; only a published survey closes."""
    require_edit(user, survey)
    WORKFLOW.lock(survey)
    WORKFLOW.apply(survey, workflow.CLOSE)
    _as_user(survey, user).save(update_fields=["state"])
    ResponseDraft.objects.filter(survey=survey).delete()
    release(survey, user=user)  # the results are final: every waiting response counts now
    return survey
