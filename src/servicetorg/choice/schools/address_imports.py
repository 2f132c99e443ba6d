"""The address register (addresses with their catchment schools, nærskole) imported from a file, in
the house pattern of citizens/imports.py: every bad row is reported with its line and reason, and
nothing of a bad file is imported unless ``skip_bad_rows`` asks for the good rows.

Columns (comma or semicolon, a header row, UTF-8): ``address``, ``postcode``, ``latitude``,
``longitude`` (decimal degrees), ``primary_school`` and ``secondary_school`` (the schools' names as
in the registry; either may be empty), and optionally ``district`` (the school district). An
address already in the register (same address and postcode) is updated; the same file imported again
changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, require

from .models import School, SchoolAddress

COLUMNS = ("address", "postcode", "latitude", "longitude", "primary_school", "secondary_school")
OPTIONAL = ("district",)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000


@dataclasses.dataclass
class Imported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors[:20]))
        self.errors = errors


def _degrees(value: str, name: str, low: int, high: int, reasons: list[str]) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        reasons.append(
            _("%(column)s is not a number of degrees between %(low)s and %(high)s")
            % {"column": name, "low": low, "high": high}
        )
        return None
    return number.quantize(Decimal("0.000001"))


def _school(
    name: str, column: str, schools: dict[str, School], stage: tuple[int, int], reasons
) -> School | None:
    if not name:
        return None
    school = schools.get(name.casefold())
    if school is None:
        reasons.append(_("%(column)s: no school named “%(name)s”") % {"column": column, "name": name[:80]})
        return None
    first, last = stage
    if school.last_grade < first or school.first_grade > last:
        reasons.append(
            _("%(column)s: %(school)s teaches grades %(first)s–%(last)s")
            % {
                "column": column,
                "school": school.name,
                "first": school.first_grade,
                "last": school.last_grade,
            }
        )
        return None
    return school


def import_addresses(
    data: bytes, *, municipality: Municipality, user, skip_bad_rows: bool = False
) -> Imported:
    """Import the address register from CSV (columns :data:`COLUMNS`, optional :data:`OPTIONAL`)."""
    require(user, Perm.SCHOOL_ADMINISTER, municipality.pk)
    if len(data) > MAX_BYTES:
        raise ImportFailed([(0, _("The file is too large (at most 5 MB)."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([(0, _("The file is not UTF-8 text."))]) from exc
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,")
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed([(1, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})])
    reader.fieldnames = header
    try:
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise ImportFailed([(0, _("The file cannot be read as CSV."))]) from exc
    if len(rows) > MAX_ROWS:
        raise ImportFailed([(0, _("The file has more than %(n)s rows.") % {"n": MAX_ROWS})])
    schools = {s.name.casefold(): s for s in School.objects.filter(municipality=municipality)}
    existing = {
        (a.address.casefold(), a.postcode): a for a in SchoolAddress.objects.filter(municipality=municipality)
    }
    result = Imported()
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        for line, row in rows:
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(row.values()):
                continue
            reasons: list[str] = []
            text_address, postcode = row["address"][:200], row["postcode"]
            if not text_address:
                reasons.append(_("address is missing"))
            if postcode and not (postcode.isdigit() and len(postcode) == 4):
                reasons.append(_("postcode must be four digits"))
            key = (text_address.casefold(), postcode)
            if key in seen:
                reasons.append(_("the same address as line %(line)s") % {"line": seen[key]})
            seen.setdefault(key, line)
            latitude = _degrees(row["latitude"], "latitude", -90, 90, reasons)
            longitude = _degrees(row["longitude"], "longitude", -180, 180, reasons)
            primary = _school(row["primary_school"], "primary_school", schools, (1, 7), reasons)
            secondary = _school(row["secondary_school"], "secondary_school", schools, (8, 10), reasons)
            if reasons:
                result.errors.append((line, "; ".join(reasons)))
                continue
            values = {
                "district": row.get("district", "")[:100],
                "latitude": latitude,
                "longitude": longitude,
                "primary_school": primary,
                "secondary_school": secondary,
            }
            address = existing.get(key)
            if address is not None and all(getattr(address, k) == v for k, v in values.items()):
                result.unchanged += 1
                continue
            target = address or SchoolAddress(
                municipality=municipality, address=text_address, postcode=postcode
            )
            for name, value in values.items():
                setattr(target, name, value)
            try:
                target.full_clean()
            except ValidationError as error:
                messages = [f"{field}: {'; '.join(msgs)}" for field, msgs in error.message_dict.items()]
                result.errors.append((line, "; ".join(messages)))
                continue
            target.save()
            existing[key] = target
            if address is None:
                result.created += 1
            else:
                result.updated += 1
        if result.errors and not skip_bad_rows:
            transaction.set_rollback(True)
            raise ImportFailed(result.errors)
    return result
