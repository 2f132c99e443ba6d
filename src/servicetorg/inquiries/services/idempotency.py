"""Idempotency of intake: one mechanism for the REST API and Open311 (issue 19 §4).

A request is claimed by a row of :class:`~servicetorg.inquiries.models.IdempotencyRecord` (its
``user`` and ``client_scope``, and the key), in the caller's transaction, before the inquiry is
registered; the response is kept with it (:func:`keep`), and a repeat gets it back (:func:`kept`).
The REST API's direct path claims the same row in the statement that inserts the inquiry
(``IdempotencyClaim``, :func:`~.intake.insert`): same table, same key, same expiry.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import IDEMPOTENCY_KEY_LIFETIME, IdempotencyRecord


def claim(
    *,
    user_id: int | None,
    client_scope: int,
    key: str,
    request_hash: str,
    lifetime: timedelta = IDEMPOTENCY_KEY_LIFETIME,
) -> int | None:
    """Claim ``key`` for a request: the record's id, or None when a live claim holds it (a repeat).

    In a savepoint, on the unique index: a concurrent request with the same key waits here until the
    first one commits (then fails on the index) or rolls back (then claims the key). A record older
    than ``lifetime`` has expired and is claimed anew by one conditional UPDATE: of two requests
    taking over the same expired key, the second finds it no longer expired. ``user_id`` None: an
    Open311 client (it acts as no user).
    """
    fields = {"user_id": user_id, "client_scope": client_scope, "key": key}
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(request_hash=request_hash, **fields).pk
    except IntegrityError:
        pass
    now = timezone.now()
    expired = IdempotencyRecord.objects.filter(created_at__lt=now - lifetime, **fields)
    renewed = expired.update(
        request_hash=request_hash, status_code=0, response={}, inquiry=None, created_at=now
    )
    if not renewed:
        return None
    return IdempotencyRecord.objects.filter(**fields).values_list("pk", flat=True).get()


def kept(*, user_id: int | None, client_scope: int, key: str) -> IdempotencyRecord:
    """The live claim of ``key`` (after :func:`claim` answered None): its request hash and response."""
    return IdempotencyRecord.objects.get(user_id=user_id, client_scope=client_scope, key=key)


def keep(record_id: int, *, status_code: int, response, inquiry_id: int | None) -> None:
    """Keep the first response with its claim, as the JSON column stores it."""
    data = json.loads(json.dumps(response, cls=DjangoJSONEncoder))
    IdempotencyRecord.objects.filter(pk=record_id).update(
        status_code=status_code, response=data, inquiry_id=inquiry_id
    )
