import datetime

import pytest
from stdnum.no import fodselsnummer

from servicetorg.core.synthetic_ids import Problem, birth_date, synthetic_id_problem
from servicetorg.testidp import DEMO_PEOPLE, is_synthetic_national_id

# A real-form birth number with right control digits (python-stdnum's own example).
REAL = "15108695088"


@pytest.mark.parametrize(("name", "pid"), DEMO_PEOPLE)
def test_the_demo_people_have_synthetic_numbers(name, pid):
    assert is_synthetic_national_id(pid)
    assert 81 <= int(pid[2:4]) <= 92


def test_the_demo_people_are_four_different_people():
    assert len({pid for _, pid in DEMO_PEOPLE}) == len(DEMO_PEOPLE) == 4


def test_a_real_birth_number_is_refused_though_stdnum_accepts_it():
    assert fodselsnummer.is_valid(REAL)
    assert synthetic_id_problem(REAL) is Problem.NOT_SYNTHETIC
    assert not is_synthetic_national_id(REAL)


def test_stdnum_refuses_synthetic_numbers_so_the_date_is_checked_here():
    """python-stdnum reads month 81–92 as an H-number's (month − 40): no month. Why this module exists."""
    assert not fodselsnummer.is_valid("03848510288")
    assert birth_date("03848510288") == datetime.date(1985, 4, 3)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("03848510289", Problem.CHECKSUM),  # second control digit wrong
        ("03848510298", Problem.CHECKSUM),  # first control digit wrong
        ("0384851028", Problem.FORMAT),
        ("038485102880", Problem.FORMAT),
        ("0384851028a", Problem.FORMAT),
        ("", Problem.FORMAT),
        ("٠٣٨٤٨٥١٠٢٨٨", Problem.FORMAT),  # Arabic-Indic digits are digits to str.isdigit
    ],
)
def test_malformed_numbers_are_refused(value, problem):
    assert synthetic_id_problem(value) is problem
    assert not is_synthetic_national_id(value)


def test_spaces_are_ignored():
    assert is_synthetic_national_id("038485 10288")


def test_a_synthetic_d_number_is_accepted():
    """Day + 40 and month + 80: 1 November 1991."""
    assert is_synthetic_national_id("41919110145")
    assert birth_date("41919110145") == datetime.date(1991, 11, 1)


def _with_control_digits(first_nine: str) -> str:
    first = fodselsnummer.calc_check_digit1(first_nine)
    second = fodselsnummer.calc_check_digit2(first_nine + first)
    return first_nine + first + second


def test_no_such_date_is_refused():
    # 30 February (month 02 + 80), with right control digits.
    for individual in range(100, 200):
        number = _with_control_digits(f"308290{individual}")
        if len(number) == 11:
            break
    assert synthetic_id_problem(number) is Problem.DATE


def test_a_birth_date_in_the_future_is_refused():
    year = datetime.date.today().year + 1 - 2000
    for individual in range(500, 1000):
        number = _with_control_digits(f"0181{year:02d}{individual}")
        if len(number) == 11:
            break
    assert synthetic_id_problem(number) is Problem.DATE


def test_the_demo_people_are_min_sides_demo_citizens():
    """TestID keeps a copy (no app may import it): a sign-in as a demo person reaches her demo data."""
    from servicetorg.choice.schools.demo import GUARDIAN, GUARDIAN_NAME
    from servicetorg.citizens.demo import PEOPLE

    demo_citizens = {(name, pid) for pid, name in PEOPLE.items()} | {(GUARDIAN_NAME, GUARDIAN)}
    assert {(name, pid) for name, pid in DEMO_PEOPLE} <= demo_citizens
