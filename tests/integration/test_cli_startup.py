"""The command line starts light: ``--help`` and ``kiosk-token list`` never import pandas or numpy.

A wall screen token is listed or revoked from a shell on a busy server; the
help answers at once. Each run is a real process with ``-X importtime``, whose
log names every module the process imported.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from metrics.access.kiosk_tokens import create_token
from metrics.store.audit import Actor

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"pandas", "numpy", "pyarrow", "plotly", "streamlit"}


def run_with_import_log(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -X importtime -m metrics ARGS``; return the process and the top-level packages it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "metrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return done, imported


def test_help_imports_neither_pandas_nor_numpy_nor_the_database_layer():
    done, imported = run_with_import_log("--help")
    assert done.returncode == 0
    assert "kiosk-token" in done.stdout and "refresh" in done.stdout
    assert "metrics" in imported  # the log is read: the package itself is in it
    assert imported & (HEAVY | {"sqlalchemy", "alembic"}) == set()


def test_kiosk_token_list_imports_neither_pandas_nor_numpy(engine, db_url):
    now = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    create_token(engine, ["7A", "7B"], "Ward 7 corridor", actor=Actor(device="test"), now=now)
    done, imported = run_with_import_log("kiosk-token", "list", "--db", db_url)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[1].split()[:3] == ["1", "active", "7A,7B"]
    assert lines[1].endswith("Ward 7 corridor")
    assert "metrics" in imported and "sqlalchemy" in imported
    assert imported & HEAVY == set()


def test_a_command_that_needs_pandas_still_gets_it():
    done, imported = run_with_import_log("check-config")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pandas" in imported
