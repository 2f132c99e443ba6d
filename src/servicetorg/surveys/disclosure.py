"""Statistical disclosure control: no published figure rests on fewer respondents than the threshold.

The anonymity threshold ``k`` (a survey's ``anonymity_threshold``, 5 by default) applies to every
cell that is shown: a category count, a crosstab cell, a group mean, free text. Hiding the small
cells (primary suppression) is not enough when totals are published too: the total minus the shown
cells gives the hidden one back (the "differencing attack": the whole survey's table minus the
visible crosstab columns gives the answer of the one respondent in a small unit). So hidden cells
are protected by hiding more (complementary suppression), the classic rule of official statistics:

* in every line whose total is known (a frequency table, a crosstab column, a crosstab row whose
  total is the whole survey's count for that category), the hidden cells are either all zero, or
  at least two of them that together hold at least ``k`` respondents — the total then gives only
  their sum, never one of them;
* what falls outside the shown groups (respondents in hidden groups, or without an answer to the
  background question) is a group of its own, "the rest", that is never shown but can be computed
  from the totals: it must hold no respondent or at least ``k`` of them, else the smallest shown
  group is hidden as well.

Pure functions over counts, so that hypothesis can try every table (tests/surveys/test_disclosure.py).
"""

from __future__ import annotations

from collections.abc import Sequence


def protect_line(
    counts: Sequence[int], threshold: int, hidden: set[int] | frozenset = frozenset()
) -> set[int]:
    """Indices of ``counts`` to hide in a line whose total is published.

    ``hidden`` are cells hidden already (e.g. by another line, or never shown). Cells of 1 to
    ``threshold - 1`` are hidden, then the smallest shown non-zero cells until the hidden cells hold
    nothing, or at least two cells and ``threshold`` respondents; failing that, the whole line.
    """
    hidden = set(hidden) | {i for i, c in enumerate(counts) if 0 < c < threshold}
    while True:
        total = sum(counts[i] for i in hidden)
        if total == 0 or (len(hidden) >= 2 and total >= threshold):
            return hidden
        shown = [i for i in range(len(counts)) if i not in hidden]
        if not shown:
            return hidden
        nonzero = [i for i in shown if counts[i] > 0]
        pick = min(nonzero or shown, key=lambda i: (counts[i], i))
        hidden.add(pick)


def protect_groups(
    sizes: Sequence[int], total: int, threshold: int, hidden: set[int] | frozenset = frozenset()
) -> set[int]:
    """Groups (by index) to hide when their sizes and the ``total`` are known: the small ones, then
    the smallest shown ones until "the rest" (``total`` minus the shown groups) is empty or at least
    ``threshold``."""
    hidden = set(hidden) | {i for i, n in enumerate(sizes) if 0 < n < threshold}
    while True:
        rest = total - sum(n for i, n in enumerate(sizes) if i not in hidden)
        if rest <= 0 or rest >= threshold:
            return hidden
        shown = [i for i, n in enumerate(sizes) if i not in hidden and n > 0]
        if not shown:
            return hidden
        hidden.add(min(shown, key=lambda i: (sizes[i], i)))


def protect_table(
    cells: list[list[int]], row_totals: Sequence[int], threshold: int
) -> tuple[set[int], set[tuple[int, int]]]:
    """Hide columns and cells of a crosstab whose column totals and row totals are published.

    ``cells[i][j]``: respondents in row (category) ``i`` and column (group) ``j``; ``row_totals[i]``
    the category's count in the whole survey (it includes respondents in no column). Returns
    (hidden columns, hidden cells of the shown columns). The rest column — respondents of the row
    outside the shown columns — is treated as a column that is never shown.
    """
    n_rows = len(cells)
    n_cols = len(cells[0]) if cells else 0
    column_sizes = [sum(cells[i][j] for i in range(n_rows)) for j in range(n_cols)]
    hidden_cols = protect_groups(column_sizes, sum(row_totals), threshold)
    hidden: set[tuple[int, int]] = set()
    changed = True
    while changed:
        changed = False
        shown_cols = [j for j in range(n_cols) if j not in hidden_cols]
        # Columns: their totals are shown.
        for j in shown_cols:
            line = [cells[i][j] for i in range(n_rows)]
            before = {i for i in range(n_rows) if (i, j) in hidden}
            after = protect_line(line, threshold, before)
            if after != before:
                hidden |= {(i, j) for i in after}
                changed = True
        # Rows: the category's total in the whole survey is known; the rest is a hidden cell.
        for i in range(n_rows):
            rest = row_totals[i] - sum(cells[i][j] for j in shown_cols)
            line = [cells[i][j] for j in shown_cols] + [rest]
            rest_index = len(shown_cols)
            before = {k for k, j in enumerate(shown_cols) if (i, j) in hidden} | {rest_index}
            after = protect_line(line, threshold, before)
            if after != before:
                hidden |= {(i, shown_cols[k]) for k in after if k != rest_index}
                changed = True
        # A column whose every non-zero cell is hidden tells nothing: hide it whole instead.
        for j in shown_cols:
            if column_sizes[j] and all(cells[i][j] == 0 or (i, j) in hidden for i in range(n_rows)):
                hidden_cols.add(j)
                hidden -= {(i, j) for i in range(n_rows)}
                changed = True
        grown = protect_groups(column_sizes, sum(row_totals), threshold, hidden_cols)
        if grown != hidden_cols:
            hidden_cols = grown
            changed = True
        hidden = {(i, j) for i, j in hidden if j not in hidden_cols}
    return hidden_cols, hidden
