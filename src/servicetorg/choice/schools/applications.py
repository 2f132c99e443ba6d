"""A child's application in an intake round: submitted on Min side by a guardian, imported from a
file, or registered by the school office — one use case for every channel.

``submit_application`` checks everything at the edge and says what is wrong in plain words, one
message per field (the keys are the keyword names: ``child_national_id``, ``name``, ``address``,
``wishes``, ``siblings``, ``contact_email``, ``contact_phone``, ``special_needs_school``,
``external_id``, and ``round`` for the round itself):

- the round must be open for Min side and imports; the school office may register while the round
  is open or closed (before the run);
- the child's fødselsnummer must be valid (synthetic test numbers only where
  ``ACCEPT_SYNTHETIC_NATIONAL_IDS``);
- 1 … ``round.wishes`` different schools, each one of the round's; siblings only at wished schools;
- the address must be in the municipality's address register; the catchment school is then the
  register's school for the round's grade;
- one application per child per round: a second submit (Min side, the school office) changes the
  first while the round allows it; an import row is found again by its ``external_id`` (importing
  the same file twice changes nothing).

Who may act: ``CITIZEN`` with Min side's ``viewer`` — a guardian of the child through a recorded,
valid relation (``citizens.Relation`` of kind guardian; while she acts for someone, only for that
child), signed in at :data:`LEVEL`; a member of the school office (``SCHOOL_ADMINISTER``) for
imports and registrations; or ``SYSTEM`` (the demo).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from stdnum.exceptions import ValidationError as StdnumError

from servicetorg.citizens import assurance
from servicetorg.citizens.models import Relation, RelationKind
from servicetorg.citizens.services import valid_relations
from servicetorg.core import sms
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import CITIZEN, SYSTEM, Perm, check_actor, require, user_of
from servicetorg.core.validators import check_national_id, has_forbidden_characters, small_int

from .models import (
    ApplicationSource,
    Round,
    RoundState,
    School,
    SchoolAddress,
    SchoolApplication,
    SchoolApplicationState,
    Wish,
)
from .workflow import SCHOOL_APPLICATION_WORKFLOW, WITHDRAW

#: The level of assurance of school choice on Min side (an application names the child, her address
#: and the schools; a special-needs priority is shown only at the high level, see min_side.py).
LEVEL = assurance.SUBSTANTIAL

NAME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 30
EXTERNAL_ID_MAX = 64

#: States in which each channel may submit (or change) an application.
_OPEN_FOR = {
    ApplicationSource.PORTAL: {RoundState.OPEN},
    ApplicationSource.IMPORT: {RoundState.OPEN},
    ApplicationSource.STAFF: {RoundState.OPEN, RoundState.CLOSED},
}
#: A citizen withdraws while the round is open (after publishing she declines the seat instead);
#: the school office also later, until the round is finished (the next waiting-list re-run frees
#: the seat).
_WITHDRAW_CITIZEN = {RoundState.OPEN}
_WITHDRAW_STAFF = {RoundState.OPEN, RoundState.CLOSED, RoundState.ALLOCATED, RoundState.PUBLISHED}


# --- Whose children ---------------------------------------------------------------------------------


def guardian_relations(viewer):
    """The valid guardian relations the signed-in citizen acts through today: all of hers, or (while
    she acts for someone on Min side) only that one, if it is a guardian's."""
    if viewer is None:
        return Relation.objects.none()
    relations = valid_relations(viewer.signed_in, viewer.municipality).filter(kind=RelationKind.GUARDIAN)
    if viewer.relation is not None:
        relations = relations.filter(pk=viewer.relation.pk)
    return relations.order_by("subject_name", "pk")


def children_digests(viewer) -> list[str]:
    return list(guardian_relations(viewer).values_list("subject_digest", flat=True))


def may_act_for_child(viewer, child_digest: str, municipality_id: int) -> bool:
    """May the Min side viewer act for the child with this digest, in this municipality?"""
    return (
        viewer is not None
        and bool(child_digest)
        and viewer.municipality.pk == municipality_id
        and assurance.satisfies(viewer.signed_in.level, LEVEL)
        and guardian_relations(viewer).filter(subject_digest=child_digest).exists()
    )


def citizen_applications(viewer):
    """The applications of the children she acts for (Min side), in the portal's municipality."""
    digests = children_digests(viewer)
    return SchoolApplication.objects.filter(
        round__municipality=viewer.municipality, national_id_digest__in=digests
    ).select_related("round", "address", "catchment_school")


# --- Submit -----------------------------------------------------------------------------------------


def _ids(values: Iterable) -> list:
    out = []
    for value in values or ():
        if isinstance(value, School):
            out.append(value.pk)
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(value)
        elif isinstance(value, str):
            out.append(small_int(value))
        else:
            out.append(None)
    return out


def _text(value, *, field: str, limit: int, errors: dict, required_message: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors.setdefault(field, []).append(_("Write this as text."))
        return ""
    if has_forbidden_characters(text):
        errors.setdefault(field, []).append(_("The text contains control characters that are not allowed."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("Write at most %(limit)s characters (this is %(length)s).")
            % {"limit": limit, "length": len(text)}
        )
    elif not text and required_message:
        errors.setdefault(field, []).append(required_message)
    return text


def _check_actor(round_: Round, *, user, source: str, viewer) -> None:
    check_actor(user)
    if source not in ApplicationSource.values:
        raise ValidationError({"source": _("Unknown source of the application.")})
    if user is CITIZEN:
        if source != ApplicationSource.PORTAL:
            raise PermissionDenied
        if viewer is None or viewer.municipality.pk != round_.municipality_id:
            raise PermissionDenied
        if not assurance.satisfies(viewer.signed_in.level, LEVEL):
            raise PermissionDenied
        return
    if user is not SYSTEM and source == ApplicationSource.PORTAL:
        raise PermissionDenied  # Min side is the citizens' own channel
    require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)


@sensitive_variables("child_national_id", "number")
def submit_application(
    round_: Round,
    *,
    user,
    child_national_id: str,
    name: str,
    address: SchoolAddress | int | None,
    wishes: Sequence,
    siblings: Iterable = (),
    contact_email: str = "",
    contact_phone: str = "",
    source: str,
    guardian_digest: str = "",
    external_id: str = "",
    special_needs_school: School | int | None = None,
    viewer=None,
) -> SchoolApplication:
    """The child's application in ``round_`` (created, or the existing one changed), with its wishes
    in order (``wishes``: schools or their ids, best first; ``siblings``: those of them where a
    sibling attends). ``address``: a :class:`SchoolAddress` (or its id) of the round's municipality.
    ``viewer``: Min side's viewer when ``user`` is ``CITIZEN`` (then ``guardian_digest`` is hers).
    Raises ValidationError (a dict by field) or PermissionDenied."""
    _check_actor(round_, user=user, source=source, viewer=viewer)
    errors: dict[str, list] = {}

    number = (child_national_id or "").replace(" ", "") if isinstance(child_national_id, str) else ""
    try:
        number = check_national_id(number)
    except StdnumError:
        errors["child_national_id"] = [
            _("This is not a valid national identity number (fødselsnummer): 11 digits.")
        ]
    digest = national_id_digest(number) if "child_national_id" not in errors else ""
    if user is CITIZEN and digest and not may_act_for_child(viewer, digest, round_.municipality_id):
        raise PermissionDenied(_("You can apply only for a child you are registered as guardian of."))

    name = _text(
        name, field="name", limit=NAME_MAX, errors=errors, required_message=_("Give the child's name.")
    )
    contact_email = _text(contact_email, field="contact_email", limit=EMAIL_MAX, errors=errors)
    if contact_email and "contact_email" not in errors:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_("This is not an e-mail address (name@example.no).")]
    contact_phone = _text(contact_phone, field="contact_phone", limit=PHONE_MAX, errors=errors)
    if contact_phone and "contact_phone" not in errors:
        try:
            contact_phone = sms.normalise_number(contact_phone)
        except sms.SmsError:
            errors["contact_phone"] = [_("This is not a mobile number (8 digits, or +country code).")]
    reachable = contact_email or contact_phone or {"contact_email", "contact_phone"} & set(errors)
    if source == ApplicationSource.PORTAL and not reachable:
        errors["contact_email"] = [
            _("Give an e-mail address or a mobile number, so that we can tell you the result.")
        ]
    external_id = _text(external_id, field="external_id", limit=EXTERNAL_ID_MAX, errors=errors)
    guardian_digest = viewer.signed_in.digest if user is CITIZEN else (guardian_digest or "")[:64]

    # The address: one of the municipality's register.
    address_obj = None
    if isinstance(address, SchoolAddress):
        address_obj = address if address.municipality_id == round_.municipality_id else None
    elif (address_id := (_ids([address])[0] if address not in (None, "") else None)) is not None:
        address_obj = SchoolAddress.objects.filter(
            pk=address_id, municipality_id=round_.municipality_id
        ).first()
    if address_obj is None:
        errors["address"] = [
            _("Choose the address from the municipality's address list (search by street name and number).")
            if address in (None, "")
            else _("The address is not in this municipality's address list.")
        ]

    # The wishes: 1 … round.wishes different schools of the round.
    in_round = set(round_.schools.values_list("school_id", flat=True))
    wish_ids = _ids(list(wishes or ()))
    if not wish_ids:
        errors["wishes"] = [_("Choose at least one school.")]
    elif len(wish_ids) > round_.wishes:
        errors["wishes"] = [
            _("You may list at most %(count)s schools in this round.") % {"count": round_.wishes}
        ]
    elif any(i is None or i not in in_round for i in wish_ids):
        errors["wishes"] = [_("Choose among the schools of this round.")]
    elif len(set(wish_ids)) != len(wish_ids):
        errors["wishes"] = [_("Each school can be listed only once.")]
    sibling_ids = set(_ids(list(siblings or ())))
    if "wishes" not in errors and not sibling_ids <= set(wish_ids):
        errors["siblings"] = [_("A sibling can be given only at a school you list.")]

    special_id = None
    if special_needs_school not in (None, ""):
        if user is CITIZEN:
            raise PermissionDenied  # set by the school office from a decision, never on Min side
        special_id = _ids([special_needs_school])[0]
        if special_id is None or special_id not in in_round:
            errors["special_needs_school"] = [_("The school named by the decision is not in this round.")]

    if errors:
        raise ValidationError(errors)
    return _save(
        round_,
        user=user,
        source=source,
        number=number,
        digest=digest,
        name=name,
        address=address_obj,
        wish_ids=wish_ids,
        sibling_ids=sibling_ids,
        contact_email=contact_email,
        contact_phone=contact_phone,
        guardian_digest=guardian_digest,
        external_id=external_id,
        special_id=special_id,
    )


@sensitive_variables("number")
@transaction.atomic
def _save(
    round_,
    *,
    user,
    source,
    number,
    digest,
    name,
    address,
    wish_ids,
    sibling_ids,
    contact_email,
    contact_phone,
    guardian_digest,
    external_id,
    special_id,
) -> SchoolApplication:
    # The round's row is locked: closing it waits for this application, and two submits for the
    # same child follow each other (the second finds the first).
    state = Round.objects.select_for_update().values_list("state", flat=True).get(pk=round_.pk)
    if state not in _OPEN_FOR[source]:
        if source == ApplicationSource.STAFF:
            message = _(
                "Applications can be registered only while the round is open or closed, before the run."
            )
        else:
            message = _("The round is not open for applications.")
        raise ValidationError({"round": [message]})

    existing = None
    if external_id:
        existing = SchoolApplication.objects.filter(round=round_, external_id=external_id).first()
        if existing is not None and existing.national_id_digest != digest:
            raise ValidationError(
                {"external_id": [_("This row id is already used for another child in this round.")]}
            )
    if existing is None:
        existing = SchoolApplication.objects.filter(round=round_, national_id_digest=digest).first()
        if existing is not None and source == ApplicationSource.IMPORT:
            raise ValidationError(
                {"child_national_id": [_("This child already has an application in this round.")]}
            )
    if existing is not None and existing.state != SchoolApplicationState.SUBMITTED:
        raise ValidationError(
            {
                "child_national_id": [
                    _("The child's application in this round was withdrawn. Contact the school office.")
                ]
            }
        )

    catchment = address.catchment(round_.grade)
    wanted = [(rank, school_id, school_id in sibling_ids) for rank, school_id in enumerate(wish_ids, start=1)]
    if existing is None:
        application = SchoolApplication(round=round_, national_id=number)
    else:
        application = SchoolApplication.objects.select_for_update().get(pk=existing.pk)
        before = (
            application.name,
            application.address_id,
            application.catchment_school_id,
            application.contact_email,
            application.contact_phone,
            application.special_needs_school_id,
            application.guardian_digest,
            list(application.wishes.order_by("rank").values_list("rank", "school_id", "sibling")),
        )
        after = (
            name,
            address.pk,
            catchment.pk if catchment else None,
            contact_email,
            contact_phone,
            special_id if source != ApplicationSource.PORTAL else application.special_needs_school_id,
            guardian_digest or application.guardian_digest,
            wanted,
        )
        if before == after:
            return application  # the same again (a re-import, a double submit): nothing changes
    application.name = name
    application.address = address
    application.catchment_school = catchment
    application.contact_email = contact_email
    application.contact_phone = contact_phone
    if guardian_digest:
        application.guardian_digest = guardian_digest
    if source != ApplicationSource.PORTAL:  # Min side never sees nor changes a special-needs decision
        application.special_needs_school_id = special_id
    if existing is None:
        application.source = source
        application.external_id = external_id
    elif external_id and not application.external_id:
        application.external_id = external_id
    application._history_user = user_of(user)
    application.save()
    application.wishes.all().delete()
    Wish.objects.bulk_create(
        [
            Wish(application=application, rank=rank, school_id=school_id, sibling=sibling)
            for rank, school_id, sibling in wanted
        ]
    )
    return application


# --- Withdraw ---------------------------------------------------------------------------------------


@transaction.atomic
def withdraw_application(application: SchoolApplication, *, user, viewer=None) -> SchoolApplication:
    """Withdraw the application: a guardian on Min side while the round is open; the school office
    until the round is finished. TransitionRefused if it is withdrawn already."""
    check_actor(user)
    round_ = application.round
    if user is CITIZEN:
        if not may_act_for_child(viewer, application.national_id_digest, round_.municipality_id):
            raise PermissionDenied
        allowed = _WITHDRAW_CITIZEN
    else:
        require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
        allowed = _WITHDRAW_STAFF
    state = Round.objects.select_for_update().values_list("state", flat=True).get(pk=round_.pk)
    if state not in allowed:
        raise ValidationError(
            {
                "round": [
                    _("The round is no longer open: the application cannot be withdrawn here.")
                    if user is CITIZEN
                    else _("The round is finished: the application cannot be withdrawn.")
                ]
            }
        )
    application = SCHOOL_APPLICATION_WORKFLOW.lock(application, reload=True)
    SCHOOL_APPLICATION_WORKFLOW.apply(application, WITHDRAW)
    application._history_user = user_of(user)
    application.save(update_fields=["state", "updated_at"])
    return application
