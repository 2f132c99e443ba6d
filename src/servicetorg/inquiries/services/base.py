"""What every inquiry operation shares: the working roles, the actor checks, the message log and
:func:`_transition` (one transaction: actor, lock, rollup snapshot, the next state by the table in
workflow.py, the change, the log entry, validation, save, rollups)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from servicetorg.core import permissions as core_permissions
from servicetorg.core.models import Unit
from servicetorg.core.permissions import user_of

from .. import permissions, rollups
from ..models import Inquiry, InquiryMessage
from ..workflow import WORKFLOW


def _require_work(user, inquiry: Inquiry) -> None:
    """The actor may work on this inquiry (reads it and holds a working role): permissions.py."""
    permissions.require_work(user, inquiry)


def _require_system(user) -> None:
    """Operations over every municipality at once (nightly tasks) are the platform's own."""
    core_permissions.check_actor(user)
    if not core_permissions.is_system(user):
        raise PermissionDenied


def _log(inquiry: Inquiry, kind: str, text: str, user) -> InquiryMessage:
    return InquiryMessage.objects.create(inquiry=inquiry, kind=kind, text=text, author=user_of(user))


def _remember_relations(locked: Inquiry) -> Inquiry:
    """Note the foreign keys as read from the locked row (``_known_relations`` skips their lookups)."""
    locked._loaded_relations = {f.attname: getattr(locked, f.attname) for f in _RELATIONS}  # type: ignore[attr-defined]
    return locked


#: The inquiry's foreign keys (all with database constraints, none with limit_choices_to).
_RELATIONS = [f for f in Inquiry._meta.concrete_fields if f.is_relation]


def _known_relations(inquiry: Inquiry) -> list[str]:
    """Foreign keys that full_clean() need not look up (one SELECT each): empty, unchanged since the
    row was read (the database's constraint keeps the target), or set to an object read from the
    database. A reference set to anything else is still checked."""
    loaded = getattr(inquiry, "_loaded_relations", {})
    known = []
    for field in _RELATIONS:
        value = getattr(inquiry, field.attname)
        cached = field.get_cached_value(inquiry, None) if field.is_cached(inquiry) else None
        if (
            value is None
            or (field.attname in loaded and loaded[field.attname] == value)
            or (cached is not None and not cached._state.adding and cached.pk == value)
        ):
            known.append(field.name)
    return known


def _save(inquiry: Inquiry, before, user) -> Inquiry:
    inquiry._history_user = user_of(user)
    # Constraints are the database's (see prepare); the place only changes through clean_location.
    inquiry.full_clean(
        exclude=["reference", "token_hash", *_known_relations(inquiry)], validate_constraints=False
    )
    inquiry.save()
    rollups.apply_change(before, rollups.snapshot(inquiry))
    return inquiry


def _transition(
    inquiry: Inquiry,
    action: str,
    *,
    user,
    log: tuple[str, str],
    check: Callable[[], None] | None = None,
    change: Callable[[Inquiry], None] | None = None,
    require: bool = True,
) -> tuple[Inquiry, InquiryMessage]:
    """The steps every inquiry transition shares, in the caller's transaction; returns (inquiry, message).

    The actor's right to work on the inquiry (``require=False`` only where the caller has checked
    another right, e.g. the citizen's secret link), ``check`` of the input, the row lock, the rollup
    snapshot, the next state by the table (``TransitionRefused`` when the table has no such pair),
    ``change`` on the locked inquiry (it may raise ``ValidationError``), the message log entry
    ``log = (kind, text)``, then validation, save and the rollup update.
    """
    if require:
        _require_work(user, inquiry)
    if check is not None:
        check()
    inquiry = _remember_relations(WORKFLOW.lock(inquiry, reload=True))
    before = rollups.snapshot(inquiry)
    WORKFLOW.apply(inquiry, action)
    if change is not None:
        change(inquiry)
    kind, text = log
    message = _log(inquiry, kind, text, user)
    return _save(inquiry, before, user), message


def _check_unit(municipality_id: int, unit: Unit | None) -> None:
    if unit is not None and unit.municipality_id != municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
