"""The nightly purge of personal data whose retention period has ended."""

from celery import shared_task


@shared_task(name="privacy.purge_personal_data")
def purge_personal_data() -> dict:
    """Every kind of record whose retention period has ended, per municipality (privacy.retention).
    Safe to run twice: a purged row is not due again."""
    from servicetorg.core.permissions import SYSTEM

    from .retention import purge

    lines = purge(user=SYSTEM)
    return {
        f"{line.municipality.number if line.municipality else '-'}:{line.kind.key}": line.purged
        for line in lines
        if line.purged
    }
