"""The layers hold: dashboard/ reaches the store through one module only, and metrics/ never imports Streamlit.

dashboard/common/store_access.py is the views' one way to the store: no other module under dashboard/
creates or names an engine, builds SQL (select(, insert(, update(, delete(, text() or imports SQLAlchemy
beyond its exceptions and URL parsing. metrics/ is the engine every front end shares: it never imports streamlit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = ROOT / "dashboard" / "common" / "store_access.py"
DASHBOARD = sorted(p for p in (ROOT / "dashboard").rglob("*.py") if p != GATEWAY)
METRICS = sorted((ROOT / "metrics").rglob("*.py"))
ENGINE_CALLS = {"create_engine", "ready_engine", "engine_for"}
SQL_CALLS = {"select", "insert", "update", "delete", "text"}  # SQLAlchemy's, called bare or as sa.x / sqlalchemy.x
ENGINE_NAMES = {"engine", "_engine", "Engine", "engine_for", "create_engine", "ready_engine", "Connection"}
SQLALCHEMY_ALLOWED = {("sqlalchemy.exc", None), ("sqlalchemy.engine", "make_url")}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _called(node: ast.Call) -> str | None:
    """The SQL or engine call ``node`` makes, if any (``sys.path.insert(`` or ``fig.update_layout(`` are not)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id if func.id in SQL_CALLS | ENGINE_CALLS else None
    if isinstance(func, ast.Attribute):
        if func.attr in ENGINE_CALLS:
            return func.attr
        if func.attr in SQL_CALLS and isinstance(func.value, ast.Name) and func.value.id in {"sa", "sqlalchemy"}:
            return func.attr
    return None


def store_problems(source: str) -> list[str]:
    """Every place ``source`` reaches the store other than through the gateway."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called(node):
            problems.append(f"line {node.lineno}: calls {_called(node)}(")
        elif isinstance(node, ast.Name) and node.id in ENGINE_NAMES:
            problems.append(f"line {node.lineno}: names {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in ENGINE_NAMES:
            problems.append(f"line {node.lineno}: names .{node.attr}")
        elif isinstance(node, ast.Import):
            problems += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if (node.module, None) not in SQLALCHEMY_ALLOWED and (
                    node.module,
                    alias.name,
                ) not in SQLALCHEMY_ALLOWED:
                    problems.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
    return problems


def imports_streamlit(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "streamlit" for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "streamlit":
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", DASHBOARD, ids=_name)
def test_only_the_gateway_reaches_the_store(path: Path) -> None:
    assert store_problems(path.read_text()) == [], f"{_name(path)}: go through dashboard/common/store_access.py"


@pytest.mark.parametrize("path", METRICS, ids=_name)
def test_metrics_never_imports_streamlit(path: Path) -> None:
    assert imports_streamlit(path.read_text()) == [], f"{_name(path)} imports streamlit"


CATCHES = [
    ("from sqlalchemy import create_engine\ne = create_engine('sqlite://')", 3, "an engine made by hand"),
    ("rows = conn.execute(select(T))", 1, "a select"),
    ("conn.execute(text('DELETE FROM audit'))", 1, "raw SQL"),
    ("from dashboard.common import store_access\nx = store_access.engine_for(url)", 2, "the gateway's engine"),
    ("def f(engine):\n    return engine", 1, "an engine passed around"),
    ("from sqlalchemy.exc import SQLAlchemyError\nfrom sqlalchemy.engine import make_url", 0, "allowed"),
    (
        "value_text(d, v)\ncontext.text\nsys.path.insert(0, p)\nfig.update_layout(h=1)",
        0,
        "other calls of the same names",
    ),
    ("import sqlalchemy as sa\nsa.update(T)", 2, "sqlalchemy by its short name"),
]


@pytest.mark.parametrize("source, count, why", CATCHES, ids=[c[2] for c in CATCHES])
def test_the_check_catches_what_it_should(source: str, count: int, why: str) -> None:
    assert len(store_problems(source)) == count, store_problems(source)


def test_the_streamlit_check_catches_both_import_forms() -> None:
    assert imports_streamlit(
        "import streamlit as st\nfrom streamlit.testing.v1 import AppTest\nimport streamlitish"
    ) == [1, 2]


def test_the_gateway_exists_and_the_dashboard_is_scanned() -> None:
    assert GATEWAY.exists() and len(DASHBOARD) > 20
    assert store_problems(GATEWAY.read_text()) != []  # the gateway itself does reach the store
