"""ID-porten's levels of assurance (``acr``), and which a service asks for.

ID-porten signs a citizen in at ``idporten-loa-substantial`` (MinID, BankID on a phone and the like)
or ``idporten-loa-high`` (BankID, Buypass, Commfides). A service may ask for one of them; a session
at a lower level is sent back to ID-porten to step up (``acr_values``), never let through. The old
names ``Level3`` and ``Level4`` are read as the two levels.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SUBSTANTIAL = "idporten-loa-substantial"
HIGH = "idporten-loa-high"

#: Health and care services (brukervalg, GDPR art. 9 data) ask for this level unless a scheme says
#: otherwise; a sensitive service's case is read without the one-time code only at this level.
CARE = HIGH

#: Lowest first: a level satisfies every level before it.
ORDER = (SUBSTANTIAL, HIGH)
_ALIASES = {"Level3": SUBSTANTIAL, "Level4": HIGH}


class Level(models.TextChoices):
    """What a service asks for; the empty value means no sign-in."""

    NONE = "", _("No sign-in")
    SUBSTANTIAL = SUBSTANTIAL, _("ID-porten, substantial level (MinID, BankID app and the like)")
    HIGH = HIGH, _("ID-porten, high level (BankID, Buypass, Commfides)")


def normalise(acr: object) -> str:
    """The level named by an ``acr`` claim, or "" when it names none we know."""
    value = str(acr or "")
    value = _ALIASES.get(value, value)
    return value if value in ORDER else ""


def satisfies(have: str, need: str) -> bool:
    """Does a session at level ``have`` meet a requirement of ``need`` ("" needs nothing)?"""
    if not need:
        return True
    have = normalise(have)
    return bool(have) and ORDER.index(have) >= ORDER.index(normalise(need) or HIGH)


def highest(levels) -> str:
    """The highest of ``levels`` (unknown ones count as high: never let through lower)."""
    ranks = [ORDER.index(normalise(level)) if normalise(level) else len(ORDER) - 1 for level in levels]
    return ORDER[max(ranks)] if ranks else SUBSTANTIAL


def label(level: str) -> str:
    return str(Level(normalise(level)).label) if normalise(level) else ""
