"""Live results move only in steps of at least the threshold, or when the survey closes (issue 18 §2.2).

The time-differencing attack of the second review: read the live results, let one person answer,
read them again, and the difference is her answer, exactly. Now answers wait in a pool and are
released to the results together once at least the threshold of them wait (services.answering.
release); every path that shows live results (results, breakdowns, correlations, free texts, exports,
the API, the figure published as an indicator and so as open data) reads only the released pool.
"""

import contextlib
import csv
import datetime
import io
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import selectors, services
from servicetorg.surveys.models import Answer, Response
from servicetorg.surveys.services import answering

from .conftest import answer, close, make_survey, today

K = 5


def _person(i: int) -> dict:
    """The answers of respondent ``i``: every question, so that every path has something to show."""
    return {
        "q1": str(1 + i % 6),
        "q2": str(1 + (i * 5) % 6),
        "kjonn": str(1 + i % 2),
        "kontakter": str(i % 9),
        "kanal": [str(1 + i % 3)],
        "bedre": f"Tekst {i}",
    }


def _everything(client, survey) -> dict:
    """All that the staff and the API publish about the survey's answers, comparable between reads
    (free texts and export rows sorted: they come in random order on purpose)."""
    results = selectors.survey_results(survey)
    by = survey.questions.get(code="kjonn")
    q1 = survey.questions.get(code="q1")
    _qs, labels, means = selectors.means_by_group(survey, by)
    _scale, correlations = selectors.correlations(survey)
    table = selectors.crosstab(q1, by)
    export = client.get(reverse("surveys:export-csv", args=[survey.pk]))
    export_rows = (
        sorted(
            row[1:]
            for row in csv.reader(io.StringIO(b"".join(export.streaming_content).decode()), delimiter=";")
        )
        if export.status_code == 200
        else export.status_code
    )
    api = client.get(f"/api/surveys/surveys/{survey.pk}/results/").json()
    api.pop("waiting")  # a count of waiting answers, not an answer: it may move (see below)
    return {
        "responses": results.responses,
        "questions": repr(
            [(r.respondents, r.suppressed, r.table, r.summary, r.text_count) for r in results.questions]
        ),
        "means": repr(sorted((k, v.summary, v.suppressed) for k, v in means.items())),
        "correlations": repr(sorted(correlations.items())),
        "crosstab": repr((table.column_labels, table.suppressed, table.cells)),
        "free_texts": sorted(selectors.free_texts(survey.questions.get(code="bedre")) or []),
        "figure": repr(selectors.question_result(q1)),
        "export": export_rows,
        "api": api,
        "api_correlations": client.get(f"/api/surveys/surveys/{survey.pk}/correlations/").json(),
        "api_crosstab": client.get(f"/api/surveys/surveys/{survey.pk}/crosstab/?question=q1&by=kjonn").json(),
    }


def test_time_differencing_attack_fails(client, municipality, administration):
    """Poll, one answer, poll: identical on every path. After K answers the results move by K."""
    survey = make_survey(municipality, threshold=K)
    for i in range(2 * K):
        answer(survey, _person(i))
    client.force_login(administration)
    before = _everything(client, survey)
    assert before["responses"] == 2 * K
    answer(survey, _person(100))  # her answer: the one the attacker wants
    after = _everything(client, survey)
    assert after == before, "one answer changed what is shown"
    assert selectors.waiting_count(survey) == 1
    page = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "1 svar venter og blir vist når det er minst 5 nye, eller når undersøkelsen lukkes." in page
    for i in range(K - 2):
        answer(survey, _person(200 + i))
        assert _everything(client, survey) == before  # still fewer than K waiting: nothing moves
    answer(survey, _person(300))  # the K-th waiting answer: the pool is released
    moved = _everything(client, survey)
    assert moved["responses"] - before["responses"] == K and selectors.waiting_count(survey) == 0
    assert len(moved["export"]) - len(before["export"]) == K
    assert len(moved["free_texts"]) - len(before["free_texts"]) == K
    assert (
        "venter og blir vist" not in client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    )


def test_results_only_ever_move_in_steps_of_at_least_the_threshold(municipality):
    survey = make_survey(municipality, threshold=K)
    seen = [selectors.response_count(survey)]
    for i in range(23):
        answer(survey, {"q1": str(1 + i % 6)})
        seen.append(selectors.response_count(survey))
    steps = [b - a for a, b in zip(seen, seen[1:], strict=False) if b != a]
    assert steps == [K, K, K, K]  # after answers 5, 10, 15 and 20
    assert selectors.waiting_count(survey) == 3
    close(survey)
    assert selectors.response_count(survey) == 23 and selectors.waiting_count(survey) == 0


def test_closing_releases_every_waiting_answer(client, municipality, administration):
    survey = make_survey(municipality, threshold=K)
    for i in range(K + 2):
        answer(survey, _person(i))
    assert selectors.response_count(survey) == K
    assert Response.objects.filter(survey=survey, released=False).count() == 2
    close(survey)
    assert not Response.objects.filter(survey=survey, released=False).exists()
    assert not Answer.objects.filter(survey=survey, released=False).exists()
    result = selectors.survey_results(survey)
    assert result.responses == K + 2 and result.waiting == 0
    client.force_login(administration)
    api = client.get(f"/api/surveys/surveys/{survey.pk}/results/").json()
    assert api["responses"] == K + 2 and api["waiting"] == 0
    detail = client.get(reverse("surveys:survey-detail", args=[survey.pk])).content.decode()
    assert "venter" not in detail


def test_past_its_closing_date_a_survey_counts_every_answer(municipality):
    survey = make_survey(municipality, threshold=K)
    for i in range(K + 1):
        answer(survey, {"q1": str(1 + i % 6)})
    assert selectors.response_count(survey) == K
    yesterday = today() - datetime.timedelta(days=1)
    survey.closes_on = yesterday
    survey.save(update_fields=["closes_on"])  # answering ended with the date, before anyone closed it
    assert selectors.response_count(survey) == K + 1 and selectors.waiting_count(survey) == 0
    # Moving the date on again keeps them counted: the results must not step back by one answer.
    services.update_survey(survey, closes_on=today() + datetime.timedelta(days=5), user=SYSTEM)
    assert selectors.response_count(survey) == K + 1


def test_imported_answers_join_the_pool(municipality):
    survey = make_survey(municipality, threshold=K)
    report = services.import_responses_csv(survey, "q1\n3\n4\n", user=SYSTEM)
    assert report.imported == 2 and selectors.response_count(survey) == 0
    answer(survey, {"q1": "5"})
    services.import_responses_csv(survey, "q1\n2\n6\n", user=SYSTEM)
    assert selectors.response_count(survey) == K and selectors.waiting_count(survey) == 0


def test_the_staff_page_says_how_many_wait(client, municipality, administration):
    survey = make_survey(municipality, threshold=K)
    for i in range(3):
        answer(survey, _person(i))
    client.force_login(administration)
    page = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "3 svar venter og blir vist når det er minst 5 nye, eller når undersøkelsen lukkes." in page
    detail = client.get(reverse("surveys:survey-detail", args=[survey.pk])).content.decode()
    assert "(og 3 som venter på å bli vist)" in detail


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_release_together(municipality, monkeypatch):
    """Threshold 3, one answer waiting; six people submit at once. Under the survey's row lock the
    submissions take turns, so the pool is released whenever it reaches 3 (twice: 6 released, 1
    waiting), none twice, none left behind, no deadlock. Without the lock two submissions would each
    see only their own answer beside the first and release nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them anyway)")
    survey = make_survey(municipality, threshold=3)
    answer(survey, {"q1": "1"})
    store = answering._store

    def slow_store(*args, **kwargs):  # keep each submission in flight a while after storing
        stored = store(*args, **kwargs)
        time.sleep(0.2)
        return stored

    monkeypatch.setattr(answering, "_store", slow_store)
    errors, barrier = [], threading.Barrier(6)

    def submit(value):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            answer(survey, {"q1": str(value)})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(1 + i % 6,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Response.objects.filter(survey=survey).count() == 7
    assert Response.objects.filter(survey=survey, released=True).count() == 6
    released_answers = Answer.objects.filter(survey=survey, released=True)
    assert set(released_answers.values_list("response_id", flat=True)) == set(
        Response.objects.filter(survey=survey, released=True).values_list("id", flat=True)
    )
    assert selectors.response_count(survey) == 6 and selectors.waiting_count(survey) == 1
