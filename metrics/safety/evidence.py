"""Does every test a hazard cites exist? Read the test files' syntax trees, without running or importing them.

Why this exists: a hazard is closed on the strength of the tests that prove
its controls. If a test is renamed or deleted, the hazard log would go on
claiming evidence that is gone; this check makes that a failing build.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from metrics.safety.hazard_log import Hazard


@cache
def defined_test_names(path: Path) -> frozenset[str]:
    """``test_x`` for each module-level test function and ``TestY::test_x`` for each test method in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test")
            )
    return frozenset(names)


def missing_evidence(hazards: list[Hazard], root: Path) -> list[str]:
    """One problem per cited test node id that names no file or no test function under ``root``."""
    problems = []
    for hazard in hazards:
        for node_id in hazard.cited_tests:
            file_part, _, name = node_id.partition("::")
            name = name.split("[", 1)[0]
            path = root / file_part
            if not path.is_file():
                problems.append(f"{hazard.id}.yaml: cites {node_id}, but {file_part} does not exist")
            elif name not in defined_test_names(path):
                problems.append(f"{hazard.id}.yaml: cites {node_id}, but {file_part} defines no test `{name}`")
    return problems
