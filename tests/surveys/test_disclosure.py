"""Disclosure control (issue 18 §2.2): groups, not cells.

A group (all respondents, a question's respondents, one category of a breakdown) below the threshold
is never shown, nor one that follows from what is shown (the rest of a breakdown); a group at or above
it shows all its counts, as a published report does. The attacks of the second review are tried here
with exactly what the pages and the API publish: the mean attack (a mean beside hidden cells), the
differencing attack (totals minus the shown groups), the time-differencing attack (results read
before and after one answer).
"""

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import selectors, services
from servicetorg.surveys.disclosure import protect_groups, protect_table
from servicetorg.surveys.models import QuestionKind
from servicetorg.surveys.stats import crosstab, frequency_table

from .conftest import answer, make_survey, today

K = 5


def _answers(survey, rows):
    """rows: (q1 answer, kjonn answer or None)."""
    for q1, group in rows:
        data = {"q1": str(q1)}
        if group is not None:
            data["kjonn"] = str(group)
        answer(survey, data)


def _published(survey):
    """What the results page, the crosstab and the compare page publish about q1 by kjonn."""
    result = selectors.survey_results(survey)
    q1 = next(r for r in result.questions if r.question.code == "q1")
    overall = {row.key: row.count for row in q1.table.rows}
    table = selectors.crosstab(survey.questions.get(code="q1"), survey.questions.get(code="kjonn"))
    return q1, overall, table


def _close(survey):
    services.close(survey, user=SYSTEM)
    survey.refresh_from_db()


def test_differencing_attack_on_a_one_person_group_fails(municipality):
    """Men: 6, women: 6, and one person who left the background question empty. Overall minus the
    two visible columns would give her answer: a column is hidden so that the rest holds ≥ K."""
    survey = make_survey(municipality, threshold=K)
    men = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1)]
    women = [(1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (6, 2)]
    lone = [(6, None)]  # her answer: 6, and she is the only one outside the groups
    _answers(survey, men + women + lone)
    _close(survey)
    q1, overall, table = _published(survey)
    assert all(c is not None for c in overall.values())  # 13 answered q1: every count is shown
    rest_total = q1.table.valid - sum(table.column_totals)
    assert rest_total == 0 or rest_total >= K
    labels = [row.label for row in q1.table.valid_rows]
    for i, label in enumerate(table.row_labels):
        key = q1.table.valid_rows[labels.index(label)].key
        derived = overall[key] - sum(table.cells[i])
        assert derived >= 0


def test_differencing_attack_on_a_small_unit_fails(municipality):
    """Two groups of six and one person in no group: the one-person rest hides a group too, so
    that the rest (hidden groups together) holds at least K."""
    survey = make_survey(municipality, threshold=K)
    _answers(
        survey, [(q, 1) for q in (1, 2, 3, 4, 5, 6)] + [(q, 2) for q in (2, 3, 4, 5, 6, 6)] + [(1, None)]
    )
    _close(survey)
    q1, overall, table = _published(survey)
    rest_total = q1.table.valid - sum(table.column_totals)
    assert rest_total == 0 or rest_total >= K
    assert table.suppressed  # a whole group went, never a cell
    assert all(c is not None for row in table.cells for c in row)


def test_mean_attack_fails_a_group_is_shown_whole_or_not_at_all(municipality):
    """The second review: a question's mean and N were shown beside two hidden cells (1 and 6), and
    the mean gave both back. Now a group's figures (counts, mean, SD) are shown together or not at
    all: no hidden cell sits beside a mean. A breakdown group below K hides its mean with it."""
    survey = make_survey(municipality, threshold=K)
    _answers(survey, [(4, 1)] * 6 + [(5, 2)] * 6 + [(1, 1), (6, 2)] + [(3, None)] * 5)
    _answers(survey, [(2, None)])
    _close(survey)
    result = selectors.survey_results(survey)
    for r in result.questions:
        if r.table is None:
            continue
        hidden = [row for row in r.table.rows if row.suppressed]
        if r.summary is not None and r.summary.n:
            assert not hidden, (r.question.code, "a mean beside a hidden cell")
        assert not hidden or len(hidden) == len(r.table.rows)
    q1 = next(r for r in result.questions if r.question.code == "q1")
    assert {row.key: row.count for row in q1.table.valid_rows} == {1: 1, 2: 1, 3: 5, 4: 6, 5: 6, 6: 1}
    # Means by a background group: a small group's mean is hidden with it, and the rest is ≥ K.
    survey2 = make_survey(municipality, threshold=K, title="Andre runde")
    _answers(survey2, [(4, 1)] * 8 + [(5, 2)] * 3 + [(2, None)] * 6)
    _close(survey2)
    by = survey2.questions.get(code="kjonn")
    q = survey2.questions.get(code="q1")
    _questions, labels, cells = selectors.means_by_group(survey2, by)
    women = cells[(q.pk, "Kvinne")]
    assert women.suppressed and women.summary is None
    table = selectors.crosstab(q, by)
    assert "Kvinne" in table.suppressed
    # Overall mean × N minus the shown groups' sums: only the rest's (≥ K respondents) mean follows.
    shown = [cells[(q.pk, label)] for label in labels if not cells[(q.pk, label)].suppressed]
    rest = 17 - sum(c.summary.n for c in shown)
    assert rest == 0 or rest >= K


def test_a_published_table_is_reproduced_cell_for_cell(municipality):
    """Seed 002, table 3.2 ("Resultater oppnådd ved innføring av serviceerklæringer"), rows 2 and 3,
    N = 45: "I stor grad … Uaktuelt/vet ikke", each percent of N with one decimal. The row with a
    single "I liten grad" (1 of 45, 2,2 %) is shown as the report shows it; and 2 of 151 answering
    "Nei" is "1 %"."""
    survey = services.create_survey(
        municipality=municipality,
        title="Serviceerklæringer",
        opens_on=today(),
        closes_on=today(),
        anonymity_threshold=K,
        user=SYSTEM,
    )
    scale = ["I stor grad", "I nokså stor grad", "I nokså liten grad", "I liten grad", "Uaktuelt/vet ikke"]
    for code in ("info", "kvalitet"):
        services.add_question(
            survey, code=code, kind=QuestionKind.SINGLE_CHOICE, text=code, options=scale, user=SYSTEM
        )
    services.add_question(
        survey, code="jn", kind=QuestionKind.SINGLE_CHOICE, text="Ja/nei", options=["Ja", "Nei"], user=SYSTEM
    )
    services.publish(survey, user=SYSTEM)
    published = {
        "info": [(9, "20.0"), (19, "42.2"), (0, "0.0"), (1, "2.2"), (16, "35.6")],
        "kvalitet": [(5, "11.1"), (15, "33.3"), (0, "0.0"), (8, "17.8"), (17, "37.8")],
    }
    rows = []
    for cells in published.values():
        answers = [str(i + 1) for i, (n, _p) in enumerate(cells) for _ in range(n)]
        rows.append(answers)
    jn = ["1"] * 149 + ["2"] * 2
    for i in range(151):
        data = {"jn": jn[i]}
        if i < 45:
            data["info"], data["kvalitet"] = rows[0][i], rows[1][i]
        answer(survey, data)
    _close(survey)
    for code, cells in published.items():
        result = selectors.question_result(survey.questions.get(code=code))
        table = frequency_table(
            [(row.key, row.label, row.count, False) for row in result.table.rows], decimals=1, threshold=K
        )
        assert [(row.count, str(row.percent)) for row in table.rows] == cells
        assert table.sum_percent == Decimal("100.0")
    jn_table = selectors.question_result(survey.questions.get(code="jn")).table
    assert [(row.label, row.count, row.percent) for row in jn_table.rows] == [
        ("Ja", 149, Decimal("99")),
        ("Nei", 2, Decimal("1")),
    ]
    assert jn_table.sum_percent == Decimal("100")


def test_free_texts_are_not_in_the_order_they_came(municipality):
    survey = make_survey(municipality, threshold=K)
    for i in range(40):
        answer(survey, {"q1": "3", "bedre": f"tekst {i:02d}"})
    question = survey.questions.get(code="bedre")
    orders = {tuple(selectors.free_texts(question)) for _ in range(3)}
    assert all(list(o) != sorted(o) for o in orders)


def test_export_rows_are_shuffled_and_undated(municipality):
    survey = make_survey(municipality, threshold=K)
    for i in range(30):
        answer(survey, {"q1": "3", "kontakter": str(i)})
    rows = list(selectors.export_rows(survey))
    assert "submitted_on" not in rows[0]
    column = rows[0].index("kontakter")
    contacts = [int(r[column]) for r in rows[1:]]
    assert sorted(contacts) == list(range(30)) and contacts != list(range(30))


# --- The pure functions, for any table -------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=6),
    outside=st.integers(min_value=0, max_value=8),
    threshold=st.integers(min_value=2, max_value=6),
)
def test_protect_groups_keeps_the_rest_empty_or_large(sizes, outside, threshold):
    total = sum(sizes) + outside
    hidden = protect_groups(sizes, total, threshold)
    rest = total - sum(n for i, n in enumerate(sizes) if i not in hidden)
    shown = [n for i, n in enumerate(sizes) if i not in hidden]
    assert all(n == 0 or n >= threshold for n in shown)
    assert rest == 0 or rest >= threshold or not any(shown)


@settings(max_examples=200, deadline=None)
@given(
    table=st.integers(min_value=1, max_value=4).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(min_value=0, max_value=9), min_size=rows, max_size=rows),
            min_size=1,
            max_size=4,
        )
    ),
    outside=st.lists(st.integers(min_value=0, max_value=3), min_size=4, max_size=4),
    threshold=st.integers(min_value=2, max_value=5),
)
def test_protect_table_shows_whole_groups_and_a_large_rest(table, outside, threshold):
    """Columns × rows: every shown column holds 0 or ≥ threshold respondents, and so does the rest
    (row totals minus the shown columns), unless nothing is shown."""
    columns = table  # table[j][i]: column j, row i
    n_rows = len(columns[0])
    cells = [[columns[j][i] for j in range(len(columns))] for i in range(n_rows)]
    row_totals = [sum(cells[i]) + outside[i] for i in range(n_rows)]
    hidden_cols = protect_table(cells, row_totals, threshold)
    shown_cols = [j for j in range(len(columns)) if j not in hidden_cols]
    sizes = [sum(cells[i][j] for i in range(n_rows)) for j in range(len(columns))]
    rest = sum(row_totals) - sum(sizes[j] for j in shown_cols)
    assert rest == 0 or rest >= threshold or not any(sizes[j] for j in shown_cols)
    for j in shown_cols:
        assert sizes[j] == 0 or sizes[j] >= threshold


def test_crosstab_and_frequency_table_under_control():
    table = crosstab(
        ["a", "b"], ["x", "y", "z"], {(0, 0): 6, (1, 0): 6, (0, 1): 5, (1, 1): 7, (0, 2): 1}, threshold=5
    )
    # z (1) is hidden, and x too: the rest (z alone) would be one person.
    assert table.suppressed == ["x", "z"] and table.cells == [[5], [7]]
    freq = frequency_table([(1, "a", 1, False), (2, "b", 9, False), (3, "c", 7, False)], threshold=5)
    assert [r.count for r in freq.rows] == [1, 9, 7] and freq.sum_percent == 100
    small = frequency_table([(1, "a", 1, False), (2, "b", 2, False), (3, "c", 1, False)], threshold=5)
    assert all(r.suppressed and r.count is None and r.percent is None for r in small.rows)


def test_all_small_groupings_fully_checked():
    """Every split of groups of 0–6 with 0–4 outside at threshold 3 (exhaustive, beside hypothesis)."""
    for sizes in itertools.product(range(7), repeat=3):
        for outside in range(5):
            total = sum(sizes) + outside
            hidden = protect_groups(list(sizes), total, 3)
            shown = [n for i, n in enumerate(sizes) if i not in hidden]
            rest = total - sum(shown)
            assert all(n == 0 or n >= 3 for n in shown)
            assert rest == 0 or rest >= 3 or not any(shown)
