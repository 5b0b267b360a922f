"""Unit: opening a view does not import the heavy libraries only other work needs.

Why this exists: a view's first run in a fresh server pays for every module its pages import. scipy's statistics
(about a second) are needed only where funnels are drawn (the system view), pandera only where an extract is
validated (the refresh), Alembic only where a migration runs, the hub's reads only on the system view. A
module-level import of one of them in a module every view loads (the store gateway, the configuration, the
learning responses) makes every view pay. The check runs in a fresh interpreter, so what another test imported
does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = (
    "dashboard.common.navigation",
    "dashboard.common.store_access",
    "dashboard.common.board",
    "dashboard.huddle.board",
    "dashboard.dimensions.panel",
    "dashboard.exec.layout",
    "dashboard.wall.screen",
    "dashboard.status.page",
)
NOT_AT_START = (
    "scipy.stats",
    "pandera",
    "alembic",
    "metrics.federation.hub_read",  # the system hub's reads: the system view only
    "metrics.store.hub",
    "metrics.accreditation.assessments",  # recording a visit: the assessor's form only
)

_SCRIPT = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def loaded() -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *VIEW_MODULES], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("heavy", NOT_AT_START)
def test_the_views_modules_do_not_import(loaded, heavy):
    assert heavy not in loaded


def test_the_check_sees_what_the_views_do_import(loaded):
    assert {"pandas", "sqlalchemy", "streamlit", "metrics.learning.responses", "metrics.config.load"} <= loaded
