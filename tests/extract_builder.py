"""Build small literal extracts for tests: the rows written here are the expected world.

Why this exists: an exact count on a tile is only checkable against an input a
reader can see. Tests describe a handful of rows; this writes them in the
contract's shape (every contract column, blanks where a test says nothing).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from metrics.extract.contract import TABLES


def write_extract(
    folder: Path,
    extracted_at: str,
    tables: dict[str, list[dict]] | None = None,
    *,
    source: str = "test",
    fmt: str = "csv",
) -> Path:
    """Write manifest.json and every contract table (empty unless given) to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"extracted_at": extracted_at, "source": source}))
    tables = tables or {}
    for spec in TABLES:
        rows = tables.get(spec.name, [])
        frame = (
            pd.DataFrame(rows, columns=list(spec.column_names))
            if rows
            else pd.DataFrame(columns=list(spec.column_names))
        )
        if fmt == "csv":
            frame.to_csv(folder / f"{spec.name}.csv", index=False)
        else:
            frame.astype("string").to_parquet(folder / f"{spec.name}.parquet", index=False)
    return folder


def encounter(
    eid: str,
    ward: str = "7A",
    *,
    pid: str | None = None,
    bed: str = "B1",
    admitted: str = "2026-11-20T10:00:00Z",
    age: int = 70,
    **extra: object,
) -> dict:
    row = {
        "encounter_id": eid,
        "patient_id": pid or f"P{eid}",
        "ward_code": ward,
        "bed": bed,
        "admitted_at": admitted,
        "age_years": age,
        "sex": "F",
    }
    row.update(extra)
    return row


def obs(
    eid: str,
    taken_at: str,
    *,
    rr: int = 16,
    spo2: int = 97,
    scale: int = 1,
    o2: str = "false",
    sbp: int = 125,
    hr: int = 75,
    acvpu: str = "A",
    temp: float = 37.0,
) -> dict:
    return {
        "encounter_id": eid,
        "taken_at": taken_at,
        "respiratory_rate": rr,
        "spo2": spo2,
        "spo2_scale": scale,
        "on_oxygen": o2,
        "systolic_bp": sbp,
        "heart_rate": hr,
        "consciousness": acvpu,
        "temperature_c": temp,
    }
