"""Staff actions of the compare part: upload a KOSTRA grouping (Klass 112), save and delete a
municipality's peer groups. Each takes the acting ``user`` and checks ``Perm.BENCHMARK_EDIT``.

**The Klass 112 file.** Statistics Norway publishes the KOSTRA groups as classification 112 in Klass;
its correspondence with the municipalities (classification 131) downloads as CSV (semicolon or
comma, UTF-8 or Windows-1252) with the columns ``sourceCode;sourceName;targetCode;targetName`` (more
columns are ignored). Either side may be the municipality: the side whose codes are four digits is.
A group's code is what Klass gives ("EKG13", or "13" which is stored as "EKG13"). Every bad line is
reported with its number and reason; nothing is saved unless the file is clean or the user asks to
skip the bad lines.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core import permissions
from servicetorg.core.permissions import Perm

from .. import stewards
from ..models import Region, RegionKind
from .models import MAX_SAVED_CODES, KostraGroup, KostraGrouping, KostraGroupMember, SavedPeerGroup

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_LINES = 20_000
MUNICIPALITY = re.compile(r"^\d{4}$")
GROUP = re.compile(r"^(EKG)?\d{1,2}[A-Z]?$|^EKG[0-9A-Z]{1,6}$")


@dataclass
class KlassResult:
    grouping: KostraGrouping | None = None
    groups: int = 0
    members: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _group_code(code: str) -> str:
    code = code.strip().upper()
    return (
        code
        if code.startswith("EKG")
        else f"EKG{int(code[:2]):02d}{code[2:]}"
        if code[:2].isdigit()
        else code
    )


def parse_klass(raw: bytes) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, str]]]:
    """Lines (line number, municipality, group code, group name) and errors (line number, reason)."""
    errors: list[tuple[int, str]] = []
    if len(raw) > MAX_FILE_BYTES:
        return [], [(0, _("The file is larger than 2 MB."))]
    text = _decode(raw)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().strip('"') for h in next(reader)]
    except StopIteration:
        return [], [(0, _("The file is empty."))]
    columns = {name: i for i, name in enumerate(header)}
    needed = ("sourceCode", "targetCode")
    if not all(n in columns for n in needed):
        return [], [
            (
                1,
                _(
                    "The first line must name the columns sourceCode and targetCode "
                    "(Klass' correspondence CSV)."
                ),
            )
        ]
    known = set(Region.objects.filter(kind=RegionKind.MUNICIPALITY).values_list("code", flat=True))
    lines: list[tuple[int, str, str, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_LINES:
            errors.append((number, _("More than %(n)s lines: the rest is not read.") % {"n": MAX_LINES}))
            break
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row=row) -> str:
            i = columns.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        source, target = cell("sourceCode"), cell("targetCode")
        if MUNICIPALITY.match(source):
            municipality, group, group_name = source, target, cell("targetName")
        elif MUNICIPALITY.match(target):
            municipality, group, group_name = target, source, cell("sourceName")
        else:
            errors.append((number, _("No municipality number (four digits) in this line.")))
            continue
        if not group or not GROUP.match(group.upper()):
            errors.append((number, _("«%(code)s» is not a KOSTRA group code.") % {"code": group[:20]}))
            continue
        if municipality not in known:
            errors.append(
                (number, _("%(code)s is not a municipality in the register.") % {"code": municipality})
            )
            continue
        if municipality in seen:
            errors.append(
                (
                    number,
                    _("%(code)s is already in a group (line %(line)s): a municipality is in one group.")
                    % {"code": municipality, "line": seen[municipality]},
                )
            )
            continue
        seen[municipality] = number
        lines.append((number, municipality, _group_code(group), group_name[:300]))
    if not lines and not errors:
        errors.append((0, _("The file holds no lines.")))
    return lines, errors


def upload_kostra_groups(
    raw: bytes, *, year: int, version: str = "", file_name: str = "", skip_bad_lines: bool = False, user
) -> KlassResult:
    """Read a Klass 112 correspondence file into a new grouping for statistics year ``year``. The
    KOSTRA groups are national data: kept by the operators and the stewards (:mod:`..stewards`)."""
    if not stewards.may_keep(user):
        raise PermissionDenied
    lines, errors = parse_klass(raw)
    result = KlassResult(errors=errors)
    if (errors and not skip_bad_lines) or not lines:
        return result
    with transaction.atomic():
        grouping = KostraGrouping.objects.create(
            year=year,
            version=version[:200],
            file_name=file_name[:200],
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        groups: dict[str, KostraGroup] = {}
        for _number, _municipality, code, name in lines:
            if code not in groups:
                groups[code] = KostraGroup(grouping=grouping, code=code, name=name or code)
        KostraGroup.objects.bulk_create(groups.values())
        saved = {g.code: g for g in KostraGroup.objects.filter(grouping=grouping)}
        KostraGroupMember.objects.bulk_create(
            KostraGroupMember(group=saved[code], region_code=municipality)
            for _n, municipality, code, _name in lines
        )
    result.grouping = grouping
    result.groups = len(groups)
    result.members = len(lines)
    return result


def clean_codes(codes) -> list[str]:
    """Today's municipality numbers among ``codes`` (ValidationError naming any that is not)."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if len(wanted) > MAX_SAVED_CODES:
        raise ValidationError(_("A group holds at most %(n)s municipalities.") % {"n": MAX_SAVED_CODES})
    current = set(
        Region.objects.filter(
            kind=RegionKind.MUNICIPALITY, valid_to__isnull=True, code__in=wanted
        ).values_list("code", flat=True)
    )
    unknown = [c for c in wanted if c not in current]
    if unknown:
        raise ValidationError(
            _("Not a municipality number in use today: %(codes)s")
            % {"codes": ", ".join(c[:12] for c in unknown[:10])}
        )
    if not wanted:
        raise ValidationError(_("Name at least one municipality."))
    return sorted(wanted)


def save_peer_group(
    municipality, *, name: str, codes, group: SavedPeerGroup | None = None, user
) -> SavedPeerGroup:
    """Create (or, with ``group``, change) a saved peer group of ``municipality``."""
    permissions.require(user, Perm.BENCHMARK_EDIT, municipality.pk)
    if group is not None and group.municipality_id != municipality.pk:
        raise PermissionDenied
    cleaned = clean_codes(codes)
    name = (name or "").strip()[:120]
    if not name:
        raise ValidationError(_("Give the group a name."))
    clash = SavedPeerGroup.objects.filter(municipality=municipality, name=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError(_("Your municipality already has a group with this name."))
    if group is None:
        group = SavedPeerGroup(
            municipality=municipality, created_by=user if getattr(user, "pk", None) else None
        )
    group.name = name
    group.codes = cleaned
    group._history_user = permissions.user_of(user)
    group.save()
    return group


def delete_peer_group(group: SavedPeerGroup, *, user) -> None:
    permissions.require(user, Perm.BENCHMARK_EDIT, group.municipality_id)
    group._history_user = permissions.user_of(user)
    group.delete()
