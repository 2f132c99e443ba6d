"""The one transition helper that every status model uses.

Each app declares its table — ``{(state, action): next state}`` — as a :class:`Workflow` for one
model field, in its ``workflow`` module next to its models (``inquiries/workflow.py``,
``strategy/workflow.py``, ``surveys/workflow.py``, ``catalogue/workflow.py``; core's one status
model, the outbox, declares its table in ``core/outbox.py``, since this module is the helper itself).
Every declared table is in :func:`registry`. Anything not in the table is refused with
:class:`TransitionRefused`, a ``ValidationError`` whose code is ``transition_refused``, so forms, the
API and the admin show it as any other validation message. Each app's tests walk every
(state, action) pair of its table.

One calling style, in the service's transaction::

    require(user, Perm..., obj.municipality_id)   # 1. the permission first: no state leaks
    WORKFLOW.lock(obj)                            # 2. lock the row, read the state as it is now
    WORKFLOW.apply(obj, ACTION)                   # 3. the table decides (TransitionRefused)
    ...                                           # 4. the service's own checks and changes
    obj.save()

Nothing else assigns a status field (``tests/core/test_workflow_census.py`` scans the source for it),
and :meth:`Workflow.next_state` is for the tests and the pages that show what is possible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _


class TransitionRefused(ValidationError):
    """The table has no such (state, action) pair: the object keeps its state."""


@dataclass(frozen=True)
class Workflow:
    """A declared transition table of one status model.

    ``name`` says what the object is, in the definite form the refusal reads ("the survey");
    ``states`` maps each state value to its label (``Model.State.choices`` works); ``actions`` maps
    each action to its label. ``internal`` actions are taken by the system only (e.g. a strategy
    superseded when a newer revision is published): they are refused unless asked for with
    ``internal=True`` and never offered to a user. ``model`` and ``field_name`` name the status field
    the table governs; its choices must be exactly ``states``.
    """

    name: str | Promise
    states: Mapping[str, str | Promise]
    actions: Mapping[str, str | Promise]
    table: Mapping[tuple[str, str], str]
    internal: frozenset[str] = field(default_factory=frozenset)
    field_name: str = "state"
    model: Any = None

    def __post_init__(self) -> None:
        if self.model is not None:
            choices = {value for value, _label in self.model._meta.get_field(self.field_name).flatchoices}
            if choices != set(self.states):
                raise ValueError(
                    f"{self.name}: states {sorted(self.states)} are not the field's {sorted(choices)}"
                )
        for (source, action), target in self.table.items():
            if source not in self.states or target not in self.states:
                raise ValueError(f"{self.name}: unknown state in ({source!r}, {action!r}) -> {target!r}")
            if action not in self.actions:
                raise ValueError(f"{self.name}: unknown action {action!r}")
        unknown = set(self.internal) - set(self.actions)
        if unknown:
            raise ValueError(f"{self.name}: unknown internal actions {sorted(unknown)}")

    @classmethod
    def declare(
        cls,
        name: str | Promise,
        *,
        model: Any,
        states: Iterable[tuple[str, str | Promise]] | Mapping[str, str | Promise],
        actions: Mapping[str, str | Promise],
        table: Mapping[tuple[str, str], str],
        internal: Iterable[str] = (),
        field_name: str = "state",
    ) -> Workflow:
        """Declare the table of ``model.field_name`` and enter it in the :func:`registry`."""
        workflow = cls(
            name=name,
            states=dict(states),
            actions=dict(actions),
            table=dict(table),
            internal=frozenset(internal),
            field_name=field_name,
            model=model,
        )
        key = (model._meta.label, field_name)
        if key in _REGISTRY and _REGISTRY[key] is not workflow:
            raise ValueError(f"{key[0]}.{key[1]} has two transition tables")
        _REGISTRY[key] = workflow
        return workflow

    def pairs(self) -> list[tuple[str, str]]:
        """Every (state, action) pair, allowed or not: what the tests walk."""
        return [(state, action) for state in self.states for action in self.actions]

    def allows(self, state: str, action: str, *, internal: bool = False) -> bool:
        if action in self.internal and not internal:
            return False
        return (state, action) in self.table

    def next_state(self, state: str, action: str, *, internal: bool = False) -> str:
        """The state after ``action``; :class:`TransitionRefused` if the table has no such pair."""
        if not self.allows(state, action, internal=internal):
            raise TransitionRefused(
                _("“%(action)s” is not possible when %(object)s is “%(state)s”."),
                code="transition_refused",
                params={
                    "action": self.actions.get(action, action),
                    "object": self.name,
                    "state": self.states.get(state, state),
                },
            )
        return self.table[(state, action)]

    def actions_from(self, state: str) -> list[str]:
        """The actions a user may take in ``state``, in the order of the table."""
        return [a for (s, a) in self.table if s == state and a not in self.internal]

    def lock(self, instance, *, reload: bool = False):
        """Lock ``instance``'s row until the transaction ends and read its state from the row.

        The caller's object is kept (callers go on using it), only its state is refreshed, so a
        transition decides on the state as it is now, not as it was when the object was read. With
        ``reload=True`` the whole row is read again and the fresh object returned (use the result):
        for services that save every field and must not write back what another request changed.
        """
        manager = type(instance)._default_manager
        if reload:
            return manager.select_for_update().get(pk=instance.pk)
        current = manager.select_for_update().values_list(self.field_name, flat=True).get(pk=instance.pk)
        setattr(instance, self.field_name, current)
        return instance

    def apply(self, instance, action: str, *, internal: bool = False) -> str:
        """Move ``instance`` to the state after ``action`` (not saved); returns the new state."""
        target = self.next_state(getattr(instance, self.field_name), action, internal=internal)
        setattr(instance, self.field_name, target)
        return target


_REGISTRY: dict[tuple[str, str], Workflow] = {}


def registry() -> dict[tuple[str, str], Workflow]:
    """Every declared table by ``(model label, field name)``, after importing every app's tables."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("workflow")
    import servicetorg.core.outbox  # noqa: F401  core's table (this module is the helper itself)

    return dict(_REGISTRY)
