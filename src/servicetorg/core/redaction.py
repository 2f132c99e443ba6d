"""Secrets and personal data kept out of logs and error reports (ASVS V7, V8; docs/security.md).

- :func:`redact`: a text with every fødselsnummer (eleven digits, also written 6+5) and every case
  link's token (``/sak/<reference>/<token>``, ``token=`` in a query) replaced.
- :class:`RedactingFilter`: a logging filter that redacts a record's message and arguments. Put on
  the loggers that write request paths (``django.request``, ``django.server``, ``django.security``:
  :func:`install`) and on the console handler (settings.LOGGING), so a record is redacted before
  any handler, test capture or error mail sees it.
- ``core.errors.ExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``): Django's safe
  filter, which also hides the POST parameters named in :data:`SENSITIVE_POST_PARAMETERS` on every
  view (the API's too) and any frame variable whose value shows a fødselsnummer or a case token.
- :class:`GunicornLogger` (``gunicorn.conf.py``): gunicorn's access log without case tokens.

No Django import here: gunicorn's master loads :class:`GunicornLogger` before Django is set up.
"""

from __future__ import annotations

import logging
import re

from gunicorn import glogging

#: Eleven digits not part of a longer number, with an optional space after the birth date.
NATIONAL_ID = re.compile(r"(?<![0-9])[0-9]{6} ?[0-9]{5}(?![0-9])")
#: The case link's token: the segment after the reference (the case link, and the satisfaction
#: question's address, which carries it too), or a ``token=`` query parameter.
CASE_TOKEN = re.compile(r"(/(?:sak|undersokelser/tilfredshet)/[^/\s?#\"']+/)[^/\s?#\"']+")
TOKEN_PARAMETER = re.compile(r"([?&]token=)[^&\s#\"']+")
REDACTED = "[redacted]"
#: Hidden from error reports on every view (a decorator may add more).
SENSITIVE_POST_PARAMETERS = {"national_id", "token", "password", "otp_token"}
#: The loggers that write request paths or parameters.
LOGGERS = ("django.request", "django.server", "django.security", "django.security.csrf", "servicetorg")


def redact_case_links(text: str) -> str:
    """``text`` with every case link's token replaced (the reference stays); fødselsnummer kept (for
    a person's own data handed over to her, e.g. the access export of her e-mails)."""
    if "/sak/" in text or "/tilfredshet/" in text:
        text = CASE_TOKEN.sub(rf"\1{REDACTED}", text)
    if "token=" in text:
        text = TOKEN_PARAMETER.sub(rf"\1{REDACTED}", text)
    return text


def redact(text: str) -> str:
    return NATIONAL_ID.sub(REDACTED, redact_case_links(text))


def _redact_value(value):
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """Redacts the record's message and string arguments in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        return True


def install() -> None:
    """Put the filter on the loggers that write request paths (once, from CoreConfig.ready)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with every field of the access log (request line, path, query, referrer,
    environment) redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
