"""Statistical disclosure control: what survey results may show, decided per *group* of respondents.

A group is all respondents of a survey (or of a question), or the respondents of one category of a
breakdown (a crosstab column, a row of "means by group": a unit, an age group, a service used). The
rule, as official statistics and published survey reports apply it (issue 18 §2.2):

* **A group below the anonymity threshold ``k`` is never shown** — not its counts, percentages,
  mean, spread, free texts or chart — and neither is a group whose figures would follow from what is
  shown: the respondents outside the shown groups of a breakdown ("the rest": hidden groups and
  respondents without an answer to the background question) can be computed from the published
  totals, so they must number none or at least ``k``; otherwise the smallest shown group is hidden
  as well (complementary suppression of *groups*, :func:`protect_groups`).
* **A group at or above the threshold shows all its counts**, as published reports do: 2 of 151
  answering "Nei" is "2" and "1 %". Hiding single cells inside a large group protected nobody (the
  group's mean, N and the other cells gave them back — the "mean attack") and made reports useless.
* **Live results move only in steps of at least ``k`` responses** (or when the survey closes): a
  new response waits until at least ``k`` wait, and they are released to the results together
  (services/answering.py: :func:`release`; selectors.py reads only the released pool while the
  survey takes answers), so that reading the results before and after one answer gives no single
  answer back (the "time-differencing attack").

Pure functions over counts, so that hypothesis can try every table (tests/surveys/test_disclosure.py).
"""

from __future__ import annotations

from collections.abc import Sequence


def group_shown(size: int, threshold: int) -> bool:
    """A group of ``size`` respondents may be shown: none, or at least the threshold."""
    return size >= threshold


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


def protect_table(cells: list[list[int]], row_totals: Sequence[int], threshold: int) -> set[int]:
    """Columns (groups) of a crosstab to hide when its column totals and row totals are published.

    ``cells[i][j]``: respondents in row (category) ``i`` and column (group) ``j``; ``row_totals[i]``
    the category's count in the whole survey (it includes respondents in no column). A shown column
    shows all its cells; the rest (every row's total minus the shown columns) is itself a group that
    the totals give away, so it holds none or at least ``threshold`` respondents.
    """
    n_rows = len(cells)
    n_cols = len(cells[0]) if cells else 0
    sizes = [sum(cells[i][j] for i in range(n_rows)) for j in range(n_cols)]
    return protect_groups(sizes, sum(row_totals), threshold)
