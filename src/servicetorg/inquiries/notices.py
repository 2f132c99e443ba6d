"""What the citizen is told by e-mail or SMS: the receipt at once, and the case link at every change she
cares about (preliminary reply, question to her, answer, closed, a lost link sent again).

Every message goes through core's transactional outbox in the caller's transaction (sent after it
commits, retried when the mail server or the SMS gateway is down), keyed by the effect so that a
re-run sends nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from servicetorg.core import formatting, outbox, sms
from servicetorg.core.choices import Channel
from servicetorg.core.models import OutboxChannel, OutboxMessage

from .models import Inquiry


def language_code(value: str | None) -> str:
    """One of the site's languages (nb, nn, en) for ``value`` ("nn-NO", "en-gb", "" …); bokmål when
    it is none of them."""
    code = (value or "").split("-")[0].lower()
    known = {code for code, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def in_her_language(inquiry: Inquiry):
    """Write to the citizen in the language she chose (stored on the inquiry at intake), whatever the
    language of the staff member whose action sends it."""
    return translation.override(language_code(getattr(inquiry, "language", "")))


def is_sensitive(inquiry: Inquiry) -> bool:
    """A service flagged sensitive (health, child welfare, social services): e-mail is not a channel
    for special-category data, so notices say only that there is news and where to read it."""
    service = inquiry.service if inquiry.service_id else None
    return bool(service is not None and service.sensitive)


def case_url(inquiry: Inquiry, token: str | None = None) -> str:
    """The absolute case link: on the municipality's own portal host when it has one."""
    host = inquiry.municipality.portal_host
    base = f"https://{host}" if host else settings.PORTAL_BASE_URL
    path = reverse(
        "inquiries_public:case",
        kwargs={"reference": inquiry.reference, "token": token or inquiry.link_token()},
    )
    return base + path


def _date(value) -> str:
    return formatting.weekday_date(value)  # torsdag 3. desember 2026


def receipt_text(inquiry: Inquiry, token: str | None = None) -> str:
    """The receipt in her language; for a sensitive service without a copy of what she wrote."""
    with in_her_language(inquiry):
        return render_to_string(
            "inquiries/mail/receipt.txt",
            {
                "inquiry": inquiry,
                "reply_by": _date(inquiry.reply_deadline),
                "link": case_url(inquiry, token),
                "municipality": inquiry.municipality,
                "sensitive": is_sensitive(inquiry),
                "noted_by_us": inquiry.channel in (Channel.PHONE, Channel.COUNTER),
            },
        ).strip()


def receipt_key(inquiry: Inquiry, by: str = "email") -> str:
    """The outbox key of the receipt (one per case and channel)."""
    return f"inquiries.receipt-sms:{inquiry.pk}" if by == "sms" else f"inquiries.receipt:{inquiry.pk}"


def receipt_sent_to(inquiry: Inquiry) -> str:
    """The e-mail address the receipt went to (is in the outbox for), or "" when none was sent."""
    if not inquiry.contact_email:
        return ""
    sent = OutboxMessage.objects.filter(key=receipt_key(inquiry), channel=OutboxChannel.EMAIL).exists()
    return inquiry.contact_email if sent else ""


def send_receipt(inquiry: Inquiry, *, by: str = "email", token: str | None = None) -> None:
    """The receipt: reference, promised reply date, a copy of her text and the case link. ``by`` is
    "email" (to the case's address) or "sms" (to its phone); nothing without the address."""
    if by == "sms":
        with in_her_language(inquiry):
            body = _(
                "%(municipality)s kommune: we have received your inquiry %(ref)s. Reply by %(date)s. "
                "Follow it here: %(link)s"
            ) % {
                "municipality": inquiry.municipality.name,
                "ref": inquiry.reference,
                "date": formatting.short_date(inquiry.reply_deadline),
                "link": case_url(inquiry, token),
            }
        try:
            outbox.enqueue_sms(
                municipality=inquiry.municipality_id,
                to=inquiry.contact_phone,
                body=body,
                key=receipt_key(inquiry, "sms"),
            )
        except sms.SmsError as error:
            raise ValidationError({"contact_phone": _("This phone number cannot receive an SMS.")}) from error
        return
    with in_her_language(inquiry):
        subject = _("We have received your inquiry %(ref)s") % {"ref": inquiry.reference}
    outbox.enqueue_email(
        municipality=inquiry.municipality_id,
        to=inquiry.contact_email,
        subject=subject,
        body=receipt_text(inquiry, token),
        key=receipt_key(inquiry),
    )


def change_text(inquiry: Inquiry, text: str) -> str:
    """A change on the case: what was written, and the link to read and answer it; in her language.
    For a sensitive service only that there is news and where to read it (no word of the text)."""
    with in_her_language(inquiry):
        return render_to_string(
            "inquiries/mail/change.txt",
            {
                "inquiry": inquiry,
                "text": "" if is_sensitive(inquiry) else text.strip(),
                "sensitive": is_sensitive(inquiry),
                "link": case_url(inquiry),
                "municipality": inquiry.municipality,
            },
        ).strip()


def send_lost_link(inquiry: Inquiry, token: str, key: str) -> None:
    with in_her_language(inquiry):
        subject = _("The link to your inquiry %(ref)s") % {"ref": inquiry.reference}
        body = render_to_string(
            "inquiries/mail/lost_link.txt",
            {"inquiry": inquiry, "link": case_url(inquiry, token), "municipality": inquiry.municipality},
        ).strip()
    outbox.enqueue_email(
        municipality=inquiry.municipality_id, to=inquiry.contact_email, subject=subject, body=body, key=key
    )
