"""Background tasks (Celery). Without a broker they run eagerly in the calling process."""

from datetime import date

from celery import shared_task

from servicetorg.core.permissions import SYSTEM

from . import services


@shared_task(name="inquiries.send_deadline_warnings")
def send_deadline_warnings(today: str | None = None) -> dict:
    """Mark broken deadlines (and compensations), then warn about those due on the next working day.

    Safe to run again at any time (beat runs it hourly in working hours; a task whose worker died
    runs again): breaches are marked once, each warning is written to the outbox once (keyed by
    inquiry and deadline), and a warning missed on an earlier day is sent late.
    """
    day = date.fromisoformat(today) if today else None
    breached = services.mark_breaches(day, user=SYSTEM)
    return {"breached": breached, **services.warn_due(day, user=SYSTEM)}


@shared_task(name="inquiries.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Delete expired Idempotency-Key records of the REST intake and of Open311 (hourly)."""
    return services.purge_idempotency_keys(user=SYSTEM)


@shared_task(name="inquiries.sweep_attachment_files")
def sweep_attachment_files() -> int:
    """Delete attachment files no row names, older than a day (nightly; see services.sweep_orphan_files)."""
    return services.sweep_orphan_files(user=SYSTEM)


@shared_task(name="inquiries.resend_case_link")
def resend_case_link(reference: str, email: str) -> None:
    """ "Lost the link", looked up off the request so that the page does the same work whether or not
    the pair belongs to a case (services.request_case_link)."""
    from servicetorg.core.permissions import CITIZEN

    services.resend_case_link(reference=reference, email=email, user=CITIZEN)
