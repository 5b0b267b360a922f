"""The clinical review's NEWS2, sepsis, pregnancy and child cases, end to end: refresh, then the snapshot JSON.

Extracted just after midnight (00:30 London time), so nothing may hang on "today":
the sets and the lactate were taken the evening before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.extract_builder import encounter, obs, write_extract

ROOT = Path(__file__).resolve().parents[2]
EXTRACTED_AT = "2026-11-26T00:30:00Z"  # November: London is UTC, so 00:30 London time


def _flag(eid: str, flag: str, raised: str = "2026-11-25T09:00:00Z") -> dict:
    return {"encounter_id": eid, "flag": flag, "raised_at": raised, "cleared_at": ""}


def _lab(pid: str, test: str, value: float, unit: str, at: str) -> dict:
    return {"patient_id": pid, "collected_at": at, "test": test, "value": value, "unit": unit}


def review_world() -> dict[str, list[dict]]:
    """One stay per review case, on ward 7A unless the case needs the maternity ward (S3)."""
    incomplete_red = {**obs("RED", "2026-11-25T12:00:00Z", rr=30, sbp=85), "temperature_c": ""}
    return {
        "encounters": [
            encounter("RED", bed="B1"),  # 08:00 scored 0; 12:00 RR 30, systolic 85, no temperature
            encounter("LACTATE", bed="B2"),  # suspected infection, NEWS2 0 within its interval, lactate 4.5
            encounter("MATERNITY", ward="S3", bed="M1", age=31),  # NEWS2 set would score 0: not applicable
            encounter("PREGNANT", bed="B3", age=29),  # pregnancy flag on a NEWS2 ward
            encounter("CHILD", bed="B4", age=12),
            encounter("RASH", bed="B5"),  # suspected infection with a non-blanching rash flag
        ],
        "observations": [
            obs("RED", "2026-11-25T08:00:00Z"),
            incomplete_red,
            obs("LACTATE", "2026-11-25T22:00:00Z"),
            obs("MATERNITY", "2026-11-25T23:00:00Z"),
            obs("PREGNANT", "2026-11-25T23:00:00Z"),
            obs("CHILD", "2026-11-25T23:00:00Z"),
            obs("RASH", "2026-11-25T23:00:00Z"),
        ],
        "lab_results": [
            _lab("PLACTATE", "lactate", 4.5, "mmol/L", "2026-11-25T22:10:00Z"),
        ],
        "patient_flags": [
            _flag("LACTATE", "SUSPECTED_INFECTION"),
            _flag("PREGNANT", "PREGNANT"),
            _flag("RASH", "SUSPECTED_INFECTION"),
            _flag("RASH", "NON_BLANCHING_RASH"),
        ],
    }


def run(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args, "--db", db], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_review_cases_through_refresh_and_snapshot_json(tmp_path: Path, db_url: str) -> None:
    folder = write_extract(tmp_path / "x", EXTRACTED_AT, review_world())
    loaded = run("refresh", str(folder), db=db_url)
    assert loaded.returncode == 0, loaded.stderr
    out = run("snapshot", "--format", "json", db=db_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    enc = {e["encounter_id"]: e for e in doc["encounters"]}
    ward = doc["wards"]["7A"]["metrics"]
    maternity = doc["wards"]["S3"]["metrics"]

    # The incomplete newest set with two red scores: hourly at least, overdue from 12:00, shown as a minimum.
    red = enc["RED"]
    assert red["news2_minimum_score"] == 6 and red["news2_shown"] == "≥ 6, temperature missing"
    assert red["news2_missing"] == "temperature"
    assert red["news2_monitoring"] == "hourly" and red["news2_status"] == "overdue"
    assert red["news2_score"] == 0  # the 08:00 complete set, kept for trends and named in the reason
    assert "that set scores ≥ 6, temperature missing" in red["news2_status_reason"]
    assert ward["obs_hourly_or_more"]["value"] == 1.0
    assert ward["obs_overdue"]["value"] == 1.0
    assert ward["news2_5_or_more"]["value"] == 1.0

    # Suspected infection with lactate 4.5 the evening before: on the sepsis screen, saying why.
    lactate = enc["LACTATE"]["sepsis"]
    assert lactate["positive"] is True and lactate["risk"] == "very low"
    assert lactate["criteria"] == ["suspected infection with lactate 4.5 mmol/L at 25 Nov 22:10 (red flag)"]
    rash = enc["RASH"]["sepsis"]
    assert rash["criteria"] == ["suspected infection with non-blanching rash (red flag)"]
    assert ward["sepsis"]["value"] == 2.0

    # Pregnancy (ward or flag) and children: no NEWS2 score, the reason says why, no NEWS2 tile counts them.
    for eid, reason in [
        ("MATERNITY", "NEWS2 not applicable: pregnancy (use MEOWS)"),
        ("PREGNANT", "NEWS2 not applicable: pregnancy (use MEOWS)"),
        ("CHILD", "NEWS2 not applicable under 16 (use PEWS)"),
    ]:
        row = enc[eid]
        assert (row["news2_score"], row["news2_minimum_score"], row["news2_monitoring"]) == (None, None, None), eid
        assert (row["news2_status"], row["news2_status_reason"]) == ("not_applicable", reason), eid
        assert row["news2_shown"] == "not applicable" and row["sepsis"]["positive"] is False, eid
    for metric in ("obs_hourly_or_more", "news2_5_or_more", "obs_overdue", "obs_incomplete"):
        assert maternity[metric]["value"] == 0.0, metric
    assert maternity["patients_on_ward"]["value"] == 1.0
    assert ward["obs_incomplete"]["value"] == 0.0  # the child and the pregnant patient are not 'incomplete'
