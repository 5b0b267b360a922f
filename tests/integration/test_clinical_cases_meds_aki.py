"""The clinical review's cases, end to end: an extract taken just after midnight, through refresh and snapshot JSON.

Each case is a patient who used to drop off a tile. The extract is written row by row below; the tiles must count
exactly these patients and doses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.extract_builder import encounter, write_extract

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-01-15T00:30:00Z"  # 00:30 London (GMT): "today" is half an hour old
ADMITTED = "2026-01-10T10:00:00Z"


def _done(eid: str) -> list[dict]:
    """Completed admission assessments, so that only the cases below are outstanding."""
    return [
        {
            "encounter_id": eid,
            "assessment_type": t,
            "due_at": "2026-01-10T16:00:00Z",
            "completed_at": "2026-01-10T12:00:00Z",
        }
        for t in ("VTE", "PRESSURE_ULCER", "MUST")
    ]


def _dose(eid: str, medicine: str, at: str, outcome: str, reason: str = "") -> dict:
    return {"encounter_id": eid, "medicine": medicine, "scheduled_at": at, "outcome": outcome, "reason": reason}


def _creatinine(patient: str, at: str, value: float) -> dict:
    return {"patient_id": patient, "collected_at": at, "test": "creatinine", "value": value, "unit": "umol/L"}


def review_world() -> dict[str, list[dict]]:
    return {
        "encounters": [
            encounter("PARK", admitted=ADMITTED, age=78, bed="B1"),  # overnight Parkinson's doses
            encounter("MEDS", admitted=ADMITTED, age=66, bed="B2"),  # the review's medicines, and a heparin flush
            encounter("AKI3", admitted=ADMITTED, age=71, bed="B3"),  # stage 3 from a creatinine 80 hours old
            encounter("NEW", admitted="2026-01-14T04:30:00Z", age=59, bed="B4"),  # 20 hours in, no VTE row
            encounter("TEEN", admitted=ADMITTED, age=17, bed="B5"),  # 17, one creatinine: not assessed
        ],
        # a normal, complete set for every stay: an extract with no observations at all is held back by the gates
        "observations": [
            {"encounter_id": eid, "taken_at": "2026-01-15T00:00:00Z", "respiratory_rate": 16, "spo2": 97,
             "spo2_scale": 1, "on_oxygen": "false", "systolic_bp": 125, "heart_rate": 72, "consciousness": "A",
             "temperature_c": 36.8}
            for eid in ("PARK", "MEDS", "AKI3", "NEW", "TEEN")
        ],
        "medication_administrations": [
            _dose("PARK", "Co-careldopa 25/100", "2026-01-14T23:30:00Z", "not_given"),
            _dose("PARK", "Co-careldopa 25/100", "2026-01-14T22:00:00Z", "pending"),
            _dose("MEDS", "Opicapone 50 mg capsule", "2026-01-14T21:00:00Z", "not_given", "unavailable"),
            _dose("MEDS", "Linezolid 600 mg", "2026-01-14T22:00:00Z", "pending"),
            _dose("MEDS", "Levodopa 100 mg", "2026-01-14T18:00:00Z", "not_given", "nil_by_mouth"),
            _dose("MEDS", "Heparin sodium 10 units/mL flush", "2026-01-14T19:00:00Z", "not_given"),
        ],
        "lab_results": [
            _creatinine("PAKI3", "2026-01-08T16:30:00Z", 90),
            _creatinine("PAKI3", "2026-01-11T16:30:00Z", 290),
            _creatinine("PTEEN", "2026-01-14T09:00:00Z", 150),
        ],
        "assessments": _done("PARK") + _done("MEDS") + _done("AKI3") + _done("TEEN"),
        "staffing": [
            {"ward_code": "7A", "shift_date": "2026-01-14", "shift": "night", "staff_group": "registered",
             "planned": 3, "actual": 1},
            {"ward_code": "7A", "shift_date": "2026-01-14", "shift": "night", "staff_group": "unregistered",
             "planned": 2, "actual": 2},
        ],
    }  # fmt: skip


def run(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args, "--db", db], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def snapshot(tmp_path: Path, db: str, tables: dict[str, list[dict]]) -> dict:
    folder = write_extract(tmp_path / "x", AT, tables)
    loaded = run("refresh", str(folder), db=db)
    assert loaded.returncode == 0, loaded.stderr
    out = run("snapshot", "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_review_cases_just_after_midnight_are_all_on_the_tiles(tmp_path, db_url):
    doc = snapshot(tmp_path, db_url, review_world())
    tiles = doc["wards"]["7A"]["metrics"]
    value = {name: tiles[name]["value"] for name in tiles}
    # both overnight Parkinson's doses, and opicapone, linezolid and levodopa nil by mouth; not the heparin flush
    assert value["missed_critical_doses_today"] == 5.0
    assert value["critical_doses_not_given_with_reason"] == 0.0
    # the 80-hour-old stage 3 stays on the AKI tile; the 17-year-old with no baseline is counted as not assessed
    assert value["aki"] == 1.0
    assert value["aki_not_assessed"] == 1.0
    # the stay 20 hours old with no VTE row is outstanding (and overdue: 14 hours have passed)
    assert value["assessment_vte_outstanding"] == 1.0
    assert value["assessments_overdue"] == 1.0
    # last night's registered nurses: 1 of 3 (fewer than two; a shortfall of 24 h of 36 h)
    assert value["staffing_red_flags"] == 1.0

    by_id = {e["encounter_id"]: e for e in doc["encounters"]}
    assert by_id["PARK"]["missed_critical_doses"] == 2
    assert by_id["MEDS"]["missed_critical_doses"] == 3
    assert by_id["AKI3"]["aki_stage"] == 3
    assert by_id["AKI3"]["aki_reason"].endswith("stage 3; creatinine 80 h ago: repeat due")
    assert by_id["TEEN"]["aki_stage"] is None
    assert by_id["NEW"]["assessments_outstanding"] == 3  # VTE, pressure ulcer and MUST: none recorded


def test_since_the_last_huddle_counts_only_doses_after_20_00(tmp_path, db_url):
    doc = snapshot(tmp_path, db_url, review_world())
    # last huddle 20:00: co-careldopa 23:30 and 22:00, opicapone 21:00, linezolid 22:00; not levodopa at 18:00
    assert doc["wards"]["7A"]["metrics"]["missed_critical_doses_since_huddle"]["value"] == 4.0


def test_an_extract_without_the_optional_columns_still_loads(tmp_path, db_url):
    tables = review_world()
    folder = write_extract(tmp_path / "x", AT, tables)
    for name, column in (("medication_administrations", "dmd_code"), ("staffing", "planned_hours")):
        path = folder / f"{name}.csv"
        lines = path.read_text().splitlines()
        header = lines[0].split(",")
        keep = [i for i, h in enumerate(header) if h != column]
        path.write_text("\n".join(",".join(row.split(",")[i] for i in keep) for row in lines) + "\n")
    loaded = run("refresh", str(folder), db=db_url)
    assert loaded.returncode == 0, loaded.stderr
