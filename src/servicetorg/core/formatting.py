"""Numbers and dates as the active language writes them, for text made in Python (charts, e-mails,
SMS, messages). Templates use Django's localization directly (settings.USE_THOUSAND_SEPARATOR) and
the filters of ``core/templatetags/formatting.py``, which call these functions.

Bokmål and nynorsk: "12 345,6", "45,2 %", "torsdag 3. desember 2026", "03.12.2026", "14:05" (a
non-breaking space between thousands and before the per cent sign, Språkrådet's rule); English:
"12,345.6", "45.2%", "Thursday 3 December 2026". Machine-readable output (CSV, JSON, RDF, APIs) never
goes through here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import get_language

NBSP = "\xa0"


def number(value: int | float | Decimal | None, digits: int | None = None) -> str:
    """``value`` with the language's thousands and decimal separators; ``digits`` decimals when given
    (rounded half up), otherwise as many as the value has."""
    if value is None:
        return ""
    if digits is None and isinstance(value, float):
        value = _trim(value)  # 0.30000000000000004 -> 0.3, 2.0 -> 2
    elif digits is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")
    return formats.number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def percent(value: int | float | Decimal | str | None, digits: int | None = None) -> str:
    """A percentage: "45,2 %" in Norwegian (a non-breaking space before %), "45.2%" in English;
    ``digits`` decimals when given, otherwise the value's own."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = Decimal(value)
    text = number(value, digits)
    return f"{text}%" if (get_language() or "").startswith("en") else f"{text}{NBSP}%"


def _local(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)  # Europe/Oslo
    return value


def date(value: datetime.date | datetime.datetime | None) -> str:
    """ "3. desember 2026" / "3 December 2026"."""
    return formats.date_format(_local(value), "DATE_FORMAT", use_l10n=True) if value else ""


def short_date(value: datetime.date | datetime.datetime | None) -> str:
    """ "03.12.2026" / "03/12/2026"."""
    return formats.date_format(_local(value), "SHORT_DATE_FORMAT", use_l10n=True) if value else ""


def short_datetime(value: datetime.datetime | None) -> str:
    """ "03.12.2026 14:05" in Europe/Oslo."""
    return formats.date_format(_local(value), "SHORT_DATETIME_FORMAT", use_l10n=True) if value else ""


def weekday_date(value: datetime.date | datetime.datetime | None, *, year: bool = True) -> str:
    """ "torsdag 3. desember 2026" / "Thursday 3 December 2026" (without the year: "torsdag 3. desember")."""
    if not value:
        return ""
    value = _local(value)
    day = formats.date_format(value, "DATE_FORMAT" if year else "MONTH_DAY_FORMAT", use_l10n=True)
    return f"{formats.date_format(value, 'l', use_l10n=True)} {day}"


def axis_formatter(digits: int | None = None, *, suffix: str = ""):
    """A matplotlib tick formatter writing the tick values as :func:`number` does (``suffix`` e.g. " %")."""
    from matplotlib.ticker import FuncFormatter

    def format_tick(value, _position=None):
        shown = number(value, digits)
        return shown + suffix

    return FuncFormatter(format_tick)


def _trim(value: float) -> int | Decimal:
    """A tick value without float noise: 2.0 -> 2, 0.30000000000000004 -> 0.3."""
    rounded = round(float(value), 6)
    if rounded == int(rounded):
        return int(rounded)
    return Decimal(str(rounded)).normalize()
