"""Alembic migrations: an empty database reaches head, and head can go down and up again, on both databases."""

from sqlalchemy import inspect

from metrics.store.database import make_engine, migrate
from metrics.store.models import Base


def test_upgrade_from_empty_creates_every_table_and_downgrade_round_trips(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    from alembic import command

    from metrics.store.database import alembic_config

    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert not (set(Base.metadata.tables) & set(inspect(engine).get_table_names()))
    migrate(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
