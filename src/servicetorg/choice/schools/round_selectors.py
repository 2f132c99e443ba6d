"""Read queries of the school office's pages: rounds and schools a user may read, a run's certificate
and cutoffs in words, and the what-if comparison (who moves, from Placement rows in one query)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope

from . import allocate
from .models import (
    AllocationRun,
    Cutoff,
    Placement,
    Priority,
    Round,
    RunKind,
    School,
    SchoolAddress,
    SchoolApplicationState,
    TieBreak,
)


def rounds_for(user):
    """The rounds of the municipalities where ``user`` reads school choice, with their seats and
    submitted applications counted (one query)."""
    return (
        scope(Round.objects.all(), user, Perm.SCHOOL_READ)
        .select_related("municipality")
        .annotate(
            n_schools=Count("schools", distinct=True),
            n_seats=Coalesce(Sum("schools__seats", distinct=False), 0),
        )
        .order_by("-school_year", "grade", "name", "pk")
    )


def submitted_count(round_: Round) -> int:
    return round_.applications.filter(state=SchoolApplicationState.SUBMITTED).count()


def schools_for(user):
    return scope(School.objects.all(), user, Perm.SCHOOL_READ).select_related("municipality")


def catchment_counts(user) -> list[dict]:
    """Per school the user may read: the addresses that have it as their catchment school for primary
    and for lower secondary school (two grouped queries)."""
    addresses = scope(SchoolAddress.objects.all(), user, Perm.SCHOOL_READ)
    primary = dict(
        addresses.filter(primary_school__isnull=False).values_list("primary_school").annotate(n=Count("pk"))
    )
    secondary = dict(
        addresses.filter(secondary_school__isnull=False)
        .values_list("secondary_school")
        .annotate(n=Count("pk"))
    )
    return [
        {"school": school, "primary": primary.get(school.pk, 0), "secondary": secondary.get(school.pk, 0)}
        for school in schools_for(user).order_by("municipality__name", "name")
    ]


def groups_of(round_: Round, variant: dict | None = None) -> list[str]:
    """The priority codes a run used, best first, «others» last (a what-if may drop some)."""
    dropped = set((variant or {}).get("drop", []))
    return [p for p in round_.priorities if p not in dropped] + [Priority.OTHER]


@dataclass
class CutoffRow:
    school: School
    seats: int
    placed: int
    first_wishes: int
    full: bool
    group: str  # the last seat's priority group in words ("" when the school was not full)
    lottery: int | None  # the last seat's lottery number (None: not full, or not to be shown)
    by_decision: bool  # the last seat went to special needs: neither the group nor the number is shown


def cutoffs(run: AllocationRun) -> list[CutoffRow]:
    """The run's cutoff per school. A school whose last seat went to a pupil with priority by an
    individual decision (special needs) says only that: the group is sensitive and is never named."""
    groups = groups_of(run.round, run.variant)
    rows = []
    for cutoff in Cutoff.objects.filter(run=run).select_related("school").order_by("school__name"):
        code = groups[cutoff.last_group] if cutoff.last_group is not None else None
        by_decision = code == Priority.SPECIAL_NEEDS
        rows.append(
            CutoffRow(
                school=cutoff.school,
                seats=cutoff.seats,
                placed=cutoff.placed,
                first_wishes=cutoff.first_wishes,
                full=cutoff.full,
                group="" if code is None or by_decision else str(Priority(code).label),
                lottery=None if by_decision else cutoff.last_lottery,
                by_decision=by_decision,
            )
        )
    return rows


def by_wish(certificate: dict, wishes: int) -> list[int]:
    """Placed at wish 1, 2, … ``wishes`` (the certificate stops at the last rank anyone got)."""
    counts = list(certificate.get("by_wish", []))[:wishes]
    return counts + [0] * (wishes - len(counts))


@dataclass
class Feasibility:
    rows: list[dict]
    short: list[dict]  # the schools whose seats do not suffice for the applicants they must take

    @property
    def ok(self) -> bool:
        return not self.short


def feasibility(round_: Round) -> Feasibility:
    names = school_names(round_)
    rows = [{**row, "name": names.get(row["school_id"], "")} for row in allocate.feasibility(round_)]
    rows.sort(key=lambda row: row["name"])
    return Feasibility(rows=rows, short=[row for row in rows if not row["ok"]])


# --- What-if: the comparison ----------------------------------------------------------------------


@dataclass
class Moves:
    compared: int = 0  # applicants placed in both runs
    moved: int = 0  # placed at another school (or placed / unplaced where the other is not)
    better: int = 0  # at a better place by her own wish order
    worse: int = 0


@dataclass
class Column:
    run: AllocationRun
    by_wish: list[int]
    guaranteed: int
    unplaced: int
    stable: bool
    moves: Moves | None = None  # None for the main run itself
    is_main: bool = False
    changes: list[str] = field(default_factory=list)


def _position(school, rank, worst: int):
    """Her own order of a placement: wish 1, 2, …; the guaranteed school (rank 0) after her wishes;
    no seat last."""
    return Case(
        When(**{f"{school}__isnull": True}, then=Value(worst + 2)),
        When(**{rank: 0}, then=Value(worst + 1)),
        default=F(rank),
        output_field=IntegerField(),
    )


def moves(current: AllocationRun, runs: list[AllocationRun], wishes: int) -> dict[int, Moves]:
    """For each run, how many applicants it places at a different school than ``current``, and how
    many of them at a better or worse place by their own wish order. One query: each run's
    placements joined to the same applicant's placement in ``current``."""
    ids = [run.pk for run in runs if run.pk != current.pk]
    if not ids:
        return {}
    moved = (
        Q(school__isnull=True, before__school__isnull=False)
        | Q(school__isnull=False, before__school__isnull=True)
        | Q(school_id__lt=F("before__school_id"))
        | Q(school_id__gt=F("before__school_id"))
    )
    rows = (
        Placement.objects.filter(run_id__in=ids)
        .annotate(
            before=FilteredRelation(
                "application__placements", condition=Q(application__placements__run_id=current.pk)
            )
        )
        .filter(before__id__isnull=False)
        .annotate(
            here=_position("school", "wish_rank", wishes),
            there=_position("before__school", "before__wish_rank", wishes),
        )
        .values("run_id")
        .annotate(
            compared=Count("pk"),
            moved=Count("pk", filter=moved),
            better=Count("pk", filter=Q(here__lt=F("there"))),
            worse=Count("pk", filter=Q(here__gt=F("there"))),
        )
        .order_by("run_id")
    )
    return {row["run_id"]: Moves(row["compared"], row["moved"], row["better"], row["worse"]) for row in rows}


def school_names(round_: Round) -> dict[int, str]:
    return dict(School.objects.filter(round_seats__round=round_).values_list("pk", "name"))


def changes_of(run: AllocationRun, names: dict[int, str] | None = None) -> list[str]:
    """A what-if's changes in words (``names``: the round's schools by id, read once by the caller)."""
    variant = run.variant or {}
    words = []
    extra = variant.get("extra_seats") or {}
    if extra:
        names = names if names is not None else school_names(run.round)
        for school_id, seats in extra.items():
            words.append(
                ngettext("%(seats)s more seat at %(school)s", "%(seats)s more seats at %(school)s", seats)
                % {"seats": seats, "school": names.get(int(school_id), "?")}
            )
    for code in variant.get("drop", []):
        words.append(_("Without the priority group «%(group)s»") % {"group": Priority(code).label})
    if variant.get("tie_break"):
        words.append(str(TieBreak(variant["tie_break"]).label))
    if variant.get("rule") == allocate.FIRST_WISH_FIRST:
        words.append(_("First wish first (the Boston rule)"))
    return words


def comparison(round_: Round, *, limit: int = 6) -> tuple[AllocationRun | None, list[Column]]:
    """The round's main run beside its latest what-ifs, newest first. A what-if re-runs the main
    allocation with one change (``run_what_if``: ``based_on`` the latest main run), so it is compared
    with that run, not with a waiting-list re-run after families declined seats."""
    main = AllocationRun.objects.filter(round=round_, kind=RunKind.MAIN).order_by("-pk").first()
    what_ifs = list(AllocationRun.objects.filter(round=round_, kind=RunKind.WHAT_IF).order_by("-pk")[:limit])
    wishes = round_.wishes
    moved = moves(main, what_ifs, wishes) if main is not None else {}
    names = school_names(round_) if what_ifs else {}
    columns = []
    for run in ([main] if main else []) + what_ifs:
        certificate = run.certificate
        columns.append(
            Column(
                run=run,
                by_wish=by_wish(certificate, wishes),
                guaranteed=int(certificate.get("guaranteed", 0)),
                unplaced=int(certificate.get("unplaced", 0)),
                stable=bool(certificate.get("stable")),
                moves=None if run is main else moved.get(run.pk, Moves()),
                is_main=run is main,
                changes=changes_of(run, names) if run is not main else [],
            )
        )
    return main, columns
