"""Deliberate contract breaches, so the quarantine has something true to show.

Why this exists: the demo and the tests need bad rows the validator must catch (a heart rate of 900,
ward ``ZZ9``, an observation in the future, an assessment with no encounter_id, and in CSV a creatinine
of ``abc``). Each is inserted next to the ordinary row it was copied from, from its own random stream,
so every other row is unchanged.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.arrays import insert_after
from metrics.synthetic.clock import HOUR, MINUTE, NA, to_minute


def add_bad_rows(
    rng: np.random.Generator,
    tables: dict[str, dict[str, np.ndarray]],
    overrides: dict[str, dict[str, dict[int, str]]],
    t: int,
    fmt: str,
) -> None:
    """A handful of deliberate contract breaches, each next to the ordinary row it was copied from."""
    obs = tables["observations"]
    if len(obs["taken_at"]):
        row = int(rng.integers(len(obs["taken_at"])))
        insert_after(obs, row, {"heart_rate": 900, "taken_at": obs["taken_at"][row] + 3 * MINUTE})  # impossible value
        row = int(rng.integers(len(obs["taken_at"])))
        insert_after(
            obs, row, {"taken_at": to_minute(np.array([t + int(rng.integers(1, 6)) * HOUR]))[0]}
        )  # in the future
    enc = tables["encounters"]
    if len(enc["encounter_id"]):
        row = int(rng.integers(len(enc["encounter_id"])))
        number = int(rng.integers(0, 1_000_000))
        insert_after(
            enc,
            row,
            {
                "encounter_id": f"E9{number:07d}",
                "patient_id": f"P99{number % 100000:05d}",
                "ward_code": "ZZ9",
                "bed": "B1",
                "discharged_at": NA,
            },
        )  # a ward nobody configured
    assess = tables["assessments"]
    if len(assess["due_at"]):
        row = int(rng.integers(len(assess["due_at"])))
        insert_after(assess, row, {"encounter_id": None, "completed_at": NA})  # required key missing
    labs = tables["lab_results"]
    creat = np.flatnonzero(labs["test"] == "creatinine")
    if fmt == "csv" and len(creat):
        row = int(creat[rng.integers(len(creat))])
        insert_after(labs, row, {})
        overrides["lab_results"] = {"value": {row + 1: "abc"}}  # not a number (CSV only: Parquet columns are typed)
