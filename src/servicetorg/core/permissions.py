"""The roles matrix: one place answers "may this actor do this, in this municipality and unit".

Every service function takes the acting user (the *actor*) and asks :func:`require` (or
:func:`can`) before it changes anything; lists are filtered with :func:`filter_q`. Views, the API,
admin actions and management commands call the same service functions, so they share the checks.

Actors are users, or one of two explicit non-users (never ``user=None``):

* :data:`SYSTEM` — the platform itself: scheduled tasks, the demo loader, an operator's command.
  It passes every check and is recorded as "no user" in history rows.
* :data:`CITIZEN` — an anonymous citizen on a public channel (contact form, Open311, the secret case
  link, an open survey link). It holds no role, so it passes only checks that name it explicitly.

The matrix (:data:`MATRIX`) gives, per permission, the roles that hold it and how far each reaches:
the whole municipality, only the units the membership is bound to, or (the service desk) what is
not yet routed to a unit. A membership without a unit reaches the whole municipality for a
unit-bound permission (a unit leader without a unit leads at municipality level). The section
"Roles matrix" of docs/security.md is this table in prose; a test keeps the two in step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .choices import Role


class _Actor:
    """A non-user actor. Has the attributes permission code reads from users (never a superuser,
    never authenticated as a user), so it can be passed where a user is expected."""

    is_authenticated = False
    is_anonymous = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, name: str, is_system: bool):
        self._name = name
        self.is_system = is_system

    def __repr__(self) -> str:
        return self._name

    def __str__(self) -> str:
        return self._name

    def get_username(self) -> str:
        return self._name

    def get_full_name(self) -> str:
        return self._name


#: The platform itself (tasks, demo, operator commands). Passes every check.
SYSTEM = _Actor("system", is_system=True)
#: An anonymous citizen on a public channel. Holds no role.
CITIZEN = _Actor("citizen", is_system=False)


def is_system(actor) -> bool:
    return getattr(actor, "is_system", False) is True


def user_of(actor):
    """The user to record (history, message author, registered by): None for SYSTEM and CITIZEN."""
    if actor is None:
        raise TypeError("Pass the acting user, SYSTEM or CITIZEN (not None).")
    return actor if getattr(actor, "is_authenticated", False) else None


def check_actor(actor) -> None:
    """Refuse ``None``: every service function is told who acts."""
    if actor is None:
        raise TypeError("Pass the acting user, SYSTEM or CITIZEN (not None).")


class Reach(enum.Enum):
    MUNICIPALITY = "municipality"  # every record of the municipality
    UNIT = "unit"  # records of the units the membership is bound to
    DESK = "desk"  # what is not yet routed to a unit, and what the desk worker registered
    # the provider(s) the user works for (choice.ProviderMember): never a whole municipality or a
    # unit; the choice app narrows its rows to the user's providers (choice.access)
    PROVIDER = "provider"


class Perm(enum.StrEnum):
    # Core
    STAFF_PAGES = "core.staff_pages"  # the staff start page and menus
    PERSONAL_DATA_REQUEST = "core.personal_data_request"  # right of access and erasure (one person)
    RETENTION = "core.retention"  # retention periods and the purge report
    PUBLIC_STATEMENTS = "core.public_statements"  # the portal's privacy and accessibility statements
    OUTBOX = "core.outbox"  # the outbox: read messages (with their addresses), resend, drop
    # Catalogue
    CATALOGUE_READ = "catalogue.read"  # drafts and internal fields of services
    CATALOGUE_EDIT = "catalogue.edit"
    # Inquiries
    INQUIRY_REGISTER = "inquiries.register"
    INQUIRY_READ = "inquiries.read"  # open an inquiry with the citizen's personal data
    # find any inquiry by reference or contact details: status, next step, who has it; no content
    INQUIRY_LOOKUP = "inquiries.lookup"
    INQUIRY_WORK = "inquiries.work"  # act on an inquiry one may read
    INQUIRY_DASHBOARD = "inquiries.dashboard"  # aggregates only
    INQUIRY_ADMINISTER = "inquiries.administer"  # channel rules, compensations, API clients
    # Surveys
    SURVEY_READ = "surveys.read"  # published figures of surveys (aggregates, disclosure-controlled)
    SURVEY_EDIT = "surveys.edit"  # build, hand out codes, import answers, publish, export
    SURVEY_BREAKDOWN = "surveys.breakdown"  # results broken down by background questions
    # Indicators
    INDICATOR_READ = "indicators.read"
    INDICATOR_EDIT = "indicators.edit"
    # Strategy
    BENCHMARK_EDIT = "benchmarking.edit"  # import statistics, KOSTRA groups, ranking weights and runs

    STRATEGY_READ = "strategy.read"
    STRATEGY_EDIT = "strategy.edit"
    # User choice (brukervalg)
    CHOICE_READ = "choice.read"  # schemes, their rates and versions
    CHOICE_ADMINISTER = "choice.administer"  # schemes and rates; providers' approval, suspension, withdrawal
    CHOICE_ORDER = "choice.order"  # care decisions (vedtak) and choices on a user's behalf (health data)
    CHOICE_PROVIDE = "choice.provide"  # a provider's own profile, users, orders, visits and statements
    CHOICE_SETTLE = "choice.settle"  # monthly settlement: compute, approve, mark paid
    # School choice (fritt skolevalg)
    SCHOOL_READ = "choice.school_read"  # rounds, runs and their certificates, what-ifs, the budget
    # schools, rounds, applications (with the children's data), runs, publishing, appeals, the budget
    SCHOOL_ADMINISTER = "choice.school_administer"
    # The kommunetest (servicetest): question bank, protocols, rounds, sampling, review, publishing
    SERVICETEST_COORDINATE = "servicetest.coordinate"
    SERVICETEST_TEST = "servicetest.test"  # record the items one is assigned (never one's own municipality)
    # Citizens (Min side)
    CITIZEN_RELATIONS = "citizens.relations"  # who may act for whom (guardians, relatives, attorneys)


M, U, D, P = Reach.MUNICIPALITY, Reach.UNIT, Reach.DESK, Reach.PROVIDER
R = Role
_ALL_STAFF_READ: dict[str, Reach] = {
    R.DESK_WORKER: M,
    R.CASE_OFFICER: M,
    R.UNIT_LEADER: M,
    R.ADMINISTRATION: M,
    R.ADMIN: M,
    R.SCHOOL_OFFICE: M,
}
_WORKERS: dict[str, Reach] = {
    R.DESK_WORKER: D,
    R.CASE_OFFICER: U,
    R.UNIT_LEADER: U,
    R.ADMINISTRATION: M,
    R.ADMIN: M,
}

#: permission -> {role: reach}. Roles not named do not hold the permission.
MATRIX: dict[Perm, dict[str, Reach]] = {
    Perm.STAFF_PAGES: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.PERSONAL_DATA_REQUEST: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.RETENTION: {R.ADMIN: M},
    Perm.PUBLIC_STATEMENTS: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.OUTBOX: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.CATALOGUE_READ: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.CATALOGUE_EDIT: {R.UNIT_LEADER: U, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.INQUIRY_REGISTER: dict(_ALL_STAFF_READ),
    Perm.INQUIRY_READ: dict(_WORKERS),
    Perm.INQUIRY_LOOKUP: {R.DESK_WORKER: M, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.INQUIRY_WORK: dict(_WORKERS),
    Perm.INQUIRY_DASHBOARD: {R.UNIT_LEADER: M, R.ADMINISTRATION: M, R.ADMIN: M, R.COUNCIL: M},
    Perm.INQUIRY_ADMINISTER: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.SURVEY_READ: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.SURVEY_EDIT: {R.UNIT_LEADER: U, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.SURVEY_BREAKDOWN: {R.UNIT_LEADER: U, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.INDICATOR_READ: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.INDICATOR_EDIT: {R.UNIT_LEADER: U, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.BENCHMARK_EDIT: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.STRATEGY_READ: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.STRATEGY_EDIT: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.CHOICE_READ: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.CHOICE_ADMINISTER: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.CHOICE_ORDER: {R.CASE_OFFICER: U, R.UNIT_LEADER: U, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.CHOICE_PROVIDE: {R.PROVIDER: P},
    Perm.CHOICE_SETTLE: {R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.SCHOOL_READ: {**_ALL_STAFF_READ, R.COUNCIL: M},
    Perm.SCHOOL_ADMINISTER: {R.SCHOOL_OFFICE: M, R.ADMINISTRATION: M, R.ADMIN: M},
    Perm.SERVICETEST_COORDINATE: {R.TEST_COORDINATOR: M, R.ADMIN: M},
    Perm.SERVICETEST_TEST: {R.TESTER: M, R.TEST_COORDINATOR: M},
    Perm.CITIZEN_RELATIONS: {R.CASE_OFFICER: M, R.UNIT_LEADER: M, R.ADMINISTRATION: M, R.ADMIN: M},
}  # fmt: skip
del M, U, D, P, R


def _memberships(actor):
    from .tenancy import memberships

    return memberships(actor)


def _is_all_powerful(actor) -> bool:
    return is_system(actor) or (getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False))


def grants(actor, perm: Perm, municipality_id: int) -> list[tuple[Reach, int | None]]:
    """(reach, unit id) of each of the actor's memberships in the municipality that holds ``perm``.

    A unit-bound reach with unit ``None`` comes back as municipality-wide (see the module's note).
    """
    wanted = MATRIX[perm]
    out = []
    for m, unit, role in _memberships(actor):
        if m != municipality_id or role not in wanted:
            continue
        reach = wanted[role]
        if reach is Reach.UNIT and unit is None:
            reach = Reach.MUNICIPALITY
        out.append((reach, unit))
    return out


def can(actor, perm: Perm, municipality_id: int, unit_id: int | None = None, *, unit_bound=True) -> bool:
    """May ``actor`` use ``perm`` on a record of ``municipality_id`` (belonging to ``unit_id``)?

    A unit-bound grant covers a record only when the record belongs to that unit; a record that
    belongs to no unit (``unit_id`` None, e.g. a municipality-wide survey) needs a municipality-wide
    grant. ``unit_bound=False`` asks only whether the actor holds ``perm`` somewhere in the
    municipality (for "may she open the page at all" questions).
    """
    check_actor(actor)
    if _is_all_powerful(actor):
        return True
    for reach, unit in grants(actor, perm, municipality_id):
        if reach is Reach.MUNICIPALITY or not unit_bound:
            return True
        if reach is Reach.UNIT and unit_id is not None and unit == unit_id:
            return True
    return False


def require(actor, perm: Perm, municipality_id: int, unit_id: int | None = None, *, unit_bound=True) -> None:
    """Raise PermissionDenied unless :func:`can`."""
    if not can(actor, perm, municipality_id, unit_id, unit_bound=unit_bound):
        raise PermissionDenied


def municipality_ids(actor, perm: Perm) -> set[int] | None:
    """Municipalities where the actor holds ``perm`` at any reach; None means all."""
    check_actor(actor)
    if _is_all_powerful(actor):
        return None
    wanted = MATRIX[perm]
    return {m for m, _unit, role in _memberships(actor) if role in wanted}


def municipality_wide_ids(actor, perm: Perm) -> set[int] | None:
    """Municipalities where the actor holds ``perm`` for the whole municipality (not only for some
    units); None means all."""
    check_actor(actor)
    if _is_all_powerful(actor):
        return None
    wanted = MATRIX[perm]
    return {
        m
        for m, unit, role in _memberships(actor)
        if role in wanted
        and (wanted[role] is Reach.MUNICIPALITY or (wanted[role] is not Reach.PROVIDER and unit is None))
    }


def bound_unit_ids(actor, perm: Perm) -> set[int] | None:
    """The units the actor's memberships holding ``perm`` are bound to, in any municipality ("my
    units"); None means all (SYSTEM, superuser)."""
    check_actor(actor)
    if _is_all_powerful(actor):
        return None
    wanted = MATRIX[perm]
    return {u for _m, u, role in _memberships(actor) if role in wanted and u is not None}


def unit_ids(actor, perm: Perm, municipality_id: int) -> set[int] | None:
    """Units of the municipality the actor reaches with ``perm``; None means all of them."""
    check_actor(actor)
    if _is_all_powerful(actor):
        return None
    units: set[int] = set()
    for reach, unit in grants(actor, perm, municipality_id):
        if reach is Reach.MUNICIPALITY:
            return None
        if unit is not None:
            units.add(unit)
    return units


def filter_q(actor, perm: Perm, municipality_field="municipality", unit_field="unit") -> Q | None:
    """The one list filter: rows of ``municipality_field`` and ``unit_field`` the actor reaches with
    ``perm``. None means no filter (SYSTEM, superuser). Rows without a unit need a municipality-wide
    grant. The desk reach is the inquiries' own business (see inquiries.permissions) and is treated
    as municipality-wide here."""
    check_actor(actor)
    if _is_all_powerful(actor):
        return None
    wanted = MATRIX[perm]
    whole: set[int] = set()
    bound: dict[int, set[int]] = {}
    for m, unit, role in _memberships(actor):
        if role not in wanted or wanted[role] is Reach.PROVIDER:
            continue  # a provider's rows are narrowed by the choice app (choice.access), never here
        if wanted[role] is Reach.UNIT and unit is not None:
            bound.setdefault(m, set()).add(unit)
        else:
            whole.add(m)
    q = Q(**{f"{municipality_field}__in": sorted(whole)}) if whole else Q(pk__in=[])
    for m, units in sorted(bound.items()):
        if m not in whole:
            q |= Q(**{municipality_field: m, f"{unit_field}__in": sorted(units)})
    return q


def filtered(queryset, actor, perm: Perm, municipality_field="municipality", unit_field="unit"):
    q = filter_q(actor, perm, municipality_field, unit_field)
    return queryset if q is None else queryset.filter(q)


def holds_anywhere(actor, perms: Iterable[Perm]) -> bool:
    """Does the actor hold any of ``perms`` in any municipality (menus, "may open the page")?"""
    return any(municipality_ids(actor, p) != set() for p in perms)
