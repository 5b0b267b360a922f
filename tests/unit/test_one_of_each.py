"""Unit: things defined once are defined once: the London time zone, the strict config base, the RAG rule.

Each test reads the source of metrics/ and dashboard/, so a second copy fails
here the day it is written, naming the file.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for package in ("metrics", "dashboard") for p in (ROOT / package).rglob("*.py"))


@cache
def _trees() -> tuple[tuple[str, ast.Module], ...]:
    return tuple([(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8"))) for p in SOURCES])


def test_the_london_time_zone_is_named_only_in_the_clock():
    named = sorted(
        path
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "Europe/London"
    )
    assert named == ["metrics/rules/clock.py"], "import LONDON from metrics.rules.clock instead"


def test_zoneinfo_is_built_only_in_the_clock():
    built = sorted(
        path
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ZoneInfo"
    )
    assert built == ["metrics/rules/clock.py"]


def test_only_the_strict_base_declares_forbid_and_frozen():
    declared = sorted(
        path
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ConfigDict"
        and any(k.arg == "extra" and getattr(k.value, "value", None) == "forbid" for k in node.keywords)
    )
    assert declared == ["metrics/config/strict.py"], "inherit metrics.config.strict.Strict instead"


def test_one_function_judges_red_amber_green():
    judges = sorted(
        f"{path}:{node.name}"
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(
            isinstance(c, ast.Compare)
            and any(isinstance(a, ast.Attribute) and a.attr == "amber_max" for a in ast.walk(c))
            for c in ast.walk(node)
        )
        and any(isinstance(c, ast.Constant) and c.value == "amber" for c in ast.walk(node))
    )
    assert judges == ["metrics/evaluate/rag.py:rag_of"]
