"""PostgreSQL roles: migrations run as the owner, the app as a role that may only add to and read the audit log.

Why this exists: a table's owner can always disable or drop its triggers and
drop the table itself, so an app that runs its own migrations could undo its
append-only audit log. In production the schema is owned by a migration role
(``MIGRATION_DATABASE_URL`` or ``--migrate-db``) and the app connects as
another role (``DATABASE_URL``) that this module grants exactly what the app
needs: reading and writing the snapshot, huddle and token tables, only
INSERT and SELECT on ``audit_log`` and the accreditation visits, only SELECT on ``alembic_version``. Not
being the owner, the app role cannot DISABLE or DROP a trigger, ALTER or
DROP the table; without UPDATE, DELETE or TRUNCATE it cannot change a row.
Run ``python -m metrics db-grant`` after every migration (it migrates first),
so tables a new migration adds are granted too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from metrics.errors import UserFacingError

APPEND_ONLY_TABLES = (
    "audit_log",
    "spc_annotations",
    "improvement_projects",
    "improvement_cycles",
    "learning_responses",
    "accreditation_assessments",
    "accreditation_answers",
)
READ_ONLY_TABLES = ("alembic_version",)


class RoleProblem(UserFacingError):
    """The app role would be able to change the audit log, or is not a role the database knows."""

    exit_code = 3


@dataclass(frozen=True)
class RoleGrants:
    """The statements that give ``role`` what the app needs in ``schema``, and nothing that could rewrite the log."""

    role: str
    schema: str

    def statements(self) -> list[str]:
        role, schema = _quote(self.role), _quote(self.schema)
        tables = ", ".join(f"{schema}.{_quote(t)}" for t in APPEND_ONLY_TABLES + READ_ONLY_TABLES)
        return [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {tables} FROM {role}",
            *(f"GRANT INSERT ON {schema}.{_quote(t)} TO {role}" for t in APPEND_ONLY_TABLES),
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        ]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def grant_app_role(owner: Engine, role: str) -> RoleGrants:
    """Grant ``role`` the app's privileges on the owner's current schema; refuse a role that could undo the log."""
    if owner.dialect.name != "postgresql":
        raise RoleProblem(
            f"db-grant: {owner.dialect.name} has no roles; the audit log there is kept tamper-evident by its hash "
            "chain (python -m metrics audit-verify). Use PostgreSQL in production (docs/deployment.md)."
        )
    with owner.begin() as conn:
        found = conn.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).one_or_none()
        if found is None:
            raise RoleProblem(
                f"db-grant: the role {role!r} does not exist. Create it first (docs/deployment.md: CREATE ROLE "
                f"{role} LOGIN PASSWORD '...'), then run db-grant again."
            )
        if found.rolsuper:
            raise RoleProblem(f"db-grant: {role!r} is a superuser, which could change the audit log; use a plain role.")
        schema, owner_name = conn.execute(
            text(
                "SELECT current_schema(), tableowner FROM pg_tables WHERE tablename = 'audit_log' "
                "AND schemaname = current_schema()"
            )
        ).one()
        if (
            owner_name == role
            or conn.execute(text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner_name}).scalar_one()
        ):
            raise RoleProblem(
                f"db-grant: {role!r} owns the tables (or is a member of their owner {owner_name!r}), so it could "
                "disable the audit log's triggers or drop it; the app must connect as a different role."
            )
        grants = RoleGrants(role, schema)
        for statement in grants.statements():
            conn.execute(text(statement))
    return grants
