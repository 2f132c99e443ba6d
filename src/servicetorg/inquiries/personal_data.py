"""What the inquiries module keeps about people, and for how long (privacy.retention, privacy.access).

A closed inquiry is kept for the municipality's period (default 24 months) after it was closed. Then
its messages, its history rows (django-simple-history) and its idempotency records are deleted,
and the inquiry row itself is **anonymised**, not deleted: subject, text,
name, e-mail, phone, fødselsnummer and case-link token are blanked, while channel, service, unit,
dates, handling and outcome stay. The dashboards read rollup tables that never look back at the
rows, and ``rollups.rebuild`` (which recounts from the rows) finds every inquiry still there, so no
figure changes. Erasure on request does the same to one person's inquiries, open or closed.

Case documents the municipality must archive (arkivlova, arkivforskriften) are expected to have been
journaled in its archive system (Sak/arkiv, Noark 5) before the period ends: this platform is the
front desk, not the archive (docs/security.md).
"""

from __future__ import annotations

from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicetorg.core.models import Municipality
from servicetorg.privacy.access import Holding, Person, Record
from servicetorg.privacy.retention import RecordKind

from .min_side import level_for
from .models import (
    IDEMPOTENCY_KEY_LIFETIME,
    PUBLIC_MESSAGE_KINDS,
    Attachment,
    CaseCode,
    IdempotencyRecord,
    Inquiry,
    InquiryMessage,
    State,
)

#: Idempotency records (the REST API's and Open311's): their key's lifetime, in whole days (at least one).
IDEMPOTENCY_DAYS = max(IDEMPOTENCY_KEY_LIFETIME.days, 1)

#: What an anonymised inquiry's subject reads.
ANONYMISED_SUBJECT = "—"

#: The inquiry's fields that can name or reach a person, and their blank value.
PERSONAL_FIELDS = {
    "subject": ANONYMISED_SUBJECT,
    "body": "",
    "contact_name": "",
    "contact_email": "",
    "contact_phone": "",
    "national_id": "",
    "national_id_digest": "",
    # Where it is can point to her home.
    "address": "",
    "latitude": None,
    "longitude": None,
    "token_hash": "",
}


def anonymise(ids: list[int]) -> int:
    """Anonymise inquiries (see the module's note): blank the personal fields, delete their messages,
    history rows and idempotency records. Statistics columns stay, so the rollups
    and a rebuild of them count the inquiry as before. Call inside a transaction."""
    inquiries = Inquiry.objects.filter(pk__in=ids)
    # Attachments first: deleting each row deletes its file (models._delete_attachment_file, on commit).
    Attachment.objects.filter(inquiry_id__in=ids).delete()
    InquiryMessage.objects.filter(inquiry_id__in=ids).delete()
    Inquiry.history.model.objects.filter(id__in=ids).delete()
    IdempotencyRecord.objects.filter(inquiry_id__in=ids).delete()  # the REST API's and Open311's
    CaseCode.objects.filter(inquiry_id__in=ids).delete()
    # A queryset update: no history row (the inquiry's history is what is being removed), no rollup
    # change (no statistics column changes).
    return inquiries.update(**PERSONAL_FIELDS, anonymised_at=timezone.now())


def _closed_due(municipality, cutoff):
    """Closed inquiries, and replied ones nobody closed (the citizen has the answer; the period counts
    from the reply), not yet anonymised."""
    return (
        Inquiry.objects.filter(municipality=municipality, anonymised_at__isnull=True)
        .filter(Q(state=State.CLOSED, closed_at__lt=cutoff) | Q(state=State.REPLIED, replied_at__lt=cutoff))
        .annotate(finished_at=Coalesce("closed_at", "replied_at"))
    )


def _idempotency_due(_municipality, cutoff):
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff)


def _case_codes_due(_municipality, cutoff):
    return CaseCode.objects.filter(created_at__lt=cutoff)


def _delete(model):
    return lambda ids: model.objects.filter(pk__in=ids).delete()[0]


RETENTION = [
    RecordKind(
        key="inquiries.closed",
        label=_("Closed inquiries with their messages, attachments and history"),
        purpose=_("to answer you, to let you follow your case, and to handle complaints about it"),
        counted_from=_("after the inquiry was closed"),
        default_days=730,
        min_days=90,
        max_days=3650,
        due=_closed_due,
        date_field="finished_at",
        purge=anonymise,
        outcome=_("anonymised: the statistics stay, nothing names the person"),
        position=10,
    ),
    # Platform-wide (the hourly inquiries.purge_idempotency_keys deletes them at once when they
    # expire; the nightly purge is the safety net and the report).
    RecordKind(
        key="inquiries.idempotency",
        label=_("Idempotency keys of the inquiry API (with the first response)"),
        purpose=_("so that a system that sends the same inquiry twice creates one"),
        counted_from=_("after the first request"),
        default_days=IDEMPOTENCY_DAYS,
        min_days=IDEMPOTENCY_DAYS,
        max_days=IDEMPOTENCY_DAYS,
        due=_idempotency_due,
        date_field="created_at",
        purge=_delete(IdempotencyRecord),
        per_municipality=False,
        outcome=_("deleted"),
        position=93,
    ),
    # Platform-wide: a code lives ten minutes; the row (hashes, never the code) goes after a day.
    RecordKind(
        key="inquiries.case_codes",
        label=_("One-time codes for sensitive cases (stored hashed)"),
        purpose=_("so that only you can open a case about a sensitive service, even with its link"),
        counted_from=_("after the code was sent"),
        default_days=1,
        min_days=1,
        max_days=1,
        due=_case_codes_due,
        date_field="created_at",
        purge=_delete(CaseCode),
        per_municipality=False,
        outcome=_("deleted"),
        position=94,
    ),
]


# --- Right of access and erasure ------------------------------------------------------------------


def _person_q(who: Person) -> Q:
    q = Q()
    if who.email:
        q |= Q(contact_email__iexact=who.email)
    if who.phone:
        q |= Q(phone_compact__in=who.phone_variants())
    if who.digest():
        q |= Q(national_id_digest=who.digest())  # encrypted: core/crypto.py
    return q


def _of(municipality: Municipality, who: Person):
    phone = Replace("contact_phone", Value(" "), Value(""))
    for char in "-.()":
        phone = Replace(phone, Value(char), Value(""))
    return (
        Inquiry.objects.filter(municipality=municipality, anonymised_at__isnull=True)
        .annotate(phone_compact=phone)
        .filter(_person_q(who))
    )


def _record(i: Inquiry, *, self_service: bool = False) -> Record:
    from django.urls import reverse

    from .permissions import can_read

    return Record(
        pk=i.pk,
        title=f"{i.reference} – {i.subject}",
        when=i.received_at,
        fields=[
            (_("reference"), i.reference),
            (_("channel"), i.get_channel_display()),
            (_("service"), str(i.service) if i.service else ""),
            (_("unit"), str(i.unit) if i.unit else ""),
            (_("subject"), i.subject),
            (_("text"), i.body),
            (_("citizen's name"), i.contact_name),
            (_("citizen's e-mail"), i.contact_email),
            (_("citizen's phone"), i.contact_phone),
            (_("national identity number"), i.national_id),
            (_("address or place"), i.address),
            (_("latitude"), "" if i.latitude is None else str(i.latitude)),
            (_("longitude"), "" if i.longitude is None else str(i.longitude)),
            (_("status"), i.get_state_display()),
            (_("received"), i.received_at),
            (_("replied"), i.replied_at),
            (_("closed"), i.closed_at),
        ],
        # The self-service export (Min side) holds what her case page shows her: internal notes and
        # events stay with the municipality, as when the staff hand an export over after review.
        parts=[
            (str(m.get_kind_display()), m.created_at, m.text)
            for m in i.messages.all()
            if not self_service or m.kind in PUBLIC_MESSAGE_KINDS
        ]
        + [
            (
                str(_("attachment")),
                a.created_at,
                f"{a.name} ({a.size} B){' ' + a.media_url if a.media_url else ''}",
            )
            for a in i.attachments.all()
        ],
        restricted=bool(i.service and i.service.sensitive),
        level=level_for(i),  # what her own export (Min side) needs, as her case page
        # Sensitive services: in full only for whoever may read the inquiry (its unit; §2.4).
        readable_by=lambda user: can_read(user, i),
        withheld_fields=[
            (_("reference"), i.reference),
            (_("received"), i.received_at),
            (
                _("unit"),
                str(i.unit) if i.unit else str(i.service.responsible_unit or "") if i.service else "",
            ),
        ],
        files=[(a.name, _reader(a)) for a in i.attachments.all() if a.file],
        own_export_url=reverse("privacy:personal-data-record", args=["inquiries.inquiry", i.pk]),
    )


def _reader(attachment: Attachment):
    def read() -> bytes:
        with attachment.file.open("rb") as handle:
            return handle.read()

    return read


def _find(municipality, who) -> list[Record]:
    inquiries = (
        _of(municipality, who)
        .select_related("service__responsible_unit", "unit")
        .prefetch_related("messages", "attachments")
        .order_by("received_at", "pk")
    )
    return [_record(i, self_service=who.self_service) for i in inquiries]


def _find_one(pk, user):
    from .permissions import can_read

    inquiry = (
        Inquiry.objects.filter(pk=pk, anonymised_at__isnull=True)
        .select_related("service__responsible_unit", "unit", "municipality")
        .prefetch_related("messages", "attachments")
        .first()
    )
    # Only a record the administration's export withholds (a sensitive service) is exported alone.
    if inquiry is None or not (inquiry.service and inquiry.service.sensitive) or not can_read(user, inquiry):
        return None
    return inquiry.municipality, _record(inquiry)


def _erase(municipality, who) -> int:
    ids = list(_of(municipality, who).values_list("pk", flat=True))
    if ids:
        anonymise(ids)
    return len(ids)


HOLDINGS = [
    Holding(
        key="inquiries.inquiry",
        label=_("Inquiries with their messages"),
        find=_find,
        erase=_erase,
        outcome=_("anonymised: the statistics stay, nothing names the person"),
        position=10,
        find_one=_find_one,
    ),
]
