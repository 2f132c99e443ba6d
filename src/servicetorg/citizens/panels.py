"""Min side's panels: what each module shows a signed-in citizen about herself (or the person she
acts for). Citizens comes before the domain apps and imports none of them (DESIGN.md): a later app
registers a :class:`Panel` in its ``AppConfig.ready()`` — inquiries her cases, surveys the questions
waiting for her answer, and brukervalg and school choice their choices and applications once they
exist — as the open-data registry and ``case_extensions`` are filled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .services import Viewer


@dataclasses.dataclass(frozen=True)
class Panel:
    #: One registration per name (``ready()`` may run more than once in tests).
    name: str
    title: Any  # lazy text: the panel's heading
    #: ``(request, viewer) -> str``: safe HTML of the panel's body ("" for nothing to show: then the
    #: panel says :attr:`empty`).
    render: Callable[[HttpRequest, Viewer], str]
    empty: Any = ""  # lazy text when there is nothing
    position: int = 100
    #: The heading while she acts for someone (lazy text with ``%(name)s``); None: :attr:`title`.
    title_for_other: Any = None

    def heading(self, viewer) -> str:
        if viewer.relation is not None and self.title_for_other is not None:
            return str(self.title_for_other) % {"name": viewer.relation.subject_name}
        return str(self.title)


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.name] = panel


def registered() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.position, p.name))
