"""A round's applications imported from a CSV file (the pattern of choice/visit_imports.py), each row
through ``applications.submit_application`` — the same rules as Min side and the school office.

Columns (a header row naming them, comma or semicolon, UTF-8; the order is free):

==========================  ======================================================================
``external_id``             the file's own id of the row (required): importing a row again finds
                            the application by it and updates it (or leaves it as it is)
``national_id``             the child's fødselsnummer, 11 digits (required)
``name``                    the child's name (required)
``address``, ``postcode``   the home address as in the municipality's address list (required; it
                            gives the catchment school)
``wish_1`` … ``wish_N``     the schools wished for, best first, by name or number (``wish_1``
                            required; N at most the round's number of wishes)
``sibling_1`` … ``sibling_N``  «ja»/«yes»/«x»/«1» if a sibling attends the school of that wish
                            (optional; empty means no)
``email``, ``mobile``       the guardian's e-mail and mobile number (optional)
``special_needs_school``    the school named by an individual special-needs decision (optional)
==========================  ======================================================================

At most 2 MB and 5 000 rows. Every bad row is reported with its line and the reason in plain words,
and nothing of a bad file is written unless ``skip_bad_rows`` asks for the good rows. The rows are
checked by the service one by one, in one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from servicetorg.core.permissions import Perm, require

from .applications import submit_application
from .models import ApplicationSource, Round, School, SchoolAddress, SchoolApplication

REQUIRED = ("external_id", "national_id", "name", "address", "postcode", "wish_1")
OPTIONAL = ("email", "mobile", "special_needs_school")
MAX_BYTES = 2 * 1024 * 1024
#: Each row goes through submit_application (validation, encryption, history: about 6 ms), so 5 000
#: rows take about half a minute, inside the request timeout; a larger intake is split into files.
MAX_ROWS = 5_000
YES = {"ja", "j", "yes", "y", "x", "1", "true", "sann"}
NO = {"", "nei", "n", "no", "0", "false", "usann"}
#: The service's field names as the file's columns.
COLUMN_OF = {
    "child_national_id": "national_id",
    "name": "name",
    "address": "address",
    "contact_email": "email",
    "contact_phone": "mobile",
    "special_needs_school": "special_needs_school",
    "external_id": "external_id",
    "wishes": "wish",
    "siblings": "sibling",
}


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


def columns(round_: Round) -> list[str]:
    """The file's columns for ``round_``, in the order of the sample file."""
    wishes = [f"wish_{i}" for i in range(1, round_.wishes + 1)]
    siblings = [f"sibling_{i}" for i in range(1, round_.wishes + 1)]
    return ["external_id", "national_id", "name", "address", "postcode", *wishes, *siblings, *OPTIONAL]


def normal(text: str) -> str:
    """Text as the lists compare it: trimmed, inner spaces collapsed, case folded."""
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def address_index(municipality_id: int, postcodes=None) -> dict[tuple[str, str], int]:
    """(address, postcode) as :func:`normal` writes them -> the address's id in the register."""
    qs = SchoolAddress.objects.filter(municipality_id=municipality_id)
    if postcodes is not None:
        qs = qs.filter(postcode__in=postcodes)
    return {(normal(a), p.strip()): pk for pk, a, p in qs.values_list("pk", "address", "postcode")}


def school_index(round_: Round) -> dict[str, int]:
    """A round's schools by name (:func:`normal`) and by number."""
    rows = School.objects.filter(round_seats__round=round_).values_list("pk", "name")
    out = {normal(name): pk for pk, name in rows}
    out.update({str(pk): pk for pk, _name in rows})
    return out


def _field_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for name, errors in error.message_dict.items():
        column = COLUMN_OF.get(name, name)
        for message in errors:
            out.append(message if name in ("round", "__all__") else f"{column}: {message}")
    return out


def _decode(data: bytes) -> list[tuple[int, dict]]:
    if len(data) > MAX_BYTES:
        raise ImportFailed([(0, _("The file is too large (at most 2 MB)."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [(0, _("The file is not UTF-8 text. Save it as «CSV UTF-8» and try again."))]
        ) from exc
    if "\x00" in text:
        raise ImportFailed([(0, _("The file is not a text file."))])
    if not text.strip():
        raise ImportFailed([(0, _("The file is empty."))])
    # The header line names the separator (csv.Sniffer gives up on rows of uneven length).
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportFailed([(1, _("The file cannot be read as CSV."))]) from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed([(1, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})])
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:  # the reader skips blank lines: its own count is the file's line
            line = reader.line_num
            if len(rows) >= MAX_ROWS:
                raise ImportFailed([(0, _("The file has too many rows (at most %(n)s).") % {"n": MAX_ROWS})])
            rows.append((line, row))
    except csv.Error as exc:
        raise ImportFailed([(0, _("The file cannot be read as CSV."))]) from exc
    return rows


@sensitive_variables("row", "number")
def import_applications(data: bytes, *, round_: Round, user, skip_bad_rows: bool = False) -> Imported:
    """Register or update the applications of a CSV file in ``round_`` (see the module's note)."""
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    rows = _decode(data)
    header = set(rows[0][1]) if rows else set()
    too_many = sorted(
        (
            c
            for c in header
            if re.fullmatch(r"(wish|sibling)_\d+", c or "") and int(c.split("_")[1]) > round_.wishes
        ),
        key=lambda c: (c.split("_")[0], int(c.split("_")[1])),
    )
    schools = school_index(round_)
    addresses = address_index(round_.municipality_id)
    # the rows' addresses with their catchment schools, read once (the service takes the objects)
    used = {
        addresses.get((normal(raw.get("address") or ""), (raw.get("postcode") or "").strip()))
        for _line, raw in rows
        if isinstance(raw.get("address"), str) and isinstance(raw.get("postcode"), str)
    }
    places = SchoolAddress.objects.select_related("primary_school", "secondary_school").in_bulk(
        [pk for pk in used if pk is not None]
    )
    known = dict(
        SchoolApplication.objects.filter(round=round_)
        .exclude(external_id="")
        .values_list("external_id", "updated_at")
    )
    result = Imported()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for line, raw in rows:
            row = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items() if k}
            if not any(row.values()):
                continue
            reasons: list[str] = []
            external_id = row.get("external_id", "")
            if not external_id:
                reasons.append(_("external_id is missing"))
            elif external_id in seen:
                reasons.append(
                    _("external_id %(id)s is also on line %(line)s")
                    % {"id": external_id[:64], "line": seen[external_id]}
                )
            else:
                seen[external_id] = line
            for column in too_many:
                if row.get(column):
                    reasons.append(
                        _("%(column)s: this round allows %(n)s wishes")
                        % {"column": column, "n": round_.wishes}
                    )
            address_id = None
            if not row.get("address"):
                reasons.append(_("address is missing"))
            else:
                address_id = addresses.get((normal(row["address"]), row.get("postcode", "")))
                if address_id is None:
                    reasons.append(
                        _("address: the address and postcode are not in the municipality's address list")
                    )
            wishes, siblings = [], []
            for i in range(1, round_.wishes + 1):
                wanted = row.get(f"wish_{i}", "")
                sibling = normal(row.get(f"sibling_{i}", ""))
                if sibling not in YES | NO:
                    reasons.append(
                        _("sibling_%(i)s: write «ja» or leave it empty (not «%(value)s»)")
                        % {"i": i, "value": row.get(f"sibling_{i}", "")[:20]}
                    )
                if not wanted:
                    if sibling in YES:
                        reasons.append(_("sibling_%(i)s: there is no wish %(i)s") % {"i": i})
                    continue
                school_id = schools.get(normal(wanted))
                if school_id is None:
                    reasons.append(
                        _("wish_%(i)s: «%(name)s» is not a school in this round")
                        % {"i": i, "name": wanted[:60]}
                    )
                    continue
                wishes.append(school_id)
                if sibling in YES:
                    siblings.append(school_id)
            special = row.get("special_needs_school", "")
            special_id = None
            if special:
                special_id = schools.get(normal(special))
                if special_id is None:
                    reasons.append(
                        _("special_needs_school: «%(name)s» is not a school in this round")
                        % {"name": special[:60]}
                    )
            if reasons:
                result.errors.append((line, "; ".join(reasons)))
                continue
            try:
                application = submit_application(
                    round_,
                    user=user,
                    child_national_id=row.get("national_id", ""),
                    name=row.get("name", ""),
                    address=places[address_id],
                    wishes=wishes,
                    siblings=siblings,
                    contact_email=row.get("email", ""),
                    contact_phone=row.get("mobile", ""),
                    source=ApplicationSource.IMPORT,
                    external_id=external_id,
                    special_needs_school=special_id,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "round" in error.error_dict:
                    raise ImportFailed([(0, " ".join(error.message_dict["round"]))]) from error
                result.errors.append((line, "; ".join(_field_messages(error))))
                continue
            if external_id not in known:
                result.created += 1
            elif application.updated_at != known[external_id]:
                result.updated += 1
            else:
                result.unchanged += 1
            known[external_id] = application.updated_at
        if result.errors and not skip_bad_rows:
            transaction.set_rollback(True)
            raise ImportFailed(result.errors)
    return result


#: Two made-up children with synthetic fødselsnumre (Skatteetaten's Test-Norge form, month + 80):
#: the sample imports where synthetic numbers are accepted (development, the demo), nowhere else.
SAMPLE_PEOPLE = (("21872196304", "Kari Eksempel"), ("10852185134", "Ola Eksempel"))


def sample(round_: Round) -> str:
    """A sample file for ``round_`` (two rows with the round's own schools and synthetic people)."""
    names = list(
        School.objects.filter(round_seats__round=round_).order_by("name").values_list("name", flat=True)
    )
    names = names or ["Eksempel skole"]
    address = SchoolAddress.objects.filter(municipality_id=round_.municipality_id).order_by("pk").first()
    street, postcode = (address.address, address.postcode) if address else ("Storgata 1", "0001")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(columns(round_))
    for n, (number, name) in enumerate(SAMPLE_PEOPLE):
        wishes = [names[(n + i) % len(names)] for i in range(min(round_.wishes, len(names)))]
        wishes += [""] * (round_.wishes - len(wishes))
        siblings = ["ja" if n == 1 and i == 0 else "" for i in range(round_.wishes)]
        email, mobile = ("foresatt@example.no", "") if n == 0 else ("", "91234567")
        writer.writerow(
            [f"rad-{n + 1}", number, name, street, postcode, *wishes, *siblings, email, mobile, ""]
        )
    return "\ufeff" + buffer.getvalue()
