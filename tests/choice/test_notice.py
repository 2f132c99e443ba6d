"""The notice rule (choice/notice.py): days moved to the next working day, months from the end of
the month; across month ends, leap years, Easter and Christmas."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from servicetorg.choice.notice import describe, effective_date
from servicetorg.core.workdays import is_working_day


def scheme(days=0, months=0):
    return SimpleNamespace(notice_days=days, notice_months=months)


@pytest.mark.parametrize(
    ("chosen", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 3, 1)),  # the example
        (date(2026, 1, 1), 1, date(2026, 3, 1)),
        (date(2026, 1, 31), 1, date(2026, 3, 1)),
        (date(2026, 12, 15), 1, date(2027, 2, 1)),  # over the year end
        (date(2026, 11, 30), 2, date(2027, 2, 1)),
        (date(2026, 1, 15), 12, date(2027, 2, 1)),
        (date(2028, 1, 31), 1, date(2028, 3, 1)),  # leap year: February has 29 days
        (date(2028, 2, 29), 1, date(2028, 4, 1)),
        (date(2026, 10, 20), 2, date(2027, 1, 1)),  # 1 January is kept though a holiday
        (date(2026, 3, 3), 1, date(2026, 5, 1)),  # 1 May likewise
    ],
)
def test_months_run_from_the_end_of_the_month(chosen, months, expected):
    assert effective_date(scheme(months=months), chosen) == expected


@pytest.mark.parametrize(
    ("chosen", "days", "expected"),
    [
        (date(2026, 6, 1), 10, date(2026, 6, 11)),  # a Thursday: as it is
        (date(2026, 6, 3), 10, date(2026, 6, 15)),  # Saturday 13 → Monday 15
        (date(2026, 1, 29), 3, date(2026, 2, 2)),  # over a month end, Sunday 1 Feb → Monday
        (date(2026, 3, 30), 3, date(2026, 4, 7)),  # Easter: Thursday 2 April … Monday 6 April
        (date(2026, 3, 27), 9, date(2026, 4, 7)),  # Easter Sunday 5 April
        (date(2025, 4, 15), 3, date(2025, 4, 22)),  # Easter 2025: Good Friday 18 April
        (date(2026, 12, 22), 3, date(2026, 12, 28)),  # Christmas Day, Boxing Day, Sunday
        (date(2025, 12, 24), 3, date(2025, 12, 29)),  # Saturday 27 December
        (date(2026, 12, 29), 3, date(2027, 1, 4)),  # New Year's Day (Friday), the weekend
        (date(2028, 2, 27), 2, date(2028, 2, 29)),  # leap day, a Tuesday
        (date(2027, 2, 27), 2, date(2027, 3, 1)),  # no leap day: 1 March, a Monday
        (date(2026, 5, 14), 3, date(2026, 5, 18)),  # Sunday 17 May → Monday 18
    ],
)
def test_days_move_to_the_next_working_day(chosen, days, expected):
    assert effective_date(scheme(days=days), chosen) == expected


def test_a_first_choice_takes_effect_at_once_or_when_the_decision_starts():
    s = scheme(months=1)
    assert effective_date(s, date(2026, 1, 15), first=True) == date(2026, 1, 15)
    assert effective_date(s, date(2026, 1, 15), first=True, starts_on=date(2026, 2, 10)) == date(2026, 2, 10)
    # A switch never takes effect before the decision starts either.
    assert effective_date(s, date(2026, 1, 15), starts_on=date(2026, 6, 1)) == date(2026, 6, 1)
    assert effective_date(s, date(2026, 1, 15), starts_on=date(2025, 6, 1)) == date(2026, 3, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 12))
def test_months_always_give_a_first_of_month_after_a_full_notice(chosen, months):
    day = effective_date(scheme(months=months), chosen)
    assert day.day == 1
    # At least the whole notice after the end of the month of the choice.
    end_of_month = (chosen.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert (day - end_of_month).days >= 28 * months


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 365))
def test_days_always_give_a_working_day_no_earlier_than_the_notice(chosen, days):
    day = effective_date(scheme(days=days), chosen)
    assert is_working_day(day)
    assert day >= chosen + timedelta(days=days)
    assert (day - chosen).days <= days + 6  # at most a long Easter later


@translation.override("en")
def test_the_rule_in_plain_words():
    assert "1 March" in describe(scheme(months=1))
    assert "3 months" in describe(scheme(months=3))
    assert "next working day" in describe(scheme(days=14))
