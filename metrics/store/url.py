"""Which database: the URL every command and view uses unless told otherwise.

Why this exists apart from ``metrics.store.database``: the command line's
help names the default database, and answering ``--help`` must not load
Alembic and the migrations that opening a database needs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from metrics.errors import UserFacingError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = PROJECT_ROOT / "var" / "dashboard.sqlite"


def default_url() -> str:
    """DATABASE_URL when set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for another database or an in-memory SQLite)."""
    if not url.startswith("sqlite:///") or url in ("sqlite://", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def require_existing_store(url: str | None, may_start: bool = False) -> None:
    """Refuse an SQLite path whose file does not exist: a mistyped path would otherwise become a new, empty store.

    With ``may_start`` (the command that fills a store), a missing file in an existing folder is a new store,
    announced on standard error; a missing folder is still refused, as a mistyped path.
    """
    path = sqlite_path(url or default_url())
    if path is not None and not path.exists():
        if may_start and path.parent.is_dir():
            print(f"Starting a new store at {path} (the file did not exist).", file=sys.stderr)
            return
        raise UserFacingError(
            f"No store at {path}: the SQLite file does not exist. Check the path given to --db (or DATABASE_URL); "
            "to start a new store there, add --create-store."
        )
