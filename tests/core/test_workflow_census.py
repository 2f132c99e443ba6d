"""Every status field changes through core/workflow.py, and only there (issue 19 §2).

The census: a field is *status-like* when it has choices and either

* its name is ``state``, ``status`` or ``moderation``, or ends in ``_state`` / ``_status``, or
* its choices are exactly those of a ``TextChoices`` / ``IntegerChoices`` enum whose name ends in
  ``State``, ``Status`` or ``Moderation`` (so ``phase = models.CharField(choices=PhaseState.choices)``
  is caught whatever the field is called).

Only the project's own apps are counted (``servicetorg.*``), and not the history tables that
django-simple-history derives from them (they copy every change, they make none). Every status-like
field must have exactly one table in :func:`servicetorg.core.workflow.registry`, and every table must
govern such a field.

The scan: no code in ``src`` writes a status field but the helper — no ``obj.state = …`` (nor
``status``/``moderation``/``…_state``), no ``setattr(obj, "state", …)``, no ``.update(state=…)``,
``bulk_update(…, ["state"])`` or ``update_or_create(defaults={"state": …})``. Creating a row in its
initial state (``Model.objects.create(state=…)`` in the demo) is not a change and is not scanned.

The calling style, one for every caller: the permission check, then ``W.lock(obj)``, then
``W.apply(obj, action)``. The scan checks that each ``apply`` has a ``lock`` of the same object on the
same table earlier in the same function and that nobody else asks ``next_state``; the tests at the
end check that a user without rights is refused before the table is asked (she learns no state).
"""

from __future__ import annotations

import ast
import enum
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from simple_history.models import HistoricalChanges

from servicetorg.core.choices import Role
from servicetorg.core.workflow import Workflow, registry
from tests.factories import make_staff

SRC = Path(__file__).resolve().parents[2] / "src" / "servicetorg"
STATUS_NAMES = {"state", "status", "moderation"}
STATUS_SUFFIXES = ("_state", "_status")
ENUM_SUFFIXES = ("State", "Status", "Moderation")

#: Writes of a status field outside the helper that are truly needed: (path under src/servicetorg,
#: the stripped source line). Data migrations would go here (they may not import the helper: the
#: historical model is not the app's model). Empty today, and every entry needs its reason.
ALLOWED_WRITES: set[tuple[str, str]] = set()


def _status_enums() -> dict[tuple, str]:
    """The choices of every status-named Choices enum in the project, to the enum's name."""
    found: dict[tuple, str] = {}
    pending = list(models.Choices.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("servicetorg.") and cls.__name__.endswith(ENUM_SUFFIXES):
            members = list(cls)  # type: ignore[var-annotated]
            if members and isinstance(members[0], enum.Enum):
                found[tuple(sorted(str(m.value) for m in members))] = cls.__name__
    return found


def status_fields() -> set[tuple[str, str]]:
    enums = _status_enums()
    fields = set()
    for model in apps.get_models():
        if not model.__module__.startswith("servicetorg.") or issubclass(model, HistoricalChanges):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            values = tuple(sorted(str(value) for value, _label in field.flatchoices))
            named = field.name in STATUS_NAMES or field.name.endswith(STATUS_SUFFIXES)
            if named or values in enums:
                fields.add((model._meta.label, field.name))
    return fields


#: What the census found when it was written: the rule must keep finding at least these.
KNOWN = {
    ("catalogue.Service", "state"),
    ("catalogue.ServiceDescription", "state"),
    ("core.OutboxMessage", "state"),
    ("inquiries.Compensation", "state"),
    ("inquiries.Inquiry", "state"),
    ("strategy.ConsultationComment", "moderation"),
    ("strategy.FollowUpReport", "state"),
    ("strategy.Measure", "status"),
    ("strategy.Strategy", "state"),
    ("surveys.Survey", "state"),
}


def test_every_status_field_has_a_declared_table():
    found = status_fields()
    assert found >= KNOWN, f"the rule lost {sorted(KNOWN - found)}"
    tables = registry()
    assert sorted(found - set(tables)) == [], "status fields without a table in core.workflow"
    assert sorted(set(tables) - found) == [], "tables that govern no status field"
    for (label, name), workflow in tables.items():
        field = apps.get_model(label)._meta.get_field(name)
        assert set(workflow.states) == {value for value, _label in field.flatchoices}, (label, name)
        assert workflow.table, (label, name)


def test_the_rule_finds_an_enum_named_state_whatever_the_field_is_called():
    class PhaseState(models.TextChoices):
        ONE = "one_x", "One"
        TWO = "two_x", "Two"

    PhaseState.__module__ = "servicetorg.core.models"
    assert _status_enums()[("one_x", "two_x")] == "PhaseState"


def test_a_table_must_match_its_field_and_be_the_only_one():
    from servicetorg.surveys.models import Survey

    registry()
    with pytest.raises(ValueError, match="not the field's"):
        Workflow.declare("x", model=Survey, states={"draft": "D"}, actions={}, table={})
    states = dict(Survey._meta.get_field("state").flatchoices)
    with pytest.raises(ValueError, match="two transition tables"):
        Workflow.declare("x", model=Survey, states=states, actions={}, table={})


# --- the scan of the source ----------------------------------------------------------------------


def _status_attr(name: str) -> bool:
    return name in STATUS_NAMES or name.endswith(STATUS_SUFFIXES)


def _writes(tree: ast.AST) -> list[ast.AST]:
    """Nodes that write a status field: attribute assignment, setattr, update(), bulk_update()."""
    hits: list[ast.AST] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if (
                    isinstance(part, ast.Attribute)
                    and _status_attr(part.attr)
                    and part.ctx.__class__ is ast.Store
                ):
                    hits.append(node)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "setattr" and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _status_attr(arg.value):
                hits.append(node)
        if name == "update" and any(k.arg and _status_attr(k.arg) for k in node.keywords):
            hits.append(node)
        if name in ("update_or_create", "get_or_create"):
            for keyword in node.keywords:
                if keyword.arg in ("defaults", "create_defaults") and isinstance(keyword.value, ast.Dict):
                    keys = [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
                    if (
                        any(isinstance(k, str) and _status_attr(k) for k in keys)
                        and name == "update_or_create"
                    ):
                        hits.append(node)
        if name == "bulk_update":
            for part in ast.walk(node):
                if (
                    isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and _status_attr(part.value)
                ):
                    hits.append(node)
    return hits


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        rel = str(path.relative_to(SRC))
        if rel == "core/workflow.py":  # the helper itself
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_no_status_field_is_written_outside_the_helper():
    offenders = []
    for rel, text in _sources():
        lines = text.splitlines()
        for node in _writes(ast.parse(text)):
            line = lines[node.lineno - 1].strip()
            if (rel, line) not in ALLOWED_WRITES:
                offenders.append(f"{rel}:{node.lineno}: {line}")
    assert offenders == [], "status fields change only through core.workflow (lock + apply)"


def test_the_scan_finds_each_kind_of_write():
    """The scan is not blind: each form it refuses is found in a sample."""
    sample = """
def f(obj, qs, Model):
    obj.state = "x"
    obj.moderation = "x"
    a.b.review_status = "x"
    setattr(obj, "status", "x")
    qs.update(state="x")
    Model.objects.bulk_update([obj], ["state"])
    Model.objects.update_or_create(pk=1, defaults={"status": "x"})
    obj.kind = "fine"
    qs.update(kind="fine")
    Model.objects.create(state="initial")
"""
    assert len(_writes(ast.parse(sample))) == 7


def _calls(function: ast.AST, method: str):
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method:
            yield node


def _style_offences(tree: ast.AST, rel: str, known: set[str]) -> list[str]:
    """``W.apply(x, …)`` needs ``W.lock(x…)`` earlier in the same function; no ``W.next_state``."""
    offences = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        locks = [
            (ast.unparse(call.func.value), ast.unparse(call.args[0]), call.lineno)
            for call in _calls(function, "lock")
            if call.args
        ]
        for call in _calls(function, "apply"):
            receiver = ast.unparse(call.func.value)
            if receiver.rpartition(".")[2] not in known or not call.args:
                continue
            target = ast.unparse(call.args[0])
            if not any(r == receiver and t == target and line <= call.lineno for r, t, line in locks):
                offences.append(
                    f"{rel}:{call.lineno}: {receiver}.apply({target}) without {receiver}.lock({target})"
                )
        for call in _calls(function, "next_state"):
            if ast.unparse(call.func.value).rpartition(".")[2] in known:
                offences.append(f"{rel}:{call.lineno}: next_state outside the helper (use lock + apply)")
    return offences


def _workflow_names() -> set[str]:
    """The names the tables are bound to in their modules (WORKFLOW, STRATEGY_WORKFLOW, …)."""
    import sys

    tables = set(map(id, registry().values()))
    names = set()
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("servicetorg."):
            names |= {name for name, value in vars(module).items() if id(value) in tables}
    return names


def test_every_caller_uses_lock_then_apply():
    known = _workflow_names()
    assert {"WORKFLOW", "STRATEGY_WORKFLOW", "MEASURE_WORKFLOW", "COMPENSATION_WORKFLOW"} <= known
    offenders = []
    for rel, text in _sources():
        offenders += _style_offences(ast.parse(text), rel, known)
    assert offenders == []


def test_the_style_scan_is_not_blind():
    sample = """
def good(obj):
    WORKFLOW.lock(obj)
    WORKFLOW.apply(obj, "go")

def unlocked(obj):
    WORKFLOW.apply(obj, "go")

def other_object(obj, other):
    WORKFLOW.lock(other)
    WORKFLOW.apply(obj, "go")

def asks(obj):
    target = WORKFLOW.next_state(obj.state, "go")
"""
    assert len(_style_offences(ast.parse(sample), "x.py", {"WORKFLOW"})) == 3


# --- the permission before the table ---------------------------------------------------------------
# Each transition service, asked by a user without the right for an object in a state where the
# action is refused, answers PermissionDenied (not TransitionRefused, which names the state).


@pytest.mark.django_db
def test_no_right_no_state(municipality, other_municipality, unit):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from servicetorg.core import outbox
    from servicetorg.core.models import OutboxMessage, OutboxState
    from servicetorg.core.permissions import SYSTEM
    from servicetorg.inquiries import services as inquiry_services
    from servicetorg.inquiries.models import Channel, Compensation, CompensationState
    from servicetorg.strategy import services as strategy_services
    from servicetorg.strategy import workflow as strategy_workflow
    from servicetorg.strategy.models import (
        ConsultationComment,
        ElectionPeriod,
        FocusArea,
        Measure,
        ModerationState,
        Strategy,
        StrategyState,
    )
    from servicetorg.surveys import services as survey_services
    from servicetorg.surveys.models import Survey, SurveyState

    stranger = make_staff(Role.ADMINISTRATION, other_municipality)
    desk = make_staff(Role.DESK_WORKER, municipality)

    message = OutboxMessage.objects.create(
        municipality=municipality, channel="email", key="census:1", body="x", state=OutboxState.SENT
    )
    inquiry = inquiry_services.register(
        municipality=municipality, channel=Channel.PHONE, subject="x", user=desk
    ).inquiry
    compensation = Compensation.objects.create(
        municipality=municipality, inquiry=inquiry, amount=Decimal(100), state=CompensationState.PAID
    )
    period = ElectionPeriod.objects.create(municipality=municipality, start_year=2023)
    strategy = Strategy.objects.create(
        municipality=municipality, period=period, title="S", state=StrategyState.SUPERSEDED
    )
    area = FocusArea.objects.create(strategy=strategy, title="F")
    measure = Measure.objects.create(focus_area=area, title="M")
    comment = ConsultationComment.objects.create(
        strategy=strategy, name="N", text="T", moderation=ModerationState.APPROVED
    )
    today = timezone.localdate()
    survey = Survey.objects.create(
        municipality=municipality,
        title="U",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        state=SurveyState.CLOSED,
    )
    calls = {
        "outbox.retry": lambda user: outbox.retry(message, user=user),
        "settle_compensation": lambda user: inquiry_services.settle_compensation(
            compensation, state="paid", user=user
        ),
        "inquiry close": lambda user: inquiry_services.close(inquiry, user=user),
        "strategy transition": lambda user: strategy_services.transition(
            strategy, strategy_workflow.PUBLISH, user=user
        ),
        "record_measure_progress": lambda user: strategy_services.record_measure_progress(
            measure, status="done", user=user
        ),
        "moderate_comment": lambda user: strategy_services.moderate_comment(
            comment, decision="rejected", user=user
        ),
        "survey publish": lambda user: survey_services.publish(survey, user=user),
        "survey close": lambda user: survey_services.close(Survey.objects.get(pk=survey.pk), user=user),
    }
    for name, call in calls.items():
        with pytest.raises(PermissionDenied):
            call(stranger)
        # With the right, the same call is refused for the state (the setup is a refused one), so the
        # PermissionDenied above came first. A comment's moderation may go anywhere: it saves.
        if name == "moderate_comment":
            assert call(SYSTEM).moderation == ModerationState.REJECTED
            continue
        with pytest.raises(ValidationError) as refused:
            call(SYSTEM)
        if name == "record_measure_progress":  # any status may follow any, but not on a superseded revision
            assert "superseded" in str(refused.value.messages) or "erstattet" in str(refused.value.messages)
        else:
            assert refused.value.code == "transition_refused", (name, refused.value)
