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


@shared_task(name="core.purge_personal_data")
def purge_personal_data() -> dict:
    """The nightly purge: every kind of record whose retention period has ended, per municipality
    (core.retention). Safe to run twice: a purged row is not due again."""
    from .permissions import SYSTEM
    from .retention import purge

    lines = purge(user=SYSTEM)
    return {
        f"{line.municipality.number if line.municipality else '-'}:{line.kind.key}": line.purged
        for line in lines
        if line.purged
    }
