"""The audit log's hash chain, on both databases: intact when only appended to, the first broken row named when not.

Tampering is simulated the way someone with the SQLite file (or the PostgreSQL owner role) would: lift the
append-only triggers, change or delete a row, put the triggers back.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from metrics.store.audit import Actor, append, record
from metrics.store.audit_chain import GENESIS, verify_chain
from metrics.store.database import alembic_config, make_engine, migrate

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
ACTOR = Actor("session-abc", user="nurse.a", role="ward_staff", client="10.0.0.7")


def _write(engine, n: int) -> list[int]:
    return [
        record(engine, ACTOR, "rating.add", entity="huddle_ratings", entity_id=i, ward_code="7A",
               after={"score": i, "at": T0 + timedelta(minutes=i), "ratio": -0.5}, at=T0 + timedelta(minutes=i))
        for i in range(n)
    ]


def _tamper(engine, statement: str) -> None:
    """Run ``statement`` with the append-only triggers lifted, as the owner of the file or table could."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            conn.execute(text(statement))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))


def test_an_appended_log_verifies_and_each_row_links_to_the_one_before(engine):
    ids = _write(engine, 4)
    check = verify_chain(engine)
    assert (check.rows, check.broken_id, check.problem, check.intact) == (4, None, None, True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, prev_hash, row_hash FROM audit_log ORDER BY id")).all()
    assert [r.id for r in rows] == ids
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert len({r.row_hash for r in rows}) == 4


def test_an_empty_log_verifies(engine):
    assert verify_chain(engine) == verify_chain(engine).__class__(rows=0)


def test_a_changed_row_is_named_as_the_first_broken_one(engine):
    ids = _write(engine, 5)
    _tamper(engine, f"UPDATE audit_log SET actor = 'someone.else' WHERE id = {ids[2]}")
    check = verify_chain(engine)
    assert (check.broken_id, check.rows) == (ids[2], 3)
    assert check.problem == "its content does not match its hash: the row was changed"


def test_a_deleted_row_breaks_the_next_rows_link(engine):
    ids = _write(engine, 5)
    _tamper(engine, f"DELETE FROM audit_log WHERE id = {ids[1]}")
    check = verify_chain(engine)
    assert check.broken_id == ids[2]
    assert check.problem == (
        f"its prev_hash does not match row {ids[0]}'s hash: a row before it was removed or changed"
    )


def test_rows_cut_off_the_end_no_longer_match_the_chains_head(engine):
    ids = _write(engine, 4)
    _tamper(engine, f"DELETE FROM audit_log WHERE id >= {ids[2]}")
    check = verify_chain(engine)
    assert check.broken_id == ids[3]
    assert check.problem == (
        f"the chain's head names row {ids[3]} as the newest but the log ends at row {ids[1]}: rows at the end were "
        "removed"
    )


def test_a_rewritten_hash_still_breaks_the_next_link(engine):
    ids = _write(engine, 3)
    _tamper(engine, f"UPDATE audit_log SET detail = '{{}}', row_hash = '{'f' * 64}' WHERE id = {ids[0]}")
    check = verify_chain(engine)
    assert check.broken_id == ids[0]


def test_two_devices_appending_at_once_never_fork_the_chain(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def device(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(10):
                with engine.begin() as conn:
                    append(conn, Actor(f"device-{n}"), "action.add", entity_id=i, at=T0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=device, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = verify_chain(engine)
    assert (check.rows, check.intact) == (40, True)
    engine.dispose()


def test_the_migration_chains_rows_written_before_it(db_url):
    engine = make_engine(db_url)
    migrate(engine, "0005")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, detail) VALUES (:at, 'cli', 'kiosk_token_created', :d)"
                ),
                {
                    "at": (T0 + timedelta(seconds=i)).replace(tzinfo=None),
                    "d": f'{{"before": null, "after": {{"n": {i}}}}}',
                },
            )
    migrate(engine)
    assert verify_chain(engine).rows == 3 and verify_chain(engine).intact
    _write(engine, 2)
    check = verify_chain(engine)
    assert (check.rows, check.intact) == (5, True)
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one() == 5
    engine.dispose()


def test_audit_verify_exits_4_naming_the_first_broken_row(engine, db_url, capsys):
    from metrics.cli.main import main

    ids = _write(engine, 3)
    assert main(["audit-verify", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == "audit log: 3 row(s), hash chain intact"
    _tamper(engine, f"UPDATE audit_log SET ward_code = '8C' WHERE id = {ids[1]}")
    assert main(["audit-verify", "--db", db_url]) == 4
    assert capsys.readouterr().err.startswith(
        f"audit log: chain broken at row {ids[1]} (after 2 row(s) read): its content does not match its hash"
    )
