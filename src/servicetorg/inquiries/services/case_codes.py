"""One-time codes that open a sensitive service's case (issue 24 §1; docs/security.md, "Case links").

E-mail is not a channel for special-category data, and a case link travels by e-mail: for an
inquiry about a service flagged sensitive the link alone opens nothing. The browser that follows it
asks for a code, sent by SMS to the case's phone or by e-mail to its address (the contact details
on record, never typed in by whoever holds the link), and gives it back.

- The code is six digits, bound to the case and to the session that asked for it (the session keeps
  a random *binding*; the row keeps its SHA-256), so another browser or another case cannot use it.
- It is stored as an HMAC (the site's secret key, a salt of its own row, the case), never in clear.
- It expires after :data:`CODE_LIFETIME`, is used once, and :data:`MAX_ATTEMPTS` wrong tries kill
  it: a new code is needed. Only the newest code of a session counts.
- Codes are sent at most once per :data:`RESEND_AFTER` per session and :data:`MAX_CODES_PER_HOUR`
  per case (whoever holds a leaked link cannot flood her phone).
- The message goes through the outbox and says only the code, its lifetime and the municipality:
  no reference, no word of the case.

The session's verification itself (how long it lasts) is the page's: ``public_views``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicetorg.core import outbox, sms
from servicetorg.core import permissions as core_permissions

from ..models import CaseCode, CaseCodeChannel, Inquiry
from ..notices import in_her_language

#: A code is good for this long after it was sent.
CODE_LIFETIME = timedelta(minutes=10)
#: Wrong tries before a code is dead and a new one is needed.
MAX_ATTEMPTS = 5
#: A new code for the same session and case no sooner than this after the last one.
RESEND_AFTER = timedelta(seconds=60)
#: At most this many codes per case an hour, whichever sessions ask.
MAX_CODES_PER_HOUR = 5
#: Digits in a code.
CODE_DIGITS = 6


class CodeRefused(Exception):
    """No code is sent: ``reason`` is "no_contact" (no phone or e-mail on the case for ``channel``),
    "wait" (asked again too soon) or "too_many" (the case's hourly limit); ``wait`` in seconds."""

    def __init__(self, reason: str, wait: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


@dataclass(frozen=True)
class Destination:
    channel: str  # CaseCodeChannel
    shown: str  # the address or number, partly hidden: "•• •• •• 67", "k•••@example.no"


@dataclass(frozen=True)
class Checked:
    """The answer to a code: ``ok``, else ``reason`` "wrong" (``left`` tries remain), "locked" (too
    many wrong tries: ask for a new code), "expired" or "none" (no live code for this session)."""

    ok: bool
    reason: str = ""
    left: int = 0


def binding_hash(binding: str) -> str:
    return hashlib.sha256(("servicetorg.inquiries.case-code-session:" + binding).encode()).hexdigest()


def _code_hash(inquiry_id: int, salt: str, code: str) -> str:
    return salted_hmac(
        "servicetorg.inquiries.case-code", f"{inquiry_id}:{salt}:{code}", algorithm="sha256"
    ).hexdigest()


def _phone_ok(number: str) -> bool:
    try:
        sms.normalise_number(number)
    except sms.SmsError:
        return False
    return True


def _hide_phone(number: str) -> str:
    digits = sms.normalise_number(number)
    return "•• •• •• " + digits[-2:]


def _hide_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def destinations(inquiry: Inquiry) -> list[Destination]:
    """Where a code can go: the case's phone (SMS) first, then its e-mail address."""
    out = []
    if inquiry.contact_phone and _phone_ok(inquiry.contact_phone):
        out.append(Destination(CaseCodeChannel.SMS, _hide_phone(inquiry.contact_phone)))
    if inquiry.contact_email:
        out.append(Destination(CaseCodeChannel.EMAIL, _hide_email(inquiry.contact_email)))
    return out


def live_code(inquiry: Inquiry, *, binding: str, now=None) -> CaseCode | None:
    """The newest unused, unexpired code this session asked for on this case (for the page: whether
    to ask for the code or offer to send one)."""
    now = now or timezone.now()
    code = (
        CaseCode.objects.filter(inquiry=inquiry, session_hash=binding_hash(binding))
        .order_by("-created_at", "-pk")
        .first()
    )
    if code is None or code.used_at is not None or code.expires_at <= now or code.attempts >= MAX_ATTEMPTS:
        return None
    return code


def _message(inquiry: Inquiry, code: str) -> tuple[str, str]:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    with in_her_language(inquiry):
        body = ngettext(
            "%(municipality)s kommune: your one-time code is %(code)s. It is valid for %(minutes)d "
            "minute. Do not give it to anyone.",
            "%(municipality)s kommune: your one-time code is %(code)s. It is valid for %(minutes)d "
            "minutes. Do not give it to anyone.",
            minutes,
        ) % {"municipality": inquiry.municipality.name, "code": code, "minutes": minutes}
        subject = _("Your one-time code")
        ignore = _("If you did not ask for a code, you can ignore this message.")
    return subject, body + "\n\n" + ignore


@transaction.atomic
def send_code(inquiry: Inquiry, *, channel: str, binding: str, user, now=None) -> CaseCode:
    """Send a new code for ``inquiry`` to the session bound by ``binding`` (its earlier codes die),
    by ``channel`` to the contact details on the case, through the outbox. Raises
    :class:`CodeRefused`."""
    core_permissions.check_actor(user)
    now = now or timezone.now()
    if not binding:
        raise ValueError("A session binding is required.")
    if channel not in {d.channel for d in destinations(inquiry)}:
        raise CodeRefused("no_contact")
    # One request at a time per case: the limits below count rows.
    Inquiry.objects.select_for_update().filter(pk=inquiry.pk).first()
    session_hash = binding_hash(binding)
    recent = list(
        CaseCode.objects.filter(inquiry=inquiry, created_at__gt=now - timedelta(hours=1))
        .order_by("created_at")
        .values_list("created_at", "session_hash")
    )
    if len(recent) >= MAX_CODES_PER_HOUR:
        raise CodeRefused("too_many", int((recent[0][0] + timedelta(hours=1) - now).total_seconds()) + 1)
    own = [at for at, h in recent if h == session_hash]
    if own and now - own[-1] < RESEND_AFTER:
        raise CodeRefused("wait", int((own[-1] + RESEND_AFTER - now).total_seconds()) + 1)
    # Only the newest code of a session counts.
    CaseCode.objects.filter(inquiry=inquiry, session_hash=session_hash, used_at__isnull=True).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    row = CaseCode.objects.create(
        municipality_id=inquiry.municipality_id,
        inquiry=inquiry,
        session_hash=session_hash,
        salt=salt,
        code_hash=_code_hash(inquiry.pk, salt, code),
        channel=channel,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    subject, body = _message(inquiry, code)
    key = f"inquiries.case-code:{row.pk}"
    if channel == CaseCodeChannel.SMS:
        outbox.enqueue_sms(municipality=inquiry.municipality_id, to=inquiry.contact_phone, body=body, key=key)
    else:
        outbox.enqueue_email(
            municipality=inquiry.municipality_id,
            to=inquiry.contact_email,
            subject=subject,
            body=body,
            key=key,
        )
    return row


@transaction.atomic
def check_code(inquiry: Inquiry, *, binding: str, code: str, user, now=None) -> Checked:
    """Check ``code`` against the newest code this session asked for on ``inquiry``. A right code is
    used up; a wrong one counts against :data:`MAX_ATTEMPTS`."""
    core_permissions.check_actor(user)
    now = now or timezone.now()
    row = (
        CaseCode.objects.select_for_update()
        .filter(inquiry=inquiry, session_hash=binding_hash(binding or ""))
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or not binding:
        return Checked(False, "none")
    if row.used_at is not None or row.expires_at <= now:
        return Checked(False, "expired")
    if row.attempts >= MAX_ATTEMPTS:
        return Checked(False, "locked")
    given = "".join((code or "").split())
    if secrets.compare_digest(row.code_hash, _code_hash(inquiry.pk, row.salt, given)):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return Checked(True)
    row.attempts += 1
    row.save(update_fields=["attempts"])
    left = MAX_ATTEMPTS - row.attempts
    return Checked(False, "wrong" if left else "locked", left)
