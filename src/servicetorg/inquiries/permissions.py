"""Which inquiries an actor may open and work on: the one answer, for lists and single inquiries.

An inquiry carries the citizen's name, contact details, text and perhaps her fødselsnummer, so each
role reads only what its work needs (core.permissions.MATRIX, ``inquiries.read``):

* the service desk (desk worker): what is not yet routed to a unit, and what it registered itself;
* case officers and unit leaders: inquiries routed to their units, and unrouted ones about a
  service their unit is responsible for (a membership without a unit: the whole municipality);
* administration and administrators: the whole municipality;
* council members: no inquiry at all, only the dashboards' aggregates.

Everyone who may read inquiries also reads those they registered, own (contact person) or handle.

Inquiries about a *sensitive* service (health, child welfare, social services: ``Service.sensitive``)
are walled to their unit: only the unit they are routed to (or, unrouted, the service's responsible
unit) and the people who registered, own or handle them see them, whatever their role. Superusers
(the platform's operators) and SYSTEM see everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from servicetorg.core import permissions
from servicetorg.core.permissions import Perm, Reach

from .models import Inquiry

_NONE = Q(pk__in=[])
_NOT_SENSITIVE = Q(service__isnull=True) | Q(service__sensitive=False)


def visible_q(actor, perm: Perm = Perm.INQUIRY_READ) -> Q | None:
    """The inquiries ``actor`` may read (``perm`` INQUIRY_READ) or work on (INQUIRY_WORK), as a
    filter; None means all of them."""
    permissions.check_actor(actor)
    municipalities = permissions.municipality_ids(actor, perm)
    if municipalities is None:
        return None
    q = _NONE
    for municipality_id in sorted(municipalities):
        mine = Q(registered_by=actor) | Q(contact_person=actor) | Q(assigned_to=actor)
        reach = mine
        for kind, unit_id in permissions.grants(actor, perm, municipality_id):
            if kind is Reach.MUNICIPALITY:
                reach |= _NOT_SENSITIVE
            elif kind is Reach.DESK:
                reach |= Q(unit__isnull=True) & _NOT_SENSITIVE
            else:
                reach |= Q(unit_id=unit_id) | Q(unit__isnull=True, service__responsible_unit_id=unit_id)
        q |= Q(municipality_id=municipality_id) & reach
    return q


def visible(queryset: QuerySet[Inquiry], actor, perm: Perm = Perm.INQUIRY_READ) -> QuerySet[Inquiry]:
    """The one list filter for inquiries (pages, API, exports)."""
    q = visible_q(actor, perm)
    return queryset if q is None else queryset.filter(q)


def can_read(actor, inquiry: Inquiry) -> bool:
    return _allows(actor, inquiry, Perm.INQUIRY_READ)


def can_work(actor, inquiry: Inquiry) -> bool:
    return _allows(actor, inquiry, Perm.INQUIRY_WORK)


def _allows(actor, inquiry: Inquiry, perm: Perm) -> bool:
    """The rule of :func:`visible_q` for one inquiry, in Python (no query when its service is
    loaded); tests/inquiries/test_permissions.py proves the two agree for every role."""
    permissions.check_actor(actor)
    if permissions.municipality_ids(actor, perm) is None:
        return True
    grants = permissions.grants(actor, perm, inquiry.municipality_id)
    if not grants:
        return False
    if actor.pk is not None and actor.pk in (
        inquiry.registered_by_id,
        inquiry.contact_person_id,
        inquiry.assigned_to_id,
    ):
        return True
    service = inquiry.service if inquiry.service_id is not None else None
    sensitive = service is not None and service.sensitive
    for kind, unit_id in grants:
        if kind is Reach.MUNICIPALITY and not sensitive:
            return True
        if kind is Reach.DESK and inquiry.unit_id is None and not sensitive:
            return True
        if kind is Reach.UNIT and (
            inquiry.unit_id == unit_id
            or (inquiry.unit_id is None and service is not None and service.responsible_unit_id == unit_id)
        ):
            return True
    return False


def require_work(actor, inquiry: Inquiry) -> None:
    from django.core.exceptions import PermissionDenied

    if not can_work(actor, inquiry):
        raise PermissionDenied
