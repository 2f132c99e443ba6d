"""Imports of official statistics for every region: JSON-stat 2 (Statistics Norway's PxWebApi and
Statistikkbanken) and SSB's CSV download.

* **Validated before parsing**: the file's size (``OFFICIAL_IMPORT_MAX_BYTES``), its shape (``id``,
  ``size``, ``dimension``, ``value``, ``status``) and its number of cells (``JSONSTAT_MAX_CELLS``) are
  checked before any cell is read; nothing of a bad file is written.
* **Every region** is kept as an :class:`~servicetorg.benchmarking.models.OfficialValue` under the
  code as published (``3805`` for Larvik's 2022 figure, ``EAK`` for the country), validated
  ``[A-Z0-9]{1,12}``.
* **Symbols** (``.``, ``..``, ``...``, ``:``) are stored in ``symbol`` with no value — never as 0;
  ``-`` (nil) is an exact 0 and keeps its symbol. A null without a status is stored as ``..``.
* **Provenance**: the run (:class:`~servicetorg.indicators.models.ImportRun`) records the table, the
  dataset's ``updated``, the file name and who imported; each value records whether it is
  preliminary (the import option, or a status ``p``/``*``/"foreløpig" from the source).
* **History**: a re-import keeps what it changes (:class:`OfficialValueHistory`), leaves unchanged
  values untouched, and counts created / updated / unchanged.
* **One transaction**; bad cells are reported with their region, content code and year (or the
  CSV line) and nothing is written unless ``skip_bad_rows``.
* The installation's own municipalities are also written as
  :class:`~servicetorg.indicators.models.IndicatorValue` (the strategy's goals read those) through
  :func:`servicetorg.indicators.services.mirror_official_values`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from servicetorg.core import formatting
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_wide_ids, user_of
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import MAX_YEAR, MIN_YEAR, ImportRun, Indicator
from servicetorg.indicators.services import ImportFailed, RowError

from . import sql, stewards
from .models import Symbol

REGION_CODE = re.compile(r"^[A-Z0-9]{1,12}$")
YEAR = re.compile(r"^(\d{4})")
REGION_DIMENSIONS = ("KOKkommuneregion0000", "Region", "KOKkommuneregion0001", "KOKfylkesregion0000")
NO_NUMBER = {Symbol.NOT_APPLICABLE, Symbol.MISSING, Symbol.NOT_REPORTED, Symbol.CONFIDENTIAL}
SYMBOLS = {s.value for s in Symbol if s.value}
PRELIMINARY_STATUS = {"p", "P", "*", "foreløpig", "foreløpige tall"}
#: At most this many bad cells are listed (the rest are counted).
MAX_ERRORS = 1000
CHUNK = 20_000


@dataclass
class OfficialImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    cells: int = 0
    mirrored: int = 0
    errors: list[RowError] = field(default_factory=list)
    run: ImportRun | None = None


class _Errors(list):
    """Bad cells: the first MAX_ERRORS listed, every one counted."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def add(self, where, reason) -> None:
        self.total += 1
        if len(self) < MAX_ERRORS:
            self.append(RowError(where, reason))

    def listed(self) -> list[RowError]:
        out = list(self)
        if self.total > len(self):
            out.append(
                RowError(
                    "-", _("… and %(n)s more bad cells.") % {"n": formatting.number(self.total - len(self))}
                )
            )
        return out


def _fail(reason) -> ImportFailed:
    return ImportFailed([RowError("-", reason)])


def _authorize(user, municipality: Municipality | None) -> None:
    """Official statistics are the installation's national data: kept by its operators and by the
    administration of a steward municipality, in that municipality's name (:mod:`.stewards`)."""
    stewards.require(user, municipality)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data) > settings.OFFICIAL_IMPORT_MAX_BYTES:
            raise _fail(_("The file is too large."))
        return data
    if len(data) > settings.OFFICIAL_IMPORT_MAX_BYTES:
        raise _fail(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": settings.OFFICIAL_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail(_("The file is not text (UTF-8 or Windows-1252)."))


# --- JSON-stat 2 ----------------------------------------------------------------------------------


@dataclass
class Cube:
    """A validated JSON-stat 2 dataset: the three dimensions we read and how to find a cell."""

    document: dict
    table: str
    updated: dt.datetime | None
    regions: list[str]  # category codes in position order
    contents: list[str]
    years: list[str]
    strides: tuple[int, int, int]  # of region, contents, time
    cells: int


def _positions(dimension: dict, name: str, size: int) -> list[str]:
    """The category codes of a dimension in position order; ImportFailed if they do not fit."""
    category = dimension.get("category") if isinstance(dimension, dict) else None
    index = category.get("index") if isinstance(category, dict) else None
    if index is None and size == 1 and isinstance(category, dict) and isinstance(category.get("label"), dict):
        labels = list(category["label"])
        index = labels if len(labels) == 1 else None
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        codes = [""] * len(index)
        for code, position in index.items():
            if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < len(index):
                raise _fail(_("dimension “%(dim)s” does not match its size") % {"dim": name[:60]})
            codes[position] = str(code)
    else:
        raise _fail(_("dimension “%(dim)s” does not match its size") % {"dim": name[:60]})
    if len(codes) != size or len(set(codes)) != size:
        raise _fail(_("dimension “%(dim)s” does not match its size") % {"dim": name[:60]})
    return codes


def _role(document: dict, role: str) -> list[str]:
    roles = document.get("role")
    found = roles.get(role) if isinstance(roles, dict) else None
    return [str(r) for r in found] if isinstance(found, list) else []


def validate_jsonstat(data) -> Cube:
    """Check a JSON-stat 2 dataset's shape and size before reading a single cell."""
    if isinstance(data, dict):
        document = data
    else:
        text = _decode(data)
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _fail(_("The file is not valid JSON.")) from exc
    if not isinstance(document, dict):
        raise _fail(_("The file is not a JSON-stat 2 dataset."))
    problems = []
    if document.get("class") != "dataset" or str(document.get("version", "")) != "2.0":
        problems.append(_("expected “class”: “dataset” and “version”: “2.0”"))
    ids, size, dimension = document.get("id"), document.get("size"), document.get("dimension")
    value = document.get("value")
    if (
        not isinstance(ids, list)
        or not isinstance(size, list)
        or not ids
        or len(ids) != len(size)
        or not all(isinstance(i, str) for i in ids)
        or len(set(ids)) != len(ids)
    ):
        problems.append(_("“id” and “size” must be lists of the same length"))
        ids = []
    if not isinstance(dimension, dict) or any(i not in dimension for i in ids):
        problems.append(_("every dimension named in “id” must be described in “dimension”"))
    if not isinstance(value, list | dict):
        problems.append(_("“value” is missing"))
    if problems:
        raise ImportFailed([RowError("-", p) for p in problems])
    cells = 1
    for n in size:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise _fail(_("“size” must hold whole numbers"))
        cells *= n
        if cells > settings.JSONSTAT_MAX_CELLS:  # bounded before a cell is read
            raise _fail(
                _("The dataset has more than %(max)s cells; choose fewer regions, years or codes.")
                % {"max": formatting.number(settings.JSONSTAT_MAX_CELLS)}
            )
    if isinstance(value, list) and len(value) != cells:
        raise _fail(
            _("“value” has %(got)s numbers, but “size” gives %(expected)s")
            % {"got": len(value), "expected": cells}
        )
    status = document.get("status")
    if status is not None and not isinstance(status, str | list | dict):
        raise _fail(_("“status” must be a text, a list or an object"))
    if isinstance(status, list) and len(status) not in (0, 1, cells):
        raise _fail(
            _("“status” has %(got)s entries, but “size” gives %(expected)s")
            % {"got": len(status), "expected": cells}
        )
    region_dim = next((d for d in _role(document, "geo") if d in ids), None) or next(
        (d for d in REGION_DIMENSIONS if d in ids), None
    )
    time_dim = next((d for d in _role(document, "time") if d in ids), None) or (
        "Tid" if "Tid" in ids else None
    )
    contents_dim = next((d for d in _role(document, "metric") if d in ids), None) or (
        "ContentsCode" if "ContentsCode" in ids else None
    )
    if not region_dim or not time_dim or not contents_dim or len({region_dim, time_dim, contents_dim}) < 3:
        raise _fail(_("expected the dimensions region (KOKkommuneregion0000), ContentsCode and Tid"))
    codes = {dim_id: _positions(dimension[dim_id], dim_id, n) for dim_id, n in zip(ids, size, strict=True)}
    for dim_id, n in zip(ids, size, strict=True):
        if dim_id not in (region_dim, time_dim, contents_dim) and n != 1:
            raise _fail(
                _(
                    "dimension “%(dim)s” has %(n)s categories; choose one "
                    "(only region, content and year may vary)"
                )
                % {"dim": dim_id[:60], "n": n}
            )
    strides, stride = {}, 1
    for dim_id, n in reversed(list(zip(ids, size, strict=True))):
        strides[dim_id] = stride
        stride *= n
    if isinstance(value, dict):
        for key in value:
            if not str(key).isdigit() or int(key) >= cells:
                raise _fail(_("“value” names a cell outside the dataset"))
    updated = document.get("updated")
    updated_at = parse_datetime(updated) if isinstance(updated, str) else None
    if updated_at is not None and timezone.is_naive(updated_at):
        updated_at = timezone.make_aware(updated_at, dt.UTC)
    return Cube(
        document=document,
        table=table_id(document),
        updated=updated_at,
        regions=codes[region_dim],
        contents=codes[contents_dim],
        years=codes[time_dim],
        strides=(strides[region_dim], strides[contents_dim], strides[time_dim]),
        cells=cells,
    )


def table_id(document: dict) -> str:
    extension = document.get("extension")
    px = extension.get("px") if isinstance(extension, dict) else None
    if isinstance(px, dict) and px.get("tableid"):
        return str(px["tableid"])[:20]
    label = str(document.get("label", ""))
    return label.split(":", 1)[0].strip()[:20] if ":" in label else ""


def _number(raw):
    """A JSON number as float, or None if it is not one (bools and strings are not)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    number = float(raw)
    if not math.isfinite(number) or abs(number) >= 1e12:
        return None
    return number


def _cell(raw, status, preliminary: bool) -> tuple[float | None, str, bool] | None:
    """(value, symbol, preliminary) of one cell, or None if the cell is bad."""
    status = status if isinstance(status, str) else ""
    prelim = preliminary or status.strip() in PRELIMINARY_STATUS
    if raw is None:
        symbol = status.strip() if status.strip() in NO_NUMBER else Symbol.MISSING.value
        if status.strip() == Symbol.NIL:
            return 0.0, Symbol.NIL.value, prelim
        return None, symbol, prelim
    number = _number(raw)
    if number is None:
        return None
    if status.strip() in NO_NUMBER:  # a number the source says is no number: keep the symbol
        return None, status.strip(), prelim
    return number, Symbol.NIL.value if status.strip() == Symbol.NIL else "", prelim


def _year(code: str) -> int | None:
    match = YEAR.match(code)
    if not match:
        return None
    year = int(match.group(1))
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _jsonstat_rows(
    cube: Cube, indicators: dict[str, Indicator], preliminary: bool, errors: _Errors, mirror, mirror_rows
):
    """The cells of the cube as rows for the temporary table; bad cells go to ``errors``."""
    document = cube.document
    values, status = document["value"], document.get("status")
    sparse = isinstance(values, dict)
    sr, sc, st = cube.strides
    region_ok = []
    for code in cube.regions:
        ok = bool(REGION_CODE.match(code))
        if not ok:
            errors.add(
                _("region “%(code)s”") % {"code": code[:40]}, _("not a region code (A–Z, 0–9, at most 12)")
            )
        region_ok.append(ok)
    years = []
    for code in cube.years:
        year = _year(code)
        if year is None:
            errors.add(
                _("year “%(code)s”") % {"code": code[:20]},
                _("not a year between %(min)s and %(max)s") % {"min": MIN_YEAR, "max": MAX_YEAR},
            )
        years.append(year)
    contents = []
    for code in cube.contents:
        indicator = indicators.get(code)
        if indicator is None:
            errors.add(
                "ContentsCode",
                _("unknown indicator: no indicator has table %(table)s and content code “%(code)s”")
                % {"table": cube.table or "?", "code": code[:60]},
            )
        contents.append(indicator)
    # The hot loop (800 000 cells): statuses and sparse values keyed by int once; a plain number
    # without a status takes the short path.
    if isinstance(status, dict):
        status_at = {int(k): v for k, v in status.items() if str(k).isdigit()}
    elif isinstance(status, list) and len(status) > 1:
        status_at = dict(enumerate(status))
    elif isinstance(status, list):
        status_at = status[0] if status else None
    else:
        status_at = status
    every = status_at if isinstance(status_at, str) else None
    if sparse:
        values = {int(k): v for k, v in values.items()}
    get_status = status_at.get if isinstance(status_at, dict) else (lambda _index: every)
    get_value = values.get if sparse else values.__getitem__
    year_steps = [(ti * st, year) for ti, year in enumerate(years) if year is not None]
    content_steps = [(ci * sc, indicator, indicator.pk) for ci, indicator in enumerate(contents) if indicator]
    for ri, region in enumerate(cube.regions):
        if not region_ok[ri]:
            continue
        mirrored = mirror.get(region)
        for offset, indicator, pk in content_steps:
            base = ri * sr + offset
            for step, year in year_steps:
                index = base + step
                raw = get_value(index)
                s = get_status(index)
                kind = type(raw)
                if s is None and (kind is float or kind is int) and -1e12 < raw < 1e12:
                    value, symbol, prelim = float(raw), "", preliminary
                else:
                    cell = _cell(raw, s, preliminary)
                    if cell is None:
                        errors.add(
                            _("cell %(region)s / %(code)s / %(year)s")
                            % {"region": region, "code": indicator.kostra_code, "year": year},
                            _("not a number: %(raw)s") % {"raw": str(raw)[:40]},
                        )
                        continue
                    value, symbol, prelim = cell
                if mirrored is not None and value is not None:
                    mirror_rows.append((mirrored, indicator, year, value))
                yield (pk, region, year, value, symbol, prelim)


def _mirror_targets(user) -> dict[str, Municipality]:
    """The installation's municipalities whose own values (IndicatorValue) the user may write."""
    ids = municipality_wide_ids(user, Perm.INDICATOR_EDIT)
    municipalities = Municipality.objects.all() if ids is None else Municipality.objects.filter(pk__in=ids)
    return {m.number: m for m in municipalities}


def import_jsonstat(
    data,
    *,
    user,
    municipality: Municipality | None = None,
    file_name: str = "",
    preliminary: bool = False,
    skip_bad_rows: bool = False,
    kind: str = ImportRun.Kind.JSONSTAT,
) -> OfficialImportResult:
    """Import a JSON-stat 2 dataset (a KOSTRA table) as official values for every region.

    ``municipality``: the acting administration (benchmarking.edit there); None for SYSTEM and
    superusers. Each content code must match a national indicator with the dataset's table and that
    ``kostra_code`` (see :mod:`.catalogue`)."""
    _authorize(user, municipality)
    cube = validate_jsonstat(data)
    indicators = {
        i.kostra_code: i
        for i in Indicator.objects.filter(municipality__isnull=True, kostra_table=cube.table).exclude(
            kostra_code=""
        )
    }
    return _write(
        lambda errors, mirror, mirror_rows: _jsonstat_rows(
            cube, indicators, preliminary, errors, mirror, mirror_rows
        ),
        user=user,
        municipality=municipality,
        kind=kind,
        file_name=file_name,
        table=cube.table,
        source_updated=cube.updated,
        skip_bad_rows=skip_bad_rows,
    )


def _write(
    rows, *, user, municipality, kind, file_name, table, source_updated, skip_bad_rows
) -> OfficialImportResult:
    errors = _Errors()
    mirror = _mirror_targets(user)
    mirror_rows: list = []
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            file_name=file_name[:200],
            municipality=municipality,
            table_id=table,
            source_updated=source_updated,
            created_by=user_of(user),
        )
        with sql.Incoming() as incoming:
            stream = rows(errors, mirror, mirror_rows)
            while True:
                chunk = [row for _i, row in zip(range(CHUNK), stream, strict=False)]
                if not chunk:
                    break
                incoming.add(chunk)
            if errors.total and not skip_bad_rows:
                raise ImportFailed(errors.listed())
            if not incoming.count:
                raise ImportFailed(errors.listed() or [RowError("-", _("The file has no values."))])
            counts = incoming.merge(run_id=run.pk, now=now)
        result = OfficialImportResult(
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            skipped=errors.total,
            cells=incoming.count,
            errors=errors.listed(),
            run=run,
        )
        run.created, run.updated, run.skipped = counts.created, counts.updated, errors.total
        run.save(update_fields=["created", "updated", "skipped"])
        if mirror_rows:
            result.mirrored = indicator_services.mirror_official_values(mirror_rows, table=table, user=user)
    return result


# --- SSB's CSV download ---------------------------------------------------------------------------

TITLE = re.compile(r"^\W*(\d{4,6})\s*:")
LABEL_CODE = re.compile(r"^([A-Za-z0-9]{1,12})\s+(.*)$")
UNIT_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


def _indicator_lookup(indicators: dict[str, Indicator]):
    by_name = {}
    for code, indicator in indicators.items():
        by_name[code.lower()] = indicator
        by_name[indicator.name.lower()] = indicator
    return by_name


def _csv_value(text: str):
    """(value, symbol) of an SSB CSV cell, or None if it is no number and no symbol."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text in NO_NUMBER:
        return None, text
    if text == Symbol.NIL:
        return 0.0, Symbol.NIL.value
    if text == "":
        return None, Symbol.MISSING.value
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(number) or abs(number) >= 1e12:
        return None
    return number, ""


def _ssb_csv_rows(
    lines: list[str], table: str, indicators, preliminary, errors: _Errors, mirror, mirror_rows
) -> Iterator[tuple]:
    """SSB's semicolon CSV: a header line of ``region;statistikkvariabel;år;<value column>`` (long) or
    ``region;statistikkvariabel;2022;2023…`` (wide, a column per year); labels "3909 Larvik"."""
    lookup = _indicator_lookup(indicators)
    reader = csv.reader(lines, delimiter=";")
    header, header_line = None, 0
    seen: dict[tuple, int] = {}
    for line_no, row in enumerate(reader, start=1):
        if not any(c.strip() for c in row):
            continue
        if header is None:
            if len(row) < 3:
                continue  # the title line
            header, header_line = [c.strip() for c in row], line_no
            lowered = [h.lower() for h in header]
            long_form = len(header) == 4 and (
                lowered[2] in ("år", "tid", "year", "time") or lowered[2].startswith("år")
            )
            if not long_form:
                year_columns = [
                    _year(UNIT_SUFFIX.sub("", h).split()[-1]) if h.split() else None for h in header[2:]
                ]
                if not year_columns or any(y is None for y in year_columns):
                    errors.add(
                        header_line,
                        _("expected the columns region; statistikkvariabel; år; value, or a column per year"),
                    )
                    return
            continue
        if len(row) != len(header):
            errors.add(
                line_no, _("expected %(n)s columns, found %(got)s") % {"n": len(header), "got": len(row)}
            )
            continue
        match = LABEL_CODE.match(row[0].strip())
        region = match.group(1).upper() if match else row[0].strip()
        if not REGION_CODE.match(region):
            errors.add(line_no, _("not a region code: “%(code)s”") % {"code": row[0][:40]})
            continue
        label = row[1].strip()
        indicator = lookup.get(label.lower()) or lookup.get(UNIT_SUFFIX.sub("", label).lower())
        if indicator is None and LABEL_CODE.match(label):
            indicator = lookup.get(LABEL_CODE.match(label).group(1).lower())
        if indicator is None:
            errors.add(
                line_no,
                _("unknown indicator “%(label)s” (table %(table)s)")
                % {"label": label[:80], "table": table or "?"},
            )
            continue
        cells = (
            [(_year(row[2].strip()), row[3])] if long_form else list(zip(year_columns, row[2:], strict=True))
        )
        for year, text in cells:
            if year is None:
                errors.add(line_no, _("not a year: “%(year)s”") % {"year": row[2][:20]})
                continue
            parsed = _csv_value(text)
            if parsed is None:
                errors.add(line_no, _("not a number or a symbol: “%(v)s”") % {"v": text[:40]})
                continue
            key = (indicator.pk, region, year)
            if key in seen:
                errors.add(
                    line_no, _("the same region, indicator and year as line %(line)s") % {"line": seen[key]}
                )
                continue
            seen[key] = line_no
            value, symbol = parsed
            municipality = mirror.get(region)
            if municipality is not None and value is not None:
                mirror_rows.append((municipality, indicator, year, value))
            yield (indicator.pk, region, year, value, symbol, preliminary)
    if header is None:
        errors.add(1, _("The file has no header line."))


def import_ssb_csv(
    data,
    *,
    user,
    table: str = "",
    municipality: Municipality | None = None,
    file_name: str = "",
    preliminary: bool = False,
    skip_bad_rows: bool = False,
) -> OfficialImportResult:
    """Import SSB's CSV download ("semikolonseparert med overskrift"): the table comes from the title
    line ("12362: …") or ``table``; the statistics variable is matched by content code or by the
    indicator's name (with or without its unit in brackets)."""
    _authorize(user, municipality)
    text = _decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    found = TITLE.match(first)
    table = (found.group(1) if found else table).strip()
    if not table:
        raise _fail(_("Which table? The file has no title line (“12362: …”); choose the table."))
    indicators = {
        i.kostra_code: i
        for i in Indicator.objects.filter(municipality__isnull=True, kostra_table=table).exclude(
            kostra_code=""
        )
    }
    try:
        return _write(
            lambda errors, mirror, mirror_rows: _ssb_csv_rows(
                lines, table, indicators, preliminary, errors, mirror, mirror_rows
            ),
            user=user,
            municipality=municipality,
            kind=ImportRun.Kind.SSB_CSV,
            file_name=file_name,
            table=table,
            source_updated=None,
            skip_bad_rows=skip_bad_rows,
        )
    except csv.Error as exc:
        raise _fail(_("The file cannot be read as CSV: %(error)s") % {"error": str(exc)[:200]}) from exc


def import_file(data, *, name: str, user, **options) -> OfficialImportResult:
    """JSON-stat 2 or SSB CSV, by the file's first character."""
    head = data[:64].lstrip() if isinstance(data, bytes | str) else b""
    if isinstance(head, bytes):
        head = head.lstrip(b"\xef\xbb\xbf").decode("latin-1")
    if head.startswith("{") or head.startswith("["):
        options.pop("table", None)
        return import_jsonstat(data, user=user, file_name=name, **options)
    return import_ssb_csv(data, user=user, file_name=name, **options)


@transaction.atomic
def delete_run(run: ImportRun, *, user) -> int:
    """Remove the values a run wrote (e.g. the demo figures once real ones are in); tombstones let
    the API's ``since=`` feed report the deletions. Checked against the run's own municipality (a
    run without one: only a user whose reach is every municipality)."""
    _authorize(user, run.municipality)
    return sql.delete_run_values(run.pk, timezone.now())
