"""The bulk insert path stores exactly what an ordinary SQLAlchemy insert stores, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select, text

from metrics.store.bulk import bulk_insert, column_values
from metrics.store.database import make_engine, migrate
from metrics.store.huddle_models import SnapshotIncidentCount
from metrics.store.models import Base, DrilldownRow, EncounterValue, Snapshot


def _snapshot(conn, content_hash: str) -> int:
    return conn.execute(
        insert(Snapshot).returning(Snapshot.id),
        {
            "extracted_at": datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc),
            "loaded_at": datetime.now(timezone.utc),
            "source": "test",
            "extract_path": "x",
            "content_hash": content_hash,
            "config_fingerprint": "f",
            "row_counts": {},
            "metric_definitions": [],
        },
    ).scalar_one()


def _rows(conn, model: type[Base], snapshot_id: int, columns: list[str]) -> list[tuple]:
    table = model.__table__
    order = [table.c[c] for c in columns]
    return [
        tuple(r) for r in conn.execute(select(*order).where(table.c.snapshot_id == snapshot_id).order_by(*order[:2]))
    ]


CASES = {
    EncounterValue: pd.DataFrame(
        {
            "encounter_id": pd.Series(["E1", "E2", "E3"], dtype="string"),
            "ward_code": pd.Series(["7A", "7A", "7B"], dtype="category"),
            "on_ward": [True, False, True],
            "news2_score": pd.Series([7, None, 0], dtype="Int64"),
            "news2_monitoring": pd.Series(["hourly", None, "12-hourly"], dtype="string"),
            "news2_status": ["ok", "no_observations", "ok"],
            "news2_status_reason": ["a", "b", "c — ünïcode µmol/L"],
            "aki_stage": pd.Series([None, 2, 0], dtype="Int64"),
            "aki_reason": [None, "C1 300 µmol/L", "x"],
            "sepsis_positive": np.array([False, True, False]),
            "sepsis_trigger": [None, "red flag", None],
            "missed_critical_doses": np.array([0, 3, 1], dtype="int64"),
            "assessments_outstanding": np.array([1, 0, 2], dtype="int64"),
            "assessments_overdue": np.array([0, 0, 1], dtype="int64"),
        }
    ),
    DrilldownRow: pd.DataFrame(
        {
            "ward_code": ["7A", "7B"],
            "metric_id": ["m", "m"],
            "encounter_id": ["E1", None],
            "bed": [None, "SR1"],
            "urgency": [np.nan, 2.5],
            "duration_minutes": [12.0, np.nan],
            "detail": ['{"a": 1}', "{}"],
        }
    ),
    SnapshotIncidentCount: pd.DataFrame(
        {
            "ward_code": ["7A", "7A"],
            "day": [date(2026, 11, 24), date(2025, 3, 30)],
            "incident_type": ["FALL", "PRESSURE_ULCER"],
            "harm_level": ["none", "low"],
            "pressure_ulcer_category": pd.Series([None, 2], dtype="Int64")
            .astype(object)
            .where(lambda s: s.notna(), None),
            "incidents": [1, 4],
        }
    ),
}


@pytest.mark.parametrize("model", list(CASES), ids=lambda m: m.__name__)
def test_bulk_insert_stores_what_an_ordinary_insert_stores(db_url: str, model: type[Base]) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    frame = CASES[model]
    columns = list(frame.columns)
    with engine.begin() as conn:
        ordinary, bulk = _snapshot(conn, "a"), _snapshot(conn, "b")
        plain = frame.astype(object).where(
            frame.notna(), None
        )  # the ordinary path: one dict per row, converted by SQLAlchemy
        records = [
            {k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()} | {"snapshot_id": ordinary}
            for rec in plain.to_dict("records")
        ]
        conn.execute(insert(model), records)
        assert bulk_insert(conn, model, frame, columns, {"snapshot_id": bulk}) == len(frame)
    with engine.connect() as conn:
        expected = _rows(conn, model, ordinary, columns)
        got = _rows(conn, model, bulk, columns)
    assert len(got) == len(frame)
    assert got == expected
    assert None in [v for row in got for v in row]  # missing values arrive as NULL, not 'nan' or '<NA>'


def test_bulk_insert_rolls_back_with_its_transaction(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    frame = CASES[DrilldownRow]
    with pytest.raises(RuntimeError), engine.begin() as conn:
        snapshot_id = _snapshot(conn, "c")
        bulk_insert(conn, DrilldownRow, frame, list(frame.columns), {"snapshot_id": snapshot_id})
        raise RuntimeError("fails after the bulk insert, inside the transaction")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM drilldown_rows")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM snapshots")).scalar_one() == 0


def test_column_values_gives_python_scalars_and_none_for_every_kind_of_missing() -> None:
    assert column_values(pd.Series([1.5, np.nan])) == [1.5, None]
    assert column_values(pd.Series([1, None], dtype="Int64")) == [1, None]
    assert column_values(pd.Series(["a", None], dtype="string")) == ["a", None]
    stamps = column_values(pd.Series(pd.to_datetime(["2026-03-29T01:30:00+01:00", None], utc=True)))
    assert stamps == [datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc), None]
    assert [type(v) for v in column_values(pd.Series([3, 4]))] == [int, int]
