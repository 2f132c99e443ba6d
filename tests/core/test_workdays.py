from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from servicetorg.core.workdays import add_working_days, is_working_day, next_working_day, working_days_between

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 11, 23))  # Monday
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 11, 22))  # Sunday


def test_norwegian_public_holidays_2026():
    for holiday in [
        date(2026, 1, 1),  # nyttårsdag
        date(2026, 4, 2),  # skjærtorsdag
        date(2026, 4, 3),  # langfredag
        date(2026, 4, 6),  # 2. påskedag
        date(2026, 5, 1),  # arbeidernes dag
        date(2026, 5, 14),  # Kristi himmelfartsdag
        date(2026, 5, 25),  # 2. pinsedag
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]:
        assert not is_working_day(holiday), holiday
    assert is_working_day(date(2026, 12, 23))
    assert is_working_day(date(2027, 5, 17)) is False  # grunnlovsdag on a Monday


def test_easter_week_deadline():
    # Received Wednesday before Easter 2026: Thursday–Monday are holidays or weekend.
    assert add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)
    assert working_days_between(date(2026, 4, 1), date(2026, 4, 7)) == 1


def test_may_holidays():
    # 2026: 1 May Friday, 14 May Ascension (Thursday), 17 May Sunday, 25 May Whit Monday.
    assert add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 4)
    assert add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 15)
    assert add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)
    # 2027: 17 May is a Monday.
    assert add_working_days(date(2027, 5, 14), 1) == date(2027, 5, 18)


def test_across_christmas_and_year_end():
    # From 23 December 2026 (Wednesday): 24th Thu (working), 25–27 off, 28–31 working, 1 Jan off.
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 6


def test_friday_inquiry_with_one_day_is_due_monday():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_zero_days_moves_to_a_working_day():
    assert add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)


def test_negative_days_go_backwards():
    assert add_working_days(date(2026, 11, 23), -1) == date(2026, 11, 20)
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 20)) == -1


@given(dates, st.integers(min_value=1, max_value=400))
def test_between_is_the_inverse_of_add(start, days):
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert is_working_day(end)
    assert end > start


@given(dates, st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=200))
def test_adding_is_additive(start, a, b):
    if a == 0 or b == 0:
        return
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)


@given(dates, dates)
def test_between_counts_working_days_one_by_one(a, b):
    if abs((b - a).days) > 120:
        b = a + timedelta(days=(b - a).days % 120)
    lo, hi = min(a, b), max(a, b)
    expected = sum(1 for i in range(1, (hi - lo).days + 1) if is_working_day(lo + timedelta(days=i)))
    assert working_days_between(lo, hi) == expected
    assert working_days_between(hi, lo) == -expected
