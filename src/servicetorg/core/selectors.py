"""Read queries of core."""

from django.db.models import Count, QuerySet

from .models import OutboxMessage, OutboxState
from .permissions import Perm
from .tenancy import scope


def outbox_messages(user, *, state: str = "", municipality_id: int | None = None) -> QuerySet:
    """The outbox messages the user may see (administration of their municipalities), newest first."""
    qs = scope(OutboxMessage.objects.all(), user, Perm.OUTBOX)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if state in OutboxState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def outbox_counts(user) -> dict[str, int]:
    rows = scope(OutboxMessage.objects.all(), user, Perm.OUTBOX).values("state").annotate(n=Count("pk"))
    counts = {state: 0 for state in OutboxState.values}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts
