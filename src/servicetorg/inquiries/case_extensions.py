"""What later apps add to a citizen's case: work done when a case is closed, a note in the closing
e-mail, and a panel on the citizen's case page.

Inquiries comes before surveys and the other domain apps (DESIGN.md, docs/adr/0004): it imports none
of them. A later app registers a :class:`CaseExtension` here in its ``AppConfig.ready()`` (surveys:
the satisfaction question after a closed case, ``surveys/case_extension.py``), the same way
``surveys/figure_targets.py`` is filled by indicators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Inquiry


class CaseExtension(Protocol):
    #: One registration per name (``ready()`` may run more than once in tests).
    name: str

    def case_closed(self, inquiry: Inquiry, *, user) -> None:
        """Called in the transaction that closes ``inquiry`` (closed, or resolved at the desk) by
        ``user``, the actor who closed it."""
        ...

    def closing_note(self, inquiry: Inquiry, case_link: str) -> str:
        """A paragraph for the e-mail telling the citizen her case is closed ("" for none)."""
        ...

    def case_panel(self, request: HttpRequest, inquiry: Inquiry, token: str) -> str:
        """Safe HTML for the citizen's case page ("" for none); ``token`` is the case link's secret."""
        ...


_extensions: dict[str, CaseExtension] = {}


def register(extension: CaseExtension) -> None:
    _extensions[extension.name] = extension


def registered() -> list[CaseExtension]:
    return list(_extensions.values())


def case_closed(inquiry: Inquiry, *, user) -> None:
    for extension in registered():
        extension.case_closed(inquiry, user=user)


def closing_notes(inquiry: Inquiry, case_link: str) -> list[str]:
    return [note for extension in registered() if (note := extension.closing_note(inquiry, case_link))]


def case_panels(request: HttpRequest, inquiry: Inquiry, token: str) -> list[str]:
    return [html for extension in registered() if (html := extension.case_panel(request, inquiry, token))]
