"""Engines and migrations.

Why this exists: one setting chooses the database (``--db`` or DATABASE_URL;
default an SQLite file under var/), and the schema is always brought to the
latest Alembic revision before use, so a fresh machine and a production
PostgreSQL server are set up the same way. Start-up is cheap: the stored
revision is compared with the scripts' head first, and only a store that is
behind is migrated, under a lock (PostgreSQL: a session advisory lock; SQLite:
an exclusive lock on a file beside the database), so two processes starting
together on a new store take turns instead of racing to create the same tables.
"""

from __future__ import annotations

import ast
import os
import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text


# DEFAULT_SQLITE and PROJECT_ROOT are also named from here.
from metrics.store.url import DEFAULT_SQLITE, PROJECT_ROOT, default_url, sqlite_path  # noqa: F401

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migration_url(url: str | None = None) -> str | None:
    """The URL migrations run as: MIGRATION_DATABASE_URL (the schema owner) for the app's own DATABASE_URL, else None.

    In production the app's role may not alter the schema (metrics.store.roles); the owner migrates it.
    """
    owner = os.environ.get("MIGRATION_DATABASE_URL")
    return owner if owner and (url is None or url == os.environ.get("DATABASE_URL")) else None


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """A new engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout so readers never block a refresh."""
    url = url or default_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # alembic (with mako) is imported only when a migration runs

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


_MIGRATION_LOCK_KEY = 4_211_908  # any constant, distinct from the refresh lock: "the schema is being migrated"


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def script_heads() -> frozenset[str] | None:
    """The migration scripts' head revisions, read from each script's ``revision`` and ``down_revision`` lines.

    Why: every dashboard process and command asks "is the schema current?" at start; alembic's own answer imports
    alembic and mako and compiles every script (about half a second). None when a script does not state both as
    plain literals, so the caller asks alembic instead.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update([down] if isinstance(down, str) else [d for d in (down or ()) if isinstance(d, str)])
    return frozenset(revisions - parents) or None


def schema_is_current(engine: Engine) -> bool:
    """True when the stored Alembic revision is the scripts' head (one small query)."""
    heads = script_heads()
    if heads is None:
        from alembic.script import ScriptDirectory

        heads = frozenset(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        stored = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    return stored == heads


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time, across processes: PostgreSQL advisory lock, or a lock file beside SQLite."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(
                text("SELECT pg_advisory_lock(:key, hashtext(current_schema()))"), {"key": _MIGRATION_LOCK_KEY}
            )
            conn.commit()
            try:
                yield
            finally:
                conn.execute(
                    text("SELECT pg_advisory_unlock(:key, hashtext(current_schema()))"), {"key": _MIGRATION_LOCK_KEY}
                )
                conn.commit()
    elif path is not None:
        with open(path.with_name(path.name + ".migrate.lock"), "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel if this process dies
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the latest); a store already at head is left alone."""
    if revision == "head" and schema_is_current(engine):
        return
    with _migration_lock(engine):
        if revision == "head" and schema_is_current(engine):  # another process migrated while this one waited
            return
        from alembic import command

        with engine.begin() as connection:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)


@lru_cache(maxsize=8)
def ready_engine(url: str | None = None) -> Engine:
    """An engine whose schema is migrated (as the owner when MIGRATION_DATABASE_URL is set); cached per URL."""
    engine = make_engine(url)
    owner_url = migration_url(url)
    if owner_url is None:
        migrate(engine)
        return engine
    owner = make_engine(owner_url)
    try:
        migrate(owner)
    finally:
        owner.dispose()
    return engine
