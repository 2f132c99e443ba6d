"""Every service write is told who acts, and uses it (issue 19 §3; DESIGN.md, docs/architecture.md).

Which functions: every public (no leading ``_``) module-level function of each app's ``services``
(``services.py`` or every module of a ``services/`` package), and every public function of another
domain module that a channel adapter calls — a view, API, admin or Open311 module
(``views.py``, ``public_views.py``, ``api.py``, ``admin.py``, ``open311.py``, ``satisfaction.py``) —
when it is a write (``core.outbox.retry`` is one).

Write or read, decided from the source (no database, no import side effects):

* a **write** is decorated with ``transaction.atomic``, or calls a method that writes rows —
  ``save``, ``delete``, ``create``, ``bulk_create``, ``bulk_update``, ``get_or_create``,
  ``update_or_create``, ``enqueue_email``, ``enqueue_sms`` — or ``update`` on a query (its receiver
  mentions ``objects``, ``filter(``, ``exclude(``, ``all(`` or ``select_for_update(``: ``dict.update``
  is not a write), or calls a write of the same set by name (transitively);
* everything else is a **read**.

A write takes the actor as the keyword-only argument ``user`` (the name the code uses everywhere)
with no default, and uses it: the name ``user`` is read in its body (passed on, checked, recorded).
A read that takes ``user`` as a keyword is held to the same; a read may take it positionally when it
asks *about* a user (``can_edit(user, municipality_id)``). The citizen is an actor too
(``CITIZEN``), as is the platform (``SYSTEM``): both from ``core/permissions.py``.

The kernel's request machinery is not a domain write and is not counted: ``core/security.py``
(log-in, MFA enrolment, throttles), ``core/once.py`` (one submission per form: the action it
wraps is the service call, with its actor) and ``citizens/sessions.py`` (a citizen's session: sign-in,
time-outs, log-out; the Django session's rows, as staff log-in in core/security.py).

:data:`NO_ACTOR` lists the writes that take no actor, each with its reason; it is short on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "servicetorg"
ACTOR = "user"
WRITE_METHODS = {
    "save",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "enqueue_email",
    "enqueue_sms",
}
QUERY_HINTS = ("objects", "filter(", "exclude(", "all(", "select_for_update(")
ADAPTERS = {"views.py", "public_views.py", "api.py", "admin.py", "open311.py", "satisfaction.py"}

#: Writes without an actor, and why (path under src/servicetorg, function).
NO_ACTOR = {
    # Infrastructure of one API request, called inside the write that has the actor: the claim and
    # its kept response are keyed by the actor's id (user_id), which the caller passes.
    ("inquiries/services/idempotency.py", "claim"),
    ("inquiries/services/idempotency.py", "keep"),
    # The API's once-per-key wrapper (as core/once.py for forms): the work it runs is the service
    # call with its actor, and the claim is keyed by the request's user.
    ("inquiries/api_once.py", "respond_once"),
    # The stored full-text vector of a service its caller (publish, with the actor) has just saved:
    # derived data, no decision of its own.
    ("catalogue/services.py", "refresh_search_vector"),
    ("catalogue/services.py", "refresh_search_vectors"),  # the same for many rows, after a bulk load
}


#: Functions the rule calls writes that write no row: ``save`` of something that is not a model.
NOT_ROW_WRITES = {
    ("inquiries/attachments.py", "check_upload"),  # re-encodes an image in memory (PIL's Image.save)
    ("inquiries/exports.py", "dashboard_xlsx"),  # openpyxl's Workbook.save into a buffer
}

#: Request machinery of the kernel, not domain writes (see the module's docstring).
KERNEL_MACHINERY = {"core/security.py", "core/once.py", "citizens/sessions.py"}


def _service_modules() -> list[Path]:
    paths = []
    for app in sorted(p for p in SRC.iterdir() if (p / "apps.py").exists()):
        if (app / "services.py").exists():
            paths.append(app / "services.py")
        if (app / "services").is_dir():
            paths += sorted((app / "services").glob("*.py"))
    return paths


def _module_path(name: str) -> Path | None:
    """``servicetorg.core.outbox`` → its file, if it is one of ours."""
    if not name.startswith("servicetorg."):
        return None
    base = SRC.parent / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _called_from_adapters() -> dict[Path, set[str]]:
    """Functions of other modules that the channel adapters call: {module file: {function names}}."""
    called: dict[Path, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if path.name not in ADAPTERS or "migrations" in path.parts:
            continue
        package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, Path] = {}  # a name bound to a module
        functions: dict[str, Path] = {}  # a name bound to a module's function
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(
                        parts[: len(parts) - node.level + 1] + ([node.module] if node.module else [])
                    )
                for alias in node.names:
                    as_module = _module_path(f"{base}.{alias.name}")
                    if as_module is not None:
                        aliases[alias.asname or alias.name] = as_module
                    elif (owner := _module_path(base)) is not None:
                        functions[alias.asname or alias.name] = owner
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in aliases
            ):
                called.setdefault(aliases[func.value.id], set()).add(func.attr)
            elif isinstance(func, ast.Name) and func.id in functions:
                called.setdefault(functions[func.id], set()).add(func.id)
    return called


def _calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def _writes_directly(function: ast.FunctionDef) -> bool:
    if any("atomic" in ast.unparse(d) for d in function.decorator_list):
        return True
    for call in _calls(function):
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in WRITE_METHODS:
            return True
        receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if name == "update" and any(hint in receiver for hint in QUERY_HINTS):
            return True
    return False


def _calls_a_write(function: ast.FunctionDef, rel: str, writes: set[tuple[str, str]]) -> bool:
    """A call of a known write: ``f(…)`` of one in the same package, or ``module.f(…)`` of one in
    a module of that name (``answering.submit``). Names alone would join unrelated ``close()``."""
    folder = rel.rpartition("/")[0]
    for call in _calls(function):
        func = call.func
        if isinstance(func, ast.Name):
            if any(path.rpartition("/")[0] == folder and name == func.id for path, name in writes):
                return True
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            stem = func.value.id
            if any(Path(path).stem == stem and name == func.attr for path, name in writes):
                return True
    return False


def classify(modules: dict[Path, set[str] | None]) -> dict[tuple[str, str], tuple[ast.FunctionDef, bool]]:
    """{(path, name): (function, is_write)} for the public functions asked for (None: all of them)."""
    defined: dict[tuple[str, str], ast.FunctionDef] = {}
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                defined[(str(path.relative_to(SRC)), node.name)] = node
    writes = {key for key, node in defined.items() if _writes_directly(node)}
    grown = True
    while grown:  # a function that calls a write of the set writes too
        grown = False
        for key, node in defined.items():
            if key not in writes and _calls_a_write(node, key[0], writes):
                writes.add(key)
                grown = True
    result = {}
    for (rel, name), node in defined.items():
        wanted = modules[SRC / rel]
        if name.startswith("_") or (wanted is not None and name not in wanted):
            continue
        result[(rel, name)] = (node, (rel, name) in writes)
    return result


def problems(function: ast.FunctionDef, is_write: bool) -> list[str]:
    """What is wrong with ``function``'s actor ([] when nothing)."""
    arguments = function.args
    keyword = {
        arg.arg: default for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
    }
    positional = [arg.arg for arg in arguments.posonlyargs + arguments.args]
    if ACTOR in positional:
        # A read may ask about a user (``can_edit(user, municipality_id)``); a write is told who acts.
        return [f"{ACTOR} is positional: make it keyword-only (after *)"] if is_write else []
    if ACTOR not in keyword:
        return [f"a write without the keyword {ACTOR}"] if is_write else []
    found = []
    if keyword[ACTOR] is not None:
        found.append(f"{ACTOR} has a default ({ast.unparse(keyword[ACTOR])}): every caller says who acts")
    used = any(
        isinstance(node, ast.Name) and node.id == ACTOR and isinstance(node.ctx, ast.Load)
        for statement in function.body
        for node in ast.walk(statement)
    )
    if not used:
        found.append(f"{ACTOR} is never used (pass it on, check it or record it)")
    return found


def census() -> dict[tuple[str, str], tuple[ast.FunctionDef, bool]]:
    modules: dict[Path, set[str] | None] = dict.fromkeys(_service_modules())
    for path, names in _called_from_adapters().items():
        if path in modules or path.name in ADAPTERS or path.name in ("models.py", "forms.py", "selectors.py"):
            continue
        if str(path.relative_to(SRC)) in KERNEL_MACHINERY:
            continue
        modules[path] = names
    found = classify(modules)
    found = {key: (node, False) if key in NOT_ROW_WRITES else (node, w) for key, (node, w) in found.items()}
    # Outside services only the writes count (the adapters call many reads: formatting, charts, ...).
    return {key: value for key, value in found.items() if value[1] or _is_service(key[0])}


def _is_service(rel: str) -> bool:
    return rel.endswith("/services.py") or "/services/" in rel


def test_every_service_write_takes_and_uses_the_actor():
    found = census()
    offenders = []
    for (rel, name), (function, is_write) in sorted(found.items()):
        if (rel, name) in NO_ACTOR:
            continue
        offenders += [f"{rel}:{function.lineno} {name}: {p}" for p in problems(function, is_write)]
    assert offenders == []
    writes = [key for key, (_f, is_write) in found.items() if is_write]
    with_actor = [key for key in writes if key not in NO_ACTOR]
    print(f"{len(found)} public service functions, {len(writes)} writes, {len(with_actor)} with the actor")
    # The census reaches what it should: the known writes (among them the ones issue 19 named).
    for key in [
        ("inquiries/services/actions.py", "citizen_message"),
        ("inquiries/services/intake.py", "record_open311_request"),
        ("surveys/services/answering.py", "submit"),
        ("surveys/services/satisfaction.py", "answer"),
        ("strategy/services.py", "submit_comment"),
        ("core/outbox.py", "retry"),
    ]:
        assert key in with_actor, key
    assert ("inquiries/services/intake.py", "clean_location") not in writes  # dict.update is no write
    assert len(with_actor) >= 75


def test_the_lists_hold_only_what_exists():
    found = census()
    for key in NO_ACTOR:
        assert key in found and found[key][1], key
    for rel, name in NOT_ROW_WRITES:  # read by judgement: outside services they leave the census
        assert f"\ndef {name}(" in (SRC / rel).read_text(encoding="utf-8"), (rel, name)


def test_the_rule_catches_each_fault():
    sample = """
from django.db import transaction

@transaction.atomic
def no_actor(obj):
    obj.save()

def defaulted(obj, *, user=CITIZEN):
    check_actor(user)
    obj.save()

def unused(obj, *, user):
    obj.save()

def positional(obj, user):
    obj.delete()

def calls_a_write(obj):
    no_actor(obj)

def fine(obj, *, user):
    obj.save(user=user)

def read(obj):
    values = {}
    values.update(a=1)
    return obj.name

def queryset_update(qs, *, user):
    Model.objects.filter(pk=1).update(x=1)
"""
    tree = ast.parse(sample)
    assert _calls_a_write(
        next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "calls_a_write"),
        "x/services.py",
        {("x/services.py", "no_actor")},
    )
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    write = {name: _writes_directly(node) for name, node in functions.items()}
    assert write == {
        "no_actor": True,
        "defaulted": True,
        "unused": True,
        "positional": True,
        "calls_a_write": False,  # not directly; classify() adds it through no_actor
        "fine": True,
        "read": False,
        "queryset_update": True,
    }
    faults = {name: problems(node, True) for name, node in functions.items() if name != "read"}
    assert faults["fine"] == []
    assert faults["queryset_update"] != []  # user not used
    assert all(faults[name] for name in ("no_actor", "defaulted", "unused", "positional", "calls_a_write"))
    assert problems(functions["read"], False) == []
