"""Which database: the URL every command and view uses unless told otherwise.

Why this exists apart from ``metrics.store.database``: the command line's
help names the default database, and answering ``--help`` must not load
Alembic and the migrations that opening a database needs.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = PROJECT_ROOT / "var" / "dashboard.sqlite"


def default_url() -> str:
    """DATABASE_URL when set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
