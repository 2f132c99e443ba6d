"""Background work of user choice (Celery; eager in the embedded default)."""

from celery import shared_task

from servicetorg.core.permissions import SYSTEM

from . import choices


@shared_task(name="choice.daily_sweep")
def daily_sweep() -> dict:
    """End choices whose last day has passed; give freed places to the waiting lists (daily)."""
    return choices.sweep(user=SYSTEM)
