"""Retention: unfinished answers are deleted when a survey closes or after 30 days untouched."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from servicetorg.core.permissions import is_system

from ..models import ResponseDraft, SurveyState

DRAFT_RETENTION_DAYS = 30


def purge_drafts(today: date | None = None, *, user) -> int:
    """Delete unfinished answers of closed surveys and any untouched for 30 days. Returns the count.
    A nightly task over every municipality: ``user`` is SYSTEM."""
    if not is_system(user):
        raise PermissionDenied
    today = today or timezone.localdate()
    stale = timezone.now() - timedelta(days=DRAFT_RETENTION_DAYS)
    closed = ResponseDraft.objects.filter(survey__closes_on__lt=today) | ResponseDraft.objects.filter(
        survey__state=SurveyState.CLOSED
    )
    deleted, _ = (closed | ResponseDraft.objects.filter(updated_at__lt=stale)).delete()
    return deleted
