"""Visits uploaded by a provider as CSV (the house pattern of citizens/imports.py).

Columns (comma or semicolon, a header row, UTF-8): ``decision`` (the decision's number as the
provider's user list shows it, or its case reference), ``start`` and ``end`` (Oslo time,
``yyyy-mm-dd hh:mm`` or ``dd.mm.yyyy hh:mm``), ``helper`` (the helper's pseudonym) and ``visit_id``
(the provider's own id of the visit). Every bad row is reported with its line and reason, and nothing
of a bad file is written unless ``skip_bad_rows`` asks for the good rows. A row whose ``visit_id`` the
provider has already registered is left as it is: uploading the same file again changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core.permissions import Perm, is_system, require

from . import access, visits
from .models import Choice, ChoiceState, Decision, Provider, Visit, VisitSource

COLUMNS = ("decision", "start", "end", "helper", "visit_id")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y kl. %H:%M")


@dataclasses.dataclass
class Imported:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors[:20]))
        self.errors = errors


def parse_moment(value: str) -> datetime | None:
    """An Oslo wall-clock time (or an ISO time with its offset) as an aware datetime; None if unreadable."""
    value = value.strip()
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=visits.OSLO)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=visits.OSLO)


def _decisions(provider: Provider) -> tuple[dict[str, int], dict[str, int]]:
    """The decisions the provider has served, by number and by case reference."""
    served = (
        Choice.objects.filter(provider=provider)
        .exclude(state=ChoiceState.CANCELLED)
        .values_list("decision_id", flat=True)
    )
    rows = Decision.objects.filter(pk__in=served).values_list("pk", "case_reference")
    by_pk = {str(pk): pk for pk, _ref in rows}
    by_ref = {ref.strip().lower(): pk for pk, ref in rows if ref.strip()}
    return by_pk, by_ref


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(m for messages in error.message_dict.values() for m in messages)
    return "; ".join(error.messages)


def import_visits(data: bytes, *, provider: Provider, user, skip_bad_rows: bool = False) -> Imported:
    """Register the visits of a CSV file for ``provider`` (see the module's note)."""
    if not is_system(user):
        require(user, Perm.CHOICE_PROVIDE, provider.municipality_id, unit_bound=False)
        if not access.may_provide(user, provider):
            raise PermissionDenied
    if len(data) > MAX_BYTES:
        raise ImportFailed([(0, _("The file is too large (at most 2 MB)."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([(0, _("The file is not UTF-8 text."))]) from exc
    if "\x00" in text:
        raise ImportFailed([(0, _("The file is not a text file."))])
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,")
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportFailed([(1, _("The file cannot be read as CSV."))]) from exc
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed([(1, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})])
    reader.fieldnames = header
    try:
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise ImportFailed([(0, _("The file cannot be read as CSV."))]) from exc
    if len(rows) > MAX_ROWS:
        raise ImportFailed([(0, _("The file has too many rows (at most %(n)s).") % {"n": MAX_ROWS})])
    by_pk, by_ref = _decisions(provider)
    known = set(
        Visit.objects.filter(provider=provider).exclude(external_id="").values_list("external_id", flat=True)
    )
    result = Imported()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for line, row in rows:
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(row.values()):
                continue
            reasons: list[str] = []
            visit_id = row["visit_id"]
            if not visit_id:
                reasons.append(_("visit_id is missing"))
            elif len(visit_id) > 64:
                reasons.append(_("visit_id is longer than 64 characters"))
            elif visit_id in seen:
                reasons.append(
                    _("visit_id %(id)s is also on line %(line)s")
                    % {"id": visit_id[:64], "line": seen[visit_id]}
                )
            if visit_id and visit_id not in seen:
                seen[visit_id] = line
            reference = row["decision"]
            decision_pk = by_pk.get(reference) or by_ref.get(reference.lower())
            if not reference:
                reasons.append(_("decision is missing"))
            elif decision_pk is None:
                reasons.append(_("decision “%(ref)s” is not one of your users") % {"ref": reference[:40]})
            start, end = parse_moment(row["start"]), parse_moment(row["end"])
            for name, value in (("start", start), ("end", end)):
                if value is None:
                    reasons.append(_("%(column)s is not a time (yyyy-mm-dd hh:mm)") % {"column": name})
            if reasons:
                result.errors.append((line, "; ".join(reasons)))
                continue
            if visit_id in known:
                result.unchanged += 1
                continue
            try:
                with transaction.atomic():
                    visits.register_visit(
                        provider=provider,
                        decision=Decision(pk=decision_pk, municipality_id=provider.municipality_id),
                        starts_at=start,
                        ends_at=end,
                        staff_pseudonym=row["helper"],
                        source=VisitSource.UPLOAD,
                        external_id=visit_id,
                        user=user,
                    )
            except ValidationError as error:
                result.errors.append((line, _messages(error)))
                continue
            known.add(visit_id)
            result.created += 1
        if result.errors and not skip_bad_rows:
            transaction.set_rollback(True)
            raise ImportFailed(result.errors)
    return result
