"""Domain operations of user-choice schemes: plain, transactional functions used by views, the
demo and (later) the API alike. Each takes the acting user (SYSTEM for the demo and commands) and
checks, in this order: the permission (core.permissions), then the table (workflow.py: lock +
apply), then its own rules. History rows (django-simple-history) record who changed what.

An adopted scheme is never edited: a political change is a new version (:func:`new_version`), a
draft until the council adopts it; adopting it ends the version it replaces the day before.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.permissions import Perm, can, check_actor, is_system, require, user_of

from . import workflow
from .models import Mode, Rate, Scheme, SchemeState

#: Fields of a scheme a draft may change (the decision is recorded by :func:`adopt`).
SCHEME_FIELDS = (
    "service",
    "name",
    "mode",
    "valid_from",
    "valid_until",
    "requirements",
    "contract_terms",
    "default_rule",
    "notice_days",
    "notice_months",
    "supplementary_services",
    "price_model",
    "agreement_ends_on",
    "provider_count",
    "decision_date",
    "case_reference",
    "default_provider",
    "settle_on",
    "provider_may_attest",
)
RATE_FIELDS = ("amount", "minimum_minutes", "running_costs", "capital_costs", "common_costs")


def can_administer(user, municipality_id: int) -> bool:
    return can(user, Perm.CHOICE_ADMINISTER, municipality_id)


def _require_action(user, action: str, municipality_id: int) -> None:
    """Refuse before the table is asked: a user without rights learns nothing of the state."""
    check_actor(user)
    perm = workflow.ACTION_PERMS.get(action)
    allowed = is_system(user) if perm is None else can(user, perm, municipality_id)
    if not allowed:
        raise PermissionDenied


def _require_draft(scheme: Scheme) -> None:
    if scheme.state != SchemeState.DRAFT:
        raise ValidationError(
            _("An adopted scheme cannot be changed. Make a new version for the council instead.")
        )


def _full_save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _check_fields(fields: dict) -> None:
    for name in fields:
        if name not in SCHEME_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})


@transaction.atomic
def create_scheme(*, municipality, service, name: str, user, **fields) -> Scheme:
    """A new scheme, version 1, in draft."""
    require(user, Perm.CHOICE_ADMINISTER, municipality.pk)
    _check_fields(fields)
    if service.municipality_id != municipality.pk:
        raise ValidationError({"service": _("The service belongs to another municipality.")})
    scheme = Scheme(municipality=municipality, service=service, name=name, created_by=user_of(user), **fields)
    return _full_save(scheme)


@transaction.atomic
def update_scheme(scheme: Scheme, *, user, rates: dict | None = None, **fields) -> Scheme:
    """Change a draft's fields and, given ``rates`` ({band: {amount, minimum_minutes, running_costs,
    capital_costs, common_costs} or None}), its rates: a band given None loses its rate. Rates of
    bands outside the (new) price model are removed."""
    require(user, Perm.CHOICE_ADMINISTER, scheme.municipality_id)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _require_draft(scheme)
    _check_fields(fields)
    if "service" in fields and fields["service"].municipality_id != scheme.municipality_id:
        raise ValidationError({"service": _("The service belongs to another municipality.")})
    provider = fields.get("default_provider")
    if provider is not None and provider.municipality_id != scheme.municipality_id:
        raise ValidationError({"default_provider": _("The provider belongs to another municipality.")})
    for name, value in fields.items():
        setattr(scheme, name, value)
    _full_save(scheme)
    scheme.rates.exclude(band__in=scheme.bands).delete()
    errors = {}
    for band, values in (rates or {}).items():
        try:
            _set_rate(scheme, band, values)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors[rate_error_key(band, name)] = messages
    if errors:
        raise ValidationError(errors)
    return scheme


def rate_error_key(band: str, field: str) -> str:
    """Where an error of one band's rate is reported: ``rate-<band>-<field>`` (the edit page's
    form prefix and field name)."""
    return f"rate-{band}-{field}"


def _set_rate(scheme: Scheme, band: str, values: dict | None) -> Rate | None:
    existing = scheme.rates.filter(band=band).first()
    if values is None:
        if existing:
            existing.delete()
        return None
    rate = existing or Rate(scheme=scheme, band=band)
    for name in RATE_FIELDS:
        setattr(rate, name, values.get(name))
    return _full_save(rate)


@transaction.atomic
def set_rate(scheme: Scheme, band: str, *, user, **values) -> Rate | None:
    """Set (or, with no values, remove) the rate of one band of a draft."""
    require(user, Perm.CHOICE_ADMINISTER, scheme.municipality_id)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _require_draft(scheme)
    return _set_rate(scheme, band, values or None)


def _overlaps(scheme: Scheme):
    """Adopted schemes of the same service whose validity overlaps ``scheme``'s (its own predecessor
    excepted: it ends the day before)."""
    others = Scheme.objects.filter(
        municipality_id=scheme.municipality_id, service_id=scheme.service_id, state=SchemeState.ADOPTED
    ).exclude(pk__in=[scheme.pk, scheme.replaces_id or 0])
    if scheme.valid_until:
        others = others.filter(valid_from__lte=scheme.valid_until)
    return others.exclude(valid_until__lt=scheme.valid_from)


@transaction.atomic
def adopt(scheme: Scheme, *, user, decision_date=None, case_reference: str = "") -> Scheme:
    """Record the council's adoption of a draft (date and case reference of the decision). If the
    draft replaces an adopted version, that version ends the day before this one is valid from."""
    _require_action(user, workflow.ADOPT, scheme.municipality_id)
    scheme = workflow.SCHEME_WORKFLOW.lock(scheme, reload=True)
    workflow.SCHEME_WORKFLOW.apply(scheme, workflow.ADOPT)  # TransitionRefused
    decision_date = decision_date or scheme.decision_date
    case_reference = (case_reference or scheme.case_reference).strip()
    errors = {}
    if decision_date is None:
        errors["decision_date"] = _("Give the date of the council's decision.")
    elif decision_date > timezone.localdate():
        errors["decision_date"] = _("The council's decision cannot be in the future.")
    if not case_reference:
        errors["case_reference"] = _("Give the council's case reference.")
    if scheme.valid_from is None:
        errors["valid_from"] = _("Give the date the scheme is valid from.")
    elif decision_date and scheme.valid_from < decision_date:
        errors["valid_from"] = _("The scheme cannot be valid from before the council's decision.")
    if scheme.mode == Mode.FRAMEWORK and not (scheme.agreement_ends_on and scheme.provider_count):
        errors["agreement_ends_on"] = _(
            "A framework agreement needs its end date and the number of providers."
        )
    rates = list(scheme.rates.all())
    if not rates:
        errors["rates"] = _("Give at least one rate before the scheme is adopted.")
    elif any(rate.band not in scheme.bands for rate in rates):
        errors["rates"] = _("Every rate must belong to the scheme's price model.")
    old = scheme.replaces
    if old is not None and scheme.valid_from and old.valid_from and scheme.valid_from <= old.valid_from:
        errors["valid_from"] = _("A new version must be valid from a later date than the one it replaces.")
    if errors:
        raise ValidationError(errors)
    if _overlaps(scheme).exists():
        raise ValidationError(
            {"valid_from": _("Another adopted scheme for this service is valid in the same period.")}
        )
    scheme.decision_date, scheme.case_reference = decision_date, case_reference[:60]
    scheme.adopted_at = timezone.now()
    scheme.full_clean()
    if old is not None:
        workflow.SCHEME_WORKFLOW.lock(old)
        workflow.SCHEME_WORKFLOW.apply(old, workflow.END, internal=True)  # TransitionRefused
        old.valid_until = scheme.valid_from - timedelta(days=1)
        old.save()
    scheme.save()
    return scheme


@transaction.atomic
def new_version(scheme: Scheme, *, user) -> Scheme:
    """A draft copy of an adopted scheme (its rates too), version + 1, to be changed and adopted by
    the council; the adopted version stays in force until then."""
    _require_action(user, workflow.NEW_VERSION, scheme.municipality_id)
    scheme = workflow.SCHEME_WORKFLOW.lock(scheme, reload=True)
    workflow.SCHEME_WORKFLOW.apply(scheme, workflow.NEW_VERSION)  # TransitionRefused
    if Scheme.objects.filter(replaces=scheme).exists():
        raise ValidationError(_("This version already has a newer version."))
    copy = Scheme(
        municipality_id=scheme.municipality_id,
        replaces=scheme,
        version=scheme.version + 1,
        created_by=user_of(user),
        **{name: getattr(scheme, name) for name in SCHEME_FIELDS},
    )
    copy.decision_date, copy.case_reference, copy.valid_from, copy.valid_until = None, "", None, None
    _full_save(copy)
    for rate in scheme.rates.all():
        _full_save(Rate(scheme=copy, band=rate.band, **{n: getattr(rate, n) for n in RATE_FIELDS}))
    return copy
