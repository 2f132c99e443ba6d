"""A ranking run over 357 municipalities × 150 indicators with its rank intervals (benchmarking.ranking).

Builds (once per database) the register (``load_municipality_registry``: 357 current municipalities),
150 national KOSTRA indicators in 11 sectors (a third lower-is-better, 10 neutral context figures left
out by the method) and one year of synthetic official values (about 6 % missing with SSB's ``..``),
then times ``services.run`` — read the inputs, grade, weigh, 500 seeded weight draws for the
intervals, lifting/lowering, store the run and its 357 results — and ``services.verify`` (recompute
from the frozen inputs and compare the SHA-256 of the results).

Target (issue 23): the run < 5 s. Run on PostgreSQL:
    .venv/bin/python benchmarks/benchmarking_ranking.py [--runs 3] [--sqlite]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402

INDICATORS = 150
NEUTRAL = 10
YEAR = 2024
SEED = 2026
TARGET = 5.0


def build():
    import numpy as np
    from django.core.management import call_command
    from django.utils import timezone

    from servicetorg.benchmarking.models import OfficialValue, Region
    from servicetorg.core.models import Municipality
    from servicetorg.indicators.models import Direction, ImportRun, Indicator, Sector, Source

    if Region.objects.filter(kind="municipality", valid_to__isnull=True).count() < 357:
        call_command("load_municipality_registry", verbosity=0)
    municipality, _ = Municipality.objects.get_or_create(
        number="3999", defaults={"name": "Benchvik", "organization_number": "974575396"}
    )
    if Indicator.objects.filter(code__startswith="bench-rank-").count() == INDICATORS:
        return municipality
    sectors = [s for s in Sector.values if s != Sector.CONTEXT]
    indicators = []
    for j in range(INDICATORS):
        neutral = j < NEUTRAL
        indicators.append(
            Indicator.objects.create(
                municipality=None,
                code=f"bench-rank-{j:03d}",
                name=f"Indikator {j}",
                unit_of_measure="%",
                source=Source.KOSTRA,
                sector=Sector.CONTEXT if neutral else sectors[j % len(sectors)],
                direction=Direction.NEUTRAL
                if neutral
                else (Direction.LOWER_IS_BETTER if j % 3 == 0 else Direction.HIGHER_IS_BETTER),
            )
        )
    codes = list(
        Region.objects.filter(kind="municipality", valid_to__isnull=True, fictional=False).values_list(
            "code", flat=True
        )
    )
    rng = np.random.default_rng(SEED)
    run = ImportRun.objects.create(kind=ImportRun.Kind.DEMO, file_name="benchmark")
    now = timezone.now()
    rows = []
    for indicator in indicators:
        centre, spread = rng.uniform(10, 100), rng.uniform(1, 20)
        values = rng.normal(centre, spread, size=len(codes))
        missing = rng.random(len(codes)) < 0.06
        for code, value, gap in zip(codes, values, missing, strict=True):
            rows.append(
                OfficialValue(
                    indicator=indicator,
                    region_code=code,
                    year=YEAR,
                    value=None if gap else round(float(value), 2),
                    symbol=".." if gap else "",
                    run=run,
                    changed_at=now,
                )
            )
    OfficialValue.objects.bulk_create(rows, batch_size=5000)
    return municipality


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    setup("bench_ranking", sqlite=args.sqlite)

    from django.db import connection

    from servicetorg.benchmarking.ranking import services
    from servicetorg.benchmarking.ranking.models import RankingMethod
    from servicetorg.core.permissions import SYSTEM

    started = time.perf_counter()
    municipality = build()
    print(f"data ready in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    weights = {f"bench-rank-{j:03d}": 1 + j % 3 for j in range(NEUTRAL, INDICATORS)}
    indicators = {code: w for code, w in weights.items()}
    method, _ = RankingMethod.objects.get_or_create(
        municipality=municipality,
        name="Benchmark",
        defaults={"indicator_weights": indicators, "sector_weights": {}},
    )
    method.indicator_weights = indicators
    method.sector_weights = {s: 1 + k % 2 for k, s in enumerate(sorted(services.default_weights()[1]))}
    method.save()
    timings, verify_timings = [], []
    ranking = None
    for n in range(args.runs):
        t0 = time.perf_counter()
        ranking = services.run(method, user=SYSTEM)
        timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check = services.verify(ranking)
        verify_timings.append(time.perf_counter() - t0)
        print(
            f"run {n + 1}: {timings[-1]:.2f} s (regions {ranking.regions}, ranked {ranking.ranked}, "
            f"indicators {len(ranking.indicator_stats)}, draws {ranking.draws}); "
            f"verify {verify_timings[-1]:.2f} s identical={check.identical} "
            f"data unchanged={check.data_unchanged}"
        )
    median = statistics.median(timings)
    print(
        f"ranking run, 357 municipalities × {INDICATORS} indicators ({INDICATORS - NEUTRAL} graded) with "
        f"{ranking.draws} weight draws: median {median:.2f} s, best {min(timings):.2f} s "
        f"(target < {TARGET:.0f} s: {'OK' if median < TARGET else 'MISSED'}); verify median "
        f"{statistics.median(verify_timings):.2f} s"
    )


if __name__ == "__main__":
    main()
