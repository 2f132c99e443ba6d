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
from django.utils.translation import gettext as _

from servicetorg.core import formatting, outbox, sms

from .models import Inquiry


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
    return render_to_string(
        "inquiries/mail/receipt.txt",
        {
            "inquiry": inquiry,
            "reply_by": _date(inquiry.reply_deadline),
            "link": case_url(inquiry, token),
            "municipality": inquiry.municipality,
        },
    ).strip()


def send_receipt(inquiry: Inquiry, *, by: str = "email", token: str | None = None) -> None:
    """The receipt: reference, promised reply date, a copy of her text and the case link. ``by`` is
    "email" (to the case's address) or "sms" (to its phone); nothing without the address."""
    if by == "sms":
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
                key=f"inquiries.receipt-sms:{inquiry.pk}",
            )
        except sms.SmsError as error:
            raise ValidationError({"contact_phone": _("This phone number cannot receive an SMS.")}) from error
        return
    outbox.enqueue_email(
        municipality=inquiry.municipality_id,
        to=inquiry.contact_email,
        subject=_("We have received your inquiry %(ref)s") % {"ref": inquiry.reference},
        body=receipt_text(inquiry, token),
        key=f"inquiries.receipt:{inquiry.pk}",
    )


def change_text(inquiry: Inquiry, text: str) -> str:
    """A change on the case: what was written, and the link to read and answer it."""
    return render_to_string(
        "inquiries/mail/change.txt",
        {
            "inquiry": inquiry,
            "text": text.strip(),
            "link": case_url(inquiry),
            "municipality": inquiry.municipality,
        },
    ).strip()


def send_lost_link(inquiry: Inquiry, token: str, key: str) -> None:
    outbox.enqueue_email(
        municipality=inquiry.municipality_id,
        to=inquiry.contact_email,
        subject=_("The link to your inquiry %(ref)s") % {"ref": inquiry.reference},
        body=render_to_string(
            "inquiries/mail/lost_link.txt",
            {"inquiry": inquiry, "link": case_url(inquiry, token), "municipality": inquiry.municipality},
        ).strip(),
        key=key,
    )
