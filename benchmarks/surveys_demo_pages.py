"""Every survey report page on the demo data, on the embedded default (SQLite) and on PostgreSQL.

    .venv/bin/python benchmarks/surveys_demo_pages.py --sqlite     # var/bench_surveys_demo.sqlite3
    .venv/bin/python benchmarks/surveys_demo_pages.py              # PostgreSQL bench_surveys_demo

Loads the demo municipality (``load_demo``, fixed seed) into its own database when it is not there,
then requests, through the real views (test client, staff session past MFA), each survey's results,
correlations, printable report (HTML), crosstab (first scale question by first background question)
and comparison pages; prints per page the median and maximum wall-clock ms over ``--runs`` and the
slowest survey. Target (issue 24 point 4): every page under 2 s on both databases with the demo.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    setup("bench_surveys_demo", sqlite=args.sqlite)
    from django.core.management import call_command
    from django.db import connection
    from surveys_results import staff_client

    from servicetorg.core.models import Municipality
    from servicetorg.surveys.models import Response, Survey

    if not Municipality.objects.filter(number="3999").exists():
        call_command("load_demo", this_is_a_demo_installation=True)  # its own database, production settings
    from django.contrib.auth import get_user_model

    client = staff_client(get_user_model().objects.get(username="admin"))
    pages = {"results": "resultater/", "correlations": "korrelasjoner/", "report": "rapport/"}
    pages |= {"compare": "sammenligning/", "crosstab": "krysstabell/"}
    worst: dict[str, tuple[float, float, str]] = {}
    for survey in Survey.objects.order_by("pk"):
        n = Response.objects.filter(survey=survey).count()
        scale = survey.questions.filter(kind__in=["likert", "number"]).order_by("position").first()
        background = survey.questions.exclude(background="").order_by("position").first()
        for name, path in pages.items():
            params = {}
            if name == "crosstab" and scale is not None and background is not None:
                params = {"question": scale.code, "by": background.code}
            url = f"/staff/undersokelser/{survey.pk}/{path}"
            first = client.get(url, params, secure=True)
            assert first.status_code == 200, (url, first.status_code)
            timings = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                client.get(url, params, secure=True)
                timings.append((time.perf_counter() - t0) * 1000)
            median, top = statistics.median(timings), max(timings)
            if name not in worst or top > worst[name][1]:
                worst[name] = (median, top, f"{survey.title[:40]} ({n} responses)")
    print(f"database: {connection.vendor}; {Survey.objects.count()} demo surveys, {args.runs} runs each")
    print(f"{'page':<14}{'median ms':>10}{'max ms':>9}  slowest survey")
    for name, (median, top, title) in worst.items():
        print(f"{name:<14}{median:>10.0f}{top:>9.0f}  {title}")


if __name__ == "__main__":
    main()
