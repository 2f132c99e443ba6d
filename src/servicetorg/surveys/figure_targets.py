"""Where a survey's figures can be published: a registry that a later app fills.

Surveys comes before indicators in the app order (DESIGN.md), so surveys never imports indicators.
The indicators app registers an :class:`IndicatorTarget` here in its ``AppConfig.ready()``; the
"publish as indicator" page and :func:`services.publish_indicator_value` use whatever is registered,
and say so when nothing is.
"""

from __future__ import annotations

from typing import Any, Protocol

from servicetorg.core.models import Municipality, Unit


class IndicatorTarget(Protocol):
    """What a later app provides so that survey figures can become indicator values."""

    def choices(self, municipality: Municipality) -> list[tuple[Any, str]]:
        """The indicators a survey of ``municipality`` may publish to: (indicator, label)."""
        ...

    def record(
        self,
        indicator: Any,
        *,
        municipality: Municipality,
        unit: Unit | None,
        year: int,
        value: float,
        note: str,
        user,
    ) -> Any:
        """Store ``value`` for ``indicator`` (replacing the same unit and year) as ``user`` (the
        actor: the target checks her permissions too); returns the record.

        The record has ``year`` and ``value``; ``ValidationError`` on bad input.
        """
        ...


_target: IndicatorTarget | None = None


def register(target: IndicatorTarget) -> None:
    global _target
    _target = target


def indicator_target() -> IndicatorTarget | None:
    return _target
