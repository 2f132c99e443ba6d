"""One-time form tokens: a double submit does the work once and shows the first result.

A form carries a random token in a hidden field (``{% load once %}{% once_token %}`` inside the
``<form>``). The view runs what the form does through :func:`submit_once`::

    result, first = submit_once(request, "inquiries.contact", lambda: {"reference": ...})

The token is claimed (a unique row in ``core.FormSubmission``) in the same transaction as the work,
and the work's result (a small JSON-able dict) is stored with it. A second POST with the same token
(a double click, a browser resending the form) waits for the first to commit, then gets the first
result back with ``first=False`` and does nothing. If the work raises (e.g. a ValidationError), the
claim rolls back with it and the corrected form may be sent again with the same token. A POST
without a token (an old page, a script) is not protected but still works. Tokens are kept for
:data:`KEEP` (``core.purge_form_tokens`` removes older ones). Only a SHA-256 of each token is
stored, and the result is stored encrypted with the token (XOR with a SHAKE-256 key stream of the
token, one key per result), so a stored receipt (which may hold a case's secret link) is useless to
anyone without the submitter's page.
"""

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FormSubmission

FIELD = "once_token"
KEEP = timedelta(hours=24)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def posted_token(request) -> str:
    """The form's token, if it sent a well-formed one."""
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return token if _TOKEN.fullmatch(token) else ""


def submit_once(request, scope: str, action: Callable[[], dict]) -> tuple[dict, bool]:
    """Run ``action`` once per form token; returns (its result, True) or (the first result, False)."""
    token = posted_token(request)
    if not token:
        with transaction.atomic():
            return action(), True
    token_hash = hashlib.sha256(f"{scope}:{token}".encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():  # a concurrent twin waits here until the first commits
                claim = FormSubmission.objects.create(token_hash=token_hash, scope=scope)
        except IntegrityError:
            sealed = FormSubmission.objects.get(token_hash=token_hash).sealed_result
            return _unseal(sealed, scope, token), False
        result = action()
        claim.sealed_result = _seal(result, scope, token)
        claim.save(update_fields=["sealed_result"])
        return result, True


def _keystream(scope: str, token: str, length: int) -> bytes:
    return hashlib.shake_256(f"servicetorg.once:{scope}:{token}".encode()).digest(length)


def _seal(result: dict, scope: str, token: str) -> str:
    plain = json.dumps(result, separators=(",", ":")).encode()
    key = _keystream(scope, token, len(plain))
    return base64.b64encode(bytes(a ^ b for a, b in zip(plain, key, strict=True))).decode("ascii")


def _unseal(sealed: str, scope: str, token: str) -> dict:
    cipher = base64.b64decode(sealed)
    key = _keystream(scope, token, len(cipher))
    return json.loads(bytes(a ^ b for a, b in zip(cipher, key, strict=True)))


def purge(now=None) -> int:
    cutoff = (now or timezone.now()) - KEEP
    deleted, _by_model = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
