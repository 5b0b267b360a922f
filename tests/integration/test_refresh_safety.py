"""What "current" means, and refreshes that go wrong around the data: future stamps, releases, dead and racing
refreshes.

On SQLite and PostgreSQL. Time is passed in; nothing sleeps.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import insert, inspect, select, text

from metrics.board.freshness import freshness
from metrics.cli.main import main
from metrics.pipeline import refresh
from metrics.store import attempts, queries
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from metrics.store.database import make_engine, migrate, schema_is_current
from metrics.store.models import RefreshAttempt, Snapshot
from metrics.store.release import release_snapshot
from tests.extract_builder import write_extract
from tests.integration.test_bad_extracts import CLOCK, TODAY, YESTERDAY, world

ADMIN = Actor(device="test-console", user="admin.one", role="administrator")


def load(tmp_path, name, stamp, cfg, engine, taken="2026-11-24T06:00:00Z", now=CLOCK):
    return refresh(write_extract(tmp_path / name, stamp, world(taken)), cfg, engine, now=now)


def test_a_future_stamped_extract_is_held_and_a_later_genuine_one_becomes_current(tmp_path, cfg, engine):
    first = load(tmp_path, "yesterday", YESTERDAY, cfg, engine)
    pinned = load(tmp_path, "2030", "2030-01-01T07:30:00Z", cfg, engine)
    assert pinned.status == "held" and not pinned.current
    genuine = load(tmp_path, "today", TODAY, cfg, engine, taken="2026-11-25T06:00:00Z")
    assert (genuine.status, genuine.current) == ("loaded", True)
    assert queries.current_snapshot(engine, CLOCK).id == genuine.snapshot_id != first.snapshot_id


def test_a_future_stamped_snapshot_is_never_current_even_when_released(tmp_path, cfg, engine):
    genuine = load(tmp_path, "yesterday", YESTERDAY, cfg, engine)
    pinned = load(tmp_path, "2030", "2030-01-01T07:30:00Z", cfg, engine)
    release_snapshot(engine, pinned.snapshot_id, ADMIN, "released by mistake")
    assert queries.current_snapshot(engine, CLOCK).id == genuine.snapshot_id
    assert queries.snapshots(engine)["id"].tolist() == [genuine.snapshot_id]
    # on 2 January 2030 it is no longer in the future, and, released, it is current
    assert queries.current_snapshot(engine, datetime(2030, 1, 2, tzinfo=timezone.utc)).id == pinned.snapshot_id


def test_a_released_held_extract_becomes_current_and_the_release_is_audited(tmp_path, cfg, engine):
    load(tmp_path, "yesterday", YESTERDAY, cfg, engine)
    small = refresh(
        write_extract(tmp_path / "today", TODAY, world("2026-11-25T06:00:00Z", {"7A": 10})), cfg, engine, now=CLOCK
    )
    assert small.status == "held" and "encounters 10 rows (yesterday 80)" in small.held_reason
    said = release_snapshot(engine, small.snapshot_id, ADMIN, "7B closed, 7A half empty for the deep clean")
    assert said == small.held_reason
    assert queries.current_snapshot(engine, CLOCK).id == small.snapshot_id
    audit = audit_entries(engine, entity="snapshot", entity_id=small.snapshot_id)
    assert audit[["actor", "action"]].values.tolist() == [["admin.one", "release_held_extract"]]
    assert audit["detail"].iloc[0]["before"] == {"state": "held", "held_reason": small.held_reason}
    with pytest.raises(Exception, match="is not held"):
        release_snapshot(engine, small.snapshot_id, ADMIN)


def test_loading_a_held_extract_again_reports_it_held_not_duplicate(tmp_path, cfg, engine):
    load(tmp_path, "yesterday", YESTERDAY, cfg, engine)
    folder = write_extract(tmp_path / "today", TODAY, world("2026-11-25T06:00:00Z", {"7A": 10}))
    first = refresh(folder, cfg, engine, now=CLOCK)
    again = refresh(folder, cfg, engine, now=CLOCK)
    assert (again.status, again.snapshot_id, again.held_reason) == ("held", first.snapshot_id, first.held_reason)
    assert queries.refresh_attempts(engine, now=CLOCK)["status"].tolist()[:2] == ["held", "held"]


def test_an_older_extract_loaded_late_says_it_is_not_current(tmp_path, cfg, engine):
    newer = load(tmp_path, "today", TODAY, cfg, engine, taken="2026-11-25T06:00:00Z")
    older = load(tmp_path, "yesterday", YESTERDAY, cfg, engine)
    assert (older.status, older.current) == ("loaded", False)
    assert queries.current_snapshot(engine, CLOCK).id == newer.snapshot_id
    message = queries.refresh_attempts(engine, now=CLOCK)["message"].iloc[0]
    assert message == f"0 row(s) quarantined; not current: snapshot {newer.snapshot_id} is newer"


def _running_attempt(engine, started_at, pid, host):
    with engine.begin() as conn:
        conn.execute(
            insert(RefreshAttempt),
            {"started_at": started_at, "extract_path": "x", "status": "running", "pid": pid, "host": host},
        )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize(
    ("started_minutes_ago", "process", "reads_as"),
    [
        (1, "this", "running"),  # alive, recent
        (1, "dead", "failed"),  # its process is gone
        (119, "this", "running"),  # alive, just inside the 120-minute limit
        (121, "this", "failed"),  # alive, but running longer than the limit
        (1, "other host", "running"),  # cannot be checked from here; the time limit decides
        (121, "other host", "failed"),
    ],
)
def test_a_refresh_that_stopped_without_finishing_reads_as_failed(engine, started_minutes_ago, process, reads_as):
    host = "elsewhere.example" if process == "other host" else socket.gethostname()
    pid = _dead_pid() if process == "dead" else os.getpid()
    _running_attempt(engine, CLOCK - timedelta(minutes=started_minutes_ago), pid, host)
    latest = queries.refresh_attempts(engine, now=CLOCK).iloc[0]
    assert latest["status"] == reads_as
    assert (latest["message"] == attempts.DEAD_MESSAGE) == (reads_as == "failed")


def test_a_dead_refresh_marks_the_board_stale(tmp_path, cfg, engine):
    good = load(tmp_path, "today", TODAY, cfg, engine, taken="2026-11-25T06:00:00Z")
    snapshot = queries.current_snapshot(engine, CLOCK)
    started = snapshot.loaded_at + timedelta(minutes=1)  # a refresh after the good one, killed half-way
    _running_attempt(engine, started, _dead_pid(), socket.gethostname())
    now = started + timedelta(minutes=2)
    fresh = freshness(snapshot.extracted_at, snapshot.loaded_at, queries.refresh_attempts(engine, now=now), 1500, now)
    assert snapshot.id == good.snapshot_id
    assert (fresh.is_stale, fresh.failed_status, fresh.failed_message) == (True, "failed", attempts.DEAD_MESSAGE)


def test_the_same_extract_loaded_twice_at_once_ends_loaded_and_duplicate(tmp_path, cfg, engine, monkeypatch):
    """The second process looked for the extract before the first committed it, so it tries to write it too."""
    import metrics.pipeline as pipeline

    folder = write_extract(tmp_path / "today", TODAY, world("2026-11-25T06:00:00Z"))
    first = refresh(folder, cfg, engine, now=CLOCK)
    real = pipeline.existing_snapshot
    looks = iter([None])  # the first look sees nothing yet; the look after the failed insert sees the other's row
    monkeypatch.setattr(pipeline, "existing_snapshot", lambda e, h: next(looks, real(e, h)))
    second = refresh(folder, cfg, engine, now=CLOCK)
    assert (first.status, second.status, second.snapshot_id) == ("loaded", "duplicate", first.snapshot_id)
    assert queries.refresh_attempts(engine, now=CLOCK)["status"].tolist() == ["duplicate", "loaded"]


def test_a_failure_message_shown_on_screen_carries_no_row_values(tmp_path, cfg, engine, monkeypatch):
    import metrics.pipeline as pipeline

    def fail(*_a, **_k):
        raise ValueError("value too long for type character varying(80): 'EEEE-SECRET-ID'")

    monkeypatch.setattr(pipeline, "write_snapshot", fail)
    with pytest.raises(ValueError):
        load(tmp_path, "today", TODAY, cfg, engine, taken="2026-11-25T06:00:00Z")
    message = queries.refresh_attempts(engine, now=CLOCK)["message"].iloc[0]
    assert message == "ValueError: the refresh failed; see the refresh log"


def test_two_processes_migrating_a_new_store_at_once_both_succeed(db_url):
    engines = [make_engine(db_url), make_engine(db_url)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(engine):
        start.wait()
        try:
            migrate(engine)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(schema_is_current(e) for e in engines)
    for e in engines:
        e.dispose()


def test_start_up_does_not_migrate_a_store_already_at_head(engine, monkeypatch):
    from alembic import command

    monkeypatch.setattr(command, "upgrade", lambda *a, **k: pytest.fail("migrated a store that was at head"))
    migrate(engine)


def test_upgrade_from_0006_keeps_snapshots_released_and_attempts_readable(db_url):
    engine = make_engine(db_url)
    migrate(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO snapshots (extracted_at, loaded_at, source, extract_path, content_hash, "
                "config_fingerprint,"
                " row_counts, metric_definitions) VALUES ('2026-11-24 07:30:00', '2026-11-24 07:31:00', 's', 'p', 'h',"
                " 'f', '{}', '[]')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO refresh_attempts (started_at, extract_path, status) VALUES ('2026-11-24 07:30:00', 'p', "
                "'running')"
            )
        )
    migrate(engine)
    assert {c["name"] for c in inspect(engine).get_columns("snapshots")} >= {"state", "held_reason"}
    with engine.connect() as conn:
        assert conn.execute(select(Snapshot.state, Snapshot.held_reason)).all() == [("released", None)]
    assert queries.current_snapshot(engine, CLOCK).id == 1
    # an attempt left running by the old code has no pid: its age decides (it is days old: failed)
    assert queries.refresh_attempts(engine, now=CLOCK)["status"].tolist() == ["failed"]
    engine.dispose()


def test_the_command_line_refuses_a_sqlite_store_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "typo" / "dashbord.sqlite"
    code = main(["snapshot", "--db", f"sqlite:///{missing}"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"No store at {missing}" in err and "add --create-store" in err
    assert not missing.exists() and not missing.parent.exists()


def test_the_command_line_reports_a_held_extract_with_exit_4_and_releases_it(tmp_path, cfg, capsys):
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    yesterday = write_extract(tmp_path / "yesterday", YESTERDAY, world("2026-11-24T06:00:00Z"))
    assert main(["refresh", str(yesterday), "--db", db, "--create-store"]) == 0
    empty = write_extract(tmp_path / "today", TODAY, {})
    assert main(["refresh", str(empty), "--db", db]) == 4
    err = capsys.readouterr().err
    assert "HELD as snapshot 2" in err and "encounters 0 rows (yesterday 80)" in err and "release 2" in err
    assert main(["release", "2", "--db", db, "--user", "admin.one"]) == 0
    assert "released snapshot 2 (it was held: encounters 0 rows (yesterday 80)" in capsys.readouterr().out
    frame = pd.DataFrame(queries.held_extracts(make_engine(db)))
    assert frame.empty


def test_refresh_starts_a_new_store_in_an_existing_folder_and_says_so(tmp_path, capsys):
    new = tmp_path / "store.sqlite"
    folder = write_extract(tmp_path / "yesterday", YESTERDAY, world("2026-11-24T06:00:00Z"))
    assert main(["refresh", str(folder), "--db", f"sqlite:///{new}"]) == 0
    assert f"Starting a new store at {new}" in capsys.readouterr().err and new.exists()


def test_refresh_refuses_a_store_whose_folder_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "typo" / "store.sqlite"
    folder = write_extract(tmp_path / "yesterday", YESTERDAY, world("2026-11-24T06:00:00Z"))
    assert main(["refresh", str(folder), "--db", f"sqlite:///{missing}"]) == 1
    assert f"No store at {missing}" in capsys.readouterr().err and not missing.parent.exists()
