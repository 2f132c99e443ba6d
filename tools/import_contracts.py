"""A custom import-linter contract: no private (``_name``) imports from another app.

import-linter's own ``private_modules`` contract covers modules named ``_x``; this one covers names:
``from servicetorg.indicators.services import _clean_value`` in strategy, or ``services._helper``
reached through a module imported from another app. An app's private names are its own; what other
apps may use is public (no leading underscore). Registered in pyproject.toml ([tool.importlinter]).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _app_of(module: str, apps: list[str]) -> str | None:
    return next((app for app in apps if module == app or module.startswith(app + ".")), None)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _source_of(module: str) -> Path | None:
    """The module's file, found without importing it (importing would need Django set up)."""
    root, *parts = module.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)), *parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def private_uses(importer: str, apps: list[str], modules: set[str]) -> list[tuple[int, str]]:
    """(line, text) of every private name ``importer`` takes from a module of another app."""
    path = _source_of(importer)
    if path is None:
        return []
    own = _app_of(importer, apps)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    foreign_aliases: dict[str, str] = {}  # local name -> module of another app
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, importer, is_package)
            for alias in node.names:
                full = f"{source}.{alias.name}"
                app = _app_of(source, apps)
                if app is None or app == own:
                    continue
                if _is_private(alias.name):
                    found.append((node.lineno, f"from {source} import {alias.name}"))
                elif full in modules:  # "from servicetorg.indicators import services"
                    foreign_aliases[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                app = _app_of(alias.name, apps)
                if app is not None and app != own and alias.asname:
                    foreign_aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign_aliases
            and _is_private(node.attr)
        ):
            found.append((node.lineno, f"{foreign_aliases[node.value.id]}.{node.attr}"))
    return sorted(set(found))


class PrivateNamesContract(Contract):
    """Modules of one app use no private name of another app's modules.

    Configuration options:
        - apps: the top-level packages of the apps, e.g. servicetorg.core, servicetorg.catalogue.
    """

    type_name = "private_names"
    apps = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps = [str(app) for app in self.apps]  # type: ignore[attr-defined]
        broken = []
        modules = set(graph.modules)
        for importer in sorted(modules):
            own = _app_of(importer, apps)
            if own is None:
                continue
            imports_other_app = any(
                (app := _app_of(imported, apps)) is not None and app != own
                for imported in graph.find_modules_directly_imported_by(importer)
            )
            if not imports_other_app:
                continue
            for line, text in private_uses(importer, apps, modules):
                broken.append({"importer": importer, "line": line, "text": text})
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["broken"]:
            output.print_error(f"{item['importer']}:{item['line']}: {item['text']}", bold=False)
            output.new_line()
        output.print("Make the name public in its app (no leading underscore), or keep it there.")
