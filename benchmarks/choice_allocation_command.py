"""The whole allocation command on the database: ``allocate.run_main`` over a round of 100 000
applicants × 5 wishes × 300 schools.

The round is built from shared/bench/school_instances.py's instance (c), ``make_instance(100 000, 300,
5, 2004)`` (found through ``SHARED_BENCH``, by default ``<repo>/../shared/bench``): 300 schools with
the instance's seats, one address per school (each applicant lives at her nearest school's address,
which is her catchment school), 100 000 applications (synthetic fødselsnumre, encrypted as always) and
their 500 000 wishes, a sibling where the instance gives one. The round's priorities are sibling, then
catchment, then others — the instance's classes — with one lottery number per applicant from the
committed seed; without the guarantee (the instance's seats sum to exactly n). Inserted once with
bulk_create (minutes); a later run finds it.

Each run is ``allocate.run_main`` as the school office would start it (the round locked, its arrays
read in four queries, deferred acceptance, the certificate, 100 000 placements and 300 cutoffs
written, the run made current), timed as a whole and split by wrapping its parts: **read**
(``build_instance``), **engine** (``deferred_acceptance``), **check** (``certify``), **write**
(``_store``: the placements in one statement through ``choice/sql.py``, the cutoffs,
the run), **other** (the permission check, the round's lock and
save, the certificate's counts) and **commit** (the transaction's). The
previous run's placements are deleted before the next (untimed), so every run writes into the same
table size.

Target (issue 22): the whole command ≤ 3 s on PostgreSQL and on SQLite.

Run: .venv/bin/python benchmarks/choice_allocation_command.py [--sqlite] [--runs 3] [--n 100000]
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup  # noqa: E402

SCHOOLS = 300
WISHES = 5
SEED = 2004
TARGET = 3.0  # seconds, the whole command
MUNICIPALITY = ("3992", "Skolevik", "964965226")


def shared_bench() -> Path:
    return Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench"))


def make_instance(n: int, m: int):
    path = shared_bench() / "school_instances.py"
    if not path.exists():
        sys.exit(f"{path} not found: set SHARED_BENCH to the folder of school_instances.py")
    spec = importlib.util.spec_from_file_location("school_instances", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_instance(n, m, WISHES, SEED)


def synthetic_numbers(n: int) -> list[str]:
    """n distinct synthetic fødselsnumre (month + 80) of children born 2014–2020, in a fixed order."""
    from stdnum.no import fodselsnummer

    out = []
    for year in range(2020, 2013, -1):
        for day_of_year in range(365):
            born = date(year, 1, 1).toordinal() + day_of_year
            d = date.fromordinal(born)
            for individual in range(500, 1000):
                digits = f"{d:%d}{d.month + 80:02d}{d:%y}{individual:03d}"
                first = fodselsnummer.calc_check_digit1(digits)
                if len(first) != 1:
                    continue
                second = fodselsnummer.calc_check_digit2(digits + first)
                if len(second) != 1:
                    continue
                out.append(digits + first + second)
                if len(out) == n:
                    return out
    raise ValueError(n)


def build(n: int):
    """The round (closed, its seed committed), built once."""
    from django.db import transaction

    from servicetorg.choice.schools import lottery
    from servicetorg.choice.schools.models import (
        ApplicationSource,
        Priority,
        Round,
        RoundSchool,
        RoundState,
        School,
        SchoolAddress,
        SchoolApplication,
        Wish,
    )
    from servicetorg.core.models import Municipality

    number, name, orgnr = MUNICIPALITY
    municipality, _ = Municipality.objects.get_or_create(
        number=number, defaults={"name": name, "organization_number": orgnr}
    )
    round_name = f"Benchmark {n} × {WISHES} × {SCHOOLS}"
    existing = Round.objects.filter(municipality=municipality, name=round_name).first()
    if existing is not None and existing.applications.count() == n:
        return existing
    if existing is not None:
        sys.exit("the benchmark database holds a half-built round: use a fresh database")
    started = time.perf_counter()
    inst = make_instance(n, SCHOOLS)
    prefs, key, cap, nearest = inst["prefs"], inst["key"], inst["cap"], inst["nearest"]
    numbers = synthetic_numbers(n)
    with transaction.atomic():
        schools = School.objects.bulk_create(
            School(
                municipality=municipality,
                name=f"Skole {j + 1:03d}",
                latitude=Decimal(f"{59.0 + (j % 20) * 0.005:.6f}"),
                longitude=Decimal(f"{10.0 + (j // 20) * 0.008:.6f}"),
            )
            for j in range(SCHOOLS)
        )
        addresses = SchoolAddress.objects.bulk_create(
            SchoolAddress(
                municipality=municipality,
                address=f"Skoleveien {j + 1}",
                postcode="3990",
                latitude=s.latitude + Decimal("0.001000"),
                longitude=s.longitude + Decimal("0.001000"),
                primary_school=s,
            )
            for j, s in enumerate(schools)
        )
        seed = "benchmark-seed"
        round_ = Round.objects.create(
            municipality=municipality,
            name=round_name,
            school_year=2027,
            grade=1,
            opens_on=date(2027, 1, 1),
            closes_on=date(2027, 2, 1),
            wishes=WISHES,
            priorities=[Priority.SIBLING, Priority.CATCHMENT],
            guarantee=False,
            state=RoundState.CLOSED,
            seed=seed,
            seed_hash=lottery.seed_hash(seed),
        )
        RoundSchool.objects.bulk_create(
            RoundSchool(round=round_, school=s, seats=int(cap[j])) for j, s in enumerate(schools)
        )
        sibling = key // n == 0  # the instance's class 0: a sibling at that school
        chunk = 10_000
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            apps = SchoolApplication.objects.bulk_create(
                [
                    SchoolApplication(
                        round=round_,
                        national_id=numbers[i],
                        name=f"Elev {i}",
                        address=addresses[int(nearest[i])],
                        catchment_school=schools[int(nearest[i])],
                        source=ApplicationSource.IMPORT,
                    )
                    for i in range(lo, hi)
                ],
                batch_size=2000,
            )
            Wish.objects.bulk_create(
                [
                    Wish(
                        application=app,
                        rank=r + 1,
                        school=schools[int(prefs[i, r])],
                        sibling=bool(sibling[i, r]),
                    )
                    for app, i in zip(apps, range(lo, hi), strict=True)
                    for r in range(WISHES)
                ],
                batch_size=5000,
            )
            print(f"  {hi} applications", end="\r", flush=True)
    print(f"built the round in {time.perf_counter() - started:.0f} s{' ' * 20}")
    return round_


class Timer:
    """Wraps the parts of ``run_main`` and adds up their time per run."""

    def __init__(self):
        self.spent: dict[str, float] = {}

    def wrap(self, owner, attribute: str, part: str):
        inner = getattr(owner, attribute)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent[part] = self.spent.get(part, 0.0) + time.perf_counter() - started

        setattr(owner, attribute, timed)


def clear_runs(round_) -> None:
    from django.db import transaction

    from servicetorg.choice.schools.models import AllocationRun, Cutoff, Placement, RoundState

    with transaction.atomic():
        runs = AllocationRun.objects.filter(round=round_)
        Placement.objects.filter(run__in=runs).delete()
        Cutoff.objects.filter(run__in=runs).delete()
        runs.delete()
        type(round_).objects.filter(pk=round_.pk).update(state=RoundState.CLOSED)


def timed_runs(round_, timer: Timer, runs: int, n: int) -> tuple[list[dict[str, float]], object]:
    from django.db import transaction

    from servicetorg.choice.schools import allocate
    from servicetorg.choice.schools.models import Placement
    from servicetorg.core.permissions import SYSTEM

    rows: list[dict[str, float]] = []
    run = None
    for _ in range(runs):
        clear_runs(round_)
        timer.spent = {}
        started = time.perf_counter()
        with transaction.atomic():  # run_main's own transaction, so that its commit is timed apart
            run = allocate.run_main(round_, user=SYSTEM)
            inside = time.perf_counter() - started
        total = time.perf_counter() - started
        parts = dict(timer.spent)
        parts["other"] = inside - sum(parts.values())
        parts["commit"] = total - inside
        parts["total"] = total
        rows.append(parts)
        assert Placement.objects.filter(run=run).count() == n
    return rows, run


def report(title: str, rows: list[dict[str, float]]) -> None:
    print(title)
    for part in ("read", "engine", "check", "write", "other", "commit", "total"):
        values = [r.get(part, 0.0) for r in rows]
        print(f"  {part:<7} {statistics.median(values):7.3f} s  {min(values):7.3f} s")
    verdict = "met" if statistics.median(r["total"] for r in rows) <= TARGET else "NOT met"
    print(f"  target: the whole command ≤ {TARGET:.0f} s — {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    setup(f"bench_school_command_{args.n}", sqlite=args.sqlite)

    from django.db import connection

    from servicetorg.choice import allocation
    from servicetorg.choice.schools import allocate

    round_ = build(args.n)
    timer = Timer()
    timer.wrap(allocate, "build_instance", "read")
    timer.wrap(allocation, "deferred_acceptance", "engine")
    timer.wrap(allocation, "certify", "check")
    timer.wrap(allocate, "_store", "write")
    rows, run = timed_runs(round_, timer, args.runs, args.n)
    cert = run.certificate
    report(
        f"{connection.vendor}: {args.n} applicants × {WISHES} wishes × {SCHOOLS} schools, "
        f"{args.runs} runs of allocate.run_main (median, best)",
        rows,
    )
    print(
        f"  certificate: stable={cert['stable']} blocking_pairs={cert['blocking_pairs']} "
        f"wasted_seats={cert['wasted_seats']} by_wish={cert['by_wish']} unplaced={cert['unplaced']}"
    )


if __name__ == "__main__":
    main()
