"""Values that once stopped a whole refresh are quarantined like any other bad value; the rest of the extract is used.

inf and 1e400 in a number column, a count past what a float holds exactly, a datetime with a two-digit
offset among local times, and a date column mixing plain dates with an offset: each is a bad row with its
table, row, column and a reason, never an exception.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metrics.config.models import AppConfig
from metrics.extract.reader import read_extract
from metrics.extract.validate import validate_extract
from tests.extract_builder import encounter, obs, write_extract

NOW = "2026-11-25T07:30:00Z"


def _validated(tmp_path: Path, cfg: AppConfig, tables: dict[str, list[dict]], fmt: str):
    folder = write_extract(tmp_path / "extract", NOW, tables, fmt=fmt)
    return validate_extract(read_extract(folder, cfg.sources), cfg)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(
    "table, row, column, value, reason",
    [
        (
            "observations",
            obs("E1", "2026-11-25T06:00:00Z", temp=0) | {"temperature_c": "inf"},
            "temperature_c",
            "inf",
            "not a valid decimal",
        ),
        (
            "observations",
            obs("E1", "2026-11-25T06:00:00Z") | {"heart_rate": "1e400"},
            "heart_rate",
            "1e400",
            "not a valid integer",
        ),
        (
            "observations",
            obs("E1", "2026-11-25T06:00:00Z") | {"heart_rate": "99999999999999999999"},
            "heart_rate",
            "99999999999999999999",
            "not a valid integer",
        ),
        (
            "observations",
            obs("E1", "2026-11-25T06:00:00+01"),
            "taken_at",
            "2026-11-25T06:00:00+01",
            "not a valid datetime",
        ),
        ("encounters", encounter("E9", expected_discharge_date="2026-11-26T23:30:00+00:00"), None, None, None),
    ],
    ids=[
        "decimal_inf",
        "integer_1e400",
        "integer_past_2_53",
        "two_digit_offset_among_local_times",
        "date_with_an_offset_among_plain_dates",
    ],
)
def test_a_hostile_value_is_quarantined_not_a_crash(tmp_path, cfg, fmt, table, row, column, value, reason):
    tables: dict[str, list[dict]] = {
        "encounters": [encounter("E1", expected_discharge_date="2026-11-26"), encounter("E2", bed="B2")],
        "observations": [obs("E1", "2026-11-25T05:00:00Z"), obs("E2", "2026-11-25T05:00:00")],
    }
    tables[table] = [*tables[table], row]
    valid = _validated(tmp_path, cfg, tables, fmt)
    q = valid.quarantine
    if column is None:  # an offset on a date column is read as its London date: a usable value, not a bad one
        assert q.empty
        dates = valid.tables["encounters"].set_index("encounter_id")["expected_discharge_date"]
        assert str(dates["E9"].date()) == "2026-11-26" and str(dates["E1"].date()) == "2026-11-26"
        return
    bad = q[q["table_name"] == table]
    assert len(bad) == 1, q.to_dict("records")
    record = bad.iloc[0]
    assert record["column_name"] == column and record["row_number"] == len(tables[table])
    assert value in record["reason"] and reason in record["reason"]
    assert json.loads(record["raw"])[column] == value
    assert len(valid.tables[table]) == len(tables[table]) - 1  # the other rows are used


def test_the_demo_check_reads_every_encounter_id_a_snapshot_stored(engine):
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from metrics.access.demo_data import demo_refusal
    from metrics.store import queries
    from metrics.store.models import DrilldownRow, EncounterValue, Snapshot

    now = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    with engine.begin() as conn:
        sid = conn.execute(
            insert(Snapshot).returning(Snapshot.id),
            {"extracted_at": now, "loaded_at": now, "source": "synthetic", "extract_path": "x", "content_hash": "h",
             "config_fingerprint": "x", "row_counts": {}, "metric_definitions": []},
        ).scalar_one()
        conn.execute(
            insert(EncounterValue),
            [
                {
                    "snapshot_id": sid,
                    "encounter_id": "9434765919",
                    "ward_code": "7A",
                    "on_ward": True,
                    "sepsis_positive": False,
                    "missed_critical_doses": 0,
                    "assessments_outstanding": 0,
                    "assessments_overdue": 0,
                }
            ],
        )
        conn.execute(
            insert(DrilldownRow),
            [{"snapshot_id": sid, "ward_code": "7A", "metric_id": "m", "encounter_id": "E2", "detail": ""}],
        )
    identifiers = queries.snapshot_identifiers(engine, sid)
    assert identifiers == ["9434765919", "E2"]
    assert queries.possible_nhs_numbers(engine, sid) == ["9434765919"]  # what the demo check reads: ten characters
    refusal = demo_refusal("synthetic", identifiers)
    assert refusal is not None and "1 stored identifier(s) are valid NHS numbers" in refusal
