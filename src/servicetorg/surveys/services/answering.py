"""Answering: invitation codes and resume keys, drafts, validating and submitting answers."""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core import formatting
from servicetorg.core.permissions import check_actor
from servicetorg.core.validators import CONTROL_CHARACTERS_MESSAGE, has_forbidden_characters

from ..models import (
    CHOICE_KINDS,
    Answer,
    Invitation,
    Option,
    Question,
    QuestionKind,
    Response,
    ResponseDraft,
    ResponseSource,
    Survey,
    SurveyAccess,
    SurveyState,
)
from ..permissions import require_edit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


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
def create_invitations(survey: Survey, count: int, *, user) -> list[str]:
    """Create ``count`` invitation codes and return them in plain text: the only time they exist.

    The respondents' own functions below (start, resume, save a draft, submit) take no actor on
    purpose: a respondent is anonymous, and nothing links her to her answers."""
    require_edit(user, survey)
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
        return create_invitations(survey, count, user=user)
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
            _("This survey opens on %(date)s.") % {"date": formatting.short_date(survey.opens_on)},
            code="not_yet",
        )
    if today > survey.closes_on:
        raise ValidationError(
            _("This survey closed on %(date)s and no longer takes answers.")
            % {"date": formatting.short_date(survey.closes_on)},
            code="closed",
        )


def _check_respondent(user) -> None:
    """A respondent's operations are told who acts, like every other: CITIZEN on the public pages (a
    logged-in employee answers as a citizen too), SYSTEM for the demo. The answer is anonymous: the
    actor is checked and never stored with it."""
    check_actor(user)


def start_with_code(survey: Survey, code: str, *, user) -> str:
    """Check an invitation code; return the draft key (the code's hash) to answer with."""
    _check_respondent(user)
    check_open(survey)
    if survey.access != SurveyAccess.INVITATION:
        raise ValidationError({"code": _("This survey does not use invitation codes.")})
    invitation = Invitation.objects.filter(survey=survey, code_hash=hash_key("code", code)).first()
    if invitation is None or invitation.used:
        # One message for both: whoever handed out the codes must not learn, by trying them, which
        # ones were used (who answered).
        raise ValidationError({"code": CODE_REFUSED()})
    return invitation.code_hash


def CODE_REFUSED() -> str:  # noqa: N802 - a message, translated when used
    return _("This code cannot be used for this survey. Check what you typed; each code answers once.")


def start_open(survey: Survey, *, user) -> tuple[str, str]:
    """Start an answer on an open-link survey: (resume key to show the respondent, draft key)."""
    _check_respondent(user)
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


def save_draft(survey: Survey, key_hash: str, data: dict, *, user) -> ResponseDraft:
    """Keep a half-finished answer under its draft key."""
    _check_respondent(user)
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
                    "min": formatting.number(question.min_value)
                }
                continue
            if question.max_value is not None and number > question.max_value:
                errors[question.code] = _("Enter a number of at most %(max)s.") % {
                    "max": formatting.number(question.max_value)
                }
                continue
            clean.append(CleanAnswer(question=question, value=number))
            kept[question.code] = str(value).strip()
        else:
            text = str(value).strip()
            if len(text) > 5000:
                errors[question.code] = _("Keep the answer under 5000 characters.")
                continue
            if has_forbidden_characters(text):
                errors[question.code] = str(CONTROL_CHARACTERS_MESSAGE)
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


def random_id() -> int:
    """A random 63-bit id above any the database's own sequence will reach (2**62 and up)."""
    return 2**62 + secrets.randbelow(2**62 - 1)


def _store(
    survey: Survey, clean: list[CleanAnswer], source: str, submitted_on: date | None = None
) -> Response:
    # Random ids, not the next numbers: the rows' order must not be the order people answered in
    # (issue 18 §2.3: with the database and the key, pairing the order of the satisfaction survey's
    # invitations, or of the cases closing, with the responses' order named each answer's case).
    response = Response.objects.create(
        id=random_id(), survey=survey, source=source, submitted_on=submitted_on or timezone.localdate()
    )
    Answer.objects.bulk_create(
        [
            Answer(
                id=random_id(),
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


def lock(survey: Survey) -> Survey:
    """Lock the survey's row until the transaction ends and return it as it is now.

    ``FOR NO KEY UPDATE`` on PostgreSQL: it serialises the submissions and releases of one survey but
    not the inserts that merely reference the row (responses, answers, invitations take a key-share
    lock on it), so that two submissions cannot deadlock. SQLite serialises writers anyway.
    """
    return (
        Survey.objects.select_for_update(no_key=True)
        .only("state", "opens_on", "closes_on", "anonymity_threshold", "access")
        .get(pk=survey.pk)
    )


def release(survey: Survey, *, user) -> int:
    """Release waiting responses to the live results; returns how many were released.

    The rule against the time-differencing attack (issue 18 §2.2): live results move only in steps of
    at least the anonymity threshold, or when answering has ended. So the waiting responses are
    released together once they number at least the threshold (or all of them when the survey is
    closed or past its closing date), never one by one. Deterministic: the same waiting pool always
    gives the same decision. Concurrency-safe: it runs under the survey's row lock (:func:`lock`), so
    of two submissions at once the second sees the first's response and releases both when they
    reach the threshold together; none is released twice or left behind. ``user`` is who caused it
    (the respondent's CITIZEN, the editor who closes or imports, SYSTEM): checked, not recorded.
    """
    check_actor(user)
    with transaction.atomic():
        current = lock(survey)
        waiting = list(Response.objects.filter(survey=survey, released=False).values_list("id", flat=True))
        if not waiting:
            return 0
        if len(waiting) < current.anonymity_threshold and not current.results_final():
            return 0
        Response.objects.filter(id__in=waiting).update(released=True)
        Answer.objects.filter(response_id__in=waiting).update(released=True)
        return len(waiting)


def submit(survey: Survey, key_hash: str, raw: dict, *, user) -> Response:
    """Submit an answer. On any error nothing is lost: the valid answers are kept in the draft.

    ``key_hash`` is the draft key: the invitation code's hash for an invitation survey (the code is
    then marked used, and the response keeps no trace of it), a resume key's hash for an open link.
    """
    _check_respondent(user)
    check_open(survey)
    questions = questions_of(survey)
    clean, errors, kept = validate_answers(questions, raw, require=True)
    if errors:
        merged = {**draft_data(survey, key_hash), **kept}
        ResponseDraft.objects.update_or_create(survey=survey, key_hash=key_hash, defaults={"data": merged})
        raise ValidationError(errors)
    with transaction.atomic():
        # The survey's row lock first: a survey closed meanwhile takes no answer, and the release
        # below decides on every response committed before this one.
        check_open(lock(survey))
        if survey.access == SurveyAccess.INVITATION:
            marked = Invitation.objects.filter(survey=survey, code_hash=key_hash, used=False).update(
                used=True
            )
            if not marked:
                raise ValidationError(CODE_REFUSED(), code="used")
        response = _store(survey, clean, ResponseSource.WEB)
        ResponseDraft.objects.filter(survey=survey, key_hash=key_hash).delete()
        release(survey, user=user)
    return response
