"""School choice for everyone (no sign-in): the rules in plain words and why listing your true
preferences in order is safe, the rounds with their lottery seed's hash (the seed itself and how to
check it once the placements are published), the schools with their own presentation (egenomtale),
and each school's last seat in the main allocation of a published round.

Nothing here names a pupil, and a special-needs priority is never named: where a school's last seat
went to that group, the page says the seats went to pupils with priority by an individual decision.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from servicetorg.core.portal import portal_municipality

from .models import AllocationRun, Cutoff, Priority, Round, RoundState, RunKind, School, TieBreak

#: Rounds families see: every round once it opens (the seed's hash is published when it closes,
#: before the run, so closed and allocated rounds are shown too).
VISIBLE = [
    RoundState.OPEN,
    RoundState.CLOSED,
    RoundState.ALLOCATED,
    RoundState.PUBLISHED,
    RoundState.FINISHED,
]
#: Rounds whose results (cutoffs, the seed) are public.
PUBLISHED = [RoundState.PUBLISHED, RoundState.FINISHED]


def _municipality(request):
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404
    return municipality


def visible_rounds(municipality):
    return Round.objects.filter(municipality=municipality, state__in=VISIBLE).order_by(
        "-school_year", "grade", "name"
    )


def public_cutoffs(round_: Round) -> list[dict]:
    """The main allocation's last seat at each school, as families may see it (no special needs)."""
    if round_.state not in PUBLISHED:
        return []
    run = AllocationRun.objects.filter(round=round_, kind=RunKind.MAIN).order_by("-pk").first()
    if run is None:
        return []
    groups = [*round_.priorities, Priority.OTHER]
    rows = []
    for cutoff in Cutoff.objects.filter(run=run).select_related("school").order_by("school__name"):
        code = (
            groups[cutoff.last_group]
            if cutoff.last_group is not None and cutoff.last_group < len(groups)
            else None
        )
        special = code == Priority.SPECIAL_NEEDS
        rows.append(
            {
                "school": cutoff.school,
                "seats": cutoff.seats,
                "placed": cutoff.placed,
                "first_wishes": cutoff.first_wishes,
                "full": cutoff.full,
                "special": special,
                "group": "" if special or code is None else str(Priority(code).label),
                "lottery": None if special else cutoff.last_lottery,
            }
        )
    return rows


def round_context(round_: Round) -> dict:
    """What ``_round.html`` shows of a round: rules, seats, and (published) the last seats."""
    return {
        "round": round_,
        "seats": list(round_.schools.select_related("school").order_by("school__name")),
        "priorities": [str(Priority(p).label) for p in round_.priorities],
        "per_school": round_.tie_break == TieBreak.PER_SCHOOL,
        "published": round_.state in PUBLISHED,
        "cutoffs": public_cutoffs(round_),
    }


def home(request):
    municipality = _municipality(request)
    rounds = list(visible_rounds(municipality))
    schools = School.objects.filter(municipality=municipality, active=True).order_by("name")
    return render(
        request,
        "choice/schools/public/home.html",
        {
            "current": [round_context(r) for r in rounds if r.state != RoundState.FINISHED],
            "earlier": [r for r in rounds if r.state == RoundState.FINISHED],
            "schools": schools,
            "municipality": municipality,
        },
    )


def round_detail(request, pk):
    municipality = _municipality(request)
    round_ = get_object_or_404(visible_rounds(municipality), pk=pk)
    return render(request, "choice/schools/public/round.html", round_context(round_))


def school_detail(request, pk):
    municipality = _municipality(request)
    school = get_object_or_404(School, municipality=municipality, active=True, pk=pk)
    rounds = [
        {"round": rs.round, "seats": rs.seats}
        for rs in school.round_seats.filter(round__state__in=VISIBLE)
        .select_related("round")
        .order_by("-round__school_year")
    ]
    cutoffs = []
    for item in rounds:
        for row in public_cutoffs(item["round"]):
            if row["school"].pk == school.pk:
                cutoffs.append({"round": item["round"], **row})
    return render(
        request,
        "choice/schools/public/school.html",
        {"school": school, "rounds": rounds, "cutoffs": cutoffs},
    )
