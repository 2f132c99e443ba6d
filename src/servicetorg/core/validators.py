"""Validators for Norwegian identifiers (python-stdnum does the arithmetic) and for input bounds."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer, orgnr

from . import formatting
from .synthetic_ids import is_synthetic_national_id


def is_digits(value) -> bool:
    """Only the ASCII digits 0–9 (``str.isdigit`` also says yes to "²" and "٣", which ``int`` refuses
    or reads as another number)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def small_int(raw, *, max_digits: int = 18) -> int | None:
    """A non-negative whole number given as text (query parameter, path, form field), else None."""
    raw = str(raw if raw is not None else "").strip()
    return int(raw) if is_digits(raw) and len(raw) <= max_digits else None


def validate_municipality_number(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 4 and is_digits(value)):
        raise ValidationError(
            _("The municipality number must be exactly four digits (e.g. 0301)."), code="invalid"
        )


def normalize_organization_number(value: str) -> str:
    return orgnr.compact(value or "")


def validate_organization_number(value: str) -> None:
    try:
        orgnr.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid organisation number (nine digits with a valid check digit)."),
            code="invalid",
            params={"value": value},
        ) from exc


def check_national_id(value: str) -> str:
    """The compact number, or StdnumError. Synthetic test numbers pass only where
    ``ACCEPT_SYNTHETIC_NATIONAL_IDS`` is on (development and tests; production refuses them)."""
    if getattr(settings, "ACCEPT_SYNTHETIC_NATIONAL_IDS", False) and is_synthetic_national_id(value):
        return fodselsnummer.compact(value)
    return fodselsnummer.validate(value)


def validate_national_id(value: str) -> None:
    try:
        check_national_id(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This is not a valid national identity number (fødselsnummer)."), code="invalid"
        ) from exc


def mask_national_id(value: str) -> str:
    """Show only the birth date part: 010190*****."""
    value = fodselsnummer.compact(value or "")
    return f"{value[:6]}*****" if len(value) == 11 else ""


_NOT_IN_A_LINK = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")


def validate_link(value: str) -> None:
    """Refuse addresses that pass Django's URLValidator but cannot be a link in open data or HTML.

    ``https://lovdata.no/lov">`` is a "valid URL" to Django; as an IRI it would break the
    municipality's CPSV-AP-NO export (and it is never what the author meant).
    """
    if value and _NOT_IN_A_LINK.search(value):
        raise ValidationError(
            _('A web address cannot contain spaces or any of the characters < > " { } | \\ ^ `.'),
            code="invalid_link",
        )


# --- Input bounds (issue 11): what no text input may hold, however it arrives ---------------------------

# C0 control characters other than tab, line feed and carriage return (PostgreSQL refuses NUL; openpyxl
# refuses the rest in a spreadsheet cell), and lone UTF-16 surrogates (not encodable in UTF-8).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
CONTROL_CHARACTERS_MESSAGE = _("The text contains control characters that are not allowed.")


def has_forbidden_characters(value: str) -> bool:
    return FORBIDDEN_CHARACTERS.search(value) is not None


def validate_text(value) -> None:
    """Refuse control characters (a field-level error; forms, serializers and services use it)."""
    if isinstance(value, str) and has_forbidden_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def strip_forbidden_characters(value: str) -> str:
    """For output of data stored before the check (e.g. a spreadsheet cell)."""
    return FORBIDDEN_CHARACTERS.sub("", value)


def validate_upload_size(upload) -> None:
    """Refuse an uploaded file larger than ``FILE_UPLOAD_MAX_SIZE`` bytes."""
    limit = settings.FILE_UPLOAD_MAX_SIZE
    if upload is not None and upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="file_too_large",
            params={
                "size": formatting.number(upload.size / 1_048_576, 1),
                "limit": formatting.number(limit / 1_048_576, 1),
            },
        )


def check_json(data, max_depth: int | None = None) -> None:
    """Refuse parsed JSON nested deeper than ``JSON_MAX_DEPTH`` or holding forbidden characters
    (in keys or values). Iterative, so a deep document costs no recursion."""
    max_depth = max_depth or settings.JSON_MAX_DEPTH
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if has_forbidden_characters(value):
                raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise ValidationError(
                    _("The JSON is nested deeper than %(depth)s levels."),
                    code="too_deep",
                    params={"depth": max_depth},
                )
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None and has_forbidden_characters(key):
                    raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
                if isinstance(item, str | dict | list):
                    stack.append((item, depth + 1))
