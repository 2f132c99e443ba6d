"""The school office's operations on intake rounds and the school registry: plain, transactional
functions used by the staff pages, the API and the commands alike.

Each takes the acting user (``SYSTEM`` for commands and the demo) and checks, in this order: the
permission (``Perm.SCHOOL_ADMINISTER`` in the round's municipality), then the round's table
(``workflow.ROUND_WORKFLOW``: lock + apply), then its own rules. History rows (simple-history on the
models) record who changed what.

A round's life: a draft's rules and seats are edited freely (:func:`create_round`,
:func:`update_round`); :func:`open_round` publishes them; :func:`close_round` ends the applications and
commits the lottery seed (only its SHA-256 is shown); the allocation runs (``allocate.run_main``);
:func:`publish` reveals the seed and tells every family that the placement is ready on Min side;
:func:`finish` ends the round.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicetorg.core.permissions import Perm, can, require, user_of

from . import letters, lottery
from .models import (
    AllocationRun,
    Placement,
    Round,
    RoundSchool,
    RoundState,
    School,
    SchoolAddress,
    SchoolApplicationState,
)
from .workflow import CLOSE, FINISH, OPEN, PUBLISH, ROUND_WORKFLOW

#: The fields of a round its draft may change (the state, seed and dates of the steps are the
#: services' own).
ROUND_FIELDS = (
    "name",
    "school_year",
    "intake",
    "grade",
    "opens_on",
    "closes_on",
    "answer_within_days",
    "wishes",
    "priorities",
    "tie_break",
    "guarantee",
)
SCHOOL_FIELDS = (
    "name",
    "first_grade",
    "last_grade",
    "address",
    "latitude",
    "longitude",
    "profile",
    "website",
    "email",
    "phone",
    "active",
)
ADDRESS_FIELDS = (
    "address",
    "postcode",
    "district",
    "latitude",
    "longitude",
    "primary_school",
    "secondary_school",
)

#: The states in which the lottery seed itself is public (after the placements are published).
SEED_PUBLIC = (RoundState.PUBLISHED, RoundState.FINISHED)


def can_administer(user, municipality_id: int) -> bool:
    return can(user, Perm.SCHOOL_ADMINISTER, municipality_id)


def seed_is_public(round_: Round) -> bool:
    return round_.state in SEED_PUBLIC


def _check_fields(fields: Mapping, allowed: tuple[str, ...]) -> None:
    for name in fields:
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed here.")})


def _save(obj, user):
    # An empty priority order (the lottery alone, without the guarantee) is a valid choice, which
    # the JSON field's own blank check would refuse; Round.clean() still checks the order.
    exclude = ["priorities"] if isinstance(obj, Round) and obj.priorities == [] else None
    obj.full_clean(exclude=exclude)
    obj._history_user = user_of(user)
    obj.save()
    return obj


# --- Rounds -------------------------------------------------------------------------------------


def _seat_rows(seats: Mapping) -> list[tuple[School, int, int | None]]:
    """``seats`` as (school, seats, class size) rows: each value is the seats, or (seats, class size)."""
    rows = []
    for school, value in seats.items():
        number, class_size = value if isinstance(value, tuple | list) else (value, None)
        rows.append((school, number, class_size))
    return rows


def _set_seats(round_: Round, seats: Mapping, user) -> None:
    """Make the round's schools exactly those of ``seats`` with a number of seats above 0."""
    errors = []
    keep = {}
    for school, number, class_size in _seat_rows(seats):
        if number in (None, 0):
            continue
        if school.municipality_id != round_.municipality_id:
            errors.append(_("%(school)s belongs to another municipality.") % {"school": school.name})
            continue
        if not school.teaches(round_.grade):
            errors.append(
                _("%(school)s does not teach grade %(grade)s.")
                % {"school": school.name, "grade": round_.grade}
            )
            continue
        if not school.active:
            errors.append(_("%(school)s is no longer active.") % {"school": school.name})
            continue
        keep[school.pk] = (school, number, class_size)
    if errors:
        raise ValidationError({"seats": errors})
    existing = {row.school_id: row for row in round_.schools.all()}
    for school_id, row in existing.items():
        if school_id not in keep:
            row.delete()
    for school_id, (school, number, class_size) in keep.items():
        row = existing.get(school_id) or RoundSchool(round=round_, school=school)
        row.seats = number
        if class_size is not None:
            row.class_size = class_size
        try:
            row.full_clean(exclude=["round"])
        except ValidationError as error:
            raise ValidationError(
                {"seats": [f"{school.name}: {message}" for message in error.messages]}
            ) from error
        row.save()


def _check_schools_teach(round_: Round) -> None:
    """Every school in the round teaches its grade (after the grade changed)."""
    wrong = [
        row.school.name
        for row in round_.schools.select_related("school")
        if not row.school.teaches(round_.grade)
    ]
    if wrong:
        raise ValidationError(
            {
                "grade": _("These schools in the round do not teach grade %(grade)s: %(schools)s.")
                % {"grade": round_.grade, "schools": ", ".join(wrong)}
            }
        )


@transaction.atomic
def create_round(*, municipality, user, seats: Mapping | None = None, **fields) -> Round:
    """A new intake round, in draft. ``seats``: {school: seats or (seats, pupils per class)}."""
    require(user, Perm.SCHOOL_ADMINISTER, municipality.pk)
    _check_fields(fields, ROUND_FIELDS)
    round_ = Round(municipality=municipality, created_by=user_of(user), **fields)
    _save(round_, user)
    if seats:
        _set_seats(round_, seats, user)
    return round_


@transaction.atomic
def update_round(round_: Round, *, user, seats: Mapping | None = None, **fields) -> Round:
    """Change a draft's rules and (given ``seats``) its schools and seats: a school left out, or given
    no seats, leaves the round. Once the round is open its rules are published and fixed."""
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    _check_fields(fields, ROUND_FIELDS)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.state != RoundState.DRAFT:
        raise ValidationError(
            _("The round's rules were published when it opened and cannot be changed any more.")
        )
    for name, value in fields.items():
        setattr(round_, name, value)
    _save(round_, user)
    if seats is not None:
        _set_seats(round_, seats, user)
    _check_schools_teach(round_)
    return round_


@transaction.atomic
def open_round(round_: Round, *, user) -> Round:
    """Publish the round's rules and open it for applications: it needs at least one school with
    seats, and applications cannot close before they open."""
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, OPEN)  # TransitionRefused unless a draft
    errors = {}
    if not round_.schools.filter(seats__gt=0).exists():
        errors["seats"] = _("Give at least one school seats before the round opens.")
    if round_.opens_on and round_.closes_on and round_.closes_on < round_.opens_on:
        errors["closes_on"] = _("Applications cannot close before they open.")
    if errors:
        raise ValidationError(errors)
    _check_schools_teach(round_)
    return _save(round_, user)


@transaction.atomic
def close_round(round_: Round, *, user) -> Round:
    """Close the applications and commit the lottery seed: a new random seed is drawn and kept
    secret; its SHA-256 is shown from now on, so the seed revealed after the run can be checked."""
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, CLOSE)  # TransitionRefused unless open
    today = timezone.localdate()
    if today <= round_.closes_on:
        raise ValidationError(
            _(
                "Families may apply until and including %(date)s (the published date): the round can "
                "be closed from the day after."
            )
            % {"date": date_format(round_.closes_on, "DATE_FORMAT")}
        )
    seed = lottery.new_seed()
    round_.seed = seed
    round_.seed_hash = lottery.seed_hash(seed)
    round_.seed_committed_at = timezone.now()
    return _save(round_, user)


@transaction.atomic
def publish(round_: Round, *, user) -> int:
    """Publish the placements of the current run: the families see them on Min side, the lottery
    seed is revealed, and each application's guardian gets an e-mail and/or SMS (through the
    outbox, once) saying the answer is ready — with no name, school or number in it. Returns the
    number of applications told."""
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, PUBLISH)  # TransitionRefused unless allocated
    current = AllocationRun.objects.filter(round=round_, current=True).first()
    if current is None:
        raise ValidationError(_("Run the allocation before publishing."))
    if not current.certificate.get("stable"):
        raise ValidationError(
            _("The current run did not prove itself stable: run the allocation again before publishing.")
        )
    round_.published_at = timezone.now()
    _save(round_, user)
    return _tell_families(round_, current)


def _tell_families(round_: Round, run: AllocationRun) -> int:
    placements = (
        Placement.objects.filter(run=run, application__state=SchoolApplicationState.SUBMITTED)
        .select_related("application__round__municipality")
        .order_by("application_id")
    )
    return sum(letters.placement_ready(p.application, round_=round_) != "none" for p in placements)


@transaction.atomic
def finish(round_: Round, *, user) -> Round:
    """End the round: its placements stand, nothing more is run."""
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, FINISH)  # TransitionRefused unless published
    return _save(round_, user)


# --- The school registry ------------------------------------------------------------------------


@transaction.atomic
def create_school(*, municipality, user, **fields) -> School:
    require(user, Perm.SCHOOL_ADMINISTER, municipality.pk)
    _check_fields(fields, SCHOOL_FIELDS)
    _check_unique_name(municipality.pk, fields.get("name", ""), None)
    return _save(School(municipality=municipality, **fields), user)


@transaction.atomic
def update_school(school: School, *, user, **fields) -> School:
    require(user, Perm.SCHOOL_ADMINISTER, school.municipality_id)
    _check_fields(fields, SCHOOL_FIELDS)
    school = School.objects.select_for_update().get(pk=school.pk)
    if "name" in fields:
        _check_unique_name(school.municipality_id, fields["name"], school.pk)
    for name, value in fields.items():
        setattr(school, name, value)
    return _save(school, user)


def _check_unique_name(municipality_id: int, name: str, pk: int | None) -> None:
    same = School.objects.filter(municipality_id=municipality_id, name__iexact=(name or "").strip())
    if pk is not None:
        same = same.exclude(pk=pk)
    if same.exists():
        raise ValidationError({"name": _("The municipality already has a school with this name.")})


def _check_catchment(municipality_id: int, fields: Mapping) -> None:
    for name in ("primary_school", "secondary_school"):
        school = fields.get(name)
        if school is not None and school.municipality_id != municipality_id:
            raise ValidationError({name: _("The school belongs to another municipality.")})


@transaction.atomic
def create_address(*, municipality, user, **fields) -> SchoolAddress:
    """An address of the register with its catchment schools (primary, lower secondary)."""
    require(user, Perm.SCHOOL_ADMINISTER, municipality.pk)
    _check_fields(fields, ADDRESS_FIELDS)
    _check_catchment(municipality.pk, fields)
    address = SchoolAddress(municipality=municipality, **fields)
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def update_address(address: SchoolAddress, *, user, **fields) -> SchoolAddress:
    require(user, Perm.SCHOOL_ADMINISTER, address.municipality_id)
    _check_fields(fields, ADDRESS_FIELDS)
    _check_catchment(address.municipality_id, fields)
    address = SchoolAddress.objects.select_for_update().get(pk=address.pk)
    for name, value in fields.items():
        setattr(address, name, value)
    address.full_clean()
    address.save()
    return address
