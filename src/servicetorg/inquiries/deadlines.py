"""Reply deadlines: the one function that decides when an inquiry must be answered.

The service declaration's reply promise wins (its working days); without one, the municipality's rule
for the channel (administration edits them), else the platform defaults below. Always in Norwegian
working days through :func:`servicetorg.core.workdays.add_working_days`.
"""

from datetime import date, datetime

from django.utils import timezone

from servicetorg.catalogue import selectors as catalogue_selectors
from servicetorg.core.choices import Channel
from servicetorg.core.workdays import add_working_days

from .models import ChannelRule, DeadlineSource

#: Working days to reply per channel when the municipality has set no rule of its own.
DEFAULT_CHANNEL_DAYS: dict[str, int] = {
    Channel.EMAIL: 1,
    Channel.LETTER: 10,
    Channel.WEB_FORM: 2,
    Channel.PHONE: 1,
    Channel.COUNTER: 1,
    Channel.SOCIAL_MEDIA: 1,
}


def channel_working_days(municipality_id: int, channel: str) -> int:
    rule = ChannelRule.objects.filter(municipality_id=municipality_id, channel=channel).first()
    if rule is not None:
        return rule.working_days
    return DEFAULT_CHANNEL_DAYS.get(channel, 1)


def deadline_from(received: date, working_days: int) -> date:
    """``working_days`` working days after the day received (a Friday + 1 is the Monday)."""
    return add_working_days(received, working_days)


def reply_deadline(municipality_id: int, service, channel: str, received_at: datetime) -> tuple[date, str]:
    """(deadline, source) for an inquiry received at ``received_at`` through ``channel``."""
    received = timezone.localdate(received_at) if timezone.is_aware(received_at) else received_at.date()
    promise = catalogue_selectors.promise_for(service, "reply") if service is not None else None
    if promise is not None:
        return deadline_from(received, promise.working_days), DeadlineSource.SERVICE
    return deadline_from(
        received, channel_working_days(municipality_id, channel)
    ), DeadlineSource.CHANNEL_RULE
