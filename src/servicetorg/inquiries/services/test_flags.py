"""Flagging the kommunetest's test inquiries (issue 23): once a test round is published, the
inquiries its testers sent a municipality are marked ``is_test`` and leave the desk's figures (the
rollups behind the dashboard and the KPIs). Called by servicetorg.servicetest when it publishes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from servicetorg.core.permissions import Perm, require, user_of

from .. import rollups
from ..models import Inquiry


@transaction.atomic
def mark_test_inquiries(municipality, references: Iterable[str], *, user) -> int:
    """Flag the municipality's inquiries with these references as test inquiries; returns how many
    changed. The platform (``SYSTEM``, when a round is published) or the municipality's inquiry
    administrators may do it."""
    require(user, Perm.INQUIRY_ADMINISTER, municipality.pk)
    wanted = sorted({r.strip().upper() for r in references if r and r.strip()})
    changed = 0
    for inquiry in Inquiry.objects.select_for_update().filter(
        municipality=municipality, reference__in=wanted, is_test=False
    ):
        before = rollups.snapshot(inquiry)
        inquiry.is_test = True
        inquiry._history_user = user_of(user)
        inquiry.save(update_fields=["is_test", "updated_at"])
        rollups.apply_change(before, None)
        changed += 1
    return changed
