"""Drawing a round's regions by size band, deterministically from a recorded seed (pure functions).

The bands are those of Forbrukerrådet's kommunetest reports (under 5 000, 5 000–19 999,
20 000–49 999, 50 000 and more inhabitants). ``per_band`` regions are drawn from each band with
``random.Random(seed)`` over the candidates sorted by code, so the same register, the same figures
and the same seed give the same sample. Without population figures for any region the sample is
``per_band`` × the number of bands from all regions, and the note says so.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: (code, lowest population, highest population or None); the codes are words, not number ranges,
#: so open data never holds a cell that looks like a number but is not one
BANDS = (
    ("under-5000", 0, 4999),
    ("5000-til-19999", 5000, 19999),
    ("20000-til-49999", 20000, 49999),
    ("50000-og-over", 50000, None),
)
NO_BAND = "all"


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    population: int | None = None


def band_of(population: int | None) -> str:
    if population is None:
        return ""
    for code, low, high in BANDS:
        if population >= low and (high is None or population <= high):
            return code
    return ""


def draw(
    candidates: Iterable[Candidate], *, per_band: int, seed: int, exclude: Iterable[str] = ()
) -> tuple[list[tuple[Candidate, str]], str]:
    """(candidate, band) for each region drawn, in code order, and a note on how they were drawn."""
    excluded = set(exclude)
    pool = sorted((c for c in candidates if c.code not in excluded), key=lambda c: c.code)
    rng = random.Random(seed)
    with_population = [c for c in pool if c.population is not None]
    if not with_population:
        chosen = rng.sample(pool, min(len(pool), per_band * len(BANDS)))
        note = _(
            "No population figures were available: %(n)s regions were drawn from all %(total)s "
            "regions with seed %(seed)s, not by size band."
        ) % {"n": len(chosen), "total": len(pool), "seed": seed}
        return sorted(((c, NO_BAND) for c in chosen), key=lambda pair: pair[0].code), note
    out: list[tuple[Candidate, str]] = []
    counts = []
    for band, _low, _high in BANDS:
        members = [c for c in with_population if band_of(c.population) == band]
        picked = rng.sample(members, min(len(members), per_band))
        out.extend((c, band) for c in picked)
        counts.append(f"{band}: {len(picked)}/{len(members)}")
    missing = len(pool) - len(with_population)
    note = _("Drawn by size band with seed %(seed)s (%(counts)s).") % {
        "seed": seed,
        "counts": ", ".join(counts),
    }
    if missing:
        note += " " + _("%(n)s regions without a population figure could not be drawn.") % {"n": missing}
    return sorted(out, key=lambda pair: pair[0].code), note
