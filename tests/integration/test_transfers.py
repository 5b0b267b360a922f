"""A patient moved between wards is counted on the ward they are on at the moment the extract reflects.

The extract carries one row per ward stay; a transfer ends the stay on the old ward (``discharged_at``) and
starts one on the new ward. Table per case: the stays, the moment of the extract, and where the patient counts.
"""

from __future__ import annotations

import pytest

from metrics.pipeline import refresh
from metrics.store import queries
from tests.extract_builder import encounter, obs, write_extract

NOW = "2026-11-25T07:30:00Z"
MOVED = "2026-11-25T03:00:00Z"


def ward_value(engine, snapshot_id: int, ward: str, metric: str) -> float:
    frame = queries.ward_values(engine, snapshot_id)
    row = frame[(frame.ward_code == ward) & (frame.metric_id == metric)]
    assert len(row) == 1
    return float(row.iloc[0]["value"])


def moved_patient(new_stay_starts: str, red_obs_on: str) -> dict[str, list[dict]]:
    """P1's stay on 7A ended at 03:00 when they moved to 7B; one red observation set at 06:00."""
    return {
        "encounters": [
            encounter("E1", "7A", pid="P1", bed="B1", discharged_at=MOVED),
            encounter("E2", "7B", pid="P1", bed="B4", admitted=new_stay_starts),
        ],
        "observations": [
            obs("E1", "2026-11-25T01:00:00Z"),
            obs(red_obs_on, "2026-11-25T06:00:00Z", rr=26, spo2=90, hr=120, temp=38.6),  # NEWS2 9
        ],
    }


def test_a_transferred_patient_counts_only_on_the_ward_they_moved_to(tmp_path, cfg, engine):
    result = refresh(write_extract(tmp_path / "x", NOW, moved_patient(MOVED, "E2")), cfg, engine)
    sid = result.snapshot_id
    expected = {  # ward: (patients on ward, NEWS2 5 or more)
        "7A": (0, 0),
        "7B": (1, 1),
    }
    for ward, counts in expected.items():
        got = (ward_value(engine, sid, ward, "patients_on_ward"), ward_value(engine, sid, ward, "news2_5_or_more"))
        assert got == counts, ward
    assert result.quarantined == 0


@pytest.mark.parametrize(
    ("extracted_at", "on_7a", "on_7b", "why"),
    [
        ("2026-11-25T02:59:00Z", 1, 0, "a minute before the move: still on the old ward"),
        ("2026-11-25T03:00:00Z", 0, 1, "at the moment of the move: on the new ward, not both, not neither"),
    ],
)
def test_the_ward_a_patient_counts_on_follows_the_moment_of_the_extract(
    tmp_path, cfg, engine, extracted_at, on_7a, on_7b, why
):
    world = moved_patient(MOVED, "E2")
    world["observations"] = [obs("E1", "2026-11-25T01:00:00Z")]
    if extracted_at < MOVED:
        world["encounters"][0].pop("discharged_at")
        world["encounters"] = world["encounters"][:1]
    result = refresh(write_extract(tmp_path / "x", extracted_at, world), cfg, engine)
    got = (
        ward_value(engine, result.snapshot_id, "7A", "patients_on_ward"),
        ward_value(engine, result.snapshot_id, "7B", "patients_on_ward"),
    )
    assert got == (on_7a, on_7b), why
