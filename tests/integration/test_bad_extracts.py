"""The catalogue of bad extracts: each kind of wrong input, what happens to it, and what the user is told.

Every case loads a genuine day first (yesterday, 7A with 60 patients and 7B with 20, one observation set
each), then the mutated day. The outcome is one of:

- ``held``: stored with its reason, never current; yesterday stays on the board, marked stale;
- ``loaded``: current, with the bad rows set aside and their reason kept;
- ``rejected``: nothing stored, the file named.

Run on SQLite and PostgreSQL (``engine`` from tests/integration/conftest.py).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from metrics.config.models import AppConfig
from metrics.errors import ExtractRejected
from metrics.pipeline import refresh
from metrics.store import queries
from tests.extract_builder import encounter, obs, write_extract

YESTERDAY = "2026-11-24T07:30:00Z"
TODAY = "2026-11-25T07:30:00Z"
CLOCK = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)  # the machine's clock at load time, passed in
LONG_ID = "E" * 81


def world(taken: str, wards: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """Patients per ward (default 7A: 60, 7B: 20), each with one complete observation set taken at ``taken``."""
    rows: dict[str, list[dict]] = {"encounters": [], "observations": []}
    for ward, n in (wards or {"7A": 60, "7B": 20}).items():
        for i in range(n):
            eid = f"{ward}-{i:03d}"
            rows["encounters"].append(encounter(eid, ward, bed=f"B{i}"))
            rows["observations"].append(obs(eid, taken))
    return rows


def today(tmp_path: Path, change: Callable[[dict[str, list[dict]]], None] | None = None, **kw: object) -> Path:
    rows = world("2026-11-25T06:00:00Z")
    if change:
        change(rows)
    return write_extract(tmp_path / "today", str(kw.get("stamp", TODAY)), rows)


# ---- mutations: each takes the tmp folder, writes today's extract with one thing wrong, returns its folder -------
def empty_encounters(tmp: Path) -> Path:
    return today(tmp, lambda r: r.update(encounters=[], observations=[]))


def ward_codes_renamed(tmp: Path) -> Path:  # an EPR upgrade: 7A -> W7A
    return today(tmp, lambda r: [e.update(ward_code="W" + e["ward_code"]) for e in r["encounters"]])


def observations_header_only(tmp: Path) -> Path:
    return today(tmp, lambda r: r.update(observations=[]))


def observation_dates_day_first(tmp: Path) -> Path:
    return today(tmp, lambda r: [o.update(taken_at="25/11/2026 06:00") for o in r["observations"]])


def encounters_shrunk(tmp: Path) -> Path:  # 80 -> 30 rows
    return today(tmp, lambda r: r.update(encounters=r["encounters"][:30], observations=r["observations"][:30]))


def many_unknown_wards(tmp: Path) -> Path:  # 20 of 80 encounters on a ward not in wards.yaml (25%)
    return today(tmp, lambda r: [e.update(ward_code="9Z") for e in r["encounters"][:20]])


def one_ward_mostly_bad(tmp: Path) -> Path:  # 11 of 7B's 20 encounters have no age: 14% of all, 55% of 7B
    return today(tmp, lambda r: [e.update(age_years=None) for e in r["encounters"][60:71]])


def future_stamp(tmp: Path) -> Path:
    return today(tmp, stamp="2030-01-01T07:30:00Z")


def _one_taken_at(value: str) -> Callable[[Path], Path]:
    def mutate(tmp: Path) -> Path:
        return today(tmp, lambda r: r["observations"][0].update(taken_at=value))

    mutate.__name__ = f"one_taken_at_{value[:4]}"
    return mutate


def one_long_encounter_id(tmp: Path) -> Path:  # valid before the limit; broke the whole load on PostgreSQL
    return today(tmp, lambda r: r["encounters"][0].update(encounter_id=LONG_ID))


def discharge_before_admission(tmp: Path) -> Path:
    return today(tmp, lambda r: r["encounters"][0].update(discharged_at="2026-11-19T10:00:00Z"))


def csv_and_parquet(tmp: Path) -> Path:
    folder = today(tmp)
    pd.read_csv(folder / "encounters.csv", dtype=str).to_parquet(folder / "encounters.parquet")
    return folder


def repeated_column(tmp: Path) -> Path:
    folder = today(tmp)
    text = (folder / "observations.csv").read_text().splitlines()
    header, rows = text[0], text[1:]
    (folder / "observations.csv").write_text("\n".join([header + ",heart_rate", *(r + ",75" for r in rows)]) + "\n")
    return folder


def table_linked_to_device(tmp: Path) -> Path:
    folder = today(tmp)
    (folder / "observations.csv").unlink()
    os.symlink("/dev/urandom", folder / "observations.csv")
    return folder


def table_linked_outside(tmp: Path) -> Path:
    folder = today(tmp)
    outside = tmp / "elsewhere.csv"
    (folder / "observations.csv").rename(outside)
    os.symlink(outside, folder / "observations.csv")
    return folder


def manifest_is_a_folder(tmp: Path) -> Path:
    folder = today(tmp)
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").mkdir()
    return folder


def file_over_the_limit(tmp: Path) -> Path:
    return today(tmp)  # the limit is lowered for this case (see CATALOGUE)


# (mutation, outcome, message fragment, gates.yaml settings changed for the case)
CATALOGUE: list[tuple[Callable[[Path], Path], str, str, dict]] = [
    # a whole table missing or unusable: held, yesterday stays on the board
    (empty_encounters, "held", "encounters 0 rows (yesterday 80)", {}),
    (ward_codes_renamed, "held", "encounters 0 rows (yesterday 80)", {}),
    (ward_codes_renamed, "held", "ward W7A: 60 of 60 rows (100%) of encounters set aside", {}),
    (observations_header_only, "held", "observations 0 rows (yesterday 80)", {}),
    (observation_dates_day_first, "held", "observations 80 of 80 rows (100%) set aside", {}),
    (encounters_shrunk, "held", "encounters 30 rows (yesterday 80), down more than 50%", {}),
    (many_unknown_wards, "held", "encounters 20 of 80 rows (25%) set aside", {}),
    (one_ward_mostly_bad, "held", "ward 7B: 11 of 20 rows (55%) of encounters set aside", {}),
    (future_stamp, "held", "extracted_at 2030-01-01T07:30:00+00:00 is in the future", {}),
    # one bad row: that row set aside, the rest loaded and current
    (_one_taken_at("9999-12-31T10:00:00Z"), "loaded", "'9999-12-31T10:00:00Z' is not a valid datetime", {}),
    (_one_taken_at("0001-01-01T00:00:00"), "loaded", "'0001-01-01T00:00:00' is not a valid datetime", {}),
    (_one_taken_at("1677-09-21T00:00:00"), "loaded", "'1677-09-21T00:00:00' is not a valid datetime", {}),
    (one_long_encounter_id, "loaded", "is longer than 80 characters", {}),
    (discharge_before_admission, "loaded", "is before admitted_at", {}),
    # structurally broken: rejected, the file named
    (csv_and_parquet, "rejected", "the table is given twice, as encounters.parquet and encounters.csv", {}),
    (repeated_column, "rejected", "observations.csv: column(s) heart_rate appear more than once", {}),
    (table_linked_to_device, "rejected", "observations.csv: is a link to /dev/urandom, outside the extract folder", {}),
    (table_linked_outside, "rejected", "outside the extract folder", {}),
    (manifest_is_a_folder, "rejected", "manifest.json: is not a regular file", {}),
    (
        file_over_the_limit,
        "rejected",
        "bytes, more than the limit of 1,048",  # the size itself follows the columns the extract carries
        {"max_file_megabytes": 0.001},
    ),
]


def with_gates(cfg: AppConfig, **changes: object) -> AppConfig:
    return dataclasses.replace(cfg, gates=cfg.gates.model_copy(update=changes)) if changes else cfg


@pytest.mark.parametrize(
    ("mutation", "outcome", "says", "gates"),
    CATALOGUE,
    ids=[f"{m.__name__}-{i}" for i, (m, *_rest) in enumerate(CATALOGUE)],
)
def test_bad_extract(tmp_path, cfg, engine, mutation, outcome, says, gates):
    good = refresh(
        write_extract(tmp_path / "yesterday", YESTERDAY, world("2026-11-24T06:00:00Z")), cfg, engine, now=CLOCK
    )
    assert (good.status, good.quarantined) == ("loaded", 0)
    folder = mutation(tmp_path)
    run_cfg = with_gates(cfg, **gates)
    if outcome == "rejected":
        with pytest.raises(ExtractRejected) as err:
            refresh(folder, run_cfg, engine, now=CLOCK)
        assert says in str(err.value)
        assert queries.current_snapshot(engine, CLOCK).id == good.snapshot_id
        assert queries.refresh_attempts(engine, now=CLOCK)["status"].iloc[0] == "rejected"
        return
    result = refresh(folder, run_cfg, engine, now=CLOCK)
    assert result.status == outcome
    current = queries.current_snapshot(engine, CLOCK)
    if outcome == "held":
        assert says in result.held_reason
        assert current.id == good.snapshot_id
        assert [h.id for h in queries.held_extracts(engine, after=current, now=CLOCK)] == [result.snapshot_id]
        latest = queries.refresh_attempts(engine, now=CLOCK).iloc[0]
        assert latest["status"] == "held" and says in latest["message"]
    else:
        assert current.id == result.snapshot_id and result.current
        reasons = queries.quarantine_rows(engine, result.snapshot_id)["reason"].tolist()
        assert sum(says in r for r in reasons) == 1
