"""Domain operations of the indicator store: record values, import CSV and JSON-stat 2 files.

Every import is all-or-nothing: the whole file is checked first, every bad row is reported with its
line and reason, and only a clean file is written (in one transaction). ``skip_bad_rows=True`` writes
the good rows and reports the rest.
"""

import csv
import io
import json
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core import formatting
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import Perm, can, municipality_ids, municipality_wide_ids, require, user_of

from .models import MAX_YEAR, MIN_YEAR, ImportRun, Indicator, IndicatorValue, Source

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@dataclass
class RowError:
    line: int | str
    reason: str

    def __str__(self) -> str:
        if isinstance(self.line, int):
            return _("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}
        return f"{self.line}: {self.reason}" if self.line != "-" else str(self.reason)


class ImportFailed(Exception):
    """A file that cannot be imported; ``errors`` lists every bad row (line and reason)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:10]))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    run: ImportRun | None = None


def _clean_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("The year must be a whole number.")}) from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": _("The year must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}}
        )
    return year


def clean_value(value) -> Decimal:
    """A figure as stored (4 decimals); accepts "1 234,5"; ``ValidationError`` on anything else."""
    if isinstance(value, str):
        value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": _("The value must be a number.")}) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({"value": _("The value must be a number.")})
    return number.quantize(Decimal("0.0001"))


def _require_edit(user, municipality: Municipality, unit: Unit | None) -> None:
    """The roles matrix: administration records values for the whole municipality, a unit leader
    bound to a unit only for that unit."""
    require(user, Perm.INDICATOR_EDIT, municipality.pk, unit.pk if unit is not None else None)


def _check(indicator: Indicator, municipality: Municipality, unit: Unit | None, source: str) -> None:
    if not isinstance(indicator, Indicator) or indicator.pk is None:
        raise ValidationError({"indicator": _("Unknown indicator.")})
    if not indicator.applies_to(municipality.pk):
        raise ValidationError({"indicator": _("This indicator belongs to another municipality.")})
    if unit is not None and unit.municipality_id != municipality.pk:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})


def _upsert(indicator, municipality, unit, year, value, source, note) -> tuple[IndicatorValue, bool]:
    existing = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, municipality=municipality, unit=unit, year=year)
        .first()
    )
    if existing is None:
        return (
            IndicatorValue.objects.create(
                indicator=indicator,
                municipality=municipality,
                unit=unit,
                year=year,
                value=value,
                source=source,
                note=note,
            ),
            True,
        )
    if existing.value != value or existing.source != source or existing.note != note:
        existing.value, existing.source, existing.note = value, source, note
        existing.save(update_fields=["value", "source", "note", "updated_at"])
    return existing, False


@transaction.atomic
def record_value(
    *,
    indicator: Indicator,
    municipality: Municipality,
    unit: Unit | None = None,
    year: int,
    value,
    source: str,
    note: str = "",
    user,
) -> IndicatorValue:
    """Set the value of ``indicator`` for a municipality (optionally one unit) and year.

    Upsert: a second call for the same indicator/municipality/unit/year replaces the value. Every
    change is kept in the value's history (django-simple-history). Raises ``ValidationError`` with
    field-level messages on bad input.
    """
    _require_edit(user, municipality, unit)
    _check(indicator, municipality, unit, source)
    year = _clean_year(year)
    number = clean_value(value)
    note = (note or "")[:300]
    return _upsert(indicator, municipality, unit, year, number, source, note)[0]


@transaction.atomic
def create_indicator(*, municipality: Municipality | None, user, **fields) -> Indicator:
    """A municipality's own indicator (its administration), or a national one (municipality None:
    superusers and SYSTEM only)."""
    if municipality is None:
        if municipality_ids(user, Perm.INDICATOR_EDIT) is not None:
            raise PermissionDenied
    else:
        require(user, Perm.INDICATOR_EDIT, municipality.pk)
    indicator = Indicator(municipality=municipality, **fields)
    indicator.full_clean()
    indicator.save()
    return indicator


def indicators_by_code(municipality: Municipality) -> dict[str, Indicator]:
    """Codes usable by ``municipality``: its own indicators win over national ones with the same code."""
    found: dict[str, Indicator] = {}
    for indicator in Indicator.objects.filter(municipality__isnull=True):
        found[indicator.code] = indicator
    for indicator in Indicator.objects.filter(municipality=municipality):
        found[indicator.code] = indicator
    return found


CSV_COLUMNS = ("indicator", "year", "value")


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed([RowError("-", _("The file is too large (at most 5 MB)."))])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed([RowError("-", _("The file is not text (UTF-8 or Windows-1252)."))])


def import_csv(
    data: bytes | str,
    *,
    municipality: Municipality,
    source: str = Source.OWN,
    user,
    file_name: str = "",
    skip_bad_rows: bool = False,
) -> ImportResult:
    """Import values from CSV with the columns ``indicator`` (code), ``year``, ``value`` and optional
    ``unit`` (the unit's short name) and ``note``. Comma or semicolon separated; decimal comma allowed.
    A unit leader bound to a unit imports only rows of her unit (other rows are bad rows).
    """
    require(user, Perm.INDICATOR_EDIT, municipality.pk, unit_bound=False)
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _import_csv_rows(text, dialect, municipality, source, user, file_name, skip_bad_rows)
    except csv.Error as exc:
        raise ImportFailed(
            [RowError("-", _("The file cannot be read as CSV: %(error)s") % {"error": str(exc)[:200]})]
        ) from exc


def _import_csv_rows(text, dialect, municipality, source, user, file_name, skip_bad_rows) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ImportFailed(
            [RowError(1, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})]
        )
    reader.fieldnames = header
    codes = indicators_by_code(municipality)
    units = {u.slug: u for u in Unit.objects.filter(municipality=municipality)}
    good, errors, seen = [], [], {}
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        indicator = codes.get(row["indicator"])
        unit = None
        reasons = []
        if indicator is None:
            reasons.append(_("unknown indicator “%(code)s”") % {"code": row["indicator"][:80]})
        if row.get("unit"):
            unit = units.get(row["unit"])
            if unit is None:
                reasons.append(_("unknown unit “%(unit)s”") % {"unit": row["unit"][:80]})
        if not reasons and not can(user, Perm.INDICATOR_EDIT, municipality.pk, unit.pk if unit else None):
            reasons.append(
                _("you may not record values for this unit")
                if unit
                else _("you may only record values for your unit")
            )
        year = number = None
        try:
            year = _clean_year(row["year"])
        except ValidationError as exc:
            reasons.extend(exc.message_dict["year"])
        try:
            number = clean_value(row["value"])
        except ValidationError as exc:
            reasons.extend(exc.message_dict["value"])
        if not reasons:
            key = (indicator.pk, unit.pk if unit else None, year)
            if key in seen:
                reasons.append(_("the same indicator, unit and year as line %(line)s") % {"line": seen[key]})
            seen[key] = line
        if reasons:
            errors.append(RowError(line, "; ".join(str(r) for r in reasons)))
        else:
            good.append((indicator, unit, year, number, row.get("note", "")[:300]))
    if errors and not skip_bad_rows:
        raise ImportFailed(errors)
    if not good and not errors:
        raise ImportFailed([RowError(2, _("The file has no rows."))])
    return _write(good, municipality, source, user, ImportRun.Kind.CSV, file_name, errors)


@transaction.atomic
def _write(rows, municipality, source, user, kind, file_name, errors, *, skipped=0) -> ImportResult:
    result = ImportResult(errors=errors, skipped=skipped + len(errors))
    for indicator, unit, year, number, note in rows:
        _value, created = _upsert(indicator, municipality, unit, year, number, source, note)
        if created:
            result.created += 1
        else:
            result.updated += 1
    result.run = ImportRun.objects.create(
        kind=kind,
        file_name=file_name[:200],
        municipality=municipality,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        created_by=user_of(user),
    )
    return result


# --- JSON-stat 2 (Statistics Norway) --------------------------------------------------------------

REGION_DIMENSIONS = ("KOKkommuneregion0000", "Region", "KOKkommuneregion0001")


def _load_jsonstat(data) -> OrderedDict:
    if isinstance(data, bytes | str):
        try:
            document = json.loads(_decode(data), object_pairs_hook=OrderedDict)
        except (ValueError, RecursionError) as exc:
            raise ImportFailed([RowError("-", _("The file is not valid JSON."))]) from exc
    else:
        document = OrderedDict(data)
    if not isinstance(document, dict):
        raise ImportFailed([RowError("-", _("The file is not a JSON-stat 2 dataset."))])
    problems = []
    if document.get("class") != "dataset" or str(document.get("version", "")) != "2.0":
        problems.append(_("expected “class”: “dataset” and “version”: “2.0”"))
    ids, size, dimension = document.get("id"), document.get("size"), document.get("dimension")
    value = document.get("value")
    if (
        not isinstance(ids, list)
        or not isinstance(size, list)
        or len(ids) != len(size)
        or not ids
        or not all(isinstance(i, str) for i in ids)
    ):
        problems.append(_("“id” and “size” must be lists of the same length"))
        ids = []
    if not isinstance(dimension, dict) or (isinstance(ids, list) and any(i not in dimension for i in ids)):
        problems.append(_("every dimension named in “id” must be described in “dimension”"))
    if not isinstance(value, list | dict):
        problems.append(_("“value” is missing"))
    if problems:
        raise ImportFailed([RowError("-", p) for p in problems])
    expected = 1
    for n in size:
        if not isinstance(n, int) or n < 0:
            raise ImportFailed([RowError("-", _("“size” must hold whole numbers"))])
        expected *= n
        if expected > settings.JSONSTAT_MAX_CELLS:  # bounded before pyjstat expands the cube
            raise ImportFailed(
                [
                    RowError(
                        "-",
                        _("The dataset has more than %(max)s cells; choose fewer regions, years or codes.")
                        % {"max": formatting.number(settings.JSONSTAT_MAX_CELLS)},
                    )
                ]
            )
    if isinstance(value, list) and len(value) != expected:
        raise ImportFailed(
            [
                RowError(
                    "-",
                    _("“value” has %(got)s numbers, but “size” gives %(expected)s")
                    % {"got": len(value), "expected": expected},
                )
            ]
        )
    for dim_id, n in zip(ids, size, strict=True):
        described = dimension.get(dim_id)
        category = described.get("category") if isinstance(described, dict) else None
        index = category.get("index") if isinstance(category, dict) else None
        count = len(index) if isinstance(index, list | dict) else (1 if n == 1 else -1)
        if count != n:
            raise ImportFailed(
                [RowError("-", _("dimension “%(dim)s” does not match its size") % {"dim": str(dim_id)[:60]})]
            )
    if not any(r in ids for r in REGION_DIMENSIONS) or "Tid" not in ids or "ContentsCode" not in ids:
        raise ImportFailed(
            [RowError("-", _("expected the dimensions region (KOKkommuneregion0000), ContentsCode and Tid"))]
        )
    return document


def table_id(document) -> str:
    extension = document.get("extension") or {}
    px = extension.get("px") or {} if isinstance(extension, dict) else {}
    if isinstance(px, dict) and px.get("tableid"):
        return str(px["tableid"])
    label = str(document.get("label", ""))
    return label.split(":", 1)[0].strip() if ":" in label else ""


def import_jsonstat(
    data,
    *,
    municipalities=None,
    user,
    file_name: str = "",
    skip_bad_rows: bool = False,
) -> ImportResult:
    """Import a Statistics Norway JSON-stat 2 dataset (a KOSTRA table) with pyjstat.

    Each ContentsCode must match an indicator with the dataset's table id and that content code
    (``Indicator.kostra_table``/``kostra_code``); an unknown code is an error. Regions that are not
    among ``municipalities`` (default: every municipality of the installation; the country and
    county aggregates always) are skipped and counted. Missing values (null, SSB status “.”/“..”)
    are skipped. The values are the municipalities' own (no unit): municipality-wide editors only.
    """
    from pyjstat import pyjstat

    if municipalities is None:
        if municipality_ids(user, Perm.INDICATOR_EDIT) is not None:
            raise PermissionDenied
    else:
        for municipality in municipalities:
            require(user, Perm.INDICATOR_EDIT, municipality.pk)

    document = _load_jsonstat(data)
    table = table_id(document)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # pyjstat's own internal call
            frame = pyjstat.Dataset.read(document).write("dataframe", naming="id")
    except Exception as exc:  # pyjstat raises bare errors on malformed datasets
        raise ImportFailed(
            [RowError("-", _("The dataset cannot be read: %(error)s") % {"error": exc})]
        ) from exc
    region_dim = next(r for r in REGION_DIMENSIONS if r in frame.columns)
    allowed = Municipality.objects.all() if municipalities is None else municipalities
    by_number = {m.number: m for m in allowed}
    indicators = {
        i.kostra_code: i
        for i in Indicator.objects.filter(kostra_table=table, municipality__isnull=True).exclude(
            kostra_code=""
        )
    }
    local = {
        (i.municipality_id, i.kostra_code): i
        for i in Indicator.objects.filter(kostra_table=table, municipality__isnull=False).exclude(
            kostra_code=""
        )
    }
    errors: list[RowError] = []
    unknown_codes = sorted(
        {
            str(c)
            for c in frame["ContentsCode"].unique()
            if str(c) not in indicators and not any(k[1] == str(c) for k in local)
        }
    )
    for code in unknown_codes:
        errors.append(
            RowError(
                "ContentsCode",
                _("unknown indicator: no indicator has table %(table)s and content code “%(code)s”")
                % {"table": table or "?", "code": code[:60]},
            )
        )
    rows, skipped = [], 0
    for position, record in enumerate(frame.itertuples(index=False), start=1):
        record = record._asdict()
        region = str(record[region_dim])
        municipality = by_number.get(region)
        raw = record["value"]
        if municipality is None or raw is None or raw != raw:  # NaN check
            skipped += 1
            continue
        code = str(record["ContentsCode"])
        indicator = local.get((municipality.pk, code)) or indicators.get(code)
        if indicator is None:
            continue  # reported once per code above
        try:
            year = _clean_year(str(record["Tid"])[:4])
            number = clean_value(raw)
        except ValidationError as exc:
            errors.append(
                RowError(
                    _("value %(n)s") % {"n": position},
                    "; ".join(m for ms in exc.message_dict.values() for m in ms),
                )
            )
            continue
        rows.append((municipality, indicator, year, number))
    if errors and not skip_bad_rows:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed(
            errors or [RowError("-", _("The dataset has no values for these municipalities."))]
        )
    return _write_regions(rows, user, file_name, errors, skipped, table)


@transaction.atomic
def _write_regions(rows, user, file_name, errors, skipped, table) -> ImportResult:
    result = ImportResult(errors=errors, skipped=skipped + len(errors))
    for municipality, indicator, year, number in rows:
        _value, created = _upsert(
            indicator, municipality, None, year, number, Source.KOSTRA, _("SSB table %(t)s") % {"t": table}
        )
        result.created += created
        result.updated += not created
    municipalities = {m for m, *_rest in rows}
    result.run = ImportRun.objects.create(
        kind=ImportRun.Kind.JSONSTAT,
        file_name=file_name[:200],
        municipality=next(iter(municipalities)) if len(municipalities) == 1 else None,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        created_by=user_of(user),
    )
    return result


def mirror_official_values(rows, *, table: str, user) -> int:
    """Write official statistics of the installation's own municipalities as their indicator values
    (what strategy goals read): ``rows`` of (municipality, national indicator, year, number). Called
    by benchmarking's import of official statistics for every region (which keeps all regions). The
    user must be a municipality-wide editor of each municipality; returns how many were written."""
    allowed = municipality_wide_ids(user, Perm.INDICATOR_EDIT)
    note = _("SSB table %(t)s") % {"t": table}
    written = 0
    with transaction.atomic():
        for municipality, indicator, year, number in rows:
            if allowed is not None and municipality.pk not in allowed:
                continue
            _upsert(
                indicator, municipality, None, _clean_year(year), clean_value(number), Source.KOSTRA, note
            )
            written += 1
    return written
