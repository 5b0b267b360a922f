"""PostgreSQL: the app's own role can add to and read the audit log, and nothing else can be done to it.

Each test creates its own uniquely named owner and app roles (LOGIN, trust authentication on 127.0.0.1) and
a schema owned by the owner, and drops them all afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from metrics.cli.main import main
from metrics.store.audit import Actor, record
from metrics.store.audit_chain import verify_chain
from metrics.store.database import make_engine, ready_engine
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Roles:
    owner_url: str
    app_url: str
    app_role: str


def _url(role: str, schema: str) -> str:
    base = make_url(POSTGRES_URL).set(username=role, query={"options": f"-csearch_path={schema}"})
    return base.render_as_string(hide_password=False)


@pytest.fixture
def roles() -> Iterator[Roles]:
    suffix = uuid.uuid4().hex[:10]
    owner, app, schema = f"dash_owner_{suffix}", f"dash_app_{suffix}", f"t_roles_{suffix}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {app} LOGIN"))
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}"))
    try:
        yield Roles(_url(owner, schema), _url(app, schema), app)
    finally:
        ready_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            for role in (app, owner):
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


@pytest.fixture
def app_engine(roles: Roles, capsys: pytest.CaptureFixture[str]):
    assert main(["db-grant", "--app-role", roles.app_role, "--migrate-db", roles.owner_url]) == 0
    assert "audit_log: INSERT and SELECT only" in capsys.readouterr().out
    engine = make_engine(roles.app_url)
    record(engine, Actor("session-1", role="ward_staff"), "patient_list.open", ward_code="7A", at=T0)
    record(engine, Actor("session-2", role="matron"), "entries.export", ward_code="7B", at=T0)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("ALTER TABLE audit_log DISABLE TRIGGER ALL", "must be owner of table audit_log"),
        ("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change", "must be owner of table audit_log"),
        ("DROP TRIGGER audit_log_no_change ON audit_log", "must be owner of relation audit_log"),
        ("DROP TABLE audit_log", "must be owner of table audit_log"),
        ("ALTER TABLE audit_log ADD COLUMN note text", "must be owner of table audit_log"),
        ("ALTER TABLE audit_log RENAME TO audit_log_old", "must be owner of table audit_log"),
        ("UPDATE audit_log SET actor = 'someone.else'", "permission denied for table audit_log"),
        ("DELETE FROM audit_log", "permission denied for table audit_log"),
        ("TRUNCATE audit_log", "permission denied for table audit_log"),
        ("UPDATE alembic_version SET version_num = '0001'", "permission denied for table alembic_version"),
        ("CREATE TABLE audit_log_copy (id int)", "permission denied for schema"),
    ],
)
def test_the_app_role_cannot_disable_drop_alter_or_rewrite_the_audit_log(app_engine, statement, refusal):
    with pytest.raises(DBAPIError) as err, app_engine.begin() as conn:
        conn.execute(text(statement))
    assert refusal in str(err.value)
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one() == 2
    assert verify_chain(app_engine).intact


def test_the_app_role_adds_and_reads_audit_rows_and_the_chain_holds(app_engine):
    record(app_engine, Actor("session-3", role="administrator"), "kiosk_token_created", at=T0)
    check = verify_chain(app_engine)
    assert (check.rows, check.intact) == (3, True)


def test_the_app_role_writes_the_tables_the_app_changes(app_engine):
    with app_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO huddle_ratings (ward_code, huddle_date, shift, kind, score, device, created_at) "
                 "VALUES ('7A', '2026-11-30', 'day', 'feel_safe', 4, 'session-1', now())")
        )
        conn.execute(text("UPDATE huddle_ratings SET score = 5"))
        assert conn.execute(text("SELECT score FROM huddle_ratings")).scalar_one() == 5


def test_the_app_starts_as_its_role_when_the_owner_migrates(roles, monkeypatch):
    """DATABASE_URL for the app, MIGRATION_DATABASE_URL for the owner: the app never needs to alter the schema."""
    monkeypatch.setenv("DATABASE_URL", roles.app_url)
    monkeypatch.setenv("MIGRATION_DATABASE_URL", roles.owner_url)
    subprocess.run(
        [sys.executable, "-m", "metrics", "db-grant", "--app-role", roles.app_role], cwd=ROOT, check=True,
        capture_output=True,
    )
    result = subprocess.run([sys.executable, "-m", "metrics", "audit-verify"], cwd=ROOT, capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "audit log: 0 row(s), hash chain intact")


def test_db_grant_refuses_to_make_the_owner_the_app_role(roles, capsys):
    owner_role = make_url(roles.owner_url).username
    assert main(["db-grant", "--app-role", str(owner_role), "--migrate-db", roles.owner_url]) == 3
    assert "owns the tables" in capsys.readouterr().err


def test_db_grant_names_a_missing_role(roles, capsys):
    assert main(["db-grant", "--app-role", "no_such_role_x9", "--migrate-db", roles.owner_url]) == 3
    assert "the role 'no_such_role_x9' does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("table", ["spc_annotations", "improvement_projects", "improvement_cycles"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}", "TRUNCATE {table}"])
def test_the_app_role_may_only_add_annotations_projects_and_cycles(app_engine, table, statement):
    with pytest.raises(DBAPIError) as err, app_engine.begin() as conn:
        conn.execute(text(statement.format(table=table)))
    assert f"permission denied for table {table}" in str(err.value)
