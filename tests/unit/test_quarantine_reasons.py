"""The data status page's value-free reasons are pinned to the text metrics.extract.validate writes.

A bad row of every kind validate knows is run through validation; its stored reason must parse to the
column and the rule's own words, with the offending value gone (never "other problem").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metrics.config.models import AppConfig
from metrics.extract.reader import read_extract
from metrics.extract.reasons import OTHER, reason_summary, reason_without_value
from metrics.extract.validate import validate_extract
from tests.extract_builder import encounter, obs, write_extract

NOW = "2026-11-25T07:30:00Z"
SECRET = "Q9Z8"  # a value that must never reach the summary

KIND_CASES = [
    # table, bad row, value-free reason expected, why
    (
        "observations",
        obs("E1", "2026-11-25T06:00:00Z") | {"heart_rate": SECRET},
        "heart_rate is not a valid integer",
        "type",
    ),
    ("observations", obs("E1", "2026-11-25T06:00:00Z", hr=999), "heart_rate must be between 10 and 300", "range"),
    (
        "observations",
        obs("E1", "2026-11-25T06:00:00Z", acvpu="Z"),
        "consciousness must be one of A, C, V, P, U",
        "allowed",
    ),
    (
        "encounters",
        encounter("E2", ward=SECRET),
        "ward_code is not a known code; add it to config/wards.yaml or correct the extract",
        "code",
    ),
    (
        "observations",
        obs("E1", "2026-11-26T06:00:00Z"),
        "taken_at is after the extract's extracted_at (a time in the future)",
        "future",
    ),
    ("encounters", encounter("E2") | {"patient_id": ""}, "patient_id is required but empty", "required"),
    ("encounters", encounter("E1", bed=SECRET), "encounter_id duplicates an earlier row (must be unique)", "unique"),
    (
        "observations",
        obs(SECRET, "2026-11-25T06:00:00Z"),
        "encounter_id is not an encounter in this extract's encounters (or that encounter row was quarantined)",
        "orphan",
    ),
]


@pytest.mark.parametrize("table, row, expected, why", KIND_CASES, ids=[c[3] for c in KIND_CASES])
def test_every_kind_of_reason_validate_writes_parses_without_its_value(
    tmp_path: Path, cfg: AppConfig, table: str, row: dict, expected: str, why: str
) -> None:
    tables: dict[str, list[dict]] = {
        "encounters": [encounter("E1")],
        "observations": [obs("E1", "2026-11-25T05:00:00Z")],
    }
    tables[table] = [*tables[table], row]
    folder = write_extract(tmp_path / "extract", NOW, tables)
    quarantine = validate_extract(read_extract(folder, cfg.sources), cfg).quarantine
    assert len(quarantine) == 1, quarantine.to_dict("records")
    assert reason_without_value(quarantine["reason"].iloc[0]) == expected
    summary = reason_summary(quarantine)
    assert summary.to_dict("records") == [{"Table": table, "Reason": expected, "Rows": 1}]
    assert SECRET not in summary.to_string()


TEXT_CASES = [
    ("column 'heart_rate': 900 must be between 20 and 300", "heart_rate must be between 20 and 300", "a plain value"),
    ("column 'sex': 'must be X' must be one of F, M", "sex must be one of F, M", "a value quoting a rule's words"),
    ("column 'bed': is required but empty", "bed is required but empty", "no value"),
    ("something else went wrong with NHS 123", OTHER, "not in validate's shape"),
    ("column 'bed': 'x' is weird", OTHER, "an unknown rule"),
]


@pytest.mark.parametrize("reason, expected, why", TEXT_CASES, ids=[c[2] for c in TEXT_CASES])
def test_reason_without_value(reason: str, expected: str, why: str) -> None:
    assert reason_without_value(reason) == expected


def test_an_empty_quarantine_gives_an_empty_summary_with_its_columns() -> None:
    got = reason_summary(pd.DataFrame(columns=["table_name", "reason"]))
    assert got.empty and list(got.columns) == ["Table", "Reason", "Rows"]
