"""Why a child got the seat she got: for each wish ranked above her placement (every wish if she got
none), the school filled up and its last seat went to someone before her — "Alfa skole filled; the
last seat went to priority group «catchment» with lottery number 812; yours was «others», 133".

Her own priority group and lottery number at each wish are recomputed from her application exactly
as ``allocate.build_instance`` computes them: the groups are the round's published ``priorities``
then «others»; the first that applies to her at a school wins (special needs where her decision names
the school, a sibling where the wish says so, the catchment school); the lottery is one number for
every school (``Placement.lottery``) or, with per-school lotteries, the number ``lottery.per_school``
gives her at that school — her index being her place among the run's applications in id order. The
last seat is the run's :class:`Cutoff` (its group and number at that school).

Deferred acceptance gives a stable result: nobody is turned away from a school that admitted someone
after her in its order. So every explained wish has her (group, number) *after* the last seat's —
:func:`agrees_with_stability` checks it (the tests run it on random rounds).

Another child's special-needs priority is never shown: when a school's last seat went to that group
the explanation says only that the seats went to pupils with priority by an individual decision.
Her own special-needs priority is hers to see.

:func:`transport` is the transport note for a placement farther away than the catchment school (the
Education Act's distance rules: free school transport beyond 2 km in the 1st grade, beyond 4 km in
grades 2–10, straight-line distances as the run stored them).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import lottery
from .models import (
    AllocationRun,
    Cutoff,
    Placement,
    PlacementState,
    Priority,
    Round,
    School,
    SchoolApplication,
    TieBreak,
)

#: The Education Act's walking distances (km): free school transport beyond these.
FIRST_GRADE_LIMIT_KM = Decimal(2)
OTHER_GRADES_LIMIT_KM = Decimal(4)


def _label(code: str) -> str:
    return str(Priority(code).label)


@dataclasses.dataclass(frozen=True)
class WishExplanation:
    """One wish above her placement: the school, whether it filled, its last seat, and hers there."""

    rank: int
    school: School
    in_run: bool  # the school was among the run's schools (else: removed from the round)
    full: bool
    #: The last seat's priority group (a code of :class:`Priority`; None: no last seat to name —
    #: held by pupils keeping their seats in a waiting-list re-run, or the school was not full).
    last_group: str | None
    last_group_index: int | None
    last_lottery: int | None  # None also where the group is special needs: never shown
    held: bool  # full of pupils keeping their seats (a waiting-list re-run)
    her_group: str
    her_group_index: int
    her_lottery: int
    no_seats: bool = False  # the school offered no seats in the round
    #: The last seat's number even where it is withheld (special needs): for the check, never shown.
    cutoff_lottery: int | None = dataclasses.field(default=None, repr=False)

    @property
    def special_needs_cutoff(self) -> bool:
        return self.last_group == Priority.SPECIAL_NEEDS

    @property
    def her_special_needs(self) -> bool:
        return self.her_group == Priority.SPECIAL_NEEDS

    @property
    def last_group_label(self) -> str:
        return _label(self.last_group) if self.last_group else ""

    @property
    def her_group_label(self) -> str:
        return _label(self.her_group)

    @property
    def after_the_last_seat(self) -> bool:
        """Is she after the school's last seat in its order (what stability guarantees)?"""
        if not (self.in_run and self.full):
            return False
        if self.held or self.no_seats:
            return True  # a kept seat comes before everyone; no seat admits no one
        if self.last_group_index is None or self.cutoff_lottery is None:
            return False
        return (self.her_group_index, self.her_lottery) > (self.last_group_index, self.cutoff_lottery)

    def text(self) -> str:
        """The plain sentence (in the active language)."""
        yours = _("yours was «%(group)s», %(number)s") % {
            "group": self.her_group_label,
            "number": self.her_lottery,
        }
        if not self.in_run:
            return _("%(school)s was not part of the allocation.") % {"school": self.school.name}
        if not self.full:
            return _("%(school)s had free seats.") % {"school": self.school.name}
        if self.no_seats:
            return _("%(school)s had no seats in this round.") % {"school": self.school.name}
        if self.held:
            return _("%(school)s filled: its seats are held by pupils keeping their seats; %(yours)s.") % {
                "school": self.school.name,
                "yours": yours,
            }
        if self.special_needs_cutoff:
            return _(
                "%(school)s filled: the seats went to pupils with priority by an individual decision; "
                "%(yours)s."
            ) % {"school": self.school.name, "yours": yours}
        return _(
            "%(school)s filled; the last seat went to priority group «%(group)s» with lottery number "
            "%(number)s; %(yours)s."
        ) % {
            "school": self.school.name,
            "group": self.last_group_label,
            "number": self.last_lottery,
            "yours": yours,
        }


def groups_of(round_: Round, run: AllocationRun | None = None) -> list[str]:
    """The run's priority groups, best first («others» last), as ``build_instance`` orders them."""
    dropped = set((run.variant or {}).get("drop", [])) if run is not None else set()
    return [p for p in round_.priorities if p not in dropped] + [Priority.OTHER]


def her_group(application: SchoolApplication, school_id: int, sibling: bool, groups: list[str]) -> int:
    """The index of the first of ``groups`` that applies to her at the school."""
    applies = {
        Priority.SPECIAL_NEEDS: application.special_needs_school_id == school_id,
        Priority.SIBLING: sibling,
        Priority.CATCHMENT: application.catchment_school_id == school_id,
    }
    for index, code in enumerate(groups[:-1]):
        if applies.get(code, False):
            return index
    return len(groups) - 1


def her_numbers(application: SchoolApplication, run: AllocationRun, placement: Placement, school_ids) -> dict:
    """Her lottery number at each school of ``school_ids``, as the run drew them."""
    tie_break = (run.variant or {}).get("tie_break", run.round.tie_break)
    if tie_break != TieBreak.PER_SCHOOL:
        return {school_id: placement.lottery for school_id in school_ids}
    in_run = Placement.objects.filter(run=run)
    n = in_run.count()
    index = in_run.filter(application_id__lt=application.pk).count()
    ids = list(school_ids)
    table = lottery.per_school(run.round.seed, n, ids)
    return {school_id: int(table[index, j]) for j, school_id in enumerate(ids)}


def wishes_above(application: SchoolApplication, run: AllocationRun, placement: Placement):
    """Her wishes (in rank order) that the explanation covers: those ranked above her placement, or
    all of them when she has no seat or the guaranteed seat below her wishes. As the run read them:
    the round's first ``round.wishes`` among the run's schools."""
    round_ = run.round
    in_run = set(Cutoff.objects.filter(run=run).values_list("school_id", flat=True))
    wishes = list(application.wishes.select_related("school").order_by("rank"))
    counted = {w.pk for w in [w for w in wishes if w.school_id in in_run][: round_.wishes]}
    limit = placement.wish_rank if placement.school_id is not None and placement.wish_rank else None
    above = []
    for wish in wishes:
        if limit is not None and wish.rank >= limit:
            break
        if wish.school_id in in_run and wish.pk not in counted:
            continue  # beyond the round's number of wishes: the run never read it
        above.append(wish)
    return above, in_run


def explain(
    application: SchoolApplication, run: AllocationRun, *, placement: Placement | None = None
) -> list[WishExplanation]:
    """One :class:`WishExplanation` per wish ranked above her placement in ``run`` (all her wishes if
    she has no seat); [] if she had no part in the run or gave her seat back. ``placement``: hers in
    ``run``, if the caller has it."""
    if placement is None:
        placement = Placement.objects.filter(run=run, application=application).first()
    if placement is None:
        return []
    if placement.school_id is None and placement.state == PlacementState.DECLINED:
        return []  # she declined and left the lists: nothing above to explain
    round_ = run.round
    groups = groups_of(round_, run)
    above, in_run = wishes_above(application, run, placement)
    if not above:
        return []
    cutoffs = {
        c.school_id: c for c in Cutoff.objects.filter(run=run, school_id__in=[w.school_id for w in above])
    }
    numbers = her_numbers(application, run, placement, [w.school_id for w in above])
    result = []
    for wish in above:
        cutoff = cutoffs.get(wish.school_id)
        last_index = cutoff.last_group if cutoff is not None else None
        last_code = groups[last_index] if last_index is not None and last_index < len(groups) else None
        special = last_code == Priority.SPECIAL_NEEDS
        mine = her_group(application, wish.school_id, wish.sibling, groups)
        result.append(
            WishExplanation(
                rank=wish.rank,
                school=wish.school,
                in_run=cutoff is not None,
                full=bool(cutoff and cutoff.full),
                last_group=last_code,
                last_group_index=last_index,
                last_lottery=None if special or cutoff is None else cutoff.last_lottery,
                held=bool(cutoff and cutoff.full and cutoff.seats and cutoff.last_group is None),
                her_group=groups[mine],
                her_group_index=mine,
                her_lottery=numbers[wish.school_id],
                no_seats=bool(cutoff and not cutoff.seats),
                cutoff_lottery=cutoff.last_lottery if cutoff is not None else None,
            )
        )
    return result


def agrees_with_stability(explanations: list[WishExplanation]) -> bool:
    """Every explained wish's school filled and she comes after its last seat (the tests' check that
    the explanations say what the run's stability proved)."""
    return all(item.after_the_last_seat for item in explanations if item.in_run)


# --- Transport ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TransportNote:
    """The transport a family pays itself when the placed school is farther than the catchment
    school: free school transport goes only as far as the catchment school would give it."""

    school: School
    catchment_school: School | None
    distance_km: Decimal
    catchment_distance_km: Decimal
    limit_km: Decimal
    grade: int

    @property
    def catchment_free(self) -> bool:
        """Would the catchment school give free transport (beyond the walking distance)?"""
        return self.catchment_distance_km > self.limit_km

    @property
    def placed_beyond(self) -> bool:
        return self.distance_km > self.limit_km

    @property
    def family_pays(self) -> bool:
        """Does the family pay for transport the catchment school would not have needed?"""
        return self.placed_beyond

    def text(self) -> str:
        values = {
            "school": self.school.name,
            "km": number_format(self.distance_km, 1),
            "catchment": self.catchment_school.name if self.catchment_school else _("the catchment school"),
            "catchment_km": number_format(self.catchment_distance_km, 1),
            "limit": number_format(self.limit_km, 0),
        }
        first = (
            _(
                "%(school)s is %(km)s km from your address in a straight line; your catchment school, "
                "%(catchment)s, is %(catchment_km)s km away."
            )
            % values
        )
        if self.catchment_free:
            rest = (
                _(
                    "Free school transport follows the distance to the catchment school (more than "
                    "%(limit)s km): the municipality pays what transport to %(catchment)s would cost, "
                    "and your family pays the extra for the longer way to %(school)s."
                )
                % values
            )
        elif self.placed_beyond:
            rest = (
                _(
                    "The catchment school is within the walking distance of the Education Act "
                    "(%(limit)s km), so there is no free school transport: your family pays the transport "
                    "to %(school)s."
                )
                % values
            )
        else:
            rest = (
                _(
                    "Both schools are within the walking distance of the Education Act (%(limit)s km): "
                    "there is no free school transport to either."
                )
                % values
            )
        after = ""
        if self.grade == 1:
            after = " " + _("From the 2nd grade the walking distance is 4 km.")
        return f"{first} {rest}{after} " + _(
            "A pupil with a disability or a particularly dangerous or difficult way to school has a right to "
            "free transport whatever the distance: ask the school office."
        )


def limit_km(grade: int) -> Decimal:
    return FIRST_GRADE_LIMIT_KM if grade == 1 else OTHER_GRADES_LIMIT_KM


def transport(placement: Placement, round_: Round) -> TransportNote | None:
    """The note for a placement at a school other than the catchment school and farther away than it
    (None otherwise, or where the run stored no distances)."""
    application = placement.application
    if (
        placement.school_id is None
        or placement.school_id == application.catchment_school_id
        or placement.distance_km is None
        or placement.catchment_distance_km is None
        or placement.distance_km <= placement.catchment_distance_km
    ):
        return None
    return TransportNote(
        school=placement.school,
        catchment_school=application.catchment_school,
        distance_km=placement.distance_km,
        catchment_distance_km=placement.catchment_distance_km,
        limit_km=limit_km(round_.grade),
        grade=round_.grade,
    )
