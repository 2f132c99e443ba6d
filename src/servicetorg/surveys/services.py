"""Domain operations of surveys: building questionnaires, invitations, answering, import, publishing.

Plain functions, transactional, used by staff views, the portal, the API, admin and commands alike.
"""

import csv
import hashlib
import hmac
import io
import json
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.catalogue.models import Service, ServiceState
from servicetorg.core.models import Municipality, Unit

from .models import (
    CHOICE_KINDS,
    Answer,
    BackgroundKind,
    Invitation,
    Option,
    Question,
    QuestionKind,
    Response,
    ResponseDraft,
    ResponseSource,
    Section,
    Survey,
    SurveyAccess,
    SurveyKind,
    SurveyState,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "data"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
DONT_KNOW_VALUE = 9


def _as_user(instance, user):
    instance._history_user = user
    return instance


# --- building a questionnaire --------------------------------------------------------------------


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
    user=None,
    **fields,
) -> Survey:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields: {sorted(unknown)}")
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
def update_survey(survey: Survey, *, user=None, **fields) -> Survey:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(survey, name, value)
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
    survey: Survey, *, title: str, introduction: str = "", position: int | None = None
) -> Section:
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
) -> Question:
    """Add a question. ``options`` are labels (codes 1…n) or dicts (label, value, excluded, unit, service).

    For a Likert scale the labels are its points in order ("I stor grad" … "I liten grad");
    ``dont_know`` adds an option outside the scale (code 9, as in seed 002). A background question of
    kind unit or service gets the municipality's units or published services as options if none given.
    """
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
    question: Question, *, options: list[str] | None = None, dont_know: str = "", **fields
) -> Question:
    """Change a question's wording, help, section, required flag and number range at any time.

    The alternatives can be replaced only while the question has no answers (codes must keep
    their meaning); relabelling them is allowed when their number stays the same.
    """
    unknown = set(fields) - set(QUESTION_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown question fields: {sorted(unknown)}")
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


def delete_question(question: Question) -> None:
    if question.answers.exists():
        raise ValidationError(_("This question has answers and cannot be deleted."))
    question.delete()


def publish(survey: Survey, user=None) -> Survey:
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before publishing the survey."))
    survey.state = SurveyState.PUBLISHED
    _as_user(survey, user).save(update_fields=["state"])
    return survey


def close(survey: Survey, user=None) -> Survey:
    survey.state = SurveyState.CLOSED
    _as_user(survey, user).save(update_fields=["state"])
    ResponseDraft.objects.filter(survey=survey).delete()
    return survey


# --- templates ------------------------------------------------------------------------------------


def available_templates() -> list[dict]:
    """Questionnaire templates shipped as JSON in ``surveys/data/``: key, title, description."""
    found = []
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append({"key": path.stem, "title": data["title"], "description": data.get("description", "")})
    return found


def read_template(key: str) -> dict:
    path = TEMPLATE_DIR / f"{key}.json"
    if not key.replace("_", "").replace("-", "").isalnum() or not path.is_file():
        raise ValidationError({"template": _("Unknown questionnaire template.")})
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def create_from_template(
    key: str, *, municipality: Municipality, opens_on: date, closes_on: date, user=None, **fields
) -> Survey:
    """A new survey with the sections and questions of a shipped template."""
    data = read_template(key)
    fields.setdefault("title", data["title"])
    fields.setdefault("introduction", data.get("introduction", ""))
    fields.setdefault("kind", data.get("kind", SurveyKind.USER_SURVEY))
    survey = create_survey(
        municipality=municipality, opens_on=opens_on, closes_on=closes_on, user=user, **fields
    )
    survey.template_key = key
    survey.save(update_fields=["template_key"])
    scales = data.get("scales", {})
    for s_index, section_data in enumerate(data["sections"], start=1):
        section = add_section(
            survey,
            title=section_data["title"],
            introduction=section_data.get("introduction", ""),
            position=s_index,
        )
        for q_index, q in enumerate(section_data["questions"], start=1):
            scale = scales.get(q.get("scale", ""), {})
            automatic = q.get("background") in (BackgroundKind.UNIT, BackgroundKind.SERVICE)
            if automatic and not q.get("options") and len(_background_options(survey, q["background"])) < 2:
                continue  # nothing to choose between in this municipality (yet)
            add_question(
                survey,
                section=section,
                position=q_index,
                kind=q["kind"],
                code=q["code"],
                text=q["text"],
                help_text=q.get("help_text", ""),
                options=q.get("options", scale.get("options")),
                dont_know=q.get("dont_know", scale.get("dont_know", "")),
                background=q.get("background", ""),
                required=q.get("required", False),
                min_value=q.get("min_value"),
                max_value=q.get("max_value"),
            )
    return survey


# --- invitations and keys -------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_key(kind: str, key: str) -> str:
    """Keyed hash of an invitation code or resume key (the plain text is never stored)."""
    message = f"{kind}:{normalise_code(key)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _new_code(length: int = 10) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def create_invitations(survey: Survey, count: int) -> list[str]:
    """Create ``count`` invitation codes and return them in plain text: the only time they exist."""
    if not 1 <= count <= 10000:
        raise ValidationError({"count": _("Create between 1 and 10 000 codes at a time.")})
    batch = (survey.invitations.aggregate(m=Max("batch"))["m"] or 0) + 1
    codes = []
    seen = set()
    while len(codes) < count:
        code = _new_code()
        digest = hash_key("code", code)
        if digest in seen:
            continue
        seen.add(digest)
        codes.append(code)
    existing = set(Invitation.objects.filter(code_hash__in=seen).values_list("code_hash", flat=True))
    if existing:  # astronomically unlikely; try again rather than hand out a duplicate
        return create_invitations(survey, count)
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, code_hash=hash_key("code", c), batch=batch) for c in codes]
    )
    return codes


def check_open(survey: Survey, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if survey.state != SurveyState.PUBLISHED:
        if survey.state == SurveyState.CLOSED:
            raise ValidationError(_("This survey is closed and no longer takes answers."), code="closed")
        raise ValidationError(_("This survey is not open."), code="not_open")
    if today < survey.opens_on:
        raise ValidationError(
            _("This survey opens on %(date)s.") % {"date": survey.opens_on.strftime("%d.%m.%Y")},
            code="not_yet",
        )
    if today > survey.closes_on:
        raise ValidationError(
            _("This survey closed on %(date)s and no longer takes answers.")
            % {"date": survey.closes_on.strftime("%d.%m.%Y")},
            code="closed",
        )


def start_with_code(survey: Survey, code: str) -> str:
    """Check an invitation code; return the draft key (the code's hash) to answer with."""
    check_open(survey)
    if survey.access != SurveyAccess.INVITATION:
        raise ValidationError({"code": _("This survey does not use invitation codes.")})
    invitation = Invitation.objects.filter(survey=survey, code_hash=hash_key("code", code)).first()
    if invitation is None:
        raise ValidationError({"code": _("This code is not valid for this survey. Check what you typed.")})
    if invitation.used:
        raise ValidationError({"code": _("This code has already been used to answer the survey.")})
    return invitation.code_hash


def start_open(survey: Survey) -> tuple[str, str]:
    """Start an answer on an open-link survey: (resume key to show the respondent, draft key)."""
    check_open(survey)
    if survey.access != SurveyAccess.OPEN_LINK:
        raise ValidationError(_("This survey needs a personal invitation code."))
    resume_key = _new_code(12)[:13]
    return resume_key, hash_key("resume", resume_key)


def resume_open(survey: Survey, resume_key: str) -> str:
    """Draft key of a half-finished open-link answer, from the resume key shown to the respondent."""
    check_open(survey)
    digest = hash_key("resume", resume_key)
    if not ResponseDraft.objects.filter(survey=survey, key_hash=digest).exists():
        raise ValidationError({"resume_key": _("No unfinished answer has this key.")})
    return digest


def draft_data(survey: Survey, key_hash: str) -> dict:
    draft = ResponseDraft.objects.filter(survey=survey, key_hash=key_hash).first()
    return dict(draft.data) if draft else {}


def save_draft(survey: Survey, key_hash: str, data: dict) -> ResponseDraft:
    check_open(survey)
    draft, _created = ResponseDraft.objects.update_or_create(
        survey=survey, key_hash=key_hash, defaults={"data": data}
    )
    return draft


# --- validating and submitting answers ------------------------------------------------------------


@dataclass
class CleanAnswer:
    question: Question
    option: Option | None = None
    value: float | None = None
    text: str = ""


def _is_blank(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, list | tuple):
        return all(_is_blank(r) for r in raw)
    return str(raw).strip() == ""


def _parse_number(raw: str) -> float:
    return float(str(raw).strip().replace(" ", "").replace("\u00a0", "").replace(",", "."))


def validate_answers(
    questions: list[Question], raw: dict, *, require: bool = True
) -> tuple[list[CleanAnswer], dict[str, str], dict]:
    """Check raw answers ``{code: str | list[str]}`` (option codes, numbers, text).

    Returns (clean answers, errors by question code, the raw values that passed). Choice questions
    take option codes; a multiple-choice question a list of them. ``require`` enforces required
    questions (on submission, not when saving a draft).
    """
    clean: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    kept: dict = {}
    for question in questions:
        value = raw.get(question.code)
        if _is_blank(value):
            if require and question.required:
                errors[question.code] = _("This question must be answered.")
            continue
        options = {str(o.value): o for o in question.options.all()}
        if question.kind in CHOICE_KINDS:
            values = value if isinstance(value, list | tuple) else [value]
            values = [str(v).strip() for v in values if not _is_blank(v)]
            if question.kind != QuestionKind.MULTIPLE_CHOICE and len(values) > 1:
                errors[question.code] = _("Choose only one alternative.")
                continue
            unknown = [v for v in values if v not in options]
            if unknown:
                errors[question.code] = _("“%(value)s” is not one of the alternatives.") % {
                    "value": unknown[0]
                }
                continue
            chosen = [options[v] for v in dict.fromkeys(values)]
            if (
                question.kind == QuestionKind.MULTIPLE_CHOICE
                and any(o.excluded for o in chosen)
                and len(chosen) > 1
            ):
                errors[question.code] = _("“%(label)s” cannot be combined with other alternatives.") % {
                    "label": next(o.label for o in chosen if o.excluded)
                }
                continue
            for option in chosen:
                clean.append(
                    CleanAnswer(
                        question=question,
                        option=option,
                        value=None if option.excluded else float(option.value),
                    )
                )
            kept[question.code] = values if question.kind == QuestionKind.MULTIPLE_CHOICE else values[0]
        elif question.kind == QuestionKind.NUMBER:
            try:
                number = _parse_number(value)
            except (TypeError, ValueError):
                errors[question.code] = _("Enter a number.")
                continue
            if not math.isfinite(number):
                errors[question.code] = _("Enter a number.")
                continue
            if question.min_value is not None and number < question.min_value:
                errors[question.code] = _("Enter a number of at least %(min)s.") % {
                    "min": f"{question.min_value:g}"
                }
                continue
            if question.max_value is not None and number > question.max_value:
                errors[question.code] = _("Enter a number of at most %(max)s.") % {
                    "max": f"{question.max_value:g}"
                }
                continue
            clean.append(CleanAnswer(question=question, value=number))
            kept[question.code] = str(value).strip()
        else:
            text = str(value).strip()
            if len(text) > 5000:
                errors[question.code] = _("Keep the answer under 5000 characters.")
                continue
            clean.append(CleanAnswer(question=question, text=text))
            kept[question.code] = text
    return clean, errors, kept


def questions_of(survey: Survey) -> list[Question]:
    return list(
        survey.questions.select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )


def _store(
    survey: Survey, clean: list[CleanAnswer], source: str, submitted_on: date | None = None
) -> Response:
    response = Response.objects.create(
        survey=survey, source=source, submitted_on=submitted_on or timezone.localdate()
    )
    Answer.objects.bulk_create(
        [
            Answer(
                survey=survey,
                response=response,
                question=a.question,
                option=a.option,
                value=a.value,
                text=a.text,
            )
            for a in clean
        ]
    )
    return response


def submit(survey: Survey, key_hash: str, raw: dict) -> Response:
    """Submit an answer. On any error nothing is lost: the valid answers are kept in the draft.

    ``key_hash`` is the draft key: the invitation code's hash for an invitation survey (the code is
    then marked used, and the response keeps no trace of it), a resume key's hash for an open link.
    """
    check_open(survey)
    questions = questions_of(survey)
    clean, errors, kept = validate_answers(questions, raw, require=True)
    if errors:
        merged = {**draft_data(survey, key_hash), **kept}
        ResponseDraft.objects.update_or_create(survey=survey, key_hash=key_hash, defaults={"data": merged})
        raise ValidationError(errors)
    with transaction.atomic():
        if survey.access == SurveyAccess.INVITATION:
            marked = Invitation.objects.filter(survey=survey, code_hash=key_hash, used=False).update(
                used=True
            )
            if not marked:
                raise ValidationError(_("This code has already been used to answer the survey."), code="used")
        response = _store(survey, clean, ResponseSource.WEB)
        ResponseDraft.objects.filter(survey=survey, key_hash=key_hash).delete()
    return response


# --- import ---------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_responses_csv(
    survey: Survey, content: str | bytes, *, skip_bad_rows: bool = False
) -> ImportReport:
    """Import responses from CSV (e.g. a punched paper survey).

    The header names question codes (columns separated by ";", "," or tab, as in the header line);
    choice answers are option codes, several in one cell separated by "|" (or by ";" or "," when
    that is not the column separator);
    an optional column ``submitted_on`` (YYYY-MM-DD). Every bad row is reported with its line; a
    file with bad rows imports nothing unless ``skip_bad_rows``.
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ImportReport(errors=[(0, _("The file is not UTF-8 text."))])
    content = content.lstrip("\ufeff")
    first_line = content.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    # Several options in one cell: "1|3", or "1;3" / "1,3" when that is not the column separator.
    separators = "|" + "".join(sep for sep in ";," if sep != delimiter)
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    report = ImportReport()
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        report.errors.append((1, _("The file is empty.")))
        return report
    questions = questions_of(survey)
    by_code = {q.code: q for q in questions}
    unknown = [h for h in header if h and h not in by_code and h != "submitted_on"]
    if unknown:
        report.errors.append((1, _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}))
        return report
    if not any(h in by_code for h in header):
        report.errors.append((1, _("No column names a question of this survey.")))
        return report
    good: list[tuple[list[CleanAnswer], date | None]] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            report.errors.append((line, _("The row has more cells than the header.")))
            continue
        values = dict(zip(header, row, strict=False))
        submitted_on = None
        if values.get("submitted_on", "").strip():
            try:
                submitted_on = date.fromisoformat(values["submitted_on"].strip())
            except ValueError:
                report.errors.append((line, _("submitted_on: use a date like 2026-03-31.")))
                continue
        raw = {}
        for code, cell in values.items():
            if code in by_code:
                question = by_code[code]
                if question.kind == QuestionKind.MULTIPLE_CHOICE:
                    raw[code] = re.split(f"[{re.escape(separators)}]", cell)
                else:
                    raw[code] = cell
        clean, errors, _kept = validate_answers(questions, raw, require=True)
        if errors:
            message = "; ".join(f"{code}: {msg}" for code, msg in errors.items())
            report.errors.append((line, message))
            continue
        if not clean:
            report.errors.append((line, _("The row answers no question.")))
            continue
        good.append((clean, submitted_on))
    if report.errors and not skip_bad_rows:
        return report
    with transaction.atomic():
        for clean, submitted_on in good:
            _store(survey, clean, ResponseSource.IMPORT, submitted_on)
    report.imported = len(good)
    return report


# --- publishing to indicators ---------------------------------------------------------------------


def question_figure(
    question: Question, *, statistic: str, chosen: list[int] | None = None
) -> tuple[float, int]:
    """The figure to publish: ``mean`` of a scale, or ``share`` (%) of valid answers in ``chosen``.

    Returns (value, n). Refuses a figure resting on fewer respondents than the anonymity threshold.
    """
    from . import selectors

    result = selectors.question_result(question)
    threshold = question.survey.anonymity_threshold
    if statistic == "mean":
        if not question.is_scale:
            raise ValidationError({"statistic": _("Only a scale or number question has a mean.")})
        n, value = result.summary.n if result.summary else 0, result.summary.mean if result.summary else None
    elif statistic == "share":
        if not question.is_choice:
            raise ValidationError({"statistic": _("A share needs a question with alternatives.")})
        if not chosen:
            raise ValidationError({"chosen": _("Choose the alternatives that count.")})
        from .stats import share

        counts = {row.key: row.count for row in result.table.rows}
        excluded = {row.key for row in result.table.rows if row.excluded}
        n = result.table.valid
        value = share(counts, set(chosen), excluded)
    else:
        raise ValidationError({"statistic": _("Choose mean or share.")})
    if value is None or n < threshold:
        raise ValidationError(_("Too few answers to publish (fewer than %(n)s).") % {"n": threshold})
    return value, n


def publish_indicator_value(
    question: Question,
    *,
    indicator,
    statistic: str = "mean",
    chosen: list[int] | None = None,
    unit: Unit | None = None,
    year: int | None = None,
):
    """Publish a question's mean or share as an indicator value for a unit (or the municipality) and year.

    The indicators app sits after surveys in the import order, so it is imported here, lazily.
    """
    from servicetorg.indicators.services import record_value  # lazy: indicators comes after surveys

    survey = question.survey
    if unit is not None and unit.municipality_id != survey.municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    value, n = question_figure(question, statistic=statistic, chosen=chosen)
    if statistic == "mean":
        note = _("Mean of “%(question)s” in “%(survey)s”, N = %(n)s.")
    else:
        note = _("Share answering %(chosen)s to “%(question)s” in “%(survey)s”, N = %(n)s.")
    note = note % {
        "question": question.text[:120],
        "survey": survey.title,
        "n": n,
        "chosen": ", ".join(str(c) for c in chosen or []),
    }
    return record_value(
        indicator=indicator,
        municipality=survey.municipality,
        unit=unit if unit is not None else survey.unit,
        year=year or survey.year,
        value=round(value, 4),
        source="survey",
        note=note,
    )


# --- retention ------------------------------------------------------------------------------------

DRAFT_RETENTION_DAYS = 30


def purge_drafts(today: date | None = None) -> int:
    """Delete unfinished answers of closed surveys and any untouched for 30 days. Returns the count."""
    today = today or timezone.localdate()
    stale = timezone.now() - timedelta(days=DRAFT_RETENTION_DAYS)
    closed = ResponseDraft.objects.filter(survey__closes_on__lt=today) | ResponseDraft.objects.filter(
        survey__state=SurveyState.CLOSED
    )
    deleted, _ = (closed | ResponseDraft.objects.filter(updated_at__lt=stale)).delete()
    return deleted
