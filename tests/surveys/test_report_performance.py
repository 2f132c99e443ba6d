"""The correlation page and the report at scale (benchmarks/surveys_reports.py): the fast paths give
exactly what a straightforward computation over the raw answers gives, suppressed figures included,
and the number of queries does not grow with the number of responses."""

import itertools
import math

import numpy as np
import pytest
from django.db import connection
from django.urls import reverse

from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import selectors, services
from servicetorg.surveys.models import QuestionKind

from .conftest import SCALE, answer, make_survey

pytestmark = pytest.mark.slow  # builds thousands of responses to count queries


def _random_survey(municipality, seed: int, n: int):
    """``make_survey``'s questionnaire plus a scale few answer (q3): random answers, "don't know",
    questions left out. Returns the survey and the answers as given."""
    survey = make_survey(municipality, publish=False, title=f"Tilfeldig {seed}")
    services.add_question(
        survey,
        section=survey.sections.first(),
        code="q3",
        kind=QuestionKind.LIKERT,
        text="Sjelden besvart",
        options=SCALE[:4],
        dont_know="Vet ikke",
        user=SYSTEM,
    )
    services.publish(survey, user=SYSTEM)
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        q1 = int(rng.integers(1, 7))
        row = {"q1": str(q1), "kjonn": str(int(rng.integers(1, 3)))}
        roll = rng.random()
        if roll < 0.7:
            row["q2"] = str(int(np.clip(q1 + rng.integers(-2, 3), 1, 6)))
        elif roll < 0.85:
            row["q2"] = "9"  # don't know: outside the scale
        if rng.random() < 0.8:
            row["kontakter"] = str(int(rng.integers(0, 30)))
        if rng.random() < 0.12:
            row["q3"] = str(int(rng.integers(1, 5))) if rng.random() < 0.8 else "9"
        answer(survey, row)
        data.append(row)
    return survey, data


def _reference_correlations(survey, data) -> dict[tuple[str, str], tuple[int, float | None]]:
    """Pairwise-complete Pearson r per pair of scale codes, respondent by respondent, with the
    anonymity threshold applied: {(a, b): (n, r or None)}; pairs nobody answered are absent."""
    scales = [q for q in survey.questions.order_by("pk") if q.is_scale]
    # "Don't know" (code 9) is outside a Likert scale; 9 is a number like any other.
    outside = {q.code: "9" if q.kind == QuestionKind.LIKERT else None for q in scales}
    out = {}
    for a, b in itertools.combinations([q.code for q in scales], 2):
        pairs = [
            (float(row[a]), float(row[b]))
            for row in data
            if a in row and b in row and row[a] != outside[a] and row[b] != outside[b]
        ]
        if not pairs:
            continue
        n = len(pairs)
        r = None
        if n >= survey.anonymity_threshold:
            x = np.array([p[0] for p in pairs])
            y = np.array([p[1] for p in pairs])
            if x.std() > 0 and y.std() > 0:
                r = float(np.corrcoef(x, y)[0, 1])
        out[(a, b)] = (n, r)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_correlations_equal_a_straightforward_computation(municipality, seed):
    survey, data = _random_survey(municipality, seed, 45)
    questions, matrix = selectors.correlations(survey)
    code = {q.pk: q.code for q in questions}
    assert sorted(code.values()) == ["kontakter", "q1", "q2", "q3"]
    expected = _reference_correlations(survey, data)
    got = {
        (code[a], code[b]): (c.n, c.r)
        for (a, b), c in matrix.items()
        if [q.code for q in questions].index(code[a]) < [q.code for q in questions].index(code[b])
    }
    # The same pairs, in either order, and the same N: pairs below the threshold (q3) have no r.
    normalised = {}
    for (a, b), value in got.items():
        key = (a, b) if (a, b) in expected else (b, a)
        normalised[key] = value
    assert set(normalised) == set(expected)
    suppressed = 0
    for key, (n, r) in expected.items():
        got_n, got_r = normalised[key]
        assert got_n == n, key
        if r is None:
            assert got_r is None, key
            suppressed += n < survey.anonymity_threshold
        else:
            assert got_r == pytest.approx(r, abs=1e-12), key
    assert suppressed, "the random survey should have a pair under the threshold"
    # Symmetric, and the p-value follows from r and N.
    for (a, b), c in matrix.items():
        assert matrix[(b, a)] is c
        if c.r is not None and abs(c.r) < 1:
            from scipy import stats as sps

            t = c.r * math.sqrt((c.n - 2) / (1 - c.r * c.r))
            assert c.p_value == pytest.approx(2 * sps.t.sf(abs(t), c.n - 2), rel=1e-9)


def _queries(client, url, params=None) -> int:
    """SQL statements one request runs (counted as they run: the query log is reset per request)."""
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(statements)


def _fill(survey, start, n):
    for i in range(start, start + n):
        answer(
            survey,
            {
                "q1": str(1 + i % 6),
                "q2": str(1 + (i * 5) % 6),
                "kjonn": str(1 + i % 2),
                "kontakter": str(i % 7),
                "kanal": [str(1 + i % 3)],
                "bedre": f"Tekst {i}",
            },
        )


def test_correlation_page_and_report_queries_do_not_grow_with_responses(client, municipality, administration):
    survey = make_survey(municipality)
    client.force_login(administration)
    pages = [
        (reverse("surveys:correlations", args=[survey.pk]), None),
        (reverse("surveys:report", args=[survey.pk]), None),
        (reverse("surveys:report", args=[survey.pk]), {"format": "pdf"}),
    ]
    _fill(survey, 0, 6)
    few = [_queries(client, url, params) for url, params in pages]
    _fill(survey, 6, 30)
    many = [_queries(client, url, params) for url, params in pages]
    assert few == many
    assert all(0 < n <= 16 for n in many), many


def test_chart_draws_the_shown_alternatives_and_no_hidden_one(municipality):
    """The report's bar chart: one bar per shown alternative with its percentage and count; hidden
    (disclosure control) and "don't know" alternatives are not drawn; well-formed SVG."""
    from xml.etree import ElementTree

    from servicetorg.core.formatting import number, percent
    from servicetorg.surveys import charts

    survey = make_survey(municipality)
    for value, times in (("6", 9), ("5", 7), ("2", 2), ("9", 6)):
        for _ in range(times):
            answer(survey, {"q1": value})
    result = selectors.question_result(survey.questions.get(code="q1"))
    svg = charts.frequency_svg(result)
    tree = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    bars = tree.findall(f"{ns}rect")
    texts = [t.text for t in tree.iter(f"{ns}text")]
    shown = [r for r in result.table.rows if not r.excluded and not r.suppressed]
    assert len(bars) == len(shown) and not result.table.suppressed  # a group of 24: all shown
    for row in shown:
        assert row.label in texts and f"{percent(row.percent)} ({number(row.count)})" in texts
    hidden = [r for r in result.table.rows if r.suppressed or r.excluded]
    assert hidden and not any(r.label in texts for r in hidden)
    widths = {float(b.get("width")) for b in bars}
    assert len(widths) == len({r.percent for r in shown})  # bar lengths follow the percentages


def test_report_pdf_is_laid_out_again_only_when_what_it_shows_changes(
    client, municipality, administration, tmp_path, monkeypatch
):
    import subprocess

    import weasyprint

    layouts = []
    write_pdf = weasyprint.HTML.write_pdf

    def counted(self, *args, **kwargs):  # WeasyPrint still does the work; this only counts
        layouts.append(kwargs.get("pdf_variant"))
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    survey = make_survey(municipality)
    _fill(survey, 0, 5)  # the threshold: released to the live results together
    client.force_login(administration)
    url = reverse("surveys:report", args=[survey.pk])
    first = client.get(url, {"format": "pdf"}).content
    assert layouts == ["pdf/ua-1"]
    assert client.get(url, {"format": "pdf"}).content == first
    assert len(layouts) == 1  # the same survey: the PDF kept from the first request
    _fill(survey, 5, 1)  # a sixth response waits for the pool (issue 18 §2.2): the report is the same
    assert client.get(url, {"format": "pdf"}).content == first and len(layouts) == 1
    _fill(survey, 6, 4)  # five waiting: released, the report changes, so must the PDF
    second = client.get(url, {"format": "pdf"}).content
    assert len(layouts) == 2 and second != first
    (tmp_path / "r.pdf").write_bytes(second)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "10 besvarelser" in text and "5 besvarelser" not in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, check=True, text=True)
    assert "Tagged:          yes" in info.stdout
