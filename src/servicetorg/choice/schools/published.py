"""What everyone may read of a round once its placements are published: the cutoff of each school
(Oslo publishes one per school), for the API (``api_rounds.py``) and open data (``open_data.py``).

The published cutoffs are those of the run the families were shown: the round's last main run (a
round is published after its main run, and no main run follows it). Waiting-list re-runs come later
and move single seats; they are not the published result.

Never named: a special-needs priority. Where a school's last seat went to that group, neither the
group nor the lottery number is given — only that the school filled (``explain.py`` says the same to
families in words).
"""

from __future__ import annotations

from dataclasses import dataclass

from .explain import groups_of
from .models import AllocationRun, Cutoff, Priority, Round, RoundState, RunKind

#: Rounds whose cutoffs are public.
PUBLIC_STATES = (RoundState.PUBLISHED, RoundState.FINISHED)


@dataclass(frozen=True)
class PublicCutoff:
    round_id: int
    round_name: str
    school_year: int
    grade: int
    run_id: int
    school_id: int
    school_name: str
    seats: int
    placed: int
    first_wishes: int
    full: bool
    #: The priority group of the school's last seat (a :class:`Priority` code), None where the school
    #: did not fill, its last seat is not to be named (special needs), or it has none.
    last_group: str | None
    last_lottery: int | None

    @property
    def last_group_label(self) -> str:
        return str(Priority(self.last_group).label) if self.last_group else ""


def published_runs(rounds) -> dict[int, AllocationRun]:
    """The published run of each of ``rounds`` (published or finished): its last main run. One query."""
    runs = (
        AllocationRun.objects.filter(round__in=rounds, kind=RunKind.MAIN)
        .select_related("round")
        .order_by("round_id", "-pk")
    )
    out: dict[int, AllocationRun] = {}
    for run in runs:
        out.setdefault(run.round_id, run)
    return out


def public_cutoffs(rounds) -> list[PublicCutoff]:
    """The published cutoffs of ``rounds`` (a queryset; rounds not published are left out), by round
    then school name. Two queries."""
    runs = published_runs(rounds.filter(state__in=PUBLIC_STATES))
    if not runs:
        return []
    by_run = {run.pk: run for run in runs.values()}
    groups = {run.pk: groups_of(run.round, run) for run in runs.values()}
    cutoffs = (
        Cutoff.objects.filter(run_id__in=by_run)
        .select_related("school")
        .order_by("run__round__school_year", "run__round__grade", "run__round_id", "school__name", "pk")
    )
    out = []
    for cutoff in cutoffs:
        run = by_run[cutoff.run_id]
        round_: Round = run.round
        group = None
        lottery = None
        if cutoff.full and cutoff.last_group is not None and cutoff.last_group < len(groups[run.pk]):
            group = groups[run.pk][cutoff.last_group]
            lottery = cutoff.last_lottery
            if group == Priority.SPECIAL_NEEDS:
                group = lottery = None  # never named
        out.append(
            PublicCutoff(
                round_id=round_.pk,
                round_name=round_.name,
                school_year=round_.school_year,
                grade=round_.grade,
                run_id=run.pk,
                school_id=cutoff.school_id,
                school_name=cutoff.school.name,
                seats=cutoff.seats,
                placed=cutoff.placed,
                first_wishes=cutoff.first_wishes,
                full=cutoff.full,
                last_group=group,
                last_lottery=lottery,
            )
        )
    return out
