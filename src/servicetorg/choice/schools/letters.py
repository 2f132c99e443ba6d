"""Messages to a family about its application, through the outbox (exactly once per key): an e-mail
and an SMS to the contact details on the application. They say only that there is news on Min side,
never the child's name, school or number (an e-mail or SMS may be read by someone else)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from servicetorg.core.outbox import enqueue_email, enqueue_sms

from .models import SchoolApplication


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
        except ValidationError:  # a number the gateway cannot take: the e-mail (if any) still goes
            return how
        how = "sms" if how == "none" else how
    return how


def placement_ready(application: SchoolApplication, *, run_id: int) -> str:
    return notify(
        application,
        key=f"school-placement:{run_id}:{application.pk}",
        subject=_("School choice: the placement is ready"),
        body=_(
            "The school placement for your child is ready. Sign in on Min side to read it, see why, "
            "and accept or decline the seat."
        ),
    )


def better_seat(application: SchoolApplication, *, run_id: int) -> str:
    return notify(
        application,
        key=f"school-better-seat:{run_id}:{application.pk}",
        subject=_("School choice: a seat at a school you wished for more"),
        body=_(
            "A seat has become free at a school your child wished for more than the one offered before, "
            "and it is now offered to you. Sign in on Min side to accept or decline it."
        ),
    )
