"""The reference board, tile for tile: Lancashire Teaching Hospitals' Safety Surveillance Ward Level Dashboard.

The board this project grew from published one ward's figures. The extract below rebuilds them row by row (22
patients, each with only what the board counted), loads it through the real refresh with the shipped
configuration, and reads every tile of that board back from the stored snapshot. The figures the reference board
gave: 22 patients, 1 COVID-19 positive, 2 awaiting a COVID-19 test, outstanding assessments VTE 18, alcohol 2,
MUST 2, welfare 1 (the other types none), nursing staff actual (planned) 4 (5) registered and 9 (9) unregistered
by day, 4 (4) registered and 7 (7) unregistered by night, 2 critical doses missed, 3 on hourly observations,
4 with AKI and 1 with sepsis. Golden discharges, expected discharges today and least-restrictive-practice
reviews are set here to 1, 2 and 1 so that those tiles count something too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.extract_builder import encounter, obs, write_extract

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-01-15T10:00:00Z"  # 10:00 London (GMT), after the morning huddle: today's day shift, last night's night
ADMITTED = "2026-01-13T09:00:00Z"
PATIENTS = [f"P{n:02d}" for n in range(1, 23)]  # 22 patients on the ward

VTE_OUTSTANDING = PATIENTS[:18]  # P01-P18
ALCOHOL_OUTSTANDING = ["P19", "P20"]
MUST_OUTSTANDING = ["P01", "P02"]
WELFARE_OUTSTANDING = ["P03"]
HOURLY_OBS = ["P11", "P12", "P13"]  # a respiratory rate of 25 scores 3: hourly observations
AKI = ["P14", "P15", "P16", "P17"]
FLAGS = {
    "P05": "COVID_POSITIVE",
    "P06": "COVID_TEST_PENDING",
    "P07": "COVID_TEST_PENDING",
    "P08": "GOLDEN_DISCHARGE",
    "P09": "LEAST_RESTRICTIVE_REVIEW_DUE",
    "P10": "SEPSIS",
}
EXPECTED_HOME_TODAY = ["P21", "P22"]


def _assessment(eid: str, kind: str, done: bool) -> dict:
    return {
        "encounter_id": eid,
        "assessment_type": kind,
        "due_at": "2026-01-13T20:00:00Z",
        "completed_at": "2026-01-13T15:00:00Z" if done else "",
    }


def reference_world() -> dict[str, list[dict]]:
    encounters = [
        encounter(
            eid,
            bed=f"B{i + 1}",
            admitted=ADMITTED,
            expected_discharge_date="2026-01-15" if eid in EXPECTED_HOME_TODAY else "2026-01-20",
        )
        for i, eid in enumerate(PATIENTS)
    ]
    observations = [
        obs(eid, "2026-01-15T09:30:00Z", rr=25 if eid in HOURLY_OBS else 16) for eid in PATIENTS
    ]
    assessments = []
    for eid in PATIENTS:
        assessments.append(_assessment(eid, "PRESSURE_ULCER", True))
        assessments.append(_assessment(eid, "VTE", eid not in VTE_OUTSTANDING))
        assessments.append(_assessment(eid, "MUST", eid not in MUST_OUTSTANDING))
    assessments += [_assessment(eid, "ALCOHOL", False) for eid in ALCOHOL_OUTSTANDING]
    assessments += [_assessment(eid, "WELFARE", False) for eid in WELFARE_OUTSTANDING]
    assessments += [_assessment(eid, "FALLS", True) for eid in ("P21", "P22")]  # done: not outstanding
    labs = []
    for eid in AKI:  # baseline 80 umol/L a month ago, 170 this morning: ratio 2.1, stage 2
        labs += [
            {"patient_id": f"P{eid}", "collected_at": "2025-12-16T09:00:00Z", "test": "creatinine", "value": 80,
             "unit": "umol/L"},
            {"patient_id": f"P{eid}", "collected_at": "2025-12-26T09:00:00Z", "test": "creatinine", "value": 80,
             "unit": "umol/L"},
            {"patient_id": f"P{eid}", "collected_at": "2026-01-15T06:00:00Z", "test": "creatinine", "value": 170,
             "unit": "umol/L"},
        ]  # fmt: skip
    doses = [
        {"encounter_id": "P04", "medicine": "Co-careldopa 25/100", "scheduled_at": at, "outcome": "not_given",
         "reason": ""}
        for at in ("2026-01-15T06:00:00Z", "2026-01-15T08:00:00Z")
    ]  # fmt: skip
    doses.append(
        {"encounter_id": "P04", "medicine": "Co-careldopa 25/100", "scheduled_at": "2026-01-15T02:00:00Z",
         "outcome": "given", "administered_at": "2026-01-15T02:05:00Z"}
    )  # fmt: skip
    flags = [{"encounter_id": eid, "flag": code, "raised_at": "2026-01-14T12:00:00Z"} for eid, code in FLAGS.items()]
    staffing = [
        {"ward_code": "7A", "shift_date": date, "shift": shift, "staff_group": group, "planned": planned,
         "actual": actual}
        for date, shift, group, actual, planned in (
            ("2026-01-15", "day", "registered", 4, 5),
            ("2026-01-15", "day", "unregistered", 9, 9),
            ("2026-01-14", "night", "registered", 4, 4),
            ("2026-01-14", "night", "unregistered", 7, 7),
        )
    ]  # fmt: skip
    return {
        "encounters": encounters,
        "observations": observations,
        "assessments": assessments,
        "lab_results": labs,
        "medication_administrations": doses,
        "patient_flags": flags,
        "staffing": staffing,
    }


def _run(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args, "--db", db], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_every_tile_of_the_reference_board_reads_its_published_value(tmp_path, db_url):
    folder = write_extract(tmp_path / "reference", AT, reference_world())
    loaded = _run("refresh", str(folder), db=db_url)
    assert loaded.returncode == 0, loaded.stderr
    out = _run("snapshot", "--format", "json", db=db_url)
    assert out.returncode == 0, out.stderr
    tiles = json.loads(out.stdout)["wards"]["7A"]["metrics"]
    value = {name: tile["value"] for name, tile in tiles.items()}

    assert value["patients_on_ward"] == 22
    assert value["covid_positive"] == 1
    assert value["awaiting_infection_test"] == 2
    assert value["golden_discharges"] == 1
    assert value["expected_discharges_today"] == 2
    assert value["least_restrictive_reviews_due"] == 1

    outstanding = {
        "assessment_alcohol_outstanding": 2,
        "assessment_alert_outstanding": 0,
        "assessment_adl_outstanding": 0,
        "assessment_falls_outstanding": 0,
        "assessment_hygiene_outstanding": 0,
        "assessment_must_outstanding": 2,
        "assessment_stroke_outstanding": 0,
        "assessment_vte_outstanding": 18,
        "assessment_welfare_outstanding": 1,
    }
    assert {name: value[name] for name in outstanding} == outstanding
    assert value["assessments_outstanding"] == 20  # P01-P18 (VTE; MUST and welfare among them), P19-P20 (alcohol)

    # actual (planned), in the order of the staffing tiles: registered day, unregistered day, registered night,
    # unregistered night
    staff = {
        name: (tiles[name]["numerator"], tiles[name]["denominator"])
        for name in ("nurses_registered_day", "nurses_unregistered_day", "nurses_registered_night",
                     "nurses_unregistered_night")
    }  # fmt: skip
    assert staff == {
        "nurses_registered_day": (4, 5),
        "nurses_unregistered_day": (9, 9),
        "nurses_registered_night": (4, 4),
        "nurses_unregistered_night": (7, 7),
    }
    assert value["nurses_registered_day"] == 0.8

    assert value["missed_critical_doses_today"] == 2
    assert value["obs_hourly_or_more"] == 3
    assert value["aki"] == 4
    assert value["sepsis"] == 1
