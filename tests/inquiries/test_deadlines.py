"""Reply deadlines in Norwegian working days: holidays, year ends, and properties (hypothesis)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicetorg.core.workdays import is_working_day, working_days_between
from servicetorg.inquiries.deadlines import DEFAULT_CHANNEL_DAYS, deadline_from, reply_deadline
from servicetorg.inquiries.models import ChannelRule, DeadlineSource

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        (date(2026, 4, 1), 1, date(2026, 4, 7)),  # Maundy Thu, Good Fri, Easter Mon
        (date(2026, 4, 30), 1, date(2026, 5, 4)),  # 1 May is a Friday holiday
        (date(2026, 5, 13), 1, date(2026, 5, 15)),  # Ascension Day Thu 14 May
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Whit Monday 25 May
        (date(2027, 5, 14), 1, date(2027, 5, 18)),  # 17 May 2027 is a Monday
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # 25 Dec Fri holiday, 26-27 weekend
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day, weekend
        (date(2026, 12, 30), 3, date(2027, 1, 5)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday -> Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday -> Monday
    ],
)
def test_deadline_examples(received, days, expected):
    assert deadline_from(received, days) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)), st.integers(min_value=1, max_value=60)
)
def test_deadline_properties(received, days):
    deadline = deadline_from(received, days)
    assert deadline > received
    assert is_working_day(deadline)
    assert working_days_between(received, deadline) == days
    # No working day is skipped: the day before the deadline has one fewer working day.
    assert working_days_between(received, deadline - timedelta(days=1)) == days - 1
    # Monotone in the number of days.
    assert deadline_from(received, days + 1) > deadline


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from(sorted(DEFAULT_CHANNEL_DAYS)),
)
def test_reply_deadline_defaults_property(municipality, moment, channel):
    received_at = moment.replace(tzinfo=OSLO)
    deadline, source = reply_deadline(municipality.pk, None, channel, received_at)
    assert source == DeadlineSource.CHANNEL_RULE
    assert working_days_between(received_at.date(), deadline) == DEFAULT_CHANNEL_DAYS[channel]


@pytest.mark.django_db
def test_service_promise_beats_rule(municipality, service):
    ChannelRule.objects.create(municipality=municipality, channel="letter", working_days=10)
    deadline, source = reply_deadline(
        municipality.pk, service, "letter", datetime(2026, 3, 2, 9, tzinfo=OSLO)
    )
    assert source == DeadlineSource.SERVICE
    assert deadline == date(2026, 3, 4)


@pytest.mark.django_db
def test_late_evening_utc_counts_as_local_day(municipality):
    # 23:30 UTC on 5 March is 00:30 on Friday 6 March in Oslo.
    moment = datetime(2026, 3, 5, 23, 30, tzinfo=ZoneInfo("UTC"))
    deadline, _source = reply_deadline(municipality.pk, None, "email", moment)
    assert deadline == date(2026, 3, 9)
