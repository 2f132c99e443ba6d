"""Relations imported from a file (e.g. guardianships from the population register, issue 20):
every bad row is reported with its line and reason, and nothing of a bad file is imported unless
``skip_bad_rows`` asks for the good rows. Rows already registered (same kind, representative and
person, same start) are skipped, so the same file can be imported again."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core import permissions
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm

from . import services
from .models import Relation, RelationKind, RelationSource

COLUMNS = ("kind", "representative_national_id", "subject_national_id", "subject_name", "valid_from")
OPTIONAL = ("valid_until", "note")
MAX_BYTES = 5 * 1024 * 1024


@dataclasses.dataclass
class Imported:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors[:20]))
        self.errors = errors


def _date(value: str, line_errors: list[str], name: str, *, required: bool) -> date | None:
    if not value:
        if required:
            line_errors.append(_("%(column)s is missing") % {"column": name})
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    line_errors.append(_("%(column)s is not a date (yyyy-mm-dd or dd.mm.yyyy)") % {"column": name})
    return None


def import_relations(
    data: bytes, *, municipality: Municipality, user, skip_bad_rows: bool = False
) -> Imported:
    """Import relations from CSV (comma or semicolon; columns :data:`COLUMNS`, optional
    :data:`OPTIONAL`; ``kind`` is guardian, relative or attorney)."""
    permissions.require(user, Perm.CITIZEN_RELATIONS, municipality.pk)
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
    result = Imported()
    with transaction.atomic():
        try:
            rows = list(enumerate(reader, start=2))
        except csv.Error as exc:
            raise ImportFailed([(0, _("The file cannot be read as CSV."))]) from exc
        for line, row in rows:
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(row.values()):
                continue
            reasons: list[str] = []
            if row["kind"] not in RelationKind.values:
                reasons.append(_("unknown kind “%(kind)s”") % {"kind": row["kind"][:40]})
            valid_from = _date(row["valid_from"], reasons, "valid_from", required=True)
            valid_until = _date(row.get("valid_until", ""), reasons, "valid_until", required=False)
            if reasons:
                result.errors.append((line, "; ".join(reasons)))
                continue
            rep, subject = row["representative_national_id"], row["subject_national_id"]
            try:
                exists = Relation.objects.filter(
                    municipality=municipality,
                    kind=row["kind"],
                    representative_digest=national_id_digest(rep) if rep else "",
                    subject_digest=national_id_digest(subject) if subject else "",
                    valid_from=valid_from,
                ).exists()
                if exists:
                    result.unchanged += 1
                    continue
                with transaction.atomic():
                    services.register_relation(
                        municipality,
                        kind=row["kind"],
                        representative_national_id=rep,
                        subject_national_id=subject,
                        subject_name=row["subject_name"],
                        valid_from=valid_from,
                        valid_until=valid_until,
                        note=row.get("note", ""),
                        source=RelationSource.IMPORTED,
                        user=user,
                    )
                result.created += 1
            except ValidationError as error:
                messages = [f"{field}: {'; '.join(msgs)}" for field, msgs in error.message_dict.items()]
                result.errors.append((line, "; ".join(messages)))
        if result.errors and not skip_bad_rows:
            transaction.set_rollback(True)
            raise ImportFailed(result.errors)
    return result
