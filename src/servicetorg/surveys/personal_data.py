"""What the surveys module keeps that could link an answer to a person: invitation codes.

Answers are anonymous (they reference no code and no person). An invitation holds only a keyed hash
of its code and whether it was used; it is deleted a period (default 90 days) after its survey
closed, so that no code list handed out on paper can be matched later. Unfinished answers are
deleted by ``surveys.purge_drafts`` (their own period, surveys.services).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from servicetorg.privacy.retention import RecordKind

from .models import Invitation


def _invitations_due(municipality, cutoff):
    return Invitation.objects.filter(survey__municipality=municipality, survey__closes_on__lt=cutoff.date())


def _delete(ids) -> int:
    return Invitation.objects.filter(pk__in=ids).delete()[0]


RETENTION = [
    RecordKind(
        key="surveys.invitations",
        label=_("Invitation codes of user surveys"),
        purpose=_("so that each invited person answers once"),
        counted_from=_("after the survey closed"),
        default_days=90,
        min_days=0,
        max_days=730,
        due=_invitations_due,
        date_field="survey__closes_on",
        purge=_delete,
        outcome=_("deleted"),
        position=40,
    ),
]
