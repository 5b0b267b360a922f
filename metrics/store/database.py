"""Engines and migrations.

Why this exists: one setting chooses the database (``--db`` or DATABASE_URL;
default an SQLite file under var/), and the schema is always brought to the
latest Alembic revision before use, so a fresh machine and a production
PostgreSQL server are set up the same way.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

from metrics.store.url import DEFAULT_SQLITE, PROJECT_ROOT, default_url  # noqa: F401 - also named from here

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


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the latest)."""
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
