"""A value among its peers: percentile, median, quartiles, n with data, and a plain sentence.

Only numbers count: a peer whose figure is an SSB symbol (``.``, ``..``, ``...``, ``:``) or missing
is left out of every statistic and of n — never counted as 0. (``-``, nil, is a real 0.)

**Percentile** — the share of the peers with a lower value, ties counted half (a percentile rank,
0–100). **Median and quartiles** — of the peers' values (linear interpolation, numpy's default).

**The uncertainty rule** (what the sentence may call higher, lower, better or worse): a difference
from the peers' median counts only when it is larger than the *margin*,

    margin = max(half a unit of the figure's last published decimal,
                 a quarter of the peers' interquartile range (Q3 − Q1)),

so a difference that rounding could make, or that is small beside how much the peer group itself
varies, is "about the same as the median". With fewer than :data:`MIN_PEERS` peers with data the
sentence says there are too few to compare. An indicator's direction decides the words: "better"
and "worse" only where higher (or lower) is better; a neutral indicator is only "higher" or "lower".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _

from servicetorg.core.formatting import number
from servicetorg.indicators.models import Direction

__all__ = ["MIN_PEERS", "QUARTER_IQR", "PeerStats", "peer_stats", "margin", "verdict", "sentence", "decimals"]

#: Fewest peers with a number for a comparison.
MIN_PEERS = 3
#: The share of the peers' interquartile range within which a difference is "about the same".
QUARTER_IQR = 0.25
MAX_DECIMALS = 3


@dataclass(frozen=True)
class PeerStats:
    value: float | None
    n: int  # peers with a number
    median: float | None
    q1: float | None
    q3: float | None
    percentile: float | None  # of ``value`` among the peers, 0–100
    margin: float | None
    verdict: str  # "higher", "lower", "same", "few", "none" (no value)

    @property
    def comparable(self) -> bool:
        return self.verdict in ("higher", "lower", "same")


def decimals(value: float) -> int:
    """The decimals the figure was published with (its shortest written form, at most 3)."""
    if value is None or not math.isfinite(value):
        return 0
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return min(MAX_DECIMALS, max(0, -int(exponent)))


def margin(value: float, q1: float, q3: float) -> float:
    """The uncertainty margin of the module's rule."""
    return max(0.5 * 10 ** -decimals(value), QUARTER_IQR * (q3 - q1))


def peer_stats(value: float | None, peers: Iterable[float | None]) -> PeerStats:
    """``value`` among ``peers`` (None for a peer without a number: left out, never 0)."""
    numbers = np.array([p for p in peers if p is not None and math.isfinite(p)], dtype=float)
    n = int(numbers.size)
    if n == 0:
        return PeerStats(value, 0, None, None, None, None, None, "none" if value is None else "few")
    q1, median, q3 = (float(x) for x in np.percentile(numbers, [25, 50, 75]))
    if value is None:
        return PeerStats(None, n, median, q1, q3, None, None, "none")
    below = float((numbers < value).sum())
    ties = float((numbers == value).sum())
    percentile = 100.0 * (below + ties / 2) / n
    m = margin(value, q1, q3)
    if n < MIN_PEERS:
        return PeerStats(value, n, median, q1, q3, percentile, m, "few")
    return PeerStats(value, n, median, q1, q3, percentile, m, verdict(value, median, m))


def verdict(value: float, median: float, margin_: float) -> str:
    if abs(value - median) <= margin_:
        return "same"
    return "higher" if value > median else "lower"


def _fmt(value: float) -> str:
    return number(value, decimals(value))


def sentence(stats: PeerStats, *, name: str, year: int, direction: str, unit: str = "") -> str:
    """The plain sentence for a profile: what the value is and how it stands in its group."""
    if stats.value is None:
        return _("%(name)s has no figure for %(year)s.") % {"name": name, "year": year}
    unit_text = f" {unit}" if unit and unit != "%" else ("\xa0%" if unit == "%" else "")
    values = {
        "name": name,
        "year": year,
        "value": _fmt(stats.value) + unit_text if stats.value is not None else "",
        "median": _fmt(stats.median) + unit_text if stats.median is not None else "",
        "n": stats.n,
        "percentile": number(round(stats.percentile or 0)),
    }
    if stats.verdict == "few":
        return (
            _(
                "%(name)s: %(value)s in %(year)s. Too few municipalities in the group have a figure for "
                "%(year)s to compare (%(n)s with data)."
            )
            % values
        )
    if stats.verdict == "same":
        return (
            _(
                "%(name)s: %(value)s in %(year)s, about the same as the group's median (%(median)s; "
                "%(n)s municipalities with data): the difference is within the margin of uncertainty."
            )
            % values
        )
    higher = stats.verdict == "higher"
    if direction == Direction.NEUTRAL:
        text = (
            _(
                "%(name)s: %(value)s in %(year)s, higher than the group's median (%(median)s; "
                "%(n)s municipalities with data). For this indicator higher is neither better nor worse."
            )
            if higher
            else _(
                "%(name)s: %(value)s in %(year)s, lower than the group's median (%(median)s; "
                "%(n)s municipalities with data). For this indicator lower is neither better nor worse."
            )
        )
        return text % values
    better = higher == (direction == Direction.HIGHER_IS_BETTER)
    if higher:
        text = (
            _(
                "%(name)s: %(value)s in %(year)s, higher than the group's median (%(median)s; "
                "%(n)s municipalities with data), which is better: higher is better for this indicator."
            )
            if better
            else _(
                "%(name)s: %(value)s in %(year)s, higher than the group's median (%(median)s; "
                "%(n)s municipalities with data), which is worse: lower is better for this indicator."
            )
        )
    else:
        text = (
            _(
                "%(name)s: %(value)s in %(year)s, lower than the group's median (%(median)s; "
                "%(n)s municipalities with data), which is better: lower is better for this indicator."
            )
            if better
            else _(
                "%(name)s: %(value)s in %(year)s, lower than the group's median (%(median)s; "
                "%(n)s municipalities with data), which is worse: higher is better for this indicator."
            )
        )
    return text % values
