"""SMS gateway: one small interface, the backend chosen by the ``SMS_BACKEND`` setting.

- :class:`LinkMobilityBackend` (production): LINK Mobility's SMS REST API (the "sp247" gateway that
  replaced PSWinCom's). One ``POST {SMS_LINKMOBILITY_URL}/sms/send`` per recipient, HTTP Basic
  authentication, a JSON body ``{"source", "destination", "userData", "platformId",
  "platformPartnerId", "useDeliveryReport"}``; the answer is JSON with ``messageId``, ``resultCode``
  (1005 = queued for delivery) and ``description``. Settings: ``SMS_LINKMOBILITY_URL`` (default
  ``https://wsx.sp247.net``), ``SMS_LINKMOBILITY_USERNAME``, ``SMS_LINKMOBILITY_PASSWORD``,
  ``SMS_LINKMOBILITY_PLATFORM_ID``, ``SMS_LINKMOBILITY_PLATFORM_PARTNER_ID``, ``SMS_SENDER`` (an
  alphanumeric sender of at most 11 characters, or a number).
- :class:`FileBackend` (development, the default): appends each message as one JSON line to
  ``SMS_FILE_PATH`` (``var/sms.jsonl``), so a developer can read what would have been sent.

Use it through the outbox (``core.outbox.enqueue_sms``), never directly from a request: the outbox
retries, records failures and never sends one effect twice. A backend's ``send`` returns the
provider's reference and raises :class:`SmsError` (``permanent=True`` when a retry cannot help,
e.g. a number the gateway refuses).
"""

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib import error, request

from django.conf import settings
from django.utils.module_loading import import_string

#: The LINK Mobility gateway answers this result code when it has queued the message.
LINKMOBILITY_QUEUED = 1005


class SmsError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    reference: str = ""  # our own reference (the outbox key), for logs and the file backend


def normalise_number(number: str) -> str:
    """A phone number in international form (+47 for eight-digit Norwegian numbers)."""
    digits = re.sub(r"[\s().-]", "", number or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):
        digits = "+47" + digits
    if not re.fullmatch(r"\+\d{8,15}", digits):
        raise SmsError(f"Not a phone number: {number!r}", permanent=True)
    return digits


class BaseBackend:
    def send(self, sms: Sms) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Development: one JSON line per message in ``SMS_FILE_PATH``."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, sms: Sms) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": datetime.now(UTC).isoformat(),
            "to": normalise_number(sms.to),
            "body": sms.body,
            "reference": sms.reference,
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file:{sms.reference}"


class LinkMobilityBackend(BaseBackend):
    """LINK Mobility SMS REST API (``POST /sms/send``)."""

    def __init__(self, **overrides):
        def setting(name: str, default: str = "") -> str:
            return overrides.get(name, getattr(settings, f"SMS_LINKMOBILITY_{name.upper()}", default))

        self.url = setting("url", "https://wsx.sp247.net").rstrip("/") + "/sms/send"
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("SMS_LINKMOBILITY_URL must be an http(s) URL.", permanent=True)
        self.username = setting("username")
        self.password = setting("password")
        self.platform_id = setting("platform_id")
        self.platform_partner_id = setting("platform_partner_id")
        self.sender = overrides.get("sender", getattr(settings, "SMS_SENDER", ""))
        self.timeout = float(overrides.get("timeout", getattr(settings, "SMS_TIMEOUT", 10)))

    def send(self, sms: Sms) -> str:
        if not (self.username and self.platform_id and self.platform_partner_id and self.sender):
            raise SmsError("LINK Mobility is not configured (SMS_LINKMOBILITY_* and SMS_SENDER).")
        payload = {
            "source": self.sender,
            "destination": normalise_number(sms.to),
            "userData": sms.body,
            "platformId": self.platform_id,
            "platformPartnerId": self.platform_partner_id,
            "useDeliveryReport": False,
        }
        credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        req = request.Request(  # noqa: S310 (an http(s) URL, checked above)
            self.url,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
            },
        )
        try:
            with request.urlopen(req, timeout=self.timeout) as response:  # noqa: S310 (http(s), checked)
                answer = json.loads(response.read() or b"{}")
        except error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            # 4xx: the gateway refuses this request as it is (a retry cannot help), except 408/429.
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SmsError(f"LINK Mobility HTTP {exc.code}: {detail}", permanent=permanent) from exc
        except (OSError, ValueError) as exc:  # connection refused, timeout, or an answer that is not JSON
            raise SmsError(f"LINK Mobility unreachable: {exc}") from exc
        if answer.get("resultCode") != LINKMOBILITY_QUEUED:
            raise SmsError(
                f"LINK Mobility result {answer.get('resultCode')}: {answer.get('description', '')}"
            )
        return str(answer.get("messageId", ""))


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
