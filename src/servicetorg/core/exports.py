"""Spreadsheet-safe cells for every CSV and XLSX export (OWASP "CSV injection").

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice (``=HYPERLINK(...)`` in a free-text answer becomes a live link; in
XLSX written by openpyxl such a string even becomes a formula). Such cells get a leading apostrophe,
which spreadsheets show as text. Numbers, dates and None pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_cell(value) -> str:
    """A value as an open-data CSV cell: yes/no in Norwegian («ja», «nei»), empty for None, a list's
    items with spaces, text that a spreadsheet would run as a formula quoted (:func:`safe_cell`);
    numbers as they are (a negative number is a number, not a formula)."""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(safe_cell(v)) for v in value)
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]
