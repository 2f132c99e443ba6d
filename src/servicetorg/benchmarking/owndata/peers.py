"""Peer comparisons from the official statistics, for relative strategy targets.

A relative target reads "better than the county's median by 2027": its value is a statistic (median
or a quartile) of the official values (:class:`~servicetorg.benchmarking.models.OfficialValue`) of the
municipality's peer group in the target year. Statistics are keyed by the code in force the year
they describe, so the municipality's code *in that year* decides its group (Larvik's 2023 figure is
3805's, in Vestfold og Telemark; its 2024 figure 3909's, in Vestfold) and its own value is read
through :mod:`servicetorg.benchmarking.series` (renumbering, mergers by the indicator's rule).

The peer group leaves the municipality itself out and counts only numbers (an SSB symbol is never a
value, never 0). Fictional codes (the demo's 3999) are never peers.

Peer groups: county and country from the register (:class:`Region`: a municipality code valid in the
year, with its county); a KOSTRA group from ``benchmarking.compare.peers.peer_codes`` (the compare
part's), when that is installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicetorg.benchmarking import series
from servicetorg.benchmarking.compare.models import KostraGroup
from servicetorg.benchmarking.models import OfficialValue, Region, RegionKind, Symbol
from servicetorg.indicators.models import ImportRun, Indicator

from .selectors import quartiles


class PeerKind(models.TextChoices):
    KOSTRA_GROUP = "kostra_group", _("KOSTRA group")
    COUNTY = "county", _("County")
    COUNTRY = "country", _("Country")


class PeerStatistic(models.TextChoices):
    MEDIAN = "median", _("median")
    LOWER_QUARTILE = "lower_quartile", _("lower quartile")
    UPPER_QUARTILE = "upper_quartile", _("upper quartile")


@dataclass(frozen=True)
class Comparison:
    """The peer comparison of one indicator and year."""

    year: int
    kind: str
    statistic: str
    own_code: str  # the municipality's code in the year ("" when it had none: before a split)
    own_value: float | None
    peer_value: float | None  # the chosen statistic: the relative target's value
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    n: int
    group: str  # the group's name ("Vestfold", "Norway", "KOSTRA group")
    note: str = ""
    synthetic: bool = False  # a value of a demo run is among them: «Syntetiske demotall»

    @property
    def has_figures(self) -> bool:
        return self.n > 0


def _valid_in(year: int) -> Q:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=end)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )


def _compare_peer_codes():
    """The compare part's ``peer_codes`` (used for KOSTRA groups, which that part keeps)."""
    try:
        from servicetorg.benchmarking.compare import peers as compare_peers  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the part is installed with benchmarking
        return None
    return getattr(compare_peers, "peer_codes", None)


def available_kinds() -> list[str]:
    """The peer groups a relative target can use here: county and country always, a KOSTRA group
    when the installation has KOSTRA groups (uploaded on the compare part's staff pages)."""
    kinds = [PeerKind.COUNTY.value, PeerKind.COUNTRY.value]
    if _compare_peer_codes() is not None and KostraGroup.objects.exists():
        kinds.insert(0, PeerKind.KOSTRA_GROUP.value)
    return kinds


def compare_peers_group(code: str, year: int) -> str:
    from servicetorg.benchmarking.compare.peers import kostra_group_of  # noqa: PLC0415

    group = kostra_group_of(code, year)
    return f"{group.code} {group.name}".strip() if group is not None else ""


def peer_codes(kind: str, code: str, year: int) -> tuple[list[str], str]:
    """The municipality codes (in force in ``year``) of ``code``'s peer group, and the group's name.

    ``code`` is the municipality's code in ``year``; it is left out of the group."""
    if kind == PeerKind.KOSTRA_GROUP:
        # The compare part's groups: the members of the grouping that applies to ``year``, under
        # their codes in force in ``year`` (a grouping of 2023 lists 3805; the 2024 figures are
        # keyed by 3909). County and country are read here instead,
        # from the register's codes valid in ``year`` (the compare part gives today's codes, and the
        # statistics of an earlier year are keyed by that year's codes).
        theirs = _compare_peer_codes()
        if theirs is None:
            return [], gettext("KOSTRA group")
        try:
            codes = theirs(kind, code, year, codes_of_year=True)
        except ValueError:  # compare.peers.PeerError: no group for this code and year
            return [], gettext("KOSTRA group")
        group = compare_peers_group(code, year)
        return [c for c in codes if c != code], group or gettext("KOSTRA group")
    regions = Region.objects.filter(_valid_in(year), kind=RegionKind.MUNICIPALITY, fictional=False)
    if kind == PeerKind.COUNTY:
        own = Region.objects.filter(code=code).values_list("county_code", "county_name").first()
        if own is None or not own[0]:
            return [], gettext("County")
        regions = regions.filter(county_code=own[0])
        name = own[1] or gettext("County")
    elif kind == PeerKind.COUNTRY:
        name = gettext("Norway")
    else:
        raise ValueError(kind)
    return sorted(c for c in regions.values_list("code", flat=True) if c != code), name


def compare(
    indicator: Indicator, municipality_code: str, year: int, kind: str, statistic: str, *, graph=None
) -> Comparison:
    """The peer comparison of ``indicator`` for the municipality (its code today) in ``year``."""
    graph = graph or series.Graph.load()
    codes = series.codes_for_year(municipality_code, year, graph=graph)
    own_point = series.read(indicator, [municipality_code], [year], graph=graph)[municipality_code][0]
    own_value = own_point.value if own_point.value is not None else None
    if not codes:
        return Comparison(year, kind, statistic, "", None, None, None, None, None, 0, "", note=own_point.note)
    own_code = codes[0]
    peers, group = peer_codes(kind, own_code, year)
    peers = [c for c in peers if c not in codes]
    rows = list(
        OfficialValue.objects.filter(
            indicator=indicator, year=year, region_code__in=[*peers, *codes]
        ).values_list("region_code", "value", "symbol", "run__kind")
    )
    own = set(codes)
    numbers = sorted(v for c, v, s, _k in rows if c not in own and v is not None and Symbol.has_number(s))
    synthetic = any(kind == ImportRun.Kind.DEMO for _c, _v, _s, kind in rows)
    q1, q2, q3 = quartiles(numbers)
    chosen = {PeerStatistic.MEDIAN: q2, PeerStatistic.LOWER_QUARTILE: q1, PeerStatistic.UPPER_QUARTILE: q3}
    return Comparison(
        year=year,
        kind=kind,
        statistic=statistic,
        own_code="+".join(codes),
        own_value=own_value,
        peer_value=chosen.get(statistic, q2),
        median=q2,
        lower_quartile=q1,
        upper_quartile=q3,
        n=len(numbers),
        group=group,
        note=own_point.note,
        synthetic=synthetic,
    )
