# ruff: noqa: E501, S608
"""The comparison pages of benchmarking on a full register and a million official values
(PostgreSQL; values made with generate_series).

    .venv/bin/python benchmarks/benchmarking_compare.py [--values 1000000] [--rebuild]

``--rebuild`` drops the benchmark's database first (the data is made once and kept).

Loads the real register of municipalities (SSB classification 131: 357 municipalities today, every
code back to 2017 with the change table), a catalogue of 50 KOSTRA indicators (8 of them context
figures, some ratios and sums across mergers), and enough further national indicators that the
official values table holds ``--values`` rows: each indicator has a value for every code in force
each year 2015–2024 (so Larvik's 2022 figure is under 3805), 2 % of them SSB's ``..`` symbol.
Times, through Django's test client (view + template; median and p95):

* the indicator page: one indicator × 357 municipalities × 10 years (target < 200 ms);
* the compare page: 10 municipalities side by side over the catalogue (target < 200 ms);
* nearest neighbours («lignende kommuner») for one municipality on 8 context figures (target < 100 ms);
* the profile of one municipality against its county and against the whole country (no target).

"cpu ms" is this process's CPU time (Python's side, without the database server's): on a shared
machine under load the wall-clock figures grow with the load, the CPU time much less.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import percentile, setup  # noqa: E402

DATABASE = "bench_benchmarking_compare"
CATALOGUE = 50
CONTEXT = 8
YEARS = range(2015, 2025)
COMPARED = ["3909", "0301", "4601", "5001", "1108", "3107", "3301", "1804", "5501", "3201"]


def build(values: int) -> None:
    from django.db import connection, transaction

    from servicetorg.benchmarking.models import OfficialValue, Region, RegionKind
    from servicetorg.benchmarking.registry import load_registry
    from servicetorg.indicators.models import Direction, Indicator, MergeRule, Sector, Source

    load_registry()
    per_indicator = 0
    for year in YEARS:
        per_indicator += (
            Region.objects.filter(kind=RegionKind.MUNICIPALITY, fictional=False)
            .exclude(valid_from__year__gt=max(year, 2017))
            .exclude(valid_to__year__lt=year)
            .count()
        )
    total_indicators = max(CATALOGUE, -(-values // per_indicator))
    sectors = [s for s in Sector.values if s != Sector.CONTEXT]
    with transaction.atomic():
        made = []
        for n in range(total_indicators):
            context = n < CONTEXT
            made.append(
                Indicator(
                    code=f"bench-{n:03d}",
                    name=f"Benchmark indicator {n}",
                    unit_of_measure="%" if n % 3 else "kr",
                    direction=Direction.NEUTRAL
                    if context
                    else [Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.NEUTRAL][n % 3],
                    sector=Sector.CONTEXT if context else sectors[n % len(sectors)],
                    merge_rule=MergeRule.SUM if n % 5 == 0 else MergeRule.APART,
                    source=Source.KOSTRA if n < CATALOGUE else Source.OWN,
                )
            )
        Indicator.objects.bulk_create(made)
        with connection.cursor() as cur:
            # Every code in force each year (the register starts in 2017: earlier years use 2017's
            # codes), every indicator; 2 % of the values are SSB's ".." (no number; none of the
            # context figures, so that every municipality has its neighbours).
            cur.execute(
                f"""INSERT INTO {OfficialValue._meta.db_table}
                       (indicator_id, region_code, year, value, symbol, preliminary, changed_at)
                SELECT i.id, r.code, y.year,
                       CASE WHEN s.u < 0.02 AND i.sector <> 'context' THEN NULL
                            ELSE round((10 + (i.id %% 90) + s.u * 1000)::numeric, 1)::float END,
                       CASE WHEN s.u < 0.02 AND i.sector <> 'context' THEN '..' ELSE '' END,
                       FALSE, now()
                FROM indicators_indicator i
                CROSS JOIN generate_series(%s, %s) AS y(year)
                JOIN benchmarking_region r
                  ON r.kind = 'municipality' AND NOT r.fictional
                 AND (r.valid_from IS NULL OR extract(year FROM r.valid_from) <= greatest(y.year, 2017))
                 AND (r.valid_to IS NULL OR extract(year FROM r.valid_to) >= y.year)
                CROSS JOIN LATERAL (SELECT random() + 0 * i.id + 0 * y.year AS u) s
                WHERE i.code LIKE 'bench-%%'""",
                [YEARS.start, YEARS.stop - 1],
            )
            cur.execute(f"ANALYZE {OfficialValue._meta.db_table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and "DATABASE_URL" not in os.environ:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    setup(DATABASE)

    from django.db import connection
    from django.test import Client

    from servicetorg.benchmarking.compare import peers
    from servicetorg.benchmarking.models import OfficialValue
    from servicetorg.indicators.models import Indicator

    if not Indicator.objects.filter(code="bench-000").exists():
        t0 = time.perf_counter()
        build(args.values)
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    n_values = OfficialValue.objects.count()
    print(
        f"{connection.vendor}: {n_values} official values, {Indicator.objects.filter(code__startswith='bench-').count()} indicators"
    )

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    indicator_url = "/statistikk/indikatorer/bench-010/"
    compare_url = "/statistikk/sammenlign/?" + "&".join(f"k={c}" for c in COMPARED)

    def get(url):
        def fn():
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)

        return fn

    def neighbours():
        found = peers.similar("3909", 2024, k=10)
        assert len(found.neighbours) == 10

    checks = [
        ("indicator page (357 × 10 years)", get(indicator_url), 200),
        ("compare page (10 municipalities)", get(compare_url), 200),
        ("nearest neighbours (8 context figures)", neighbours, 100),
        ("similar API (10 neighbours)", get("/api/statistikk/kommuner/3909/lignende/"), None),
        ("profile, county peers", get("/statistikk/kommuner/3909/"), None),
        ("profile, whole country", get("/statistikk/kommuner/3909/?gruppe=country"), None),
    ]
    counts = {}
    for label, fn, _target in checks:
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            fn()
        counts[label] = len(executed)
    print(f"load average before timing: {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"{'what':42} {'median ms':>10} {'p95 ms':>10} {'cpu ms':>8} {'queries':>8} {'target':>8}")
    for label, fn, target in checks:
        fn()  # warm-up
        timings, cpu = [], []
        runs = args.runs if "profile" not in label else max(3, args.runs // 4)
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        median = statistics.median(timings)
        verdict = "" if target is None else ("ok" if median < target else "MISSED")
        print(
            f"{label:42} {median:10.1f} {percentile(timings, 95):10.1f} {statistics.median(cpu):8.1f} {counts[label]:8d} "
            f"{'< ' + str(target) if target else '–':>8} {verdict}"
        )


if __name__ == "__main__":
    main()
