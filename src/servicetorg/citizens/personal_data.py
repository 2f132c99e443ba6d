"""What Min side keeps about people, and for how long (privacy.retention, privacy.access).

- A citizen: the digest of her number and when she signed in; deleted after a period without
  signing in (she is created again at her next sign-in).
- Her sessions (ID-porten's ``sub`` and ``sid``): deleted when the session's absolute time-out has
  passed (platform-wide, fixed).
- Relations (who may act for whom): both numbers encrypted; kept while valid and a period after they
  ended, then deleted; found for the person as representative and as the person represented.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicetorg.core.models import Municipality
from servicetorg.core.validators import mask_national_id
from servicetorg.privacy.access import Holding, Person, Record
from servicetorg.privacy.retention import RecordKind

from .models import Citizen, CitizenSession, Relation


def _citizens_due(_municipality, cutoff):
    return Citizen.objects.filter(last_sign_in_at__lt=cutoff)


def _citizens_purge(ids) -> int:
    return Citizen.objects.filter(pk__in=ids).delete()[0]


def _sessions_due(_municipality, cutoff):
    # The period is 0 days: a row goes once no session can still be alive (its absolute time-out).
    return CitizenSession.objects.filter(
        started_at__lt=cutoff - timedelta(seconds=settings.CITIZEN_SESSION_ABSOLUTE_TIMEOUT)
    )


def _sessions_purge(ids) -> int:
    return CitizenSession.objects.filter(pk__in=ids).delete()[0]


def _relations_due(municipality, cutoff):
    return Relation.objects.filter(municipality=municipality, valid_until__lt=cutoff.date())


def _relations_purge(ids) -> int:
    return Relation.objects.filter(pk__in=ids).delete()[0]


RETENTION = [
    RecordKind(
        key="citizens.citizen",
        label=_("Citizens who logged in with ID-porten (a keyed digest of the number, last log-in)"),
        purpose=_("to show a citizen her cases, choices and applications on My page"),
        counted_from=_("after the last log-in"),
        default_days=365,
        min_days=365,
        max_days=365,
        due=_citizens_due,
        date_field="last_sign_in_at",
        purge=_citizens_purge,
        per_municipality=False,
        outcome=_("deleted"),
        position=60,
    ),
    RecordKind(
        key="citizens.sessions",
        label=_("ID-porten sessions of citizens (ID-porten's session and subject identifiers)"),
        purpose=_("to end a citizen's session here when she logs out of ID-porten elsewhere"),
        counted_from=_("after the session expired"),
        default_days=0,
        min_days=0,
        max_days=0,
        due=_sessions_due,
        date_field="started_at",
        purge=_sessions_purge,
        per_municipality=False,
        outcome=_("deleted"),
        position=61,
    ),
    RecordKind(
        key="citizens.relations",
        label=_("Guardians and representatives (who may act for whom)"),
        purpose=_("to let a parent act for her child and a relative for a care user"),
        counted_from=_("after the relation ended"),
        default_days=365,
        min_days=0,
        max_days=3650,
        due=_relations_due,
        date_field="valid_until",
        purge=_relations_purge,
        outcome=_("deleted"),
        position=62,
    ),
]


def _relations_of(municipality: Municipality, who: Person):
    digest = who.digest()
    if not digest:
        return Relation.objects.none()
    return Relation.objects.filter(municipality=municipality).filter(
        Q(representative_digest=digest) | Q(subject_digest=digest)
    )


def _relations_find(municipality, who) -> list[Record]:
    return [
        Record(
            pk=r.pk,
            title=str(r),
            when=r.created_at,
            fields=[
                (_("relation"), r.get_kind_display()),
                (_("representative"), mask_national_id(r.representative_national_id)),
                (_("person represented"), f"{r.subject_name} ({mask_national_id(r.subject_national_id)})"),
                (_("valid from"), r.valid_from),
                (_("valid until"), r.valid_until),
                (_("source"), r.get_source_display()),
            ],
        )
        for r in _relations_of(municipality, who)
    ]


def _relations_erase(municipality, who) -> int:
    return _relations_of(municipality, who).delete()[0]


def _citizen_find(_municipality, who) -> list[Record]:
    digest = who.digest()
    citizen = Citizen.objects.filter(national_id_digest=digest).first() if digest else None
    if citizen is None:
        return []
    return [
        Record(
            pk=citizen.pk,
            title=str(_("Log-in with ID-porten")),
            when=citizen.created_at,
            fields=[
                (_("first logged in"), citizen.created_at),
                (_("last logged in"), citizen.last_sign_in_at),
            ],
        )
    ]


def _citizen_erase(_municipality, who) -> int:
    digest = who.digest()
    return Citizen.objects.filter(national_id_digest=digest).delete()[0] if digest else 0


HOLDINGS = [
    Holding(
        key="citizens.citizen",
        label=_("Log-in with ID-porten"),
        find=_citizen_find,
        erase=_citizen_erase,
        outcome=_("deleted"),
        position=70,
    ),
    Holding(
        key="citizens.relations",
        label=_("Guardians and representatives"),
        find=_relations_find,
        erase=_relations_erase,
        outcome=_("deleted"),
        position=71,
    ),
]
