"""Validators for Norwegian identifiers (python-stdnum does the arithmetic)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer, orgnr


def validate_municipality_number(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 4 and value.isdigit()):
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


def validate_national_id(value: str) -> None:
    try:
        fodselsnummer.validate(value)
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
