"""What the strategy module keeps about people: consultation comments (name, e-mail, text).

A comment is kept for the municipality's period (default 12 months) after the consultation's
deadline (or, for a strategy without one, after the comment was written), then deleted: the
consultation's outcome lives on in the adopted strategy and the council's case papers.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicetorg.privacy.access import Holding, Record
from servicetorg.privacy.retention import RecordKind

from .models import ConsultationComment


def _comments_due(municipality, cutoff):
    return ConsultationComment.objects.filter(strategy__municipality=municipality).filter(
        Q(strategy__consultation_deadline__lt=cutoff)
        | Q(strategy__consultation_deadline__isnull=True, created_at__lt=cutoff)
    )


def _delete(ids) -> int:
    return ConsultationComment.objects.filter(pk__in=ids).delete()[0]


RETENTION = [
    RecordKind(
        key="strategy.comments",
        label=_("Comments on a strategy out for consultation"),
        purpose=_("so that the municipality can read and answer them, and publish them"),
        counted_from=_("after the consultation's deadline"),
        default_days=365,
        min_days=30,
        max_days=1825,
        due=_comments_due,
        date_field="created_at",
        purge=_delete,
        outcome=_("deleted"),
        position=30,
    ),
]


def _of(municipality, who):
    if not who.email:
        return ConsultationComment.objects.none()
    return ConsultationComment.objects.filter(strategy__municipality=municipality, email__iexact=who.email)


def _find(municipality, who) -> list[Record]:
    return [
        Record(
            pk=c.pk,
            title=str(c.strategy),
            when=c.created_at,
            fields=[
                (_("name"), c.name),
                (_("e-mail"), c.email),
                (_("I comment as"), c.get_role_display()),
                (_("comment"), c.text),
                (_("moderation"), c.get_moderation_display()),
                (_("answer from the municipality"), c.answer),
            ],
        )
        for c in _of(municipality, who).select_related("strategy").order_by("created_at", "pk")
    ]


def _erase(municipality, who) -> int:
    return _delete(list(_of(municipality, who).values_list("pk", flat=True)))


HOLDINGS = [
    Holding(
        key="strategy.comments",
        label=_("Comments on strategies"),
        find=_find,
        erase=_erase,
        outcome=_("deleted"),
        position=30,
    ),
]
