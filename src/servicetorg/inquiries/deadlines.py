"""Reply deadlines: the one function that decides when an inquiry must be answered.

The service declaration's reply promise wins (its working days); without one, the municipality's rule
for the channel (administration edits them), else the platform defaults below. Always in Norwegian
working days through :func:`servicetorg.core.workdays.add_working_days`.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from servicetorg.catalogue import selectors as catalogue_selectors
from servicetorg.catalogue.models import Promise
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


#: Attribute names of the prefetch annotations below.
RULE_ATTR = "channel_rule_days_{}"
_RULE_ATTRS = tuple((channel, RULE_ATTR.format(channel)) for channel in Channel.values)
PROMISE_VALUE_ATTR = "reply_promise_limit_value"
PROMISE_UNIT_ATTR = "reply_promise_limit_unit"


def with_channel_rules(municipalities: QuerySet) -> QuerySet:
    """Municipalities annotated with their rule (working days or None) for every channel.

    Lets the intake read the municipality and its channel rules in one query.
    """
    return municipalities.annotate(
        **{
            RULE_ATTR.format(channel): Subquery(
                ChannelRule.objects.filter(municipality_id=OuterRef("pk"), channel=channel)
                .order_by()
                .values("working_days")[:1]
            )
            for channel in Channel.values
        }
    )


def municipality_with_rules(pk: int):
    """The municipality (its id only; other fields deferred) with its channel rules, in one query
    (a LEFT JOIN), as :func:`with_channel_rules` would annotate it; None when there is no such
    municipality."""
    from servicetorg.core.models import Municipality

    rows = list(
        Municipality.objects.filter(pk=pk)
        .order_by()
        .values_list("id", "channel_rules__channel", "channel_rules__working_days")
    )
    if not rows:
        return None
    return municipality_of_rules(rows[0][0], [(channel, days) for _pk, channel, days in rows])


def municipality_of_rules(pk: int, rules: Iterable[tuple[str | None, int | None]]):
    """The municipality ``pk`` (its id only; other fields deferred) annotated with its channel rules
    as :func:`with_channel_rules` would, from ``(channel, working days)`` pairs read with it (a LEFT
    JOIN's ``(None, None)`` is no rule)."""
    from django.db import DEFAULT_DB_ALIAS

    from servicetorg.core.models import Municipality

    municipality = Municipality.from_db(DEFAULT_DB_ALIAS, ["id"], [pk])
    days_of = {channel: days for channel, days in rules if channel is not None}
    for channel, attr in _RULE_ATTRS:
        setattr(municipality, attr, days_of.get(channel))
    return municipality


def with_reply_promise(services: QuerySet) -> QuerySet:
    """Services annotated with the reply promise of their published declaration (None without one).

    Lets the intake read the service and its reply promise in one query.
    """
    # No ordering: the default one joins the service table into the subquery (shadowing the outer row).
    promise = Promise.objects.filter(description_id=OuterRef("published_version_id"), kind="reply").order_by()
    return services.annotate(
        **{
            PROMISE_VALUE_ATTR: Subquery(promise.values("limit_value")[:1]),
            PROMISE_UNIT_ATTR: Subquery(promise.values("limit_unit")[:1]),
        }
    )


def channel_rules_of(municipality) -> dict[str, int] | None:
    """The channel rules read by :func:`with_channel_rules`, or None when they were not read."""
    if not hasattr(municipality, _RULE_ATTRS[0][1]):
        return None
    days_of = {channel: getattr(municipality, attr) for channel, attr in _RULE_ATTRS}
    return {channel: days for channel, days in days_of.items() if days is not None}


def reply_promise_days(service) -> int | None:
    """Working days of the service's published reply promise (None: no promise)."""
    if hasattr(service, PROMISE_VALUE_ATTR):
        value = getattr(service, PROMISE_VALUE_ATTR)
        if value is None:
            return None
        return Promise(limit_value=value, limit_unit=getattr(service, PROMISE_UNIT_ATTR)).working_days
    promise = catalogue_selectors.promise_for(service, "reply")
    return promise.working_days if promise is not None else None


def channel_working_days(municipality_id: int, channel: str, rules: Mapping[str, int] | None = None) -> int:
    """The municipality's rule for the channel (``rules`` when already read), else the default."""
    if rules is not None:
        days = rules.get(channel)
    else:
        days = (
            ChannelRule.objects.filter(municipality_id=municipality_id, channel=channel)
            .values_list("working_days", flat=True)
            .first()
        )
    if days is not None:
        return days
    return DEFAULT_CHANNEL_DAYS.get(channel, 1)


def deadline_from(received: date, working_days: int) -> date:
    """``working_days`` working days after the day received (a Friday + 1 is the Monday)."""
    return add_working_days(received, working_days)


def reply_deadline(
    municipality_id: int,
    service,
    channel: str,
    received_at: datetime,
    *,
    rules: Mapping[str, int] | None = None,
) -> tuple[date, str]:
    """(deadline, source) for an inquiry received at ``received_at`` through ``channel``.

    ``rules`` are the municipality's channel rules when the caller has read them already
    (:func:`with_channel_rules`); a service read through :func:`with_reply_promise` needs no query.
    """
    received = timezone.localdate(received_at) if timezone.is_aware(received_at) else received_at.date()
    days = reply_promise_days(service) if service is not None else None
    if days is not None:
        return deadline_from(received, days), DeadlineSource.SERVICE
    return deadline_from(
        received, channel_working_days(municipality_id, channel, rules)
    ), DeadlineSource.CHANNEL_RULE


def promised_reply(
    municipality_id: int, service, channel: str, now: datetime | None = None
) -> tuple[int, date]:
    """(working days, date) a citizen writing now through ``channel`` is promised a reply by: what the
    contact form repeats above itself."""
    now = now or timezone.now()
    days = reply_promise_days(service) if service is not None else None
    if days is None:
        days = channel_working_days(municipality_id, channel)
    deadline, _source = reply_deadline(municipality_id, service, channel, now)
    return days, deadline
