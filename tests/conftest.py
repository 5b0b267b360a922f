"""One fixture world: the shipped configuration, and a fresh store on each database.

Every store test runs on SQLite and on PostgreSQL (127.0.0.1:5432, database
`test`, or TEST_POSTGRES_URL). Each PostgreSQL test gets its own schema, so
tests never see each other's rows. PostgreSQL being down is a failure, not a
skip: the store must be proved on both.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from metrics.config.models import DEFAULT_CONFIG_DIR, AppConfig
from metrics.config.load import load_config

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def cfg() -> AppConfig:
    return load_config(DEFAULT_CONFIG_DIR)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A writable copy of config/ for tests that change configuration."""
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # synchronous_commit off: a test's store need not survive a crash of the server, so commits need not wait
        # for the disk (every statement, constraint and trigger runs as in production).
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    finally:
        from metrics.store.database import ready_engine

        ready_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
