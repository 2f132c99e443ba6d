"""The correlation page and the PDF report of a survey with 10 000 responses (PostgreSQL).

    .venv/bin/python benchmarks/surveys_reports.py [--responses 10000] [--runs 5] [--rebuild]

Builds the standard service-desk survey (12 Likert scales, a number, background questions, multiple
and single choice, free text: the survey of surveys_results.py) and fills it in SQL (generate_series)
with ``--responses`` responses. Then, through the real views (Django's test client, logged in as
staff), times each of

* the correlation page (/undersokelser/<pk>/korrelasjoner/: Pearson r, N and p for every pair of
  scale questions),
* the printable report as HTML (/rapport/: results with one chart per question),
* the report as PDF (/rapport/?format=pdf: WeasyPrint, tagged PDF/UA-1), laid out afresh (cache
  emptied before each run), and again for an unchanged survey (kept under a digest of its HTML),

``--runs`` times after a warm-up, and prints the median and the maximum wall-clock time, the median
CPU time of this process (the view, WeasyPrint; not PostgreSQL's: a steadier figure on a shared
machine), the number of SQL queries of one request and the size of the answer.
Target (issue 10): each under 2 s at 10 000 responses.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402
from surveys_results import create_survey, populate, staff_client  # noqa: E402

TITLE = "Benchmark: rapporter"


def main():
    responses = int(sys.argv[sys.argv.index("--responses") + 1]) if "--responses" in sys.argv else 10_000
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    setup("bench_surveys")
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.urls import reverse

    from servicetorg.core.models import Municipality
    from servicetorg.surveys.models import Answer, Survey

    municipality, _ = Municipality.objects.get_or_create(
        number="9301", defaults={"name": "Benchvik", "organization_number": "964338531"}
    )
    title = f"{TITLE} ({responses})"
    survey = Survey.objects.filter(municipality=municipality, title=title).first()
    if survey is not None and ("--rebuild" in sys.argv or survey.responses.count() != responses):
        Answer.objects.filter(survey=survey).delete()
        survey.delete()
        survey = None
    if survey is None:
        survey = create_survey(municipality, title)
        t0 = time.perf_counter()
        populate(connection, survey, responses=responses)
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    print(
        f"survey {survey.pk}: {survey.responses.count()} responses, "
        f"{Answer.objects.filter(survey=survey).count()} answers, {survey.questions.count()} questions"
    )

    user, _ = get_user_model().objects.get_or_create(
        username="bench-surveys", defaults={"is_superuser": True}
    )
    client = staff_client(user)
    pages = [
        ("correlation page", reverse("surveys:correlations", args=[survey.pk]), {}),
        ("report (HTML)", reverse("surveys:report", args=[survey.pk]), {}),
        ("report (PDF)", reverse("surveys:report", args=[survey.pk]), {"format": "pdf"}),
        ("report (PDF, again)", reverse("surveys:report", args=[survey.pk]), {"format": "pdf"}),
    ]
    print(f"load average before timing: {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"{'what':20} {'median ms':>10} {'max ms':>10} {'CPU ms':>8} {'queries':>8} {'kB':>8}")
    for label, url, params in pages:
        statements = []  # counted as they run: Django's query log is reset at each request

        def count(execute, sql, values, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, values, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url, params, secure=True)  # warm-up, and the query count
        assert response.status_code == 200, (label, response.status_code)
        timings, cpu = [], []
        for _ in range(runs):
            if label == "report (PDF)":
                cache.clear()  # laid out afresh each time; "again" is the survey unchanged since
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(url, params, secure=True)
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        print(
            f"{label:20} {statistics.median(timings):10.0f} {max(timings):10.0f} "
            f"{statistics.median(cpu):8.0f} {len(statements):8d} {len(response.content) / 1024:8.0f}"
        )
    print(f"load average after timing: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
