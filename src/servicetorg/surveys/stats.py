"""Survey statistics as pure functions over counts and sums.

Everything here takes figures the database has already aggregated (counts, Σx, Σx², Σxy …) so the
cost does not grow with the number of answers, and can be checked against numpy/scipy on raw data.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from scipy import stats as _scipy_stats


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """Round as a report does (0.5 up), not to even as Python's round() does."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass
class FrequencyRow:
    key: object
    label: str
    count: int | None  # None when hidden (disclosure control)
    percent: Decimal | None  # of valid answers; None for answers outside the scale, or hidden
    excluded: bool = False
    suppressed: bool = False
    #: The count even when hidden: only for aggregates that are themselves checked (a published
    #: share), never for display.
    raw_count: int = field(default=0, repr=False)


@dataclass
class FrequencyTable:
    rows: list[FrequencyRow]
    valid: int  # answers on the scale / among the alternatives
    excluded: int  # "don't know / not applicable"
    sum_percent: Decimal | None  # sum of the shown (rounded) percentages: 99–101 is shown as is
    decimals: int = 0
    base: int | None = None  # the denominator of the percentages (respondents for multiple choice)
    #: Percentages and the valid total withheld: a hidden "don't know" would follow from them.
    percent_withheld: bool = False

    @property
    def suppressed(self) -> bool:
        return any(r.suppressed for r in self.rows)

    @property
    def sum_base(self) -> int:
        return self.valid if self.base is None else self.base

    @property
    def total(self) -> int:
        return self.valid + self.excluded

    @property
    def valid_rows(self) -> list[FrequencyRow]:
        return [r for r in self.rows if not r.excluded]

    @property
    def excluded_rows(self) -> list[FrequencyRow]:
        return [r for r in self.rows if r.excluded]


def frequency_table(
    categories: list[tuple[object, str, int, bool]],
    *,
    decimals: int = 0,
    base: int | None = None,
    threshold: int | None = None,
) -> FrequencyTable:
    """Counts and percentages of valid answers, with a Sum row of the percentages as shown.

    ``categories`` are (key, label, count, excluded) in display order; excluded ones ("vet ikke")
    are counted apart and take no percentage. ``base`` overrides the denominator (multiple choice:
    the number of respondents, so the Sum may exceed 100).

    With ``threshold`` (the anonymity threshold) the group answering is shown whole or not at all
    (disclosure.py): fewer respondents than the threshold hide every row; otherwise every count is
    shown, however small (2 of 151 is "2", "1 %").
    """
    valid = sum(c for _k, _l, c, ex in categories if not ex)
    excluded = sum(c for _k, _l, c, ex in categories if ex)
    denominator = valid if base is None else base
    hidden: set[int] = set()
    group = valid + excluded if base is None else base
    if threshold and group and group < threshold:
        hidden = set(range(len(categories)))
    withheld = False
    rows = []
    for index, (key, label, count, ex) in enumerate(categories):
        percent = None
        if not ex and denominator and not withheld and index not in hidden:
            percent = round_half_up(100.0 * count / denominator, decimals)
        gone = index in hidden
        rows.append(
            FrequencyRow(
                key=key,
                label=label,
                count=None if gone else count,
                percent=percent,
                excluded=ex,
                suppressed=gone,
                raw_count=count,
            )
        )
    sum_percent = None
    if denominator and not hidden:
        sum_percent = sum((r.percent for r in rows if r.percent is not None), Decimal(0))
    return FrequencyTable(
        rows=rows,
        valid=valid,
        excluded=excluded,
        sum_percent=sum_percent,
        decimals=decimals,
        base=base,
        percent_withheld=withheld,
    )


@dataclass
class Summary:
    n: int
    mean: float | None
    sd: float | None  # sample standard deviation (n − 1)
    ci_low: float | None
    ci_high: float | None
    minimum: float | None = None
    maximum: float | None = None


def mean_sd(n: int, total: float, total_sq: float) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation from n, Σx and Σx²."""
    if n <= 0:
        return None, None
    mean = total / n
    if n < 2:
        return mean, None
    variance = (total_sq - total * total / n) / (n - 1)
    return mean, math.sqrt(max(variance, 0.0))


def confidence_interval(n: int, mean: float | None, sd: float | None, level: float = 0.95):
    """Two-sided confidence interval of the mean (Student's t with n − 1 degrees of freedom)."""
    if mean is None or sd is None or n < 2:
        return None, None
    half = _scipy_stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


def summary(
    n: int, total: float, total_sq: float, minimum=None, maximum=None, level: float = 0.95
) -> Summary:
    mean, sd = mean_sd(n, total, total_sq)
    low, high = confidence_interval(n, mean, sd, level)
    return Summary(n=n, mean=mean, sd=sd, ci_low=low, ci_high=high, minimum=minimum, maximum=maximum)


@dataclass
class Correlation:
    n: int
    r: float | None
    p_value: float | None


def pearson_from_sums(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> Correlation:
    """Pearson's r from the six sums of the pairs, with its two-sided p-value (t, n − 2 df)."""
    if n < 3:
        return Correlation(n=n, r=None, p_value=None)
    cov = n * sxy - sx * sy
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    if var_x <= 0 or var_y <= 0:
        return Correlation(n=n, r=None, p_value=None)
    r = cov / math.sqrt(var_x * var_y)
    r = max(-1.0, min(1.0, r))
    if abs(r) >= 1.0:
        return Correlation(n=n, r=r, p_value=0.0)
    t = r * math.sqrt((n - 2) / (1 - r * r))
    p = 2 * _scipy_stats.t.sf(abs(t), n - 2)
    return Correlation(n=n, r=r, p_value=float(p))


def share(counts: dict[object, int], chosen: set, excluded: set = frozenset()) -> float | None:
    """Share (0–100) of valid answers whose key is in ``chosen`` (e.g. answering 5 or 6)."""
    valid = sum(c for k, c in counts.items() if k not in excluded)
    if not valid:
        return None
    return 100.0 * sum(c for k, c in counts.items() if k in chosen) / valid


@dataclass
class Crosstab:
    """Rows: the question's options; columns: the groups of a background question.

    ``cells[row][col]`` counts; ``column_percent[row][col]`` of the column's valid total. Columns
    (groups) that must not be shown (disclosure.py) are dropped (listed in ``suppressed``); a shown
    column shows every cell.
    """

    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int | None]]
    column_totals: list[int]
    column_percent: list[list[Decimal | None]]
    column_sum_percent: list[Decimal | None]
    suppressed: list[str] = field(default_factory=list)
    chi2: float | None = None
    p_value: float | None = None
    hidden_cells: int = 0

    @property
    def rows_for_display(self) -> list[tuple[str, list[tuple[int | None, Decimal | None]]]]:
        return [
            (label, list(zip(self.cells[i], self.column_percent[i], strict=True)))
            for i, label in enumerate(self.row_labels)
        ]

    @property
    def sums_for_display(self) -> list[tuple[int, Decimal | None]]:
        return list(zip(self.column_totals, self.column_sum_percent, strict=True))


def crosstab(
    rows: list[str],
    columns: list[str],
    counts: dict[tuple[int, int], int],
    *,
    threshold: int,
    decimals: int = 0,
    row_totals: list[int] | None = None,
) -> Crosstab:
    """Build a crosstab from ``counts[(row_index, column_index)]`` under disclosure control.

    ``row_totals`` are the categories' counts in the whole survey (published on the results page;
    they include respondents in no column): with them, no hidden column or cell can be computed
    back from the totals (disclosure.protect_table). Without them, the crosstab's own row sums.
    A shown column shows all its counts.
    """
    from .disclosure import protect_table

    full = [[counts.get((i, j), 0) for j in range(len(columns))] for i in range(len(rows))]
    if row_totals is None:
        row_totals = [sum(line) for line in full]
    hidden_cols = protect_table(full, row_totals, threshold)
    hidden_cells: set[tuple[int, int]] = set()
    keep, suppressed = [], []
    for j in range(len(columns)):
        total = sum(full[i][j] for i in range(len(rows)))
        if total == 0:
            continue
        (suppressed if j in hidden_cols else keep).append(j)
    raw = [[full[i][j] for j in keep] for i in range(len(rows))]
    cells = [[None if (i, j) in hidden_cells else full[i][j] for j in keep] for i in range(len(rows))]
    totals = [sum(raw[i][c] for i in range(len(rows))) for c in range(len(keep))]
    percent = [
        [
            round_half_up(100.0 * raw[i][c] / totals[c], decimals)
            if totals[c] and cells[i][c] is not None
            else None
            for c in range(len(keep))
        ]
        for i in range(len(rows))
    ]
    sums = [
        sum((percent[i][c] for i in range(len(rows))), Decimal(0))
        if all(cells[i][c] is not None for i in range(len(rows)))
        else None
        for c in range(len(keep))
    ]
    chi2 = p = None
    nonempty_rows = [i for i in range(len(rows)) if sum(raw[i]) > 0]
    # No test statistic over hidden cells: with the margins it could give them back.
    if len(keep) >= 2 and len(nonempty_rows) >= 2 and not hidden_cells:
        table = [[raw[i][c] for c in range(len(keep))] for i in nonempty_rows]
        result = _scipy_stats.chi2_contingency(table, correction=False)
        chi2, p = float(result[0]), float(result[1])
    return Crosstab(
        row_labels=list(rows),
        column_labels=[columns[j] for j in keep],
        cells=cells,
        column_totals=totals,
        column_percent=percent,
        column_sum_percent=sums,
        suppressed=[columns[j] for j in suppressed],
        chi2=chi2,
        p_value=p,
        hidden_cells=len(hidden_cells),
    )
