"""Every Polars query of dbt-monitor is collected on the engine monitor.engine names."""

from __future__ import annotations

import ast
from pathlib import Path

import monitor
from monitor.engine import ENGINE

PACKAGE = Path(monitor.__file__).parent


def _collects_without_engine(source: str) -> list[int]:
    """Lines of ``collect(...)``/``collect_all(...)`` calls that do not pass ``engine=ENGINE``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in ("collect", "collect_all"):
            continue
        engine = [kw.value for kw in node.keywords if kw.arg == "engine"]
        if not (engine and isinstance(engine[0], ast.Name) and engine[0].id == "ENGINE"):
            lines.append(node.lineno)
    return lines


def test_the_scanner_finds_a_collect_that_names_no_engine() -> None:
    source = "a.collect()\nb.collect(engine=ENGINE)\npl.collect_all([x], engine='auto')\n"
    assert _collects_without_engine(source) == [1, 3]


def test_every_collect_in_the_package_names_the_engine() -> None:
    missing = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _collects_without_engine(path.read_text(encoding="utf-8")))
    }
    assert missing == {}, f"collect without engine=ENGINE ({ENGINE}): {missing}"
