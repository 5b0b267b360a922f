"""Today's risks through a real refresh: the next shift's acuity against its roster, a rising NEWS2, high falls risk
without a plan, admissions expected against free beds, and staff gaps; and "not supplied" without the optional tables.

Ward 7A (32 funded beds) at 10:00 London: the next shift is tonight's night shift (2026-01-15, 12 hours a head).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.extract_builder import encounter, obs, write_extract

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-01-15T10:00:00Z"
ADMITTED = "2026-01-13T09:00:00Z"
PATIENTS = [f"A{n}" for n in range(1, 7)]  # six patients on 7A: 26 free beds
LEVELS = {"A1": "0", "A2": "0", "A3": "1a", "A4": "1b", "A5": "3"}  # A6 has no level for tonight
# shipped multipliers: 2.5 + 2.5 + 3.5 + 4.5 + 12 = 25 care hours needed tonight


def world(*, optional: bool = True) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {
        "encounters": [encounter(eid, bed=f"B{i}", admitted=ADMITTED) for i, eid in enumerate(PATIENTS, 1)],
        "observations": [obs(eid, "2026-01-15T09:30:00Z") for eid in PATIENTS if eid != "A2"]
        # A2's NEWS2 climbs 0 -> 2 -> 3 (respiratory rate 16, 22, 25)
        + [obs("A2", at, rr=rr) for at, rr in (("2026-01-15T02:00:00Z", 16), ("2026-01-15T05:00:00Z", 22),
                                                ("2026-01-15T09:00:00Z", 25))],
        "staffing": [
            {"ward_code": "7A", "shift_date": "2026-01-15", "shift": "day", "staff_group": "registered",
             "planned": 2, "actual": 2},
            {"ward_code": "7A", "shift_date": "2026-01-15", "shift": "day", "staff_group": "unregistered",
             "planned": 1, "actual": 1},
            # tonight: 1 registered nurse rostered of 2 planned, 1 healthcare assistant of 1: 24 hours rostered
            {"ward_code": "7A", "shift_date": "2026-01-15", "shift": "night", "staff_group": "registered",
             "planned": 2, "actual": 1},
            {"ward_code": "7A", "shift_date": "2026-01-15", "shift": "night", "staff_group": "unregistered",
             "planned": 1, "actual": 1},
        ],
    }  # fmt: skip
    if optional:
        tables["acuity"] = [
            {"encounter_id": eid, "shift_date": "2026-01-15", "shift": "night", "snct_level": level}
            for eid, level in LEVELS.items()
        # today, not tonight
        ] + [{"encounter_id": "A6", "shift_date": "2026-01-15", "shift": "day", "snct_level": "2"}]
        tables["expected_admissions"] = [
            {"ward_code": "7A", "expected_at": f"2026-01-15T{h}:00:00Z", "source": "emergency"} for h in range(11, 23)
        ] * 3 + [{"ward_code": "7A", "expected_at": "2026-01-17T12:00:00Z", "source": "elective"}]  # 36 in 24 h
        tables["falls_risk"] = [
            {"encounter_id": "A1", "assessed_at": "2026-01-14T09:00:00Z", "risk_level": "high",
             "care_plan_in_place": "false"},
            {"encounter_id": "A3", "assessed_at": "2026-01-14T09:00:00Z", "risk_level": "high",
             "care_plan_in_place": "true"},
            {"encounter_id": "A4", "assessed_at": "2026-01-13T09:00:00Z", "risk_level": "high",
             "care_plan_in_place": ""},
            {"encounter_id": "A4", "assessed_at": "2026-01-14T09:00:00Z", "risk_level": "low",
             "care_plan_in_place": ""},
            {"encounter_id": "A5", "assessed_at": "2026-01-14T09:00:00Z", "risk_level": "high",
             "care_plan_in_place": ""},
        ]  # fmt: skip
    return tables


def _run(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args, "--db", db], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def _snapshot(tmp_path: Path, db: str, tables: dict[str, list[dict]], omit: tuple[str, ...] = ()) -> dict:
    folder = write_extract(tmp_path / "x", AT, tables)
    for name in omit:
        (folder / f"{name}.csv").unlink()
    loaded = _run("refresh", str(folder), db=db)
    assert loaded.returncode == 0, loaded.stderr
    out = _run("snapshot", "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_todays_risks_count_the_next_shift_and_the_patients_behind_them(tmp_path, db_url):
    doc = _snapshot(tmp_path, db_url, world())
    value = {k: v["value"] for k, v in doc["wards"]["7A"]["metrics"].items()}
    assert value["next_shift_care_hours_required"] == 25.0  # the sum of the five levels' multipliers
    assert value["next_shift_care_hours_rostered"] == 24.0  # 2 staff x 12 h
    assert value["next_shift_care_hours_short"] == 1.0
    assert value["next_shift_patients_not_scored"] == 1.0  # A6: a level for today's day shift only
    assert value["next_shift_staff_gap"] == 1.0  # one registered nurse not rostered
    assert value["news2_rising"] == 1.0  # A2
    assert value["falls_high_risk_no_plan"] == 2.0  # A1 (plan false) and A5 (not recorded); A4's latest is low
    assert value["expected_admissions"] == 36.0
    assert value["free_beds"] == 26.0
    assert value["admissions_without_bed"] == 10.0
    # another ward with no acuity rows and no roster for tonight: nothing needed, the roster and shortfall unknown
    other = {k: v["value"] for k, v in doc["wards"]["7B"]["metrics"].items()}
    assert other["next_shift_care_hours_required"] == 0.0
    assert other["next_shift_care_hours_rostered"] is None
    assert other["next_shift_care_hours_short"] is None
    by_id = {e["encounter_id"]: e for e in doc["encounters"]}
    assert by_id["A2"]["news2_score"] == 3


def test_without_the_optional_tables_their_tiles_have_no_value_and_the_others_still_count(tmp_path, db_url):
    doc = _snapshot(tmp_path, db_url, world(optional=False), omit=("acuity", "expected_admissions", "falls_risk"))
    assert not {"acuity", "expected_admissions", "falls_risk"} & set(doc["row_counts"])
    value = {k: v["value"] for k, v in doc["wards"]["7A"]["metrics"].items()}
    for name in (
        "next_shift_care_hours_required",
        "next_shift_care_hours_short",
        "next_shift_patients_not_scored",
        "falls_high_risk_no_plan",
        "expected_admissions",
        "free_beds",
        "admissions_without_bed",
    ):
        assert value[name] is None, name
    assert value["next_shift_care_hours_rostered"] == 24.0
    assert value["next_shift_staff_gap"] == 1.0
    assert value["news2_rising"] == 1.0
