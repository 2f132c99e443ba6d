"""Stored fødselsnumre: re-encryption and new digests on key rotation."""

from __future__ import annotations

from django.db import transaction

from servicetorg.core.crypto import national_id_digest

from ..models import Inquiry
from .base import _require_system


def reencrypt_national_ids(*, user, batch: int = 500) -> int:
    """Encrypt every stored fødselsnummer again with the first of ``FIELD_ENCRYPTION_KEYS`` and
    recompute its digest with ``NATIONAL_ID_HASH_KEY`` (key rotation, docs/operations.md). Each
    batch in its own transaction; safe to run again. No history rows (the number is not in them)."""
    _require_system(user)
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Inquiry.objects.select_for_update()
                .filter(pk__gt=last)
                .exclude(national_id="")
                .order_by("pk")
                .values_list("pk", "national_id")[:batch]
            )
            for pk, value in rows:
                Inquiry.objects.filter(pk=pk).update(
                    national_id=value, national_id_digest=national_id_digest(value)
                )
        if not rows:
            return done
        done += len(rows)
        last = rows[-1][0]
