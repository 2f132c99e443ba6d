"""What the kommunetest keeps about people: the evidence of its items.

No citizen is in it (test inquiries are written by testers under made-up names), but the evidence
quotes the tested municipality: replies with a case officer's name and signature, notes of who
answered the phone. The scores, times and states are the round's statistics and stay; the quoted
text — the item's evidence, reply excerpts and call notes, and their history rows (a re-record
replaces replies and calls; the history keeps the earlier ones) — is blanked when
the municipality's period after the round's publication has passed (default 3 years: long enough to
compare the next round or two with it). A round that is never published keeps its evidence until it
is deleted with the round.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicetorg.privacy.retention import RecordKind

from .models import Call, Item, Reply


def _evidence_due(municipality, cutoff):
    items = Item.objects.filter(round__municipality=municipality, round__published_at__lt=cutoff)
    ids = items.values("pk")
    return items.filter(
        Q(evidence__gt="")
        | Q(pk__in=Reply.objects.filter(item_id__in=ids, excerpt__gt="").values("item_id"))
        | Q(pk__in=Call.objects.filter(item_id__in=ids, note__gt="").values("item_id"))
        # text cleared or replaced since, kept in history
        | Q(pk__in=Item.history.filter(id__in=ids).exclude(evidence="").values("id"))
        | Q(pk__in=Reply.history.filter(item_id__in=ids).exclude(excerpt="").values("item_id"))
        | Q(pk__in=Call.history.filter(item_id__in=ids).exclude(note="").values("item_id"))
    )


def _blank(ids) -> int:
    Reply.objects.filter(item_id__in=ids).exclude(excerpt="").update(excerpt="")
    Call.objects.filter(item_id__in=ids).exclude(note="").update(note="")
    Reply.history.filter(item_id__in=ids).exclude(excerpt="").update(excerpt="")
    Call.history.filter(item_id__in=ids).exclude(note="").update(note="")
    Item.history.filter(id__in=ids).exclude(evidence="").update(evidence="")
    Item.objects.filter(pk__in=ids).update(evidence="")
    return len(ids)


RETENTION = [
    RecordKind(
        key="servicetest.evidence",
        label=_("Evidence of kommunetest items (quoted replies and call notes)"),
        purpose=_("so that a published result can be checked and compared with the next round"),
        counted_from=_("after the round was published"),
        default_days=3 * 365,
        min_days=365,
        max_days=10 * 365,
        due=_evidence_due,
        date_field="round__published_at",
        purge=_blank,
        outcome=_("anonymised: the scores stay, the quoted text is removed"),
        position=95,
    ),
]

#: What the kommunetest holds about one person: nothing a citizen can be found by (see above).
HOLDINGS: list = []
