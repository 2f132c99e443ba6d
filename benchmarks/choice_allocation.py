"""The school-choice engine (servicetorg.choice.allocation) on shared/bench's synthetic instances.

Builds the three instances of shared/bench/README.md with ``make_instance(n, m, 5, 2004)`` from
shared/bench/school_instances.py (found through ``SHARED_BENCH``, by default ``<repo>/../shared/bench``;
the file is not copied into the repository):

    (a) 1 000 applicants × 30 schools, (b) 10 000 × 100, (c) 100 000 × 300, 5 wishes each

and prints, per instance, the median (and best) of ``--runs`` runs of:

* the engine: ``deferred_acceptance`` (applicant-proposing deferred acceptance);
* the check: ``certify`` (feasible, blocking pairs, wasted seats, placed by wish rank);
* the explanations for every applicant: ``last_admitted`` and, for each wish above her placement, her
  key against that school's last seat (vectorised: one array for everyone);
* a what-if re-run: one more class (25 seats) at the most oversubscribed school, deferred acceptance
  again and what it changes;
* the Boston rule (``first_wish_first``), shown beside deferred acceptance in the what-if;

with the certificate, and on (b) the ``matching`` library's HospitalResident (create + solve, one run:
seconds) beside the engine, its result compared and the speed-up factor. No database: the whole command
(database read, allocate, check, write) is measured elsewhere; ``engine_figures`` is the hook it calls
with the arrays it read.

Targets (issue 22) on (c): engine ≤ 0.1 s, check ≤ 0.05 s, explanations ≤ 0.5 s, a what-if re-run
< 1 s (medians on the shared two-core machine); the library ≥ 1000 × slower on (b).

Run: .venv/bin/python benchmarks/choice_allocation.py [--runs 7] [--sizes a,b,c] [--no-library]
"""

import argparse
import importlib.util
import os
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from servicetorg.choice import allocation  # noqa: E402

SIZES = {"a": (1_000, 30), "b": (10_000, 100), "c": (100_000, 300)}
WISHES = 5
SEED = 2004
ONE_CLASS = 25
TARGETS = {"engine": 0.1, "check": 0.05, "explanations": 0.5, "what-if": 1.0}  # seconds, on (c)
LIBRARY_SPEED_UP = 1000  # on (b)


def shared_bench() -> Path:
    return Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench"))


def instance(size: str) -> dict[str, np.ndarray]:
    """``make_instance`` of shared/bench/school_instances.py for size a, b or c (k = 5, seed 2004)."""
    path = shared_bench() / "school_instances.py"
    if not path.exists():
        sys.exit(f"{path} not found: set SHARED_BENCH to the folder holding school_instances.py")
    spec = importlib.util.spec_from_file_location("school_instances", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    n, m = SIZES[size]
    return module.make_instance(n, m, WISHES, SEED)


def explanations(prefs, key, cap, assignment) -> np.ndarray:
    """For every applicant and wish: the key of the last seat given at that school where the wish is
    above her placement (she was turned away: her key is above it), else ``KEY_MIN``. The school's
    last seat is ``last_admitted``; a wish above her placement at a school with a free seat would be a
    wasted seat, and a key below the last seat a blocking pair: neither may occur."""
    last = allocation.last_admitted(prefs, key, cap, assignment)
    n, k = prefs.shape
    at = prefs == np.where(assignment >= 0, assignment, allocation.UNPLACED - 1)[:, None]
    placed_at = np.where(at.any(axis=1), at.argmax(axis=1), k)
    above = (np.arange(k)[None, :] < placed_at[:, None]) & (prefs >= 0)
    last_seat = np.where(above, last[np.maximum(prefs, 0)], allocation.KEY_MIN)
    if (above & (key <= last_seat)).any():
        raise AssertionError("an explanation contradicts the result: a key not above the last seat")
    return last_seat


def most_oversubscribed(prefs, cap) -> int:
    """The school with the most first wishes beyond its seats."""
    return int((np.bincount(prefs[:, 0][prefs[:, 0] >= 0], minlength=cap.shape[0]) - cap).argmax())


def what_if(prefs, key, cap, school: int) -> np.ndarray:
    """Deferred acceptance again with one more class at ``school``."""
    more = cap.copy()
    more[school] += ONE_CLASS
    return allocation.deferred_acceptance(prefs, key, more)


def timed(function, runs: int) -> tuple[float, float, object]:
    """Median and best of ``runs`` runs (after one warm-up run), and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


def engine_figures(prefs, key, cap, *, runs: int = 7) -> dict[str, tuple[float, float]]:
    """The hook for whoever has the arrays (this script, or the measurement of the whole command
    reading them from the database): median and best seconds of the engine, the check, the
    explanations, a what-if re-run and the Boston rule, printed with the certificate and the what-if's
    effect. Returns ``{"engine": (median, best), …}``."""
    figures = {}
    figures["engine"] = timed(lambda: allocation.deferred_acceptance(prefs, key, cap), runs)
    assignment = figures["engine"][2]
    figures["check"] = timed(lambda: allocation.certify(prefs, key, cap, assignment), runs)
    certificate = figures["check"][2]
    figures["explanations"] = timed(lambda: explanations(prefs, key, cap, assignment), runs)
    school = most_oversubscribed(prefs, cap)
    figures["what-if"] = timed(lambda: what_if(prefs, key, cap, school), runs)
    figures["boston"] = timed(lambda: allocation.first_wish_first(prefs, key, cap), runs)
    for name, (median, best, _result) in figures.items():
        print(f"  {name:13s} median {median * 1000:8.1f} ms   best {best * 1000:8.1f} ms")
    ranks = ", ".join(f"{r + 1}: {count}" for r, count in enumerate(certificate.by_rank))
    print(
        f"  certificate: placed by wish {ranks}; unplaced {certificate.unplaced}; "
        f"blocking pairs {certificate.blocking_pairs}, wasted seats {certificate.wasted_seats}; "
        f"{'stable' if certificate.stable else 'NOT STABLE'}"
    )
    more = figures["what-if"][2]
    rank_before = _rank(prefs, assignment)
    rank_after = _rank(prefs, more)
    print(
        f"  what-if +{ONE_CLASS} seats at school {school}: {int((rank_after < rank_before).sum())} move up, "
        f"{int((rank_after > rank_before).sum())} down, unplaced {int((more < 0).sum())}"
    )
    boston = allocation.certify(prefs, key, cap, figures["boston"][2])
    print(
        f"  Boston: first wish {boston.by_rank[0]} (deferred acceptance {certificate.by_rank[0]}), "
        f"blocking pairs {boston.blocking_pairs}"
    )
    return {name: (median, best) for name, (median, best, _result) in figures.items()}


def _rank(prefs, assignment) -> np.ndarray:
    at = prefs == np.where(assignment >= 0, assignment, allocation.UNPLACED - 1)[:, None]
    return np.where(at.any(axis=1), at.argmax(axis=1), prefs.shape[1])


def library_run(prefs, key, cap) -> tuple[float, np.ndarray]:
    """The ``matching`` library's resident-optimal HospitalResident: seconds for create + solve (the
    dictionaries it is given are built first, outside the timing) and its assignment."""
    from matching.games import HospitalResident

    n, k = prefs.shape
    residents = {i: [int(s) for s in prefs[i] if s >= 0 and cap[s] > 0] for i in range(n)}
    residents = {i: wishes for i, wishes in residents.items() if wishes}  # it fails on an empty list
    rows, columns = np.nonzero((prefs >= 0) & (cap[np.maximum(prefs, 0)] > 0))
    order = np.lexsort((key[rows, columns], prefs[rows, columns]))
    hospitals = {int(s): [] for s in np.nonzero(cap > 0)[0]}
    for row, column in zip(rows[order].tolist(), columns[order].tolist(), strict=True):
        hospitals[int(prefs[row, column])].append(row)
    capacities = {s: int(cap[s]) for s in hospitals}
    outcome = {}

    def run() -> None:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
            outcome["matched"] = game.solve(optimal="resident")
        outcome["elapsed"] = time.perf_counter() - started

    # It deep-copies its players one reference at a time: recursion far beyond Python's default limit,
    # so it runs in a thread with a large stack.
    limit, stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(limit, 50 * n))
    threading.stack_size(1024 * 1024 * 1024)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(stack)
        sys.setrecursionlimit(limit)
    if "elapsed" not in outcome:
        sys.exit("the matching library failed (see above)")
    elapsed, matched = outcome["elapsed"], outcome["matched"]
    assignment = np.full(n, allocation.UNPLACED, dtype=np.int64)
    for hospital, residents_there in matched.items():
        for resident in residents_there:
            assignment[resident.name] = hospital.name
    return elapsed, assignment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="a,b,c")
    parser.add_argument("--no-library", action="store_true", help="skip the matching library on (b)")
    args = parser.parse_args()
    print(f"instances: {shared_bench() / 'school_instances.py'}, k = {WISHES}, seed {SEED}")
    verdicts = []
    for size in args.sizes.split(","):
        n, m = SIZES[size]
        started = time.perf_counter()
        data = instance(size)
        prefs, key, cap = data["prefs"], data["key"], data["cap"]
        made = time.perf_counter() - started
        print(f"({size}) {n} applicants × {m} schools, {WISHES} wishes (made in {made:.1f} s)")
        figures = engine_figures(prefs, key, cap, runs=args.runs)
        if size == "c":
            for name, target in TARGETS.items():
                verdict = "OK" if figures[name][0] <= target else "TOO SLOW"
                verdicts.append(verdict)
                print(f"  target {name} ≤ {target * 1000:.0f} ms: {verdict}")
        if size == "b" and not args.no_library:
            elapsed, theirs = library_run(prefs, key, cap)
            ours = allocation.deferred_acceptance(prefs, key, cap)
            same = "the same assignment" if (theirs == ours).all() else "A DIFFERENT ASSIGNMENT"
            factor = elapsed / figures["engine"][0]
            verdict = "OK" if factor >= LIBRARY_SPEED_UP else "TOO SLOW"
            verdicts.append(verdict)
            print(
                f"  matching library (create + solve, one run): {elapsed:.2f} s, {same}; "
                f"engine median {figures['engine'][0] * 1000:.1f} ms: {factor:,.0f} × faster "
                f"(target ≥ {LIBRARY_SPEED_UP} ×): {verdict}"
            )
    if "TOO SLOW" in verdicts:
        sys.exit(1)


if __name__ == "__main__":
    main()
