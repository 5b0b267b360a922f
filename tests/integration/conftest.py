"""The integration tests' store: a migrated engine on each database (``db_url`` from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from metrics.store.database import make_engine, migrate


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty store brought to the latest migration, disposed of afterwards."""
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()
