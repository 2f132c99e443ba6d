"""Raw SQL lives in */sql.py, selectors and core/db.py only (docs/architecture.md). Ruff's banned-api
rule refuses the connection and RawSQL elsewhere; ``QuerySet.raw()`` and ``QuerySet.extra()`` are
method calls an import ban cannot see, so this scan of every call in ``src/`` refuses them."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "servicetorg"
RAW_METHODS = {"raw", "extra"}


def allowed(path: Path) -> bool:
    relative = path.relative_to(SRC)
    return path.name in {"sql.py", "selectors.py"} or relative.as_posix() == "core/db.py"


def raw_sql_calls(source: str) -> list[int]:
    """Line numbers of ``<anything>.raw(...)`` and ``<anything>.extra(...)`` calls."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RAW_METHODS
    ]


def test_the_scan_finds_what_it_refuses():
    assert raw_sql_calls("Inquiry.objects.raw('SELECT 1')\nqs.filter(a=1).extra(where=['1=1'])") == [1, 2]
    assert raw_sql_calls("raw = 1\nextra(1)\nobj.rawest()") == []


def test_no_raw_or_extra_outside_the_sql_modules():
    offenders = [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts and not allowed(path)
        for line in raw_sql_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
