"""Background work of surveys (Celery; eager in the embedded default)."""

from celery import shared_task

from servicetorg.core.permissions import SYSTEM

from . import services


@shared_task(name="surveys.purge_drafts")
def purge_drafts() -> int:
    """Retention: unfinished answers of closed surveys, or untouched for 30 days, are deleted (daily)."""
    return services.purge_drafts(user=SYSTEM)
