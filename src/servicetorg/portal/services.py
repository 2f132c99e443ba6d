"""Statements of the portal: read with their default, and edited by the municipality's administration."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from servicetorg.core import permissions
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, user_of
from servicetorg.privacy import retention

from .models import Statement, StatementKind

DEFAULT_TEMPLATES = {
    StatementKind.PRIVACY: "portal/statements/privacy_default.txt",
    StatementKind.ACCESSIBILITY: "portal/statements/accessibility_default.txt",
}


@dataclass
class ShownStatement:
    kind: str
    title: str
    blocks: list[tuple[str, str]]  # ("h2" | "p", text)
    contact: str
    updated_at: object
    is_default: bool


def default_text(municipality: Municipality, kind: str) -> str:
    """The platform's default text, in the current language, naming the municipality. The privacy
    statement lists what is kept, why and for how long from the municipality's current retention
    periods (privacy.retention), so a changed period changes the text."""
    periods = retention.periods(municipality)
    by_key = {p.kind.key: p for p in periods}
    context = {
        "municipality": municipality,
        "retention": periods,
        "inquiry_period": by_key["inquiries.closed"].text if "inquiries.closed" in by_key else "",
        "comment_period": by_key["strategy.comments"].text if "strategy.comments" in by_key else "",
    }
    return render_to_string(DEFAULT_TEMPLATES[kind], context).strip()


def blocks_of(text: str) -> list[tuple[str, str]]:
    """Plain text to headings and paragraphs: an empty line separates blocks, "## " makes a heading."""
    blocks = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("## "):
            heading, _sep, rest = chunk[3:].partition("\n")
            blocks.append(("h2", heading.strip()))
            if rest.strip():
                blocks.append(("p", rest.strip()))
        else:
            blocks.append(("p", chunk))
    return blocks


def shown_statement(municipality: Municipality, kind: str) -> ShownStatement:
    own = Statement.objects.filter(municipality=municipality, kind=kind).first()
    text = own.text if own else default_text(municipality, kind)
    return ShownStatement(
        kind=kind,
        title=str(StatementKind(kind).label),
        blocks=blocks_of(text),
        contact=own.contact if own else (municipality.email or ""),
        updated_at=own.updated_at if own else None,
        is_default=own is None,
    )


@transaction.atomic
def save_statement(municipality: Municipality, kind: str, *, text: str, contact: str, user) -> Statement:
    permissions.require(user, Perm.PUBLIC_STATEMENTS, municipality.pk)
    if kind not in StatementKind.values:
        raise ValidationError({"kind": _("Unknown statement.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the statement, or reset it to the default.")})
    statement, _created = Statement.objects.update_or_create(
        municipality=municipality,
        kind=kind,
        defaults={"text": text.strip(), "contact": contact.strip(), "updated_by": user_of(user)},
    )
    return statement


@transaction.atomic
def reset_statement(municipality: Municipality, kind: str, *, user) -> None:
    """Back to the platform's default text."""
    permissions.require(user, Perm.PUBLIC_STATEMENTS, municipality.pk)
    Statement.objects.filter(municipality=municipality, kind=kind).delete()
