"""What a signed-in citizen may do, and whom she acts for (plain functions views and later apps call).

``Viewer`` is what Min side and every later module's citizen pages ask: who is signed in, in which
municipality, and whose page this is (her own, or the person a valid :class:`Relation` lets her act
for). No one acts for another person without such a relation, and only while it is valid.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from servicetorg.core import permissions
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, user_of

from .models import Citizen, Relation, RelationSource
from .sessions import SignedIn


@sensitive_variables("pid")
def citizen_for(pid: str, *, user) -> Citizen:
    """The citizen with this (checked) number, created at her first sign-in. Only the digest is kept.
    ``user`` is ``CITIZEN``: she signs herself in."""
    permissions.check_actor(user)
    digest = national_id_digest(pid)
    citizen, created = Citizen.objects.get_or_create(national_id_digest=digest)
    if not created:
        Citizen.objects.filter(pk=citizen.pk).update(last_sign_in_at=timezone.now())
    return citizen


def valid_relations(signed_in: SignedIn, municipality: Municipality, *, day=None):
    """The relations that let her act for someone in ``municipality`` today."""
    day = day or timezone.localdate()
    return Relation.objects.filter(
        municipality=municipality,
        representative_digest=signed_in.digest,
        valid_from__lte=day,
    ).exclude(valid_until__lt=day)


@dataclasses.dataclass(frozen=True)
class Viewer:
    """Whose page this is: ``subject_digest`` is hers, or the represented person's (``relation``)."""

    signed_in: SignedIn
    municipality: Municipality
    relation: Relation | None

    @property
    def subject_digest(self) -> str:
        return self.relation.subject_digest if self.relation else self.signed_in.digest

    @property
    def for_herself(self) -> bool:
        return self.relation is None


def viewer(signed_in: SignedIn, municipality: Municipality) -> Viewer:
    """The viewer of this request. A relation chosen earlier that is no longer valid (ended, another
    municipality) is dropped: she sees her own page."""
    relation = None
    if signed_in.acting_for:
        relation = valid_relations(signed_in, municipality).filter(pk=signed_in.acting_for).first()
    return Viewer(signed_in=signed_in, municipality=municipality, relation=relation)


def choose_relation(
    signed_in: SignedIn, municipality: Municipality, relation_id: int | None
) -> Relation | None:
    """Act for the subject of ``relation_id`` (None: for herself). PermissionDenied unless the
    relation is hers and valid today in this municipality."""
    if relation_id is None:
        return None
    relation = valid_relations(signed_in, municipality).filter(pk=relation_id).first()
    if relation is None:
        raise PermissionDenied(_("You cannot act for this person."))
    return relation


@sensitive_variables("representative_national_id", "subject_national_id")
def register_relation(
    municipality: Municipality,
    *,
    kind: str,
    representative_national_id: str,
    subject_national_id: str,
    subject_name: str,
    valid_from,
    valid_until=None,
    note: str = "",
    source: str = RelationSource.REGISTERED,
    user,
) -> Relation:
    """Record that one person may act for another (a case officer, or an import). Audited."""
    permissions.require(user, Perm.CITIZEN_RELATIONS, municipality.pk)
    relation = Relation(
        municipality=municipality,
        kind=kind,
        representative_national_id=(representative_national_id or "").replace(" ", ""),
        subject_national_id=(subject_national_id or "").replace(" ", ""),
        subject_name=(subject_name or "").strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        note=(note or "").strip(),
        source=source,
        registered_by=user_of(user),
    )
    errors: dict[str, list] = {}
    try:
        # The period's check constraint would give a bare non-field message: said on the field below.
        relation.full_clean(exclude=["registered_by"], validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        errors.setdefault("valid_until", []).append(_("The end cannot be before the start."))
    if relation.representative_national_id and (
        relation.representative_national_id == relation.subject_national_id
    ):
        errors.setdefault("subject_national_id", []).append(_("A person cannot act for herself."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        relation._history_user = user_of(user)
        relation.save()
    return relation


def end_relation(relation: Relation, *, valid_until, user) -> Relation:
    """End a relation on ``valid_until`` (not before it began). Audited."""
    permissions.require(user, Perm.CITIZEN_RELATIONS, relation.municipality_id)
    if valid_until < relation.valid_from:
        raise ValidationError({"valid_until": _("The end cannot be before the start.")})
    with transaction.atomic():
        relation = Relation.objects.select_for_update().get(pk=relation.pk)
        relation.valid_until = valid_until
        relation._history_user = user_of(user)
        relation.save(update_fields=["valid_until"])
    return relation
