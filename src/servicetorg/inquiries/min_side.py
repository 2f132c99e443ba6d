"""Inquiries on the citizen's Min side (issue 20): her cases, and reading them without the link.

A case is hers when it carries her number's digest (a service that asks for the number), when she
sent it or opened it with its link while logged in (:class:`CitizenCase`), or — acting for someone
— when it carries the digest of the person a valid relation lets her act for. Logged in at the level
the service asks for (at least substantial, high for a sensitive service without its own level), she
reads it without the link and without the one-time code.
"""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from servicetorg.citizens import assurance, panels
from servicetorg.citizens.services import valid_relations
from servicetorg.core import permissions

from .models import CitizenCase, CitizenCaseHow, Inquiry
from .notices import is_sensitive

#: At most this many cases on the page (newest first); older ones are found by reference.
PANEL_LIMIT = 50


def level_for(inquiry: Inquiry) -> str:
    """The log-in level that reads this case without its link."""
    service = inquiry.service if inquiry.service_id else None
    if service is not None and service.assurance_level:
        return service.assurance_level
    return assurance.CARE if is_sensitive(inquiry) else assurance.SUBSTANTIAL


def owns(signed_in, inquiry: Inquiry) -> bool:
    """Is ``inquiry`` on the Min side of the citizen signed in (hers, or of someone she acts for)?"""
    if signed_in is None:
        return False
    digest = inquiry.national_id_digest
    if digest and digest == signed_in.digest:
        return True
    if CitizenCase.objects.filter(citizen_id=signed_in.citizen_id, inquiry=inquiry).exists():
        return True
    return (
        bool(digest)
        and valid_relations(signed_in, inquiry.municipality).filter(subject_digest=digest).exists()
    )


def may_read(signed_in, inquiry: Inquiry) -> bool:
    """Hers, and logged in at the case's level: no link or one-time code needed."""
    return (
        signed_in is not None
        and assurance.satisfies(signed_in.level, level_for(inquiry))
        and owns(signed_in, inquiry)
    )


def link(signed_in, inquiry: Inquiry, how: str, *, user) -> None:
    """Put the case on her Min side (idempotent). ``user`` is ``CITIZEN``: she acts herself."""
    permissions.check_actor(user)
    if signed_in is not None:
        CitizenCase.objects.get_or_create(
            citizen_id=signed_in.citizen_id, inquiry=inquiry, defaults={"how": how}
        )


def cases(viewer):
    """The viewer's cases in the municipality, newest first (one query)."""
    q = Q(national_id_digest=viewer.subject_digest)
    if viewer.for_herself:
        q |= Q(pk__in=CitizenCase.objects.filter(citizen_id=viewer.signed_in.citizen_id).values("inquiry_id"))
    return (
        Inquiry.objects.filter(municipality=viewer.municipality, anonymised_at__isnull=True)
        .filter(q)
        .select_related("service")
        .order_by("-received_at", "-pk")[:PANEL_LIMIT]
    )


def _panel(request, viewer) -> str:
    rows = [
        {
            "inquiry": i,
            "readable": assurance.satisfies(viewer.signed_in.level, level_for(i)),
            "sensitive": is_sensitive(i),
            "level": level_for(i),
        }
        for i in cases(viewer)
    ]
    if not rows:
        return ""
    return render_to_string(
        "inquiries/public/_min_side.html", {"rows": rows, "viewer": viewer}, request=request
    )


PANEL = panels.Panel(
    name="inquiries",
    title=_("Your inquiries"),
    title_for_other=_("Inquiries of %(name)s"),
    render=_panel,
    empty=_(
        "You have no inquiries with us that we know of. Inquiries you send while logged in are shown here."
    ),
    position=10,
)

__all__ = ["PANEL", "CitizenCaseHow", "link", "may_read", "owns"]
