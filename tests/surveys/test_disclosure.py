"""Disclosure control: the differencing attack of issue 11 fails, and no cell below the threshold.

The attack: a unit with one respondent is hidden in the crosstab, but the whole survey's frequency
table minus the visible crosstab columns gives that person's answer. Here the attacker has exactly
what the pages and the API publish (results, crosstab, means by group) and tries it.
"""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from servicetorg.surveys import selectors
from servicetorg.surveys.disclosure import protect_groups, protect_line, protect_table
from servicetorg.surveys.stats import crosstab, frequency_table

from .conftest import answer, make_survey

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


def test_differencing_attack_on_a_one_person_group_fails(municipality):
    """Men: 6 (varied), women: 6 (varied), and one person who answered no gender... and the one
    woman in a third group: here "kjonn" has two groups, so the lone person is the one who left the
    background question empty. Overall minus the two visible columns would give her answer."""
    survey = make_survey(municipality, threshold=K)
    men = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1)]
    women = [(1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (6, 2)]
    lone = [(6, None)]  # her answer: 6, and she is the only one outside the groups
    _answers(survey, men + women + lone)
    q1, overall, table = _published(survey)
    # No published count is between 1 and K-1.
    assert all(c is None or c == 0 or c >= K for c in overall.values())
    for row in table.cells:
        assert all(c is None or c == 0 or c >= K for c in row)
    # The attack: for each category, overall minus the visible columns. Wherever the attacker can
    # compute it (everything involved published), the rest holds none or at least K respondents.
    rest_total = q1.table.valid - sum(table.column_totals)
    assert rest_total == 0 or rest_total >= K
    labels = [row.label for row in q1.table.valid_rows]
    for i, label in enumerate(table.row_labels):
        key = q1.table.valid_rows[labels.index(label)].key
        visible = table.cells[i]
        if overall[key] is None or any(c is None for c in visible):
            continue
        derived = overall[key] - sum(visible)
        assert derived == 0 or derived >= K, (label, derived)


def test_differencing_attack_on_a_small_unit_fails(municipality):
    """Three groups by gender answer (two of six, one of one): the one-person group is hidden, and so
    is the next smallest, so that the rest (hidden groups together) holds at least K."""
    survey = make_survey(municipality, threshold=K)
    _answers(survey, [(q, 1) for q in (1, 2, 3, 4, 5, 6)] + [(q, 2) for q in (2, 3, 4, 5, 6, 6)] + [(1, 1)])
    q1, overall, table = _published(survey)
    rest_total = q1.table.valid - sum(table.column_totals)
    assert rest_total == 0 or rest_total >= K
    for row in table.cells:
        assert all(c is None or c == 0 or c >= K for c in row)


def test_small_categories_are_hidden_with_a_complement(municipality):
    survey = make_survey(municipality, threshold=K)
    _answers(survey, [(6, 1)] * 8 + [(5, 2)] * 6 + [(1, 1)])  # "1" chosen by one person
    q1, overall, _table = _published(survey)
    hidden = [row for row in q1.table.valid_rows if row.suppressed]
    assert len(hidden) >= 2 and sum(r.raw_count for r in hidden) >= K
    shown = sum(r.count for r in q1.table.valid_rows if not r.suppressed)
    assert q1.table.valid - shown >= K  # the total minus the shown counts: only a sum of ≥ K


def test_means_by_group_keep_the_rest_large(municipality):
    survey = make_survey(municipality, threshold=K)
    _answers(
        survey, [(q, 1) for q in (1, 2, 3, 4, 5, 6)] + [(q, 2) for q in (2, 3, 4, 5, 6, 6)] + [(1, None)]
    )
    by = survey.questions.get(code="kjonn")
    questions, labels, cells = selectors.means_by_group(survey, by)
    q1 = survey.questions.get(code="q1")
    shown = [cells[(q1.pk, label)] for label in labels if not cells[(q1.pk, label)].suppressed]
    answered = 13
    rest = answered - sum(c.summary.n for c in shown)
    assert rest == 0 or rest >= K


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

counts_strategy = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(counts=counts_strategy, threshold=st.integers(min_value=2, max_value=6))
def test_protect_line_leaves_no_cell_to_work_out(counts, threshold):
    hidden = protect_line(counts, threshold)
    assert all(i in hidden for i, c in enumerate(counts) if 0 < c < threshold)
    total = sum(counts[i] for i in hidden)
    assert total == 0 or (len(hidden) >= 2 and total >= threshold) or hidden == set(range(len(counts)))


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
def test_protect_table_no_derivable_small_cell(table, outside, threshold):
    """Columns × rows: every shown cell is 0 or ≥ threshold; every column and row with hidden
    cells hides at least two summing to ≥ threshold (or hides only zeros)."""
    columns = table  # table[j][i]: column j, row i
    n_rows = len(columns[0])
    cells = [[columns[j][i] for j in range(len(columns))] for i in range(n_rows)]
    row_totals = [sum(cells[i]) + outside[i] for i in range(n_rows)]
    hidden_cols, hidden = protect_table(cells, row_totals, threshold)
    shown_cols = [j for j in range(len(columns)) if j not in hidden_cols]
    sizes = [sum(cells[i][j] for i in range(n_rows)) for j in range(len(columns))]
    rest = sum(row_totals) - sum(sizes[j] for j in shown_cols)
    assert rest == 0 or rest >= threshold or not any(sizes[j] for j in shown_cols)
    for j in shown_cols:
        assert sizes[j] == 0 or sizes[j] >= threshold
        line = [(i, cells[i][j]) for i in range(n_rows) if (i, j) in hidden]
        total = sum(c for _i, c in line)
        assert total == 0 or (len(line) >= 2 and total >= threshold) or len(line) == n_rows
        for i in range(n_rows):
            assert (i, j) in hidden or cells[i][j] == 0 or cells[i][j] >= threshold
    for i in range(n_rows):
        rest_cell = row_totals[i] - sum(cells[i][j] for j in shown_cols)
        line = [cells[i][j] for j in shown_cols if (i, j) in hidden] + [rest_cell]
        total = sum(line)
        assert total == 0 or (len(line) >= 2 and total >= threshold) or len(line) == len(shown_cols) + 1


def test_crosstab_and_frequency_table_under_control():
    table = crosstab(
        ["a", "b"], ["x", "y", "z"], {(0, 0): 6, (1, 0): 6, (0, 1): 5, (1, 1): 7, (0, 2): 1}, threshold=5
    )
    assert "z" in table.suppressed
    freq = frequency_table([(1, "a", 1, False), (2, "b", 9, False), (3, "c", 7, False)], threshold=5)
    assert [r.suppressed for r in freq.rows] == [True, False, True]
    assert freq.sum_percent is None and freq.rows[0].count is None


def test_all_small_tables_fully_checked():
    """Every 1×3 line of counts 0–5 at threshold 3 (exhaustive, a cross-check of hypothesis)."""
    for counts in itertools.product(range(6), repeat=3):
        hidden = protect_line(list(counts), 3)
        total = sum(counts[i] for i in hidden)
        assert total == 0 or (len(hidden) >= 2 and total >= 3) or len(hidden) == 3
