"""Alembic environment: runs migrations on the connection handed over by metrics.store.database.migrate."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from metrics.store import huddle_models  # noqa: F401 - registers the huddle, audit and non-EPR tables on Base
from metrics.store import access_models  # noqa: F401 - registers the kiosk token table on Base
from metrics.store import hub_models  # noqa: F401 - registers the system hub tables on Base
from metrics.store import improvement_models  # noqa: F401 - registers the annotation and improvement tables on Base
from metrics.store import learning_models  # noqa: F401 - registers the harm incident and learning response tables on Base
from metrics.store import accreditation_models  # noqa: F401 - registers the accreditation tables on Base
from metrics.store.models import Base

target_metadata = Base.metadata
config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
