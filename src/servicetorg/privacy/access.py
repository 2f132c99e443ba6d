"""The right of access and erasure (GDPR art. 15 and 17) for one person in one municipality.

An authorised user (``core.personal_data_request``: administration, admin) searches one person by
e-mail address, phone number or fødselsnummer, sees what the municipality's part of the platform
holds about them, and exports it (JSON, or a readable HTML document) or erases it. Each app says what
it holds through ``HOLDINGS`` in its ``personal_data`` module (see privacy.retention):
:class:`Holding` objects that find the person's records of one municipality, describe them for
export, and erase them — deleting what carries no statistics, anonymising what does (an inquiry
keeps its channel, service, unit, dates and outcome for the dashboards, nothing that names anyone).

Every search, export and erasure is written to the privacy log: who, when, what kind of request,
what was searched by (not the value) and how many records — never the personal data itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError

from servicetorg.core import permissions
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import CITIZEN, Perm
from servicetorg.core.validators import check_national_id

from .models import PrivacyAction
from .retention import log

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Person:
    """Who is asked about: at least one of the three, normalised."""

    email: str = ""
    phone: str = ""  # eight digits (a Norwegian number) or +<digits>
    national_id: str = ""  # eleven digits, validated
    #: The number's keyed digest alone: a citizen signed in with ID-porten asks for her own data
    #: (citizens/views.py); the session holds the digest, not the number.
    national_id_digest: str = ""
    #: The person asks herself (Min side's export): holdings leave out what is internal to the
    #: municipality (an inquiry's internal notes), which staff would review before handing over.
    self_service: bool = False

    def criteria(self) -> list[str]:
        """What the search used (for the log): names, never values."""
        found = [name for name in ("email", "phone") if getattr(self, name)]
        return [*found, "national_id"] if self.digest() else found

    def digest(self) -> str:
        """The digest the holdings look the number up by ("" for none)."""
        return self.national_id_digest or (national_id_digest(self.national_id) if self.national_id else "")

    def phone_variants(self) -> list[str]:
        """The ways the phone number may have been typed (spaces and dashes removed)."""
        if not self.phone:
            return []
        if re.fullmatch(r"\d{8}", self.phone):
            return [self.phone, f"+47{self.phone}", f"0047{self.phone}", f"47{self.phone}"]
        return [self.phone, "00" + self.phone[1:]]


def compact_phone(value: str) -> str:
    """Digits of a typed phone number (spaces, dashes, dots and brackets removed); +47/0047 dropped
    from a Norwegian number."""
    digits = re.sub(r"[\s().-]", "", value or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"(\+47)\d{8}", digits):
        digits = digits[3:]
    return digits


def person(*, email: str = "", phone: str = "", national_id: str = "") -> Person:
    """Check and normalise what the user typed; field-level errors (ValidationError) otherwise."""
    errors = {}
    email = (email or "").strip().lower()
    if email and not EMAIL_RE.match(email):
        errors["email"] = _("Give a whole e-mail address, e.g. kari@example.no.")
    phone = compact_phone(phone or "")
    if phone and not re.fullmatch(r"\d{8}|\+\d{8,15}", phone):
        errors["phone"] = _("Give a phone number of eight digits, or with a country code (+46 …).")
    national_id = re.sub(r"\s", "", national_id or "")
    if national_id:
        try:
            national_id = check_national_id(national_id)
        except StdnumError:
            errors["national_id"] = _("This is not a valid national identity number (fødselsnummer).")
    if not errors and not (email or phone or national_id):
        errors["email"] = _("Give an e-mail address, a phone number or a national identity number.")
    if errors:
        raise ValidationError(errors)
    return Person(email=email, phone=phone, national_id=national_id)


@dataclass
class Record:
    """One record of the person, for the page and the export."""

    pk: object
    title: str
    when: Any  # date or datetime, or None
    #: (label, value) pairs: the record's personal data, as the person would read it.
    fields: list[tuple[Any, Any]] = field(default_factory=list)
    #: Further records inside this one (an inquiry's messages), as (title, when, text).
    parts: list[tuple[str, Any, str]] = field(default_factory=list)
    #: On the staff page, show only the title and date (e.g. an inquiry about a sensitive service,
    #: which the administration may not read; the export to the person holds it all).
    restricted: bool = False
    #: ``user -> bool``: may this user read the record in full? (None: whoever may make the request.)
    #: A restricted record is exported in full only to a user it answers yes for (the handling unit);
    #: to others the export holds :attr:`withheld_fields` and a note who hands the record over.
    readable_by: Callable[[Any], bool] | None = None
    #: What an export shows of a record withheld from the exporting user (no content).
    withheld_fields: list[tuple[Any, Any]] = field(default_factory=list)
    #: The record's files: (name, read) with ``read() -> bytes``; they go into the zip export.
    files: list[tuple[str, Callable[[], bytes]]] = field(default_factory=list)
    #: The ID-porten level (``acr``) a citizen's own export needs to hold this record ("" none):
    #: what her case page needs (citizens/assurance.py; set by the holding, e.g. inquiries).
    level: str = ""
    #: Where the handling unit exports this record alone (a staff URL), for a withheld record.
    own_export_url: str = ""
    withheld: bool = False


@dataclass(frozen=True)
class Holding:
    key: str
    label: Any  # lazy text
    #: ``(municipality, person) -> list[Record]``.
    find: Callable[[Municipality, Person], list[Record]]
    #: ``(municipality, person) -> int``: erase (delete or anonymise) what :attr:`find` finds, inside
    #: the caller's transaction; returns how many records.
    erase: Callable[[Municipality, Person], int]
    #: What erasure does (lazy text): "deleted", "anonymised: the statistics stay".
    outcome: Any = ""
    position: int = 100
    #: ``(pk, user) -> (municipality, Record) | None``: one record for its own export by someone who
    #: may read it in full (the handling unit of a sensitive inquiry); None if she may not.
    find_one: Callable[[Any, Any], tuple[Municipality, Record] | None] | None = None


@cache
def holdings() -> tuple[Holding, ...]:
    found: list[Holding] = []
    for config in apps.get_app_configs():
        path = getattr(config, "personal_data", None)
        if path:
            found.extend(getattr(import_module(path), "HOLDINGS", ()))
    return tuple(sorted(found, key=lambda h: (h.position, h.key)))


@dataclass
class Found:
    holding: Holding
    records: list[Record]


def _find(municipality: Municipality, who: Person) -> list[Found]:
    return [Found(h, h.find(municipality, who)) for h in holdings()]


def _counts(found: list[Found]) -> dict[str, int]:
    return {f.holding.key: len(f.records) for f in found if f.records}


def search(municipality: Municipality, who: Person, *, user) -> list[Found]:
    """What the municipality holds about ``who`` (logged: criteria and counts only)."""
    permissions.require(user, Perm.PERSONAL_DATA_REQUEST, municipality.pk)
    found = _find(municipality, who)
    log(municipality, PrivacyAction.SEARCH, user, detail={"by": who.criteria()}, counts=_counts(found))
    return found


FORMATS = ("json", "html", "zip")


def _readable(record: Record, user) -> bool:
    return not record.restricted or record.readable_by is None or record.readable_by(user)


def _withhold(record: Record) -> Record:
    """What an export shows of a record the exporting user may not read: that it exists, its date,
    where the handling unit exports it; no content, no files."""
    note = _(
        "This record is about a service with protected content. Only the unit that handles it may "
        "read and export it: the unit hands it over to the person (its own export)."
    )
    return Record(
        pk=record.pk,
        title=str(_("Withheld: a record about a service with protected content")),
        when=record.when,
        fields=[
            *record.withheld_fields,
            (_("note"), note),
            *(
                [(_("the handling unit exports it at"), record.own_export_url)]
                if record.own_export_url
                else []
            ),
        ],
        restricted=True,
        own_export_url=record.own_export_url,
        withheld=True,
    )


def _log_export(municipality, who_by, user, fmt, found: list[Found]) -> None:
    exported = [f"{f.holding.key}:{r.pk}" for f in found for r in f.records if not r.withheld]
    withheld = [f"{f.holding.key}:{r.pk}" for f in found for r in f.records if r.withheld]
    log(
        municipality,
        PrivacyAction.EXPORT,
        user,
        detail={"by": who_by, "format": fmt, "records": exported, "withheld": withheld},
        counts=_counts(found),
    )


def export(municipality: Municipality, who: Person, *, user, fmt: str) -> list[Found]:
    """The person's data for handing over (``fmt`` "json", "html" or "zip": the caller renders it).
    Records about sensitive services are in full only for a user who may read them (the handling
    unit); to anyone else they are withheld (:func:`_withhold`). Logged, with which records went out
    in full and which were withheld (their keys, never their content)."""
    permissions.require(user, Perm.PERSONAL_DATA_REQUEST, municipality.pk)
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Unknown format.")})
    found = [
        Found(f.holding, [r if _readable(r, user) else _withhold(r) for r in f.records])
        for f in _find(municipality, who)
    ]
    _log_export(municipality, who.criteria(), user, fmt, found)
    return found


class StepUpNeeded(PermissionDenied):
    """Her own export holds a record she reads only at a higher log-in level than her session's (the
    case page asks the same level, or the one-time code). ``levels``: the levels the records need."""

    def __init__(self, levels):
        super().__init__()
        self.levels = sorted(set(levels))


def export_own(
    municipality: Municipality, digest: str, *, user, fmt: str, may_read: Callable[[str], bool]
) -> list[Found]:
    """A citizen's own data, asked for by herself on Min side (signed in with ID-porten; ``digest``
    is her number's, from her session). Everything is hers, so nothing is withheld; but a record
    that names a log-in ``level`` goes out only when ``may_read(level)`` (her session is at that
    level, as its case page asks): otherwise :class:`StepUpNeeded`, and nothing is exported or
    logged. ``user`` is ``CITIZEN``: staff use :func:`export`. Logged like an export, marked
    self-service."""
    if user is not CITIZEN:
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Unknown format.")})
    if not digest:
        raise ValidationError({"national_id": _("No person to export for.")})
    found = _find(municipality, Person(national_id_digest=digest, self_service=True))
    short = [r.level for f in found for r in f.records if r.level and not may_read(r.level)]
    if short:
        raise StepUpNeeded(short)
    exported = [f"{f.holding.key}:{r.pk}" for f in found for r in f.records]
    log(
        municipality,
        PrivacyAction.EXPORT,
        user,
        detail={"by": ["national_id"], "format": fmt, "records": exported, "self_service": True},
        counts=_counts(found),
    )
    return found


def record_for(holding_key: str, pk, *, user) -> tuple[Municipality, list[Found]]:
    """One record for someone who may read it in full (the handling unit of a sensitive inquiry);
    PermissionDenied otherwise. Not logged: :func:`export_one` is."""
    permissions.check_actor(user)
    holding = next((h for h in holdings() if h.key == holding_key and h.find_one), None)
    one = holding.find_one(pk, user) if holding is not None and holding.find_one else None
    if holding is None or one is None:
        raise PermissionDenied
    municipality, record = one
    return municipality, [Found(holding, [record])]


def export_one(holding_key: str, pk, *, user, fmt: str) -> tuple[Municipality, list[Found]]:
    """One record exported by someone who may read it in full, for the person's right of access
    (the administration's export withholds it and points here). Logged like an export."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Unknown format.")})
    municipality, found = record_for(holding_key, pk, user=user)
    _log_export(municipality, ["record"], user, fmt, found)
    return municipality, found


def as_zip(municipality: Municipality, found: list[Found], generated_at, html: str) -> bytes:
    """The export as a zip: the JSON, the readable HTML and the files of the records exported in full
    (withheld records have none)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        data = as_json(municipality, found, generated_at)
        archive.writestr("personopplysninger.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("personopplysninger.html", html)
        n = 0
        for f in found:
            for r in f.records:
                for name, read in r.files:
                    n += 1
                    archive.writestr(f"vedlegg/{n:03d}-{_safe_name(name)}", read())
    return out.getvalue()


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.\- ]", "_", name)[:100] or "fil"


def as_json(municipality: Municipality, found: list[Found], generated_at) -> dict:
    """The export as plain JSON (labels in the current language)."""
    return {
        "controller": {"name": municipality.name, "organisation_number": municipality.organization_number},
        "generated_at": generated_at.isoformat(),
        "records": {
            f.holding.key: {
                "label": str(f.holding.label),
                "items": [
                    {
                        "title": r.title,
                        "date": r.when.isoformat() if r.when else None,
                        "fields": {str(label): _plain(value) for label, value in r.fields},
                        **({"withheld": True} if r.withheld else {}),
                        "parts": [
                            {"title": t, "date": w.isoformat() if w else None, "text": text}
                            for t, w, text in r.parts
                        ],
                    }
                    for r in f.records
                ],
            }
            for f in found
        },
    }


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def erase(municipality: Municipality, who: Person, *, user) -> dict[str, int]:
    """Erase the person's records of the municipality, all or nothing; returns the counts per kind.
    Statistics stay: rows that carry them are anonymised, not deleted (docs/security.md)."""
    permissions.require(user, Perm.PERSONAL_DATA_REQUEST, municipality.pk)
    with transaction.atomic():
        counts = {}
        for h in holdings():
            n = h.erase(municipality, who)
            if n:
                counts[h.key] = n
        log(municipality, PrivacyAction.ERASE, user, detail={"by": who.criteria()}, counts=counts)
    return counts
