"""Norwegian working days (virkedager): Monday to Friday that are not public holidays.

Every deadline in the platform is computed through these functions.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def public_holidays(year: int) -> frozenset[date]:
    # holidays.Norway counts every Sunday as a holiday unless told not to; weekends are handled apart.
    return frozenset(holidays.Norway(years=year, include_sundays=False).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it, for a negative number).

    ``add_working_days(d, 0)`` is ``d`` moved forward to a working day. An inquiry received on a
    Friday with one working day to answer is due on Monday (Tuesday if Monday is a holiday).
    """
    if days == 0:
        return next_working_day(start)
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    The inverse of :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    total_days = (end - start).days
    full_weeks, rest = divmod(total_days, 7)
    count = full_weeks * 5
    day = start + timedelta(days=full_weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(1 for h in public_holidays(year) if start < h <= end and h.weekday() < 5)
    return count
