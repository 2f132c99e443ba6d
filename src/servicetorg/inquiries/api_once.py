"""``Idempotency-Key`` for the API's POSTs outside the intake: one way for every app.

    return respond_once(request, prefix="ranking:", work=lambda: Response(...), required=True)

The key is claimed in the intake's table (:mod:`.services.idempotency`: one claim per user, API
client and key, kept for ``IDEMPOTENCY_KEY_LIFETIME``), namespaced by ``prefix`` so an app's keys never
collide with another's or the intake's. ``work`` runs in the claim's transaction: its first response
is kept and a repeat gets it back with ``Idempotent-Replayed: true``; the same key with a different
request is 422; an error in ``work`` (a 400 raised as ValidationError) rolls the claim back with it,
so the corrected request may use the key again. Without a key, ``required`` POSTs are refused (400)
and the others just run ``work`` in a transaction.

The request is identified by the SHA-256 of its canonical JSON body, and of its path too where one
key could otherwise serve two addresses (``bind_path``; the actions of one resource).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .models import ApiClient
from .services import idempotency

MAX_KEY = 240  # the client's part; a prefix of up to 15 characters fills the record's 255


def request_hash(request, *, bind_path: bool) -> str:
    body = {"path": request.path, "data": request.data} if bind_path else request.data
    canonical = json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def respond_once(
    request, *, prefix: str, work: Callable[[], Response], required: bool, bind_path: bool = True
) -> Response:
    """Run ``work()`` once per Idempotency-Key (see the module's note)."""
    key = request.headers.get("Idempotency-Key")
    if key is None and not required:
        with transaction.atomic():
            return work()
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError(
            {"Idempotency-Key": [_("Give an Idempotency-Key header of 1 to 240 characters.")]}
        )
    digest = request_hash(request, bind_path=bind_path)
    client_scope = request.auth.pk if isinstance(request.auth, ApiClient) else 0
    mine = {"user_id": request.user.pk, "client_scope": client_scope, "key": prefix + key}
    with transaction.atomic():
        record_id = idempotency.claim(**mine, request_hash=digest)
        if record_id is None:
            existing = idempotency.kept(**mine)
            if existing.request_hash != digest:
                return Response(
                    {"detail": _("This Idempotency-Key was used with a different request.")},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            return Response(
                existing.response, status=existing.status_code, headers={"Idempotent-Replayed": "true"}
            )
        response = work()  # an error rolls the claim back: the key stays free
        idempotency.keep(record_id, status_code=response.status_code, response=response.data, inquiry_id=None)
        return response
