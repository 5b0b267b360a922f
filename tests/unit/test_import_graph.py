"""Unit: the import graph of metrics/ and dashboard/, read from the source, has no cycle, and metrics/ never imports
Streamlit.

Why this exists: the data flows one way (extract, validate, derive, evaluate,
store, show), and a module that imports one that imports it back is the
first sign the flow has turned. Imports inside functions count too, so a
cycle cannot be hidden by moving an import into a function; only imports
under ``if TYPE_CHECKING:`` are left out, because they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("metrics", "dashboard")


def module_name(path: Path, root: Path = ROOT) -> str:
    """metrics/store/queries.py -> metrics.store.queries; metrics/store/__init__.py -> metrics.store."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Every module of ``packages`` under ``root``, by dotted name."""
    return {module_name(p, root): p for package in packages for p in sorted((root / package).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth, except the body of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes(ast.Module(body=[other], type_ignores=[]))
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        yield from _import_nodes(child)


def imported_names(source: str, module: str, is_package: bool) -> set[str]:
    """The dotted names a module's source imports (relative imports resolved; ``from a import b`` gives a and a.b)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in _import_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        names.add(base)
        names |= {f"{base}.{alias.name}" for alias in node.names if alias.name != "*"}
    return names


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """module -> the modules of ``modules`` it imports (a name that is a function or class counts as its module)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for imported in imported_names(path.read_text(encoding="utf-8"), name, path.name == "__init__.py"):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) for every strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_through(group, graph) for group in groups]


def _cycle_through(group: list[str], graph: Mapping[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {group}")  # a strongly connected group always has one


# ---- the rules, on this repository ---------------------------------------------------------------


def test_metrics_and_dashboard_have_no_import_cycle():
    found = cycles(import_graph(source_modules()))
    assert not found, "import cycles (each a -> b -> ... -> a):\n" + "\n".join(" -> ".join(c) for c in found)


def test_metrics_never_imports_streamlit():
    modules = source_modules(packages=("metrics",))
    offenders = sorted(
        name
        for name, path in modules.items()
        if any(
            n == "streamlit" or n.startswith("streamlit.")
            for n in imported_names(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
        )
    )
    assert not offenders, f"metrics/ must not import streamlit (caching and drawing live in dashboard/): {offenders}"


def test_the_graph_sees_every_module_of_both_packages():
    modules = source_modules()
    assert {"metrics.pipeline", "metrics.store.queries", "dashboard.app"} <= set(modules)
    assert len(modules) == len(list((ROOT / "metrics").rglob("*.py"))) + len(list((ROOT / "dashboard").rglob("*.py")))


# ---- the reader itself, on literal packages --------------------------------------------------------


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


CASES = [
    # files,                                                                     cycles found
    (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": "import os\n"},
        [],
    ),
    (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import f\n", "pkg/b.py": "from pkg import a\n"},
        [["pkg.a", "pkg.b", "pkg.a"]],
    ),
    (  # an import inside a function still closes the cycle
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": "def f():\n    from pkg.a import g\n"},
        [["pkg.a", "pkg.b", "pkg.a"]],
    ),
    (  # a relative import is resolved against its package
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/a.py": "from . import b\n",
            "pkg/sub/b.py": "from ..sub.a import x\n",
        },
        [["pkg.sub.a", "pkg.sub.b", "pkg.sub.a"]],
    ),
    (  # imports that never run (if TYPE_CHECKING) are left out; the else branch runs and counts
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
            "pkg/c.py": "import pkg.d\n",
            "pkg/d.py": "import typing\nif typing.TYPE_CHECKING:\n    pass\nelse:\n    import pkg.c\n",
        },
        [["pkg.c", "pkg.d", "pkg.c"]],
    ),
    (  # a three-module cycle is named in full
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "import pkg.c\n",
            "pkg/c.py": "import pkg.a\n",
        },
        [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]],
    ),
]


@pytest.mark.parametrize("files, expected", CASES)
def test_the_reader_finds_exactly_the_cycles_in_a_literal_package(tmp_path, files, expected):
    _write(tmp_path, files)
    assert cycles(import_graph(source_modules(tmp_path, ("pkg",)))) == expected


def test_the_streamlit_rule_sees_a_from_import_inside_a_function(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "def draw():\n    from streamlit import markdown\n"})
    names = imported_names((tmp_path / "pkg" / "a.py").read_text(), "pkg.a", False)
    assert "streamlit" in names and "streamlit.markdown" in names
