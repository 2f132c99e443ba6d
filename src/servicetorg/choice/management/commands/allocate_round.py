"""``manage.py allocate_round <round id> [--what-if JSON]``: run a school round's allocation as the
system and print the certificate the run proved (stable, blocking pairs, wasted seats, placed by
wish, guaranteed, unplaced) and the cutoff per school. Exits with 1 when the result is not stable.

Without ``--what-if`` it is the main run (the round must be closed or allocated, not yet published).
With it, a what-if beside it that families never see, e.g.::

    manage.py allocate_round 12 --what-if '{"extra_seats": {"7": 25}}'
    manage.py allocate_round 12 --what-if '{"drop": ["sibling"]}'
    manage.py allocate_round 12 --what-if '{"tie_break": "per_school"}'
    manage.py allocate_round 12 --what-if '{"rule": "first_wish_first"}'
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from servicetorg.choice.schools import allocate, round_selectors
from servicetorg.choice.schools.models import Round, TieBreak
from servicetorg.core.permissions import SYSTEM


def parse_variant(text: str, round_: Round) -> dict:
    """The what-if's JSON, checked at the edge: known keys only, bounded values, the round's schools."""
    try:
        variant = json.loads(text)
    except ValueError as error:
        raise CommandError(f"--what-if is not JSON: {error}") from error
    if not isinstance(variant, dict) or not variant:
        raise CommandError("--what-if must be a JSON object with extra_seats, drop, tie_break or rule.")
    unknown = set(variant) - {"extra_seats", "drop", "tie_break", "rule"}
    if unknown:
        raise CommandError(f"--what-if: unknown keys {sorted(unknown)}")
    schools = set(round_.schools.values_list("school_id", flat=True))
    extra = variant.get("extra_seats", {})
    if not isinstance(extra, dict):
        raise CommandError("extra_seats must map a school id to a number of seats.")
    for school_id, seats in extra.items():
        if not str(school_id).isdigit() or int(school_id) not in schools:
            raise CommandError(f"extra_seats: school {school_id} is not in the round.")
        if isinstance(seats, bool) or not isinstance(seats, int) or not 0 < seats <= 2000:
            raise CommandError(f"extra_seats: {seats!r} is not a number of seats (1–2000).")
    drop = variant.get("drop", [])
    if not isinstance(drop, list) or any(code not in round_.priorities for code in drop):
        raise CommandError(f"drop: choose among the round's priority groups {round_.priorities}.")
    if "tie_break" in variant and variant["tie_break"] not in TieBreak.values:
        raise CommandError(f"tie_break: one of {TieBreak.values}.")
    if "rule" in variant and variant["rule"] != allocate.FIRST_WISH_FIRST:
        raise CommandError(f"rule: only {allocate.FIRST_WISH_FIRST!r}.")
    return variant  # JSON's keys are strings already, as build_instance reads them


def _yes(value) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


class Command(BaseCommand):
    help = (
        "Run a school round's allocation (as the system) and print its certificate and cutoffs; "
        "exits with 1 if the result is not stable."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="the round's id")
        parser.add_argument("--what-if", dest="what_if", default="", help="a what-if's changes as JSON")
        parser.add_argument("--label", default="", help="the what-if's label (default: the JSON)")

    def handle(self, *args, round, what_if, label, **options):
        round_ = Round.objects.select_related("municipality").filter(pk=round).first()
        if round_ is None:
            raise CommandError(f"No round {round}.")
        try:
            if what_if:
                variant = parse_variant(what_if, round_)
                run = allocate.run_what_if(
                    round_, user=SYSTEM, variant=variant, label=label or f"What-if {json.dumps(variant)}"
                )
            else:
                run = allocate.run_main(round_, user=SYSTEM)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.print_certificate(round_, run)
        if not run.certificate.get("stable"):
            raise CommandError("The result is NOT stable (see the certificate above).", returncode=1)

    def print_certificate(self, round_: Round, run) -> None:
        c = run.certificate
        out = self.stdout.write
        name = run.label or run.get_kind_display()
        out(f"Round {round_.pk} «{round_.name}» ({round_.municipality.name}): {name}, run {run.pk}")
        out(f"Applicants: {c.get('applicants', 0)}   seats: {c.get('seats', 0)}")
        out(
            f"Stable: {_yes(c.get('stable'))}   blocking pairs: {c.get('blocking_pairs')}   "
            f"wasted seats: {c.get('wasted_seats')}"
        )
        counts = round_selectors.by_wish(c, round_.wishes)
        out("Placed by wish: " + ", ".join(f"{rank}: {n}" for rank, n in enumerate(counts, start=1)))
        out(f"Guaranteed (catchment school below the wishes): {c.get('guaranteed', 0)}")
        out(f"Unplaced: {c.get('unplaced', 0)}")
        out(f"Guarantee holds: {_yes(c.get('guarantee_feasible'))}")
        out(f"Rule: {c.get('rule')}   engine: {c.get('engine_ms', run.milliseconds)} ms")
        out(f"Seed SHA-256: {run.seed_hash}")
        out(f"Input SHA-256: {run.input_hash}")
        rows = round_selectors.cutoffs(run)
        width = max([len(row.school.name) for row in rows] + [6])
        out("Cutoffs:")
        out(f"  {'School':<{width}}  {'seats':>6}  {'placed':>6}  {'1st':>6}  full  last seat")
        for row in rows:
            if not row.full:
                last = "-"
            elif row.by_decision:
                last = "filled by priority by individual decision"
            elif row.group:
                last = f"{row.group}, lottery {row.lottery}" if row.lottery is not None else row.group
            else:
                last = "pupils keeping their seats"
            out(
                f"  {row.school.name:<{width}}  {row.seats:>6}  {row.placed:>6}  {row.first_wishes:>6}  "
                f"{'yes ' if row.full else 'no  '}  {last}"
            )
