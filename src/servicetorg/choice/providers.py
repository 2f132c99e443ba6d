"""Domain operations of providers: applying to a scheme, the administration's decisions on an
application (approve, reject, suspend, reinstate), the provider's own profile and supplementary
services, and who works for a provider (:class:`ProviderMember`).

Plain transactional functions, used by the staff pages, the provider's portal, the public
application form, the API and the demo alike. Each takes the acting user (``CITIZEN`` for the
anonymous applicant on the public form, ``SYSTEM`` for the demo) and checks, in this order: the
permission (core.permissions, and choice.access for a provider's own users), then the table
(workflow.APPLICATION_WORKFLOW: lock + apply), then its own rules. Withdrawing an approval (which
moves the provider's users) lives with the decisions and choices, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.choices import Role
from servicetorg.core.models import Membership
from servicetorg.core.outbox import enqueue_email
from servicetorg.core.permissions import CITIZEN, Perm, can, check_actor, is_system, require, user_of
from servicetorg.core.validators import validate_organization_number
from servicetorg.core.workdays import add_working_days
from servicetorg.inquiries.attachments import CheckedFile

from . import access, workflow
from .choices import is_approved
from .models import (
    Application,
    ApplicationDocument,
    ApplicationState,
    Mode,
    Provider,
    ProviderMember,
    Scheme,
    SchemeState,
    SupplementaryService,
)

#: Working days the administration has to decide on an application (from the day it is received).
#: The issue leaves the number open; 30 working days (six weeks) is the common deadline of Norwegian
#: municipalities' approval schemes (e.g. Oslo's and Bergen's brukervalg for practical assistance).
DECIDE_WITHIN_WORKING_DAYS = 30

#: Fields of its profile a provider's own users keep up to date.
PROFILE_FIELDS = (
    "profile",
    "languages",
    "districts",
    "fixed_helper",
    "capacity_users",
    "capacity_hours_per_month",
    "email",
    "phone",
    "website",
)
#: Fields the administration may set on a provider (besides the profile).
REGISTRY_FIELDS = ("name", "organization_number", "unit", "survey")
SUPPLEMENTARY_FIELDS = ("name", "description", "price")
#: The most supplementary services one provider lists (a bound on input).
MAX_SUPPLEMENTARY = 30

#: States of an application in which the provider serves users of the scheme (a suspended one does not).
SERVING = (ApplicationState.APPROVED,)


def _full_save(obj):
    obj.full_clean()
    obj.save()
    return obj


def can_administer(user, municipality_id: int) -> bool:
    return can(user, Perm.CHOICE_ADMINISTER, municipality_id)


def _require_provide(user, provider: Provider) -> None:
    """The provider's own users (choice.provide, own-provider reach), or SYSTEM."""
    check_actor(user)
    if is_system(user):
        return
    if not access.may_provide(user, provider):
        raise PermissionDenied


def _clean_orgnr(value: str) -> str:
    number = "".join((value or "").split())
    if not number:
        raise ValidationError({"organization_number": _("Give the organisation number.")})
    try:
        validate_organization_number(number)
    except ValidationError as error:
        raise ValidationError({"organization_number": error.messages}) from error
    return number


def open_for_applications(scheme: Scheme, *, user) -> bool:
    """May providers apply to ``scheme`` now? An adopted scheme not past its end; the public and
    the providers only in the approval mode (a framework agreement is won in a competition and a
    scheme of municipal providers only takes the municipality's units: the administration registers
    those applications itself)."""
    if scheme.state != SchemeState.ADOPTED:
        return False
    today = timezone.localdate()
    if scheme.valid_until is not None and scheme.valid_until < today:
        return False
    return scheme.mode == Mode.APPROVAL or is_system(user) or can_administer(user, scheme.municipality_id)


# --- Applying -----------------------------------------------------------------------------------


@transaction.atomic
def apply(
    scheme: Scheme,
    *,
    user,
    provider: Provider | None = None,
    organization_number: str = "",
    name: str = "",
    email: str = "",
    phone: str = "",
    competence: str = "",
    quality_assurance: str = "",
    documents: Sequence[CheckedFile] = (),
    profile: dict | None = None,
) -> Application:
    """A provider applies to be approved in ``scheme``.

    * ``CITIZEN`` (the public form, no log-in): the provider is found by its organisation number in
      the scheme's municipality, or registered with ``name``, ``email``, ``phone`` and ``profile``
      (fields of :data:`PROFILE_FIELDS`). A provider that already has users of its own must apply
      through them (signed in), so no one applies in another firm's name.
    * A provider's own user applies for ``provider`` (choice.provide on it).
    * The administration (choice.administer) registers an application for ``provider`` in any
      mode (a framework agreement's winners, the municipality's own units).

    ``documents`` are files checked by ``inquiries.attachments.check_upload`` (at most
    ``ATTACHMENT_MAX_FILES``). The application is to be decided within
    :data:`DECIDE_WITHIN_WORKING_DAYS` working days; the applicant gets a receipt by e-mail.
    """
    check_actor(user)
    administer = is_system(user) or can_administer(user, scheme.municipality_id)
    if user is CITIZEN:
        provider = _public_applicant(
            scheme,
            organization_number=organization_number,
            name=name,
            email=email,
            phone=phone,
            profile=profile,
        )
    else:
        if provider is None:
            raise ValidationError(_("Choose the provider that applies."))
        if provider.municipality_id != scheme.municipality_id:
            raise PermissionDenied
        if not administer:
            _require_provide(user, provider)
    scheme = Scheme.objects.get(pk=scheme.pk)
    if not open_for_applications(scheme, user=user):
        raise ValidationError(_("This scheme does not take applications from providers."))
    if scheme.mode == Mode.MUNICIPAL and not provider.is_municipal:
        raise ValidationError(_("Only the municipality's own units can be providers in this scheme."))
    if len(documents) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            {"documents": _("Send at most %(max)s files.") % {"max": settings.ATTACHMENT_MAX_FILES}}
        )
    if Application.objects.filter(scheme=scheme, provider=provider, state__in=OPEN_STATES).exists():
        raise ValidationError(
            _("%(provider)s already has an application or approval in this scheme.")
            % {"provider": provider.name}
        )
    application = Application(
        scheme=scheme,
        provider=provider,
        competence=(competence or "").strip(),
        quality_assurance=(quality_assurance or "").strip(),
        submitted_by=user_of(user),
        decide_by=add_working_days(timezone.localdate(), DECIDE_WITHIN_WORKING_DAYS),
    )
    application.full_clean(exclude=["provider", "scheme"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:  # a second submission racing the first
        raise ValidationError(
            _("%(provider)s already has an application or approval in this scheme.")
            % {"provider": provider.name}
        ) from error
    _store_documents(application, documents)
    _acknowledge(application, to=email if user is CITIZEN else "")
    return application


OPEN_STATES = (ApplicationState.SUBMITTED, ApplicationState.APPROVED, ApplicationState.SUSPENDED)


def _public_applicant(scheme, *, organization_number, name, email, phone, profile) -> Provider:
    number = _clean_orgnr(organization_number)
    errors = {}
    if not (email or "").strip():
        errors["email"] = _("Give an e-mail address: the receipt and the decision are sent there.")
    existing = Provider.objects.filter(
        municipality_id=scheme.municipality_id, organization_number=number, unit__isnull=True
    ).first()
    if existing is not None:
        if existing.members.exists():
            raise ValidationError(
                {
                    "organization_number": _(
                        "This organisation is already registered as a provider with its own users. "
                        "Sign in as one of them to apply."
                    )
                }
            )
        if errors:
            raise ValidationError(errors)
        return existing
    if not (name or "").strip():
        errors["name"] = _("Give the provider's name.")
    if errors:
        raise ValidationError(errors)
    provider = Provider(
        municipality_id=scheme.municipality_id,
        organization_number=number,
        name=name.strip(),
        email=email.strip(),
        phone=(phone or "").strip(),
    )
    for field, value in (profile or {}).items():
        if field not in PROFILE_FIELDS:
            raise ValidationError({field: _("This field cannot be changed here.")})
        setattr(provider, field, value)
    return _full_save(provider)


def _store_documents(application: Application, documents: Sequence[CheckedFile]) -> None:
    """Write the checked files; should anything fail, the files written are deleted."""
    storage = ApplicationDocument._meta.get_field("file").storage  # type: ignore[attr-defined]
    written: list[str] = []
    try:
        with transaction.atomic():
            for checked in documents:
                if not isinstance(checked, CheckedFile):
                    raise TypeError("documents must be checked by inquiries.attachments.check_upload")
                document = ApplicationDocument(
                    application=application,
                    name=checked.name[:200],
                    content_type=checked.content_type,
                    size=checked.size,
                )
                document.file.save("upload", ContentFile(checked.content), save=False)
                written.append(document.file.name)
                document.save()
    except BaseException:
        for name in written:
            storage.delete(name)
        raise


def _acknowledge(application: Application, *, to: str) -> None:
    provider, scheme = application.provider, application.scheme
    recipients = {a for a in (to, provider.email) if a}
    body = _(
        "We have received the application from %(provider)s to be approved as a provider in "
        "“%(scheme)s”.\n\nThe municipality decides on it by %(date)s at the latest, and tells you of "
        "its decision by e-mail. Reference: %(ref)s."
    ) % {
        "provider": provider.name,
        "scheme": scheme.name,
        "date": application.decide_by.strftime("%d.%m.%Y") if application.decide_by else "",
        "ref": application.pk,
    }
    enqueue_email(
        municipality=scheme.municipality_id,
        to=sorted(recipients),
        subject=_("Your application has been received: %(scheme)s") % {"scheme": scheme.name},
        body=body,
        key=f"choice-application-{application.pk}-received",
    )


# --- The administration's decisions -------------------------------------------------------------

_DECISION_TEXT = {
    workflow.APPROVE: _("%(provider)s is approved as a provider in “%(scheme)s”."),
    workflow.REJECT: _("The application from %(provider)s to be a provider in “%(scheme)s” is rejected."),
    workflow.SUSPEND: _("The approval of %(provider)s in “%(scheme)s” is suspended: it takes no new users."),
    workflow.REINSTATE: _("The approval of %(provider)s in “%(scheme)s” is in force again."),
}


def _decide(application: Application, action: str, *, user, reason: str = "", reason_required=False):
    require(user, Perm.CHOICE_ADMINISTER, application.scheme.municipality_id)
    application = workflow.APPLICATION_WORKFLOW.lock(application, reload=True)
    workflow.APPLICATION_WORKFLOW.apply(application, action)  # TransitionRefused
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationError({"reason": _("Give the reason: the provider is told of it.")})
    if len(reason) > 4000:
        raise ValidationError({"reason": _("The reason may be at most 4000 characters.")})
    return application, reason


def _notify(application: Application, action: str) -> None:
    provider, scheme = application.provider, application.scheme
    body = str(_DECISION_TEXT[action]) % {"provider": provider.name, "scheme": scheme.name}
    if application.reason:
        body += "\n\n" + _("Reason: %(reason)s") % {"reason": application.reason}
    if application.effective_on:
        body += "\n\n" + _("Takes effect on %(date)s.") % {
            "date": application.effective_on.strftime("%d.%m.%Y")
        }
    body += "\n\n" + _("Reference: %(ref)s.") % {"ref": application.pk}
    count = application.history.count()
    enqueue_email(
        municipality=scheme.municipality_id,
        to=provider.email,
        subject=_("Decision on your application: %(scheme)s") % {"scheme": scheme.name},
        body=body,
        key=f"choice-application-{application.pk}-{action}-{count}",
    )


@transaction.atomic
def approve(application: Application, *, user, reason: str = "") -> Application:
    """Approve a submitted application: the provider may be chosen in the scheme from now on."""
    application, reason = _decide(application, workflow.APPROVE, user=user, reason=reason)
    if application.scheme.state != SchemeState.ADOPTED:
        raise ValidationError(_("Only an adopted scheme that has not ended approves providers."))
    if application.scheme.mode == Mode.MUNICIPAL and not application.provider.is_municipal:
        raise ValidationError(_("Only the municipality's own units can be providers in this scheme."))
    application.reason, application.decided_at = reason, timezone.now()
    application.save()
    _notify(application, workflow.APPROVE)
    return application


@transaction.atomic
def reject(application: Application, *, user, reason: str) -> Application:
    """Reject a submitted application, with the reason the provider is told."""
    application, reason = _decide(
        application, workflow.REJECT, user=user, reason=reason, reason_required=True
    )
    application.reason, application.decided_at = reason, timezone.now()
    application.save()
    _notify(application, workflow.REJECT)
    return application


@transaction.atomic
def suspend(application: Application, *, user, reason: str, effective_on=None) -> Application:
    """Suspend an approval (with the reason): the provider keeps its users but takes no new ones
    (it is no longer offered to choose, and a choice of it is refused) until it is reinstated."""
    application, reason = _decide(
        application, workflow.SUSPEND, user=user, reason=reason, reason_required=True
    )
    application.reason = reason
    application.effective_on = effective_on or timezone.localdate()
    application.save()
    _notify(application, workflow.SUSPEND)
    return application


@transaction.atomic
def reinstate(application: Application, *, user, reason: str = "") -> Application:
    """Lift a suspension: the provider takes new users again."""
    application, reason = _decide(application, workflow.REINSTATE, user=user, reason=reason)
    application.reason, application.effective_on = reason, None
    application.save()
    _notify(application, workflow.REINSTATE)
    return application


#: The service function of each action of the table this module offers (withdraw is the decisions').
ACTIONS = {
    workflow.APPROVE: approve,
    workflow.REJECT: reject,
    workflow.SUSPEND: suspend,
    workflow.REINSTATE: reinstate,
}


def takes_new_users(provider: Provider, scheme: Scheme) -> bool:
    """Is the provider approved (not suspended, not withdrawn) in the scheme, so that a user may
    choose it? (Whether it has room is a matter of capacity and the waiting list.)"""
    return is_approved(scheme, provider)


# --- The registry and the provider's own profile ------------------------------------------------


@transaction.atomic
def create_provider(*, municipality, user, name: str, organization_number: str = "", unit=None, **fields):
    """Register a provider (the administration): a firm by its organisation number, or one of the
    municipality's own units (``unit``; the municipality's organisation number is used)."""
    require(user, Perm.CHOICE_ADMINISTER, municipality.pk)
    for field in fields:
        if field not in PROFILE_FIELDS and field != "survey":
            raise ValidationError({field: _("This field cannot be changed here.")})
    if unit is not None:
        if unit.municipality_id != municipality.pk:
            raise ValidationError({"unit": _("The unit belongs to another municipality.")})
        organization_number = organization_number or municipality.organization_number
    number = _clean_orgnr(organization_number)
    _check_survey(fields.get("survey"), municipality.pk)
    provider = Provider(
        municipality=municipality, name=(name or "").strip(), organization_number=number, unit=unit, **fields
    )
    return _full_save(provider)


def _check_survey(survey, municipality_id: int) -> None:
    if survey is not None and survey.municipality_id != municipality_id:
        raise ValidationError({"survey": _("The survey belongs to another municipality.")})


@transaction.atomic
def update_registry(provider: Provider, *, user, **fields) -> Provider:
    """The administration changes a provider's name, organisation number or linked user survey."""
    require(user, Perm.CHOICE_ADMINISTER, provider.municipality_id)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    for field, value in fields.items():
        if field not in REGISTRY_FIELDS and field not in PROFILE_FIELDS:
            raise ValidationError({field: _("This field cannot be changed here.")})
        if field == "organization_number":
            value = _clean_orgnr(value)
        setattr(provider, field, value)
    _check_survey(provider.survey, provider.municipality_id)
    return _full_save(provider)


@transaction.atomic
def update_profile(provider: Provider, *, user, **fields) -> Provider:
    """A provider's own users keep its profile, languages, districts, fixed helper, capacity and
    contact details up to date (:data:`PROFILE_FIELDS`)."""
    _require_provide(user, provider)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    for field, value in fields.items():
        if field not in PROFILE_FIELDS:
            raise ValidationError({field: _("This field cannot be changed here.")})
        if field in ("languages", "districts") and isinstance(value, str):
            value = ", ".join(part.strip() for part in value.split(",") if part.strip())
        setattr(provider, field, value)
    return _full_save(provider)


def allows_supplementary(provider: Provider) -> bool:
    """Does a scheme the provider applied to or is approved in allow supplementary services?"""
    return Application.objects.filter(
        provider=provider, state__in=OPEN_STATES, scheme__supplementary_services=True
    ).exists()


def _require_supplementary(user, provider: Provider) -> None:
    _require_provide(user, provider)
    if not allows_supplementary(provider):
        raise ValidationError(
            _("None of the provider's schemes allows supplementary services: there is nothing to list.")
        )


@transaction.atomic
def add_supplementary(provider: Provider, *, user, name: str, description: str = "", price: str = ""):
    """A supplementary service the user buys directly from the provider: listed apart on its profile,
    never part of a decision, an order or a settlement."""
    _require_supplementary(user, provider)
    Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.supplementary_services.count() >= MAX_SUPPLEMENTARY:
        raise ValidationError(
            _("A provider lists at most %(max)s supplementary services.") % {"max": MAX_SUPPLEMENTARY}
        )
    item = SupplementaryService(
        provider=provider, name=(name or "").strip(), description=description, price=price
    )
    return _full_save(item)


@transaction.atomic
def update_supplementary(item: SupplementaryService, *, user, **fields) -> SupplementaryService:
    _require_supplementary(user, item.provider)
    item = SupplementaryService.objects.select_for_update().get(pk=item.pk)
    for field, value in fields.items():
        if field not in SUPPLEMENTARY_FIELDS:
            raise ValidationError({field: _("This field cannot be changed here.")})
        setattr(item, field, value)
    return _full_save(item)


@transaction.atomic
def delete_supplementary(item: SupplementaryService, *, user) -> None:
    _require_provide(user, item.provider)  # removing is always allowed
    item.delete()


# --- Who works for a provider -------------------------------------------------------------------


@transaction.atomic
def add_member(provider: Provider, *, user, member) -> ProviderMember:
    """Link a user with a provider membership (core: role *provider*) in the provider's municipality
    to the provider: she then acts for it (choice.access)."""
    require(user, Perm.CHOICE_ADMINISTER, provider.municipality_id)
    has_role = Membership.objects.filter(
        user=member, municipality_id=provider.municipality_id, role=Role.PROVIDER
    ).exists()
    if not has_role:
        raise ValidationError(
            {"member": _("The user has no provider role in this municipality. Give her one first.")}
        )
    link, created = ProviderMember.objects.get_or_create(provider=provider, user=member)
    if not created:
        raise ValidationError({"member": _("The user already works for this provider.")})
    return link


@transaction.atomic
def remove_member(link: ProviderMember, *, user) -> None:
    require(user, Perm.CHOICE_ADMINISTER, link.provider.municipality_id)
    link.delete()
