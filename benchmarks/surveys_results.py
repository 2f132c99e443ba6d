# ruff: noqa: E501, S608
"""Results of a survey with 1 000 000 answers (PostgreSQL; rows made with generate_series).

    .venv/bin/python benchmarks/surveys_results.py [--answers 1000000] [--rebuild]

Builds the standard service-desk survey (surveys/data/servicetorg_brukerundersokelse.json) and fills
it in SQL with ~1 000 000 answer rows whose scale answers follow a latent satisfaction per
respondent. Times, median and p95 of repeated runs:

* the results selector (frequencies, valid %, Sum row, "vet ikke" apart, mean/SD/95% CI per question),
* the whole results page (view + template, through Django's test client),
* the correlation matrix (Pearson r from sums for every pair of scale questions),
* a crosstab of the overall question by age group, and means by age group.

Target: results page < 1 s.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import percentile, setup  # noqa: E402

TITLE = "Benchmark: 1 000 000 svar"


def populate(connection, survey, target_answers: int = 0, *, responses: int = 0) -> None:
    """Fill ``survey`` with ``responses`` responses (or as many as give ~``target_answers`` answers)."""
    from servicetorg.surveys.models import QuestionKind

    questions = list(survey.questions.prefetch_related("options").order_by("section__position", "position"))
    per_response = (
        sum(1 for q in questions if q.kind != QuestionKind.FREE_TEXT) + 0.1
    )  # ~10 % write a comment
    responses = responses or int(target_answers / per_response)
    with connection.cursor() as cur:
        cur.execute(
            # Released: as the portal leaves them once their batches reached the threshold.
            "INSERT INTO surveys_response (survey_id, submitted_on, source, released) "
            "SELECT %s, DATE '2026-03-01' + (g %% 30), 'web', TRUE FROM generate_series(1, %s) g",
            [survey.pk, responses],
        )
        cur.execute("DROP TABLE IF EXISTS bench_level")
        cur.execute(
            "CREATE TEMP TABLE bench_level AS SELECT id, 4.2 + (random() + random() + random() - 1.5) * 1.6 AS level "
            "FROM surveys_response WHERE survey_id = %s",
            [survey.pk],
        )
        for q in questions:
            options = list(q.options.all())
            valid = [o for o in options if not o.excluded]
            excluded = [o for o in options if o.excluded]
            if q.kind == QuestionKind.LIKERT:
                ids = "ARRAY[" + ",".join(str(o.pk) for o in valid) + "]"
                dk = excluded[0].pk if excluded else "NULL"
                cur.execute(
                    f"""INSERT INTO surveys_answer (survey_id, response_id, question_id, option_id, value, text, released)
                    SELECT %s, id, %s, CASE WHEN r < 0.05 THEN {dk} ELSE ({ids})[v] END,
                           CASE WHEN r < 0.05 THEN NULL ELSE v END, '', TRUE
                    FROM (SELECT id, random() AS r,
                                 GREATEST(1, LEAST({len(valid)}, round(level + random() * 2 - 1)))::int AS v
                          FROM bench_level) s""",
                    [survey.pk, q.pk],
                )
            elif q.kind == QuestionKind.MULTIPLE_CHOICE:  # one channel each, a second for a third of them
                ids = "ARRAY[" + ",".join(str(o.pk) for o in valid) + "]"
                values = "ARRAY[" + ",".join(str(o.value) for o in valid) + "]"
                k = len(valid)
                cur.execute(
                    f"""INSERT INTO surveys_answer (survey_id, response_id, question_id, option_id, value, text, released)
                    WITH first AS (SELECT id, 1 + floor(random() * {k})::int AS i FROM bench_level)
                    SELECT %s, id, %s, ({ids})[i], ({values})[i], '', TRUE
                    FROM (SELECT id, i FROM first
                          UNION ALL
                          SELECT id, i %% {k} + 1 FROM first WHERE random() < 0.33) s""",
                    [survey.pk, q.pk],
                )
            elif q.kind == QuestionKind.SINGLE_CHOICE:
                ids = "ARRAY[" + ",".join(str(o.pk) for o in valid) + "]"
                values = "ARRAY[" + ",".join(str(o.value) for o in valid) + "]"
                cur.execute(
                    f"""INSERT INTO surveys_answer (survey_id, response_id, question_id, option_id, value, text, released)
                    SELECT %s, id, %s, ({ids})[i], ({values})[i], '', TRUE
                    FROM (SELECT id, 1 + floor(random() * {len(valid)})::int AS i FROM bench_level) s""",
                    [survey.pk, q.pk],
                )
            elif q.kind == QuestionKind.NUMBER:
                cur.execute(
                    """INSERT INTO surveys_answer (survey_id, response_id, question_id, option_id, value, text, released)
                    SELECT %s, id, %s, NULL, floor(-ln(1 - random()) * 4), '', TRUE FROM bench_level""",
                    [survey.pk, q.pk],
                )
            else:
                cur.execute(
                    """INSERT INTO surveys_answer (survey_id, response_id, question_id, option_id, value, text, released)
                    SELECT %s, id, %s, NULL, NULL, 'Kortere ventetid, takk.', TRUE FROM bench_level WHERE random() < 0.1""",
                    [survey.pk, q.pk],
                )
        cur.execute("ANALYZE surveys_response")
        cur.execute("ANALYZE surveys_answer")


def create_survey(municipality, title: str):
    """The standard service-desk survey plus a multiple-choice question, published (no answers yet)."""
    import datetime

    from servicetorg.core.permissions import SYSTEM
    from servicetorg.surveys import services

    survey = services.create_from_template(
        "servicetorg_brukerundersokelse",
        municipality=municipality,
        title=title,
        opens_on=datetime.date(2026, 3, 1),
        closes_on=datetime.date(2026, 3, 31),
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=survey.sections.order_by("position").last(),
        code="kanaler",
        kind="multiple_choice",
        text="Hvilke kanaler har du brukt det siste året?",
        options=["Oppmøte", "Telefon", "E-post", "Nettskjema", "Brev", "Sosiale medier"],
        user=SYSTEM,
    )
    services.publish(survey, user=SYSTEM)
    return survey


def staff_client(user):
    """A test client logged in as ``user``, past the second factor (MFA) as staff sessions are."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    if "django_otp" in settings.INSTALLED_APPS:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        stored = client.session
        stored[DEVICE_ID_SESSION_KEY] = device.persistent_id
        stored.save()
    return client


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings), percentile(timings, 95)


def main():
    target = int(sys.argv[sys.argv.index("--answers") + 1]) if "--answers" in sys.argv else 1_000_000
    setup("bench_surveys")
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.urls import reverse

    from servicetorg.core.models import Municipality
    from servicetorg.surveys import selectors
    from servicetorg.surveys.models import Answer, Survey

    municipality, _ = Municipality.objects.get_or_create(
        number="9301", defaults={"name": "Benchvik", "organization_number": "964338531"}
    )
    survey = Survey.objects.filter(municipality=municipality, title=TITLE).first()
    if survey is not None and (
        "--rebuild" in sys.argv or Answer.objects.filter(survey=survey).count() < target * 0.95
    ):
        Answer.objects.filter(survey=survey).delete()
        survey.delete()
        survey = None
    if survey is None:
        survey = create_survey(municipality, TITLE)
        t0 = time.perf_counter()
        populate(connection, survey, target)
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    answers = Answer.objects.filter(survey=survey).count()
    responses = survey.responses.count()
    print(
        f"survey {survey.pk}: {responses} responses, {answers} answers, {survey.questions.count()} questions"
    )

    user, _ = get_user_model().objects.get_or_create(
        username="bench-surveys", defaults={"is_superuser": True}
    )
    client = staff_client(user)
    url = reverse("surveys:results", args=[survey.pk])
    assert client.get(url, secure=True).status_code == 200

    helhet = survey.questions.get(code="helhet")
    alder = survey.questions.get(code="alder")
    rows = [
        ("results selector", lambda: selectors.survey_results(survey), 10),
        ("results page (view + template)", lambda: client.get(url, secure=True), 10),
        ("correlation matrix", lambda: selectors.correlations(survey), 5),
        ("crosstab helhet × alder", lambda: selectors.crosstab(helhet, alder), 5),
        ("means by age group", lambda: selectors.means_by_group(survey, alder), 5),
    ]
    print(f"load average before timing: {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"{'what':34} {'median ms':>10} {'p95 ms':>10}")
    for label, fn, runs in rows:
        median, p95 = timed(fn, runs)
        print(f"{label:34} {median:10.1f} {p95:10.1f}")
    # The same while the survey takes answers: every query reads only the released pool (issue 18
    # §2.2). The closing date is moved on for the timing and put back.
    closes_on = survey.closes_on
    Survey.objects.filter(pk=survey.pk).update(closes_on=datetime.date.today() + datetime.timedelta(days=30))
    survey.refresh_from_db()
    try:
        for label, fn, runs in rows:
            median, p95 = timed(fn, runs)
            print(f"{label + ' (live)':34} {median:10.1f} {p95:10.1f}")
    finally:
        Survey.objects.filter(pk=survey.pk).update(closes_on=closes_on)


if __name__ == "__main__":
    main()
