"""Personal data encrypted at rest: the fødselsnummer (ASVS V6, docs/security.md "Stored cryptography").

- :func:`encrypt_national_id` / :func:`decrypt_national_id`: Fernet (AES-128-CBC + HMAC-SHA256,
  from ``cryptography``) with the keys of ``FIELD_ENCRYPTION_KEYS``, a :class:`MultiFernet`: the
  first key encrypts, every key decrypts, so a key is rotated by putting a new one first and running
  ``manage.py rotate_field_keys`` (re-encrypts every row), then removing the old one.
- :func:`national_id_digest`: HMAC-SHA256 with its own key (``NATIONAL_ID_HASH_KEY``) of the
  normalised 11 digits, hex. Equal numbers have equal digests (a look-up by digest, the
  ``national_id_digest`` column, finds a person's inquiries); without the key a digest cannot be
  tested against the few hundred million possible numbers.
- :class:`EncryptedTextField` and :class:`DigestField`: the model fields that use them. The
  attribute holds the plain value in Python; the column holds the ciphertext (or the digest).

The keys are read and checked once per process (at start-up, :func:`check_keys` from
``CoreConfig.ready``), not per value. The empty value is stored empty (no ciphertext, no digest):
"no number" is not a secret, and lets ``national_id=""`` and the digest index's condition work.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.views.decorators.debug import sensitive_variables
from stdnum.no import fodselsnummer

__all__ = [
    "DigestField",
    "EncryptedTextField",
    "InvalidToken",
    "check_keys",
    "decrypt_national_id",
    "encrypt_national_id",
    "national_id_digest",
    "normalise_national_id",
    "rotate_ciphertext",
]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
        ) from exc


@lru_cache(maxsize=4)
def _hash_key(key: str) -> bytes:
    if len(key) < 32:
        raise ImproperlyConfigured("NATIONAL_ID_HASH_KEY must be at least 32 characters.")
    return key.encode()


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def check_keys() -> None:
    """Read and check both keys (raises ImproperlyConfigured): once at start-up."""
    _keys()
    _hash_key(settings.NATIONAL_ID_HASH_KEY)


def normalise_national_id(value: str) -> str:
    """The 11 digits, without spaces or separators."""
    return fodselsnummer.compact(value or "")


@sensitive_variables("value")
def encrypt_national_id(value: str) -> str:
    """The Fernet token (text) of ``value``; "" for "". Each call gives another token (random IV)."""
    if not value:
        return ""
    return _keys().encrypt(value.encode()).decode("ascii")


@sensitive_variables("value")
def decrypt_national_id(token: str) -> str:
    """The plain value of a Fernet token from :func:`encrypt_national_id` (any configured key);
    raises InvalidToken for a token no key opens."""
    if not token:
        return ""
    return _keys().decrypt(token.encode("ascii")).decode()


def rotate_ciphertext(token: str) -> str:
    """The token re-encrypted with the first (current) key: ``manage.py rotate_field_keys``."""
    if not token:
        return ""
    return _keys().rotate(token.encode("ascii")).decode("ascii")


@sensitive_variables("value", "digits")
def national_id_digest(value: str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of the normalised number with ``NATIONAL_ID_HASH_KEY``;
    "" for no number. Use it to find rows by number: ``national_id_digest=national_id_digest(fnr)``."""
    digits = normalise_national_id(value)
    if not digits:
        return ""
    return hmac.new(_hash_key(settings.NATIONAL_ID_HASH_KEY), digits.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.CharField):
    """A text field stored encrypted (:func:`encrypt_national_id`): plain in Python, a Fernet token in
    the column. Saves (``save``, ``QuerySet.update``, the intake's raw INSERT, which all go through
    ``get_db_prep_save``) encrypt; reads decrypt. Look-ups compare with the ciphertext, so only
    ``=""`` / ``isnull`` mean anything: look a value up by its :class:`DigestField`.

    ``max_length`` is the column's (the token is ~4/3 of the 57 + 16·n bytes of the plain text);
    the plain value's own limit is a validator of the form or model."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)
        # CharField adds a MaxLengthValidator for the column; the plain value is much shorter.
        self.validators[:] = [v for v in self.validators if type(v).__name__ != "MaxLengthValidator"]

    def from_db_value(self, value, expression, connection):
        return decrypt_national_id(value) if value else value

    def get_db_prep_save(self, value, connection):
        value = super().get_db_prep_save(value, connection)
        return encrypt_national_id(value) if value else value


class DigestField(models.CharField):
    """The keyed hash (:func:`national_id_digest`) of another field of the row, kept current on every
    save (``pre_save``: also on the intake's raw INSERT, which prepares each field as Django does).
    ``QuerySet.update`` of the source field must set this one too."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source = getattr(model_instance, self.source)
        value = national_id_digest(source) if source else ""  # most intakes have no number
        setattr(model_instance, self.attname, value)
        return value
