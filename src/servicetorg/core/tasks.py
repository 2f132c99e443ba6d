"""Background tasks of core: the outbox (see core.outbox) and expiry of one-time form tokens."""

from celery import shared_task

from . import once, outbox


@shared_task(name="core.outbox_deliver")
def deliver_outbox(message_id: int) -> str:
    """Send one outbox message (queued when its transaction commits). Safe to run twice."""
    return outbox.deliver(message_id)


@shared_task(name="core.outbox_sweep")
def sweep_outbox() -> dict:
    """Send every due message: retries, and whatever a dead worker or a down broker left behind."""
    return outbox.deliver_due()


@shared_task(name="core.purge_form_tokens")
def purge_form_tokens() -> int:
    return once.purge()
