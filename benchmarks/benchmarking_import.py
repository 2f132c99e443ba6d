"""Import of official statistics (servicetorg.benchmarking.imports) on an 800 000-cell JSON-stat 2
dataset: SSB's largest answer to one request.

The dataset: the KOSTRA catalogue's indicators of table 12362 (43 content codes) × 465 region codes
(every municipality code of the register 2017–2024, the counties and the country) × 40 years, about
800 000 cells with about 2 % symbols, written to a file and imported as a staff upload would be
(bytes in, one transaction). Prints the time and the peak memory of the process (max RSS) for

* the first import (every value created),
* a re-import of the same file (every value unchanged: nothing written but the counts),
* a re-import with 5 % of the values changed (history kept for those).

Targets (issue 23): < 60 s and < 1 GiB on PostgreSQL.

Run: .venv/bin/python benchmarks/benchmarking_import.py [--sqlite] [--cells 800000]
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup  # noqa: E402

TARGET_SECONDS = 60
TARGET_BYTES = 1024**3


def dataset(regions, contents, years, change: float = 0.0) -> dict:
    values, status = [], {}
    index = 0
    for r, _region in enumerate(regions):
        for c, _content in enumerate(contents):
            for y, _year in enumerate(years):
                h = (r * 7919 + c * 104729 + y * 1299709) % 1000
                if h < 20:
                    values.append(None)
                    status[str(index)] = ".." if h < 10 else ":"
                else:
                    bump = 1.0 if change and (h % 100) < change * 100 else 0.0
                    values.append(round(10 + (h * 0.37 + r + c) % 90, 1) + bump)
                index += 1
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "12362: benchmark",
        "updated": "2025-06-15T06:00:00Z",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(regions), len(contents), len(years)],
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {code: i for i, code in enumerate(regions)}}},
            "ContentsCode": {"category": {"index": {code: i for i, code in enumerate(contents)}}},
            "Tid": {"category": {"index": {str(year): i for i, year in enumerate(years)}}},
        },
        "extension": {"px": {"tableid": "12362"}},
        "status": status,
        "value": values,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--cells", type=int, default=800_000)
    args = parser.parse_args()
    setup("bench_benchmarking_import", sqlite=args.sqlite)
    from django.db import connection

    from servicetorg.benchmarking.catalogue import load_catalogue
    from servicetorg.benchmarking.models import OfficialValue, OfficialValueHistory
    from servicetorg.benchmarking.registry import load_registry
    from servicetorg.core.permissions import SYSTEM
    from servicetorg.indicators.models import ImportRun, Indicator

    load_registry()
    load_catalogue()
    OfficialValueHistory.objects.all().delete()
    OfficialValue.objects.all().delete()
    ImportRun.objects.filter(official_values__isnull=True).delete()
    from servicetorg.benchmarking.imports import import_jsonstat
    from servicetorg.benchmarking.models import Region

    contents = list(
        Indicator.objects.filter(municipality__isnull=True, kostra_table="12362").values_list(
            "kostra_code", flat=True
        )
    )
    regions = list(Region.objects.values_list("code", flat=True))
    years_needed = max(1, -(-args.cells // (len(contents) * len(regions))))  # at least --cells
    years = list(range(2024 - years_needed + 1, 2025))
    print(
        f"{connection.vendor}: {len(regions)} regions × {len(contents)} content codes × {len(years)} years "
        f"= {len(regions) * len(contents) * len(years):,} cells"
    )
    path = ROOT / "var" / "bench_12362.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(dataset(regions, contents, years)))
    changed = ROOT / "var" / "bench_12362_changed.json"
    changed.write_text(json.dumps(dataset(regions, contents, years, change=0.05)))
    print(f"file: {path.stat().st_size / 1024**2:.1f} MiB")
    ok = True
    for label, file in (
        ("first import", path),
        ("re-import, unchanged", path),
        ("re-import, 5 % changed", changed),
    ):
        data = file.read_bytes()
        started = time.perf_counter()
        result = import_jsonstat(data, user=SYSTEM, file_name=file.name)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        within = seconds < TARGET_SECONDS and peak < TARGET_BYTES
        ok = ok and within
        print(
            f"{label:24} {seconds:6.1f} s (target < {TARGET_SECONDS} s), peak RSS {peak / 1024**2:6.0f} MiB "
            f"(target < 1024 MiB): created {result.created:,}, updated {result.updated:,}, "
            f"unchanged {result.unchanged:,}, skipped {result.skipped:,} {'OK' if within else 'OVER'}"
        )
        del data
    print(f"history rows: {OfficialValueHistory.objects.count():,}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
