"""Domain operations on inquiries: used by staff views, the API, Open311, admin and commands alike.

One module per concern; callers use this package (``from servicetorg.inquiries import services``,
``services.register(...)``), which re-exports every public operation:

- ``intake``: prepare, insert, register (with the idempotency claim), the place, receipts, lost links
- ``actions``: the case's transitions (resolve, route, take, replies, close, reopen, contact person)
- ``files``: attachments and Open311 media links, the orphan-file sweep
- ``due``: channel rules, deadline warnings and breaches
- ``compensation``: compensation for a broken guarantee, and its settlement
- ``api_clients``: API keys, one channel each
- ``case_codes``: one-time codes that open a sensitive service's case (with its link)
- ``national_id``: re-encryption of stored fødselsnumre on key rotation
- ``base``: what they share, above all :func:`base._transition`: it checks the actor, locks the
  inquiry, takes the rollup snapshot, moves the state by the table (workflow.py, core's workflow
  helper), lets the operation change the inquiry, writes the message log, saves and updates the
  dashboard rollups. Every operation is one transaction through it.
"""

from . import case_codes, idempotency  # modules: services.case_codes.send_code, services.idempotency.claim
from .actions import (
    ask_citizen,
    change_contact_person,
    citizen_message,
    close,
    preliminary_reply,
    reopen,
    reply,
    resolve,
    route,
    take,
)
from .api_clients import create_api_client
from .compensation import compensation_total, settle_compensation
from .due import due_for_warning, mark_breaches, send_warnings, set_channel_rule, warn_due
from .files import add_attachments, add_media_link, sweep_orphan_files
from .intake import (
    INTAKE_RELATIONS,
    RECEIPT_CHANNELS,
    IdempotencyClaim,
    Registered,
    clean_location,
    idempotency_cutoff,
    insert,
    prepare,
    purge_idempotency_keys,
    record_open311_request,
    register,
    request_case_link,
    resend_case_link,
)
from .national_id import reencrypt_national_ids
from .test_flags import mark_test_inquiries

__all__ = [
    "case_codes",
    "idempotency",
    "INTAKE_RELATIONS",
    "RECEIPT_CHANNELS",
    "IdempotencyClaim",
    "Registered",
    "add_attachments",
    "add_media_link",
    "ask_citizen",
    "change_contact_person",
    "citizen_message",
    "clean_location",
    "close",
    "compensation_total",
    "create_api_client",
    "due_for_warning",
    "idempotency_cutoff",
    "insert",
    "mark_breaches",
    "mark_test_inquiries",
    "preliminary_reply",
    "prepare",
    "purge_idempotency_keys",
    "record_open311_request",
    "reencrypt_national_ids",
    "register",
    "reopen",
    "reply",
    "request_case_link",
    "resend_case_link",
    "resolve",
    "route",
    "send_warnings",
    "set_channel_rule",
    "settle_compensation",
    "sweep_orphan_files",
    "take",
    "warn_due",
]
