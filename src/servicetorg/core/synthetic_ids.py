"""Synthetic Norwegian national identity numbers: the only ones the test identity provider
(``servicetorg.testidp``) accepts, and accepted beside real ones where ``ACCEPT_SYNTHETIC_NATIONAL_IDS``
is on (development and tests: ``core/validators.py``).

Skatteetaten's synthetic numbers (Test-Norge, Tenor) look like real ones with 80 added to the
month: the 3rd and 4th digits are 81–92, and both mod-11 control digits are right. A synthetic
D-number also has 40 added to the day (41–71). python-stdnum's ``fodselsnummer.validate`` refuses
these numbers (it reads a month over 40 as an H-number's, month − 40 = 41–52 is no month), so the
control digits come from stdnum and the date is checked here.

Plain Python with no Django (TestID, a Flask process, imports it too); it imports nothing of
``servicetorg``.
"""

from __future__ import annotations

import datetime
import enum

from stdnum.no import fodselsnummer

SYNTHETIC_MONTH_OFFSET = 80
D_NUMBER_DAY_OFFSET = 40


class Problem(enum.Enum):
    """Why a value is not a synthetic national identity number."""

    FORMAT = "format"  # not 11 digits
    CHECKSUM = "checksum"  # a control digit is wrong
    NOT_SYNTHETIC = "not_synthetic"  # the month is 01–12: a real (or real-looking) number
    DATE = "date"  # no such date, or in the future


def synthetic_id_problem(value: str) -> Problem | None:
    """None for a synthetic fødselsnummer or D-number, else the first thing wrong with ``value``
    (spaces are ignored; nothing else is)."""
    number = "".join(str(value).split())
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return Problem.FORMAT
    if number[9] != fodselsnummer.calc_check_digit1(number[:9]):
        return Problem.CHECKSUM
    if number[10] != fodselsnummer.calc_check_digit2(number[:10]):
        return Problem.CHECKSUM
    month = int(number[2:4])
    if not SYNTHETIC_MONTH_OFFSET < month <= SYNTHETIC_MONTH_OFFSET + 12:
        return Problem.NOT_SYNTHETIC
    # stdnum's century rules read the individual number; give it the real month and the D-number's
    # day as it is (it subtracts 40 itself).
    as_real = number[:2] + f"{month - SYNTHETIC_MONTH_OFFSET:02d}" + number[4:]
    try:
        born = fodselsnummer.get_birth_date(as_real)
    except fodselsnummer.ValidationError:
        return Problem.DATE
    if born > datetime.date.today():
        return Problem.DATE
    return None


def is_synthetic_national_id(value: str) -> bool:
    """True for an 11-digit synthetic fødselsnummer or D-number (month + 80, D-number day + 40)
    whose two control digits are right; False for every real number and everything else."""
    return synthetic_id_problem(value) is None


def birth_date(value: str) -> datetime.date:
    """The birth date a valid synthetic number stands for."""
    if (problem := synthetic_id_problem(value)) is not None:
        raise ValueError(f"not a synthetic national identity number ({problem.value})")
    number = "".join(str(value).split())
    month = int(number[2:4]) - SYNTHETIC_MONTH_OFFSET
    return fodselsnummer.get_birth_date(number[:2] + f"{month:02d}" + number[4:])
