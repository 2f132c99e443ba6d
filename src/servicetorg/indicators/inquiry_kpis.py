"""Front-desk key figures (module 2) as indicator values, so goals can follow them.

Read from the inquiry dashboard's rollup tables for one municipality and calendar year. Each figure is
a **shared** definition: one national indicator (``municipality`` None, source "inquiry_kpi", created
the first time) with a value per municipality, so that the installation's municipalities can compare
their front desks (benchmarking's own figures; each municipality chooses what to publish there).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, require
from servicetorg.inquiries.models import Handling
from servicetorg.inquiries.selectors import Dashboard, dashboard

from .models import Aspect, Direction, Indicator, IndicatorValue, Source
from .services import record_value


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    unit_of_measure: str
    direction: str
    aspect: str
    figure: Callable[[Dashboard], float | None]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


#: The codes of the shared front-desk figures (national indicators, source "inquiry_kpi").
KPIS = [
    Kpi(
        "henvendelser-svart-i-tide",
        _("Inquiries answered within the deadline"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.QUALITY,
        lambda b: _share(b.in_time, b.replied),
    ),
    Kpi(
        "henvendelser-ferdigbehandlet-i-skranken",
        _("Inquiries resolved at the service desk"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.QUALITY,
        lambda b: _share(b.by_handling.get(Handling.RESOLVED_AT_DESK, 0), b.total),
    ),
    Kpi(
        "henvendelser-median-svartid",
        _("Median time to reply to an inquiry"),
        _("hours"),
        Direction.LOWER_IS_BETTER,
        Aspect.QUALITY,
        lambda b: round(b.median_hours, 1) if b.median_hours is not None else None,
    ),
    Kpi(
        "henvendelser-antall",
        _("Inquiries received"),
        _("count"),
        Direction.HIGHER_IS_BETTER,
        Aspect.VOLUME,
        lambda b: b.total or None,
    ),
]


@transaction.atomic
def record_inquiry_kpis(municipality: Municipality, year: int, *, user) -> list[IndicatorValue]:
    """Record the year's front-desk figures; a figure without data (no inquiries) is left out.
    Municipality-wide figures: the municipality's administration (or SYSTEM)."""
    require(user, Perm.INDICATOR_EDIT, municipality.pk)
    board = dashboard(municipality.pk, date(year, 1, 1), date(year, 12, 31))
    recorded = []
    for kpi in KPIS:
        value = kpi.figure(board)
        if value is None:
            continue
        with translation.override(settings.LANGUAGE_CODE):  # stored names are in the municipality's language
            name, unit_of_measure = str(kpi.name), str(kpi.unit_of_measure)
        indicator, _created = Indicator.objects.get_or_create(
            municipality=None,
            code=kpi.code,
            defaults={
                "name": name,
                "unit_of_measure": unit_of_measure,
                "direction": kpi.direction,
                "aspect": kpi.aspect,
                "source": Source.INQUIRY_KPI,
            },
        )
        recorded.append(
            record_value(
                indicator=indicator,
                municipality=municipality,
                year=year,
                value=value,
                source=Source.INQUIRY_KPI,
                note=f"{board.total} henvendelser, {board.replied} besvart",
                user=user,
            )
        )
    return recorded


def shared_codes() -> list[str]:
    return [kpi.code for kpi in KPIS]
