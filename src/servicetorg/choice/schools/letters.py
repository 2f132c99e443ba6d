"""Messages to a family about its application, through the outbox (exactly once per key): an e-mail
and an SMS to the contact details on the application, in the municipality's language. They say only
that there is news on Min side, with its address — never the child's name, school or number (an
e-mail or SMS may be read by someone else)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from servicetorg.core import sms
from servicetorg.core.outbox import enqueue_email, enqueue_sms

from .models import Round, SchoolApplication


def min_side_url(round_: Round) -> str:
    """The absolute address of Min side, on the municipality's own portal host when it has one."""
    host = round_.municipality.portal_host
    base = f"https://{host}" if host else settings.PORTAL_BASE_URL
    return base + reverse("citizens:home")


def notify(application: SchoolApplication, *, key: str, subject: str, body: str) -> str:
    """Write the message to the outbox in the current transaction; returns how it goes ("email",
    "sms" or "none": no contact details — the school office's list shows who must get a letter)."""
    municipality = application.round.municipality_id
    how = "none"
    if application.contact_email:
        enqueue_email(
            municipality=municipality, to=application.contact_email, subject=subject, body=body, key=key
        )
        how = "email"
    if application.contact_phone:
        try:
            enqueue_sms(municipality=municipality, to=application.contact_phone, body=body, key=f"{key}:sms")
        except (sms.SmsError, ValidationError):  # a number the gateway cannot take: the e-mail still goes
            return how
        how = "sms" if how == "none" else how
    return how


def tell(application: SchoolApplication, *, key: str, compose: Callable[[str], tuple[str, str]]) -> str:
    """``compose(url)`` gives (subject, body), written in the municipality's language whoever acts."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = compose(min_side_url(application.round))
    return notify(application, key=key, subject=subject, body=body)


def placement_ready(application: SchoolApplication, *, round_: Round) -> str:
    return tell(
        application,
        key=f"schools.published:{round_.pk}:{application.pk}",
        compose=lambda url: (
            _("School choice: your answer is ready on Min side"),
            _(
                "The municipality has placed the pupils of %(round)s. Log in to Min side to see the "
                "placement, why it was given, and to accept or decline it: %(url)s"
            )
            % {"round": round_.name, "url": url},
        ),
    )


def better_seat(application: SchoolApplication, *, run_id: int) -> str:
    return tell(
        application,
        key=f"school-better-seat:{run_id}:{application.pk}",
        compose=lambda url: (
            _("School choice: a seat at a school you wished for more"),
            _(
                "A seat has become free at a school your child wished for more than the one offered "
                "before, and it is now offered to you. Log in to Min side to accept or decline it: %(url)s"
            )
            % {"url": url},
        ),
    )
