"""A lost beat run must not leave deadline warnings until the deadline day (issue 18 §3.3): the
warning run is scheduled every evening and weekend day too, and beat runs it once when it starts."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from celery.signals import beat_init
from django.conf import settings
from django.core import mail
from django.utils import timezone

from servicetorg.core.choices import Channel
from servicetorg.core.workdays import add_working_days
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry

OSLO = ZoneInfo("Europe/Oslo")


def next_run_after(last_run: datetime, now: datetime) -> datetime:
    schedule = settings.CELERY_BEAT_SCHEDULE["inquiries-deadline-warnings"]["schedule"]
    schedule = type(schedule)(
        minute=schedule._orig_minute, hour=schedule._orig_hour, day_of_week=schedule._orig_day_of_week,
        nowfun=lambda: now,
    )  # fmt: skip
    due, seconds = schedule.is_due(last_run)
    return now if due else now + timezone.timedelta(seconds=seconds)


def test_a_run_lost_on_friday_evening_is_made_up_the_same_evening():
    friday_last_run = datetime(2026, 12, 4, 16, 30, tzinfo=OSLO)  # the 17:30 run was lost (broker down)
    now = datetime(2026, 12, 4, 17, 45, tzinfo=OSLO)
    following = next_run_after(friday_last_run, now)
    assert following.date() == now.date() and following.hour <= 21  # not Monday 06:30


@pytest.mark.django_db
def test_beat_runs_the_warnings_when_it_starts(
    municipality, service, desk_worker, django_capture_on_commit_callbacks
):
    inquiry = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="Frist", service=service, user=desk_worker
    ).inquiry
    Inquiry.objects.filter(pk=inquiry.pk).update(reply_deadline=add_working_days(timezone.localdate(), 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answers = beat_init.send(sender=None)
    assert not [error for _receiver, error in answers if isinstance(error, Exception)]
    assert len(mail.outbox) == 1 and "Frist" in mail.outbox[0].body
    assert Inquiry.objects.get(pk=inquiry.pk).warning_sent_for == add_working_days(timezone.localdate(), 1)
