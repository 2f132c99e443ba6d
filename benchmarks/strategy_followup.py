"""Follow-up report for a municipality with 20 goals and 4 years of values: HTML + PDF.

Target (module 4): HTML + PDF together < 5 s. Prints the timings of each step, the query count and
the PDF size. Run: .venv/bin/python benchmarks/strategy_followup.py [--sqlite] [--runs 3]
"""

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402

GOALS = 20
FOCUS_AREAS = 5
START = 2024


def build(municipality_number: str):
    from servicetorg.core.models import Municipality
    from servicetorg.indicators import services as indicator_services
    from servicetorg.indicators.models import Direction, Indicator, Source
    from servicetorg.strategy import services, workflow
    from servicetorg.strategy.models import FollowUpReport, MeasureStatus, Strategy

    municipality, _ = Municipality.objects.get_or_create(
        number=municipality_number, defaults={"name": "Benchvik", "organization_number": "974575396"}
    )
    existing = Strategy.objects.filter(municipality=municipality, period__start_year=START).first()
    if existing is not None:
        return FollowUpReport.objects.get(strategy__municipality=municipality)
    strategy = services.create_strategy(
        municipality=municipality, start_year=START, title="Servicestrategi 2024–2027"
    )
    for a in range(FOCUS_AREAS):
        area = services.add_focus_area(
            strategy, title=f"Innsatsområde {a + 1}", description="Beskrivelse " * 10
        )
        for g in range(GOALS // FOCUS_AREAS):
            n = a * (GOALS // FOCUS_AREAS) + g
            higher = n % 2 == 0
            indicator = Indicator.objects.create(
                municipality=municipality,
                code=f"bench-{n}",
                name=f"Indikator {n}",
                unit_of_measure="%",
                direction=Direction.HIGHER_IS_BETTER if higher else Direction.LOWER_IS_BETTER,
            )
            goal = services.add_goal(area, title=f"Mål {n + 1}: bedre tjenester på område {a + 1}")
            targets = {START + y: (60 + 5 * y) if higher else (40 - 3 * y) for y in range(4)}
            services.add_goal_indicator(goal, indicator=indicator, baseline_year=START - 1, targets=targets)
            for y in range(-1, 4):
                base = 55 + 5 * y + (n % 5) - 2 if higher else 42 - 3 * y + (n % 5) - 2
                indicator_services.record_value(
                    indicator=indicator,
                    municipality=municipality,
                    year=START + y,
                    value=Decimal(base),
                    source=Source.OWN,
                )
            measure = services.add_measure(area, title=f"Tiltak {n + 1}", due_date=date(START + 1, 6, 1))
            if n % 3 == 0:
                services.record_measure_progress(measure, status=MeasureStatus.DONE)
    strategy = services.transition(strategy, workflow.START_CONSULTATION)
    strategy = services.transition(
        strategy, workflow.ADOPT, adopted_on=date(START, 6, 1), case_reference="PS 1/24"
    )
    strategy = services.transition(strategy, workflow.PUBLISH)
    report = services.create_report(strategy, as_of_year=START + 3)
    services.update_report(report, summary="Sammendrag " * 40, changes="Endringer " * 20)
    return report


def label(run: int) -> str:
    return "cold run (first in this process)" if run == 0 else f"run {run}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup("bench_strategy", sqlite=args.sqlite)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from servicetorg.strategy.reports import render_report_document, render_report_pdf, report_context

    started = time.perf_counter()
    report = build("3990")
    print(f"set-up (20 goals, 4 years of values + baseline): {time.perf_counter() - started:.2f} s")
    translation.activate("nb")
    totals = []
    for run in range(0, args.runs + 1):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            context = report_context(report)
        t1 = time.perf_counter()
        html = render_report_document(report, context=context)
        t2 = time.perf_counter()
        pdf = render_report_pdf(report, context=context)
        t3 = time.perf_counter()
        if run:
            totals.append(t3 - t0)
        print(
            f"{label(run)}: figures + 20 charts {t1 - t0:.2f} s ({len(queries)} queries), "
            f"HTML {t2 - t1:.2f} s ({len(html) // 1024} KiB), PDF {t3 - t2:.2f} s ({len(pdf) // 1024} KiB), "
            f"total {t3 - t0:.2f} s"
        )
    best, worst = min(totals), max(totals)
    verdict = "OK" if worst < 5 else "TOO SLOW"
    print(f"HTML + PDF of the follow-up report, warm: best {best:.2f} s, worst {worst:.2f} s")
    print(f"target < 5 s: {verdict}")
    if worst >= 5:
        sys.exit(1)


if __name__ == "__main__":
    main()
