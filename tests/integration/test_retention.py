"""Retention (``python -m metrics prune``): patient-level rows older than store.keep_days go; trends stay.

Four daily synthetic extracts (with bad rows, so some are quarantined) are loaded on SQLite and on
PostgreSQL. Pruning at a cut-off that falls between the second and third extract must delete exactly the
first two snapshots' encounter values and drill-down rows, clear exactly their quarantined rows' contents,
leave the other snapshots' rows as they were, leave every ward value (so every SPC series) unchanged, and
write one audit entry saying what it did.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import func, select

from metrics.cli.main import main
from metrics.config.load import load_config
from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.audit import Actor
from metrics.store.audit_chain import verify_chain
from metrics.store.huddle_models import AuditLog
from metrics.store.models import DrilldownRow, EncounterValue, QuarantinedRow, Snapshot, WardMetricValue
from metrics.store.retention import PRUNED_REASON, prune
from metrics.store.spc_history import spc_for_store
from metrics.synthetic.trust import generate_trust

END = date(2026, 11, 25)
ACTOR = Actor(device="test", user="retention test", role="administrator")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    return generate_trust(tmp_path_factory.mktemp("retention"), days=4, end=END, fmt="parquet")


@pytest.fixture
def loaded(engine, extracts):
    cfg = load_config()
    ids = [refresh(folder, cfg, engine).snapshot_id for folder in extracts]
    return engine, cfg, ids


def _per_snapshot(engine, model) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(model.snapshot_id, func.count()).group_by(model.snapshot_id)).all()
    return {sid: n for sid, n in rows}


def _extracted(engine, snapshot_id: int) -> datetime:
    with engine.connect() as conn:
        return conn.execute(select(Snapshot.extracted_at).where(Snapshot.id == snapshot_id)).scalar_one()


def _quarantine(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(QuarantinedRow.snapshot_id, QuarantinedRow.raw, QuarantinedRow.reason)).all()
    return pd.DataFrame(rows, columns=["snapshot_id", "raw", "reason"])


def test_prune_removes_exactly_the_old_snapshots_patient_rows_and_keeps_ward_values(loaded):
    engine, cfg, ids = loaded
    encounters = _per_snapshot(engine, EncounterValue)
    drilldown = _per_snapshot(engine, DrilldownRow)
    quarantined = _per_snapshot(engine, QuarantinedRow)
    ward_values = _per_snapshot(engine, WardMetricValue)
    assert all(encounters.get(s, 0) > 0 and drilldown.get(s, 0) > 0 and quarantined.get(s, 0) > 0 for s in ids)
    history_before = queries.daily_history_all(engine)
    spc_before = spc_for_store(engine, cfg)
    # the cut-off falls an hour after the second extract: the first two are older than 10 days
    now = _extracted(engine, ids[1]) + timedelta(days=10, hours=1)

    result = prune(engine, 10, now, ACTOR)

    old, kept = ids[:2], ids[2:]
    assert result.snapshots == 2
    assert result.encounter_values == sum(encounters[s] for s in old)
    assert result.drilldown_rows == sum(drilldown[s] for s in old)
    assert result.quarantined_rows_cleared == sum(quarantined[s] for s in old)
    assert _per_snapshot(engine, EncounterValue) == {s: encounters[s] for s in kept}
    assert _per_snapshot(engine, DrilldownRow) == {s: drilldown[s] for s in kept}
    assert _per_snapshot(engine, QuarantinedRow) == quarantined  # the rows stay, counted on the data status page
    assert _per_snapshot(engine, WardMetricValue) == ward_values
    rows = _quarantine(engine)
    cleared = rows[rows["snapshot_id"].isin(old)]
    assert (cleared["raw"] == "").all() and (cleared["reason"] == PRUNED_REASON).all()
    untouched = rows[rows["snapshot_id"].isin(kept)]
    assert (untouched["reason"] != PRUNED_REASON).all() and (untouched["raw"] != "").all()
    pd.testing.assert_frame_equal(queries.daily_history_all(engine), history_before)
    spc_after = spc_for_store(engine, cfg)
    pd.testing.assert_frame_equal(spc_after.points, spc_before.points)
    pd.testing.assert_frame_equal(spc_after.summary, spc_before.summary)


def test_prune_writes_one_audit_entry_with_what_it_removed(loaded):
    engine, _, ids = loaded
    now = _extracted(engine, ids[1]) + timedelta(days=10, hours=1)
    result = prune(engine, 10, now, ACTOR)
    with engine.connect() as conn:
        entries = conn.execute(
            select(AuditLog.actor, AuditLog.detail).where(AuditLog.action == "store.prune")
        ).all()
    assert len(entries) == 1
    after = entries[0].detail["after"]
    assert entries[0].actor == "retention test"
    assert after["keep_days"] == 10
    assert after["snapshots"] == 2
    assert (after["first_snapshot_id"], after["last_snapshot_id"]) == (ids[0], ids[1])
    assert after["encounter_values_deleted"] == result.encounter_values
    assert after["drilldown_rows_deleted"] == result.drilldown_rows
    assert after["quarantined_rows_cleared"] == result.quarantined_rows_cleared
    assert verify_chain(engine).intact


def test_prune_never_removes_the_current_snapshots_rows_however_old(loaded):
    engine, _, ids = loaded
    encounters = _per_snapshot(engine, EncounterValue)
    far_future = _extracted(engine, ids[-1]) + timedelta(days=400)
    result = prune(engine, 1, far_future, ACTOR)
    assert result.snapshots == 3
    assert _per_snapshot(engine, EncounterValue) == {ids[-1]: encounters[ids[-1]]}
    assert _per_snapshot(engine, DrilldownRow).keys() == {ids[-1]}


def test_prune_twice_removes_nothing_the_second_time(loaded):
    engine, _, ids = loaded
    now = _extracted(engine, ids[1]) + timedelta(days=10, hours=1)
    prune(engine, 10, now, ACTOR)
    again = prune(engine, 10, now, ACTOR)
    assert (again.encounter_values, again.drilldown_rows, again.quarantined_rows_cleared) == (0, 0, 0)


def test_prune_keeps_everything_when_nothing_is_older_than_the_setting(loaded):
    engine, _, ids = loaded
    encounters = _per_snapshot(engine, EncounterValue)
    result = prune(engine, 30, _extracted(engine, ids[-1]), ACTOR)
    assert (result.snapshots, result.encounter_values) == (0, 0)
    assert _per_snapshot(engine, EncounterValue) == encounters


@pytest.mark.parametrize("keep_days", [0, -3])
def test_prune_refuses_a_setting_below_one_day(engine, keep_days):
    with pytest.raises(ValueError, match="keep_days must be 1 or more"):
        prune(engine, keep_days, datetime(2026, 11, 25, tzinfo=timezone.utc), ACTOR)


def test_prune_command_reads_keep_days_from_dashboard_yaml(loaded, db_url, config_dir, capsys):
    engine, _, ids = loaded
    text = (config_dir / "dashboard.yaml").read_text().replace("keep_days: null", "keep_days: 10")
    (config_dir / "dashboard.yaml").write_text(text)
    now = (_extracted(engine, ids[1]) + timedelta(days=10, hours=1)).isoformat()
    assert main(["prune", "--config", str(config_dir), "--db", db_url, "--now", now]) == 0
    assert "pruned 2 snapshot(s)" in capsys.readouterr().out
    assert _per_snapshot(engine, EncounterValue).keys() == set(ids[2:])


def test_prune_command_without_a_setting_keeps_everything(loaded, db_url, capsys):
    engine, _, _ = loaded
    before = _per_snapshot(engine, EncounterValue)
    assert main(["prune", "--db", db_url]) == 0
    assert "sets no store.keep_days" in capsys.readouterr().out
    assert _per_snapshot(engine, EncounterValue) == before


def test_prune_command_refuses_a_time_without_a_zone(engine, db_url, capsys):  # refused before any row is read
    assert main(["prune", "--db", db_url, "--keep-days", "10", "--now", "2026-11-25T06:00"]) != 0
    assert "has no time zone" in capsys.readouterr().err
