"""The barometer's history is kept once, yet every snapshot still reads exactly what its own extract said (SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from metrics.store.barometer import snapshot_part
from metrics.extract.reader import read_extract
from metrics.extract.optional_tables import feedback_counts, incident_counts, workforce_months
from metrics.pipeline import refresh
from metrics.store.database import alembic_config, make_engine, migrate
from metrics.store.huddle_models import SnapshotFeedbackCount, SnapshotIncidentCount
from metrics.extract.validate import validate_extract
from tests.extract_builder import encounter, obs, write_extract


def _incident(
    i: int, ward: str, when: str, kind: str = "FALL", harm: str = "none", category: int | None = None
) -> dict:
    return {
        "incident_id": f"I{i}",
        "ward_code": ward,
        "occurred_at": when,
        "incident_type": kind,
        "harm_level": harm,
        "pressure_ulcer_category": category,
    }


DAYS = [  # (extracted_at, incidents, feedback, workforce or None: that table not supplied)
    (
        "2026-11-23T07:30:00Z",
        [
            _incident(1, "9A", "2026-11-01T10:00:00Z"),
            _incident(2, "9A", "2026-11-20T10:00:00Z", "PRESSURE_ULCER", "low", 2),
            _incident(3, "7A", "2026-11-22T09:00:00Z"),
        ],
        [
            ("9A", "2026-11-22", "fft", "true"),
            ("9A", "2026-11-22", "fft", "false"),
            ("7A", "2026-11-21", "complaint", None),
        ],
        [("9A", "2026-10-01", 3.5)],
    ),
    (
        # a new fall on 9A; a second fall on 7A's day (a changed count); the November incident on 9A dropped out
        "2026-11-24T07:30:00Z",
        [
            _incident(2, "9A", "2026-11-20T10:00:00Z", "PRESSURE_ULCER", "low", 2),
            _incident(3, "7A", "2026-11-22T09:00:00Z"),
            _incident(4, "7A", "2026-11-22T15:00:00Z"),
            _incident(5, "9A", "2026-11-23T20:00:00Z"),
        ],
        [
            ("9A", "2026-11-22", "fft", "true"),
            ("9A", "2026-11-22", "fft", "false"),
            ("7A", "2026-11-21", "complaint", None),
            ("9A", "2026-11-23", "compliment", None),
        ],
        None,
    ),
    (
        "2026-11-25T07:30:00Z",  # workforce back, with a corrected figure
        [
            _incident(2, "9A", "2026-11-20T10:00:00Z", "PRESSURE_ULCER", "low", 2),
            _incident(3, "7A", "2026-11-22T09:00:00Z"),
            _incident(4, "7A", "2026-11-22T15:00:00Z"),
            _incident(5, "9A", "2026-11-23T20:00:00Z"),
        ],
        [
            ("9A", "2026-11-22", "fft", "true"),
            ("9A", "2026-11-22", "fft", "false"),
            ("7A", "2026-11-21", "complaint", None),
            ("9A", "2026-11-23", "compliment", None),
        ],
        [("9A", "2026-10-01", 4.0)],
    ),
]


def _extract(folder: Path, day: tuple) -> Path:
    at, incidents, feedback, workforce = day
    tables = {
        "encounters": [
            encounter("E1", "7A", admitted="2026-11-01T10:00:00Z"),
            encounter("E2", "9A", admitted="2026-11-01T10:00:00Z"),
        ],
        "observations": [obs("E1", "2026-11-01T12:00:00Z"), obs("E2", "2026-11-01T12:00:00Z")],  # a plausible day
        "incidents": incidents,
        "patient_feedback": [
            {"ward_code": w, "response_date": d, "kind": k, "fft_positive": p} for w, d, k, p in feedback
        ],
        "workforce": [
            {"ward_code": w, "month": m, "sickness_absence_pct": s, "training_compliance_pct": 90, "turnover_pct": 10}
            for w, m, s in workforce or []
        ],
    }
    write_extract(folder, at, tables)
    if workforce is None:
        (folder / "workforce.csv").unlink()
    return folder


def _sorted(frame: pd.DataFrame | None) -> list[tuple]:
    assert frame is not None
    return sorted(tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None))


def test_every_snapshot_reads_what_its_own_extract_said(engine, cfg, tmp_path):
    folders = [_extract(tmp_path / f"d{i}", day) for i, day in enumerate(DAYS)]
    ids = [refresh(f, cfg, engine).snapshot_id for f in folders]
    for snapshot_id, folder, day in zip(ids, folders, DAYS, strict=True):
        valid = validate_extract(read_extract(folder, cfg.sources), cfg)
        for ward in ("7A", "9A"):
            part = snapshot_part(engine, snapshot_id, ward)
            own = incident_counts(valid.tables["incidents"])
            assert _sorted(part.incidents) == _sorted(own[own["ward_code"] == ward].drop(columns="ward_code")), (
                snapshot_id,
                ward,
            )
            fb = feedback_counts(valid.tables["patient_feedback"])
            assert _sorted(part.feedback) == _sorted(fb[fb["ward_code"] == ward].drop(columns="ward_code")), (
                snapshot_id,
                ward,
            )
            if day[3] is None:
                assert part.workforce is None  # not supplied that day: said so, not yesterday's figures
            else:
                wf = workforce_months(valid.tables["workforce"])
                assert _sorted(part.workforce) == _sorted(wf[wf["ward_code"] == ward].drop(columns="ward_code")), (
                    snapshot_id,
                    ward,
                )
        assert part.incidents_since == min(own["day"])


def test_unchanged_history_is_not_written_again(engine, cfg, tmp_path):
    first = refresh(_extract(tmp_path / "a", DAYS[1]), cfg, engine).snapshot_id
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(SnapshotIncidentCount)).scalar_one()
    same_history = (DAYS[2][0], DAYS[1][1], DAYS[1][2], DAYS[1][3])  # a later extract, the same history
    second = refresh(_extract(tmp_path / "b", same_history), cfg, engine).snapshot_id
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SnapshotIncidentCount)).scalar_one() == before
        assert (
            conn.execute(
                select(func.count())
                .select_from(SnapshotFeedbackCount)
                .where(SnapshotFeedbackCount.snapshot_id == second)
            ).scalar_one()
            == 0
        )
    assert _sorted(snapshot_part(engine, first, "7A").incidents) == _sorted(
        snapshot_part(engine, second, "7A").incidents
    )


def test_a_refresh_that_fails_after_the_history_leaves_the_history_as_it_was(engine, cfg, tmp_path, monkeypatch):
    first = refresh(_extract(tmp_path / "a", DAYS[0]), cfg, engine).snapshot_id
    reading = _sorted(snapshot_part(engine, first, "9A").incidents)
    import metrics.store.writer as writer

    real = writer.bulk_insert

    def fail_on_encounters(conn, model, frame, columns, fixed=None):
        if model.__tablename__ == "encounter_values":
            raise RuntimeError("disk full")
        return real(conn, model, frame, columns, fixed)

    monkeypatch.setattr(writer, "bulk_insert", fail_on_encounters)
    with pytest.raises(RuntimeError):
        refresh(_extract(tmp_path / "b", DAYS[1]), cfg, engine)
    monkeypatch.undo()
    assert _sorted(snapshot_part(engine, None, "9A").incidents) == reading  # nothing ended, nothing added
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM snapshot_incident_counts WHERE until_snapshot_id IS NOT NULL")
            ).scalar_one()
            == 0
        )


def test_upgrading_keeps_what_each_earlier_snapshot_read(db_url, cfg, tmp_path):
    engine = make_engine(db_url)
    migrate(engine, "0003")
    from alembic import command

    # two snapshots with full copies, as 0003 stored them
    with engine.begin() as conn:
        for sid, n in ((1, 2), (2, 3)):
            conn.execute(
                text(
                    "INSERT INTO snapshots (id, extracted_at, loaded_at, source, extract_path, content_hash, "
                    "config_fingerprint, row_counts, metric_definitions) "
                    f"VALUES ({sid}, '2026-11-2{sid} 07:30:00', '2026-11-2{sid} 07:31:00', 's', 'p', 'h{sid}', 'f', "
                    "'{\"incidents\": {}}', '[]')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO snapshot_incident_counts (snapshot_id, ward_code, day, incident_type, harm_level, "
                    "pressure_ulcer_category, incidents) "
                    f"VALUES ({sid}, '9A', '2026-11-20', 'FALL', 'none', NULL, {n})"
                )
            )
    with engine.begin() as conn:
        alembic = alembic_config(engine)
        alembic.attributes["connection"] = conn
        command.upgrade(alembic, "head")
    assert _sorted(snapshot_part(engine, 1, "9A").incidents)[0][-1] == 2
    assert _sorted(snapshot_part(engine, 2, "9A").incidents)[0][-1] == 3
    engine.dispose()
