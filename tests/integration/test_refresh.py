"""A refresh, end to end, on SQLite and PostgreSQL: extract in, snapshot stored, or nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from metrics.config.load import load_config
from metrics.errors import ExtractRejected
from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.models import DrilldownRow, EncounterValue, QuarantinedRow, RefreshAttempt, Snapshot, WardMetricValue
from metrics.store.writer import write_snapshot
from tests.extract_builder import encounter, obs, write_extract

NOW = "2026-11-25T07:30:00Z"


def small_world() -> dict[str, list[dict]]:
    """Ward 7A: two patients on the ward (one sick), one discharged yesterday evening. Ward 7B: one patient."""
    return {
        "encounters": [
            encounter("E1", "7A", bed="B1", age=82),
            encounter("E2", "7A", bed="B2", age=45),
            encounter("E3", "7A", bed="B3", age=60, discharged_at="2026-11-24T18:00:00Z"),
            encounter("E4", "7B", bed="SR1", age=91),
        ],
        "observations": [
            obs("E1", "2026-11-25T07:00:00Z", rr=26, spo2=90, hr=120, temp=38.6),  # 3+3+2+1 = 9: high, continuous
            obs("E2", "2026-11-25T06:00:00Z"),
            obs("E4", "2026-11-25T05:00:00Z"),
        ],
        "patient_flags": [
            {"encounter_id": "E1", "flag": "SUSPECTED_INFECTION", "raised_at": "2026-11-25T06:00:00Z"},
            {"encounter_id": "E4", "flag": "ISOLATION", "raised_at": "2026-11-23T06:00:00Z"},
        ],
        "assessments": [
            {"encounter_id": "E1", "assessment_type": "VTE", "due_at": "2026-11-24T10:00:00Z"},
            {
                "encounter_id": "E2",
                "assessment_type": "FALLS",
                "due_at": "2026-11-24T10:00:00Z",
                "completed_at": "2026-11-24T09:00:00Z",
            },
        ],
        "medication_administrations": [
            {
                "encounter_id": "E1",
                "medicine": "Enoxaparin 40 mg SC",
                "scheduled_at": "2026-11-25T06:00:00Z",
                "outcome": "not_given",
                "reason": "unavailable",
            },
            {
                "encounter_id": "E2",
                "medicine": "Paracetamol 1 g",
                "scheduled_at": "2026-11-25T06:00:00Z",
                "outcome": "not_given",
                "reason": "no_reason",
            },
        ],
        "staffing": [
            {
                "ward_code": "7A",
                "shift_date": "2026-11-25",
                "shift": "day",
                "staff_group": "registered",
                "planned": 5,
                "actual": 4,
            },
            {
                "ward_code": "7A",
                "shift_date": "2026-11-25",
                "shift": "day",
                "staff_group": "unregistered",
                "planned": 4,
                "actual": 4,
            },
        ],
    }


def value(engine, snapshot_id: int, ward: str, metric: str) -> float | None:
    frame = queries.ward_values(engine, snapshot_id)
    row = frame[(frame.ward_code == ward) & (frame.metric_id == metric)]
    assert len(row) == 1, f"no value for {ward}/{metric}"
    v = row.iloc[0]["value"]
    return None if pd.isna(v) else float(v)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_refresh_stores_every_wards_values_from_a_literal_extract(tmp_path, cfg, engine):
    folder = write_extract(tmp_path / "x", NOW, small_world())
    result = refresh(folder, cfg, engine)
    assert result.status == "loaded" and result.quarantined == 0
    sid = result.snapshot_id
    assert value(engine, sid, "7A", "patients_on_ward") == 2  # E3 was discharged
    assert value(engine, sid, "7B", "patients_on_ward") == 1
    assert value(engine, sid, "8C", "patients_on_ward") == 0  # a configured ward with no patients is a zero, not absent
    assert value(engine, sid, "7A", "obs_hourly_or_more") == 1
    assert value(engine, sid, "7A", "news2_5_or_more") == 1
    assert value(engine, sid, "7A", "sepsis") == 1  # suspected infection + NEWS2 9
    assert value(engine, sid, "7B", "infection_isolation") == 1
    # E1's VTE is open; E2 has no VTE, pressure-ulcer or MUST row at all, so both are outstanding
    assert value(engine, sid, "7A", "assessments_outstanding") == 2
    assert value(engine, sid, "7A", "assessment_vte_outstanding") == 2
    assert value(engine, sid, "7A", "missed_critical_doses_today") == 1  # paracetamol is not critical
    assert value(engine, sid, "7A", "staff_registered_day") == pytest.approx(0.8)
    assert value(engine, sid, "7B", "staff_registered_day") is None  # no plan: no data, never 0 %
    wv = queries.ward_values(engine, sid)
    red = wv[(wv.ward_code == "7A") & (wv.metric_id == "staff_registered_day")].iloc[0]
    # hours: 4 and 5 registered nurses x the 12.5-hour day shift (no hours columns in this extract)
    assert (red["numerator"], red["denominator"], red["rag"]) == (50.0, 62.5, "red")


def test_drilldown_rows_say_which_patient_needs_what(tmp_path, cfg, engine):
    sid = refresh(write_extract(tmp_path / "x", NOW, small_world()), cfg, engine).snapshot_id
    rows = queries.drilldown(engine, sid, "7A", "missed_critical_doses_today")
    assert rows["bed"].tolist() == ["B1"]
    assert rows["medicine"].tolist() == ["Enoxaparin 40 mg SC"]
    assert rows["critical_class"].tolist() == ["anticoagulants"]
    assert rows["duration_minutes"].tolist() == [90.0]


def test_loading_the_same_extract_twice_keeps_one_snapshot(tmp_path, cfg, engine):
    folder = write_extract(tmp_path / "x", NOW, small_world())
    first = refresh(folder, cfg, engine)
    second = refresh(folder, cfg, engine)
    assert second.status == "duplicate" and second.snapshot_id == first.snapshot_id
    assert count(engine, Snapshot) == 1
    assert count(engine, WardMetricValue) == len(cfg.metrics) * len(cfg.wards.wards)


def _break_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def _bad_json_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text('{"extracted_at": "2026-11-25T07:30:00Z",')


def _missing_file(folder: Path) -> None:
    (folder / "observations.csv").unlink()


def _missing_column(folder: Path) -> None:
    frame = pd.read_csv(folder / "encounters.csv")
    frame.drop(columns=["age_years"]).to_csv(folder / "encounters.csv", index=False)


def _unparseable_parquet(folder: Path) -> None:
    (folder / "staffing.csv").unlink()
    (folder / "staffing.parquet").write_bytes(b"PAR1 this is not parquet")


@pytest.mark.parametrize(
    ("breakage", "names", "says"),
    [
        (_break_manifest, "manifest.json", "manifest.json is missing"),
        (_bad_json_manifest, "manifest.json", "not valid JSON (line 1"),
        (_missing_file, "observations.csv", "required table `observations` is missing"),
        (_missing_column, "encounters.csv", "missing column(s) age_years"),
        (_unparseable_parquet, "staffing.parquet", "cannot be parsed"),
    ],
)
def test_structural_fault_rejects_extract_and_keeps_previous_snapshot(tmp_path, cfg, engine, breakage, names, says):
    good = refresh(write_extract(tmp_path / "good", NOW, small_world(), source="good"), cfg, engine)
    bad = write_extract(tmp_path / "bad", NOW, small_world())
    breakage(bad)
    with pytest.raises(ExtractRejected) as err:
        refresh(bad, cfg, engine)
    assert names in str(err.value) and says in str(err.value)
    assert queries.current_snapshot(engine).id == good.snapshot_id
    assert count(engine, Snapshot) == 1
    attempts = queries.refresh_attempts(engine)
    assert attempts.iloc[0]["status"] == "rejected" and names in attempts.iloc[0]["message"]


def test_bad_rows_are_quarantined_with_table_row_column_and_reason(tmp_path, cfg, engine):
    world = small_world()
    world["encounters"].append(encounter("E9", "ZZ9", bed="B9"))  # row 5
    world["encounters"].append(encounter("E1", "7A", bed="B7"))  # row 6: duplicate key
    world["observations"].append(obs("E2", "2026-11-25T07:10:00Z", hr=900))  # row 4
    world["observations"].append(obs("E2", "2026-11-25T09:00:00Z"))  # row 5: after extracted_at
    world["observations"].append(obs("E404", "2026-11-25T07:00:00Z"))  # row 6: no such encounter
    world["assessments"].append(
        {"encounter_id": None, "assessment_type": "VTE", "due_at": "2026-11-24T10:00:00Z"}
    )  # row 3
    world["lab_results"] = [
        {
            "patient_id": "PE1",
            "collected_at": "2026-11-25T05:00:00Z",
            "test": "creatinine",
            "value": "abc",
            "unit": "umol/L",
        },
        {
            "patient_id": "PE1",
            "collected_at": "2026-11-24T05:00:00Z",
            "test": "creatinine",
            "value": "80",
            "unit": "umol/L",
        },
    ]
    result = refresh(write_extract(tmp_path / "x", NOW, world), cfg, engine)
    q = queries.quarantine_rows(engine, result.snapshot_id)
    got = {(r.table_name, r.row_number, r.column_name) for r in q.itertuples()}
    assert got == {
        ("encounters", 5, "ward_code"),
        ("encounters", 6, "encounter_id"),
        ("observations", 4, "heart_rate"),
        ("observations", 5, "taken_at"),
        ("observations", 6, "encounter_id"),
        ("assessments", 3, "encounter_id"),
        ("lab_results", 1, "value"),
    }
    reasons = dict(((r.table_name, r.row_number), r.reason) for r in q.itertuples())
    assert reasons[("observations", 4)] == "column 'heart_rate': 900 must be between 10 and 300"
    assert reasons[("encounters", 5)].startswith(
        "column 'ward_code': 'ZZ9' is not a known code; add it to config/wards.yaml"
    )
    assert reasons[("lab_results", 1)] == "column 'value': 'abc' is not a valid decimal"
    assert reasons[("assessments", 3)] == "column 'encounter_id': is required but empty"
    assert "is after the extract's extracted_at" in reasons[("observations", 5)]
    assert json.loads(q[q.table_name == "observations"].iloc[0]["raw"])["heart_rate"] == "900"
    # the rest is used: E1 is still on 7A with its first row, and 7A still counts 2 patients
    assert value(engine, result.snapshot_id, "7A", "patients_on_ward") == 2
    assert result.quarantined == 7


def test_a_refresh_that_fails_halfway_writes_nothing(tmp_path, cfg, engine):
    refresh(write_extract(tmp_path / "good", "2026-11-24T07:30:00Z", small_world()), cfg, engine)
    before = {m: count(engine, m) for m in (Snapshot, WardMetricValue, DrilldownRow, EncounterValue, QuarantinedRow)}
    duplicate_key = pd.DataFrame(
        [{"ward_code": "7A", "metric_id": "x", "value": 1.0, "numerator": 1.0, "denominator": None, "rag": None}] * 2
    )
    with pytest.raises(IntegrityError):
        write_snapshot(
            engine,
            extracted_at=pd.Timestamp(NOW),
            source="t",
            extract_path="t",
            content_hash="h" * 64,
            config_fingerprint="f",
            row_counts={},
            metric_definitions=[],
            ward_values=duplicate_key,
            drilldown=pd.DataFrame(),
            encounters=pd.DataFrame(),
            quarantine=pd.DataFrame(),
        )
    after = {m: count(engine, m) for m in before}
    assert after == before


def test_a_metric_defined_only_in_yaml_appears_in_the_snapshot(tmp_path, config_dir, engine):
    with (config_dir / "metrics.yaml").open("a") as f:
        f.write(
            "  - id: patients_over_90\n"
            '    label: "Patients aged 90 or over"\n'
            '    description: "Defined only in this test."\n'
            "    table: encounters\n"
            "    where: {all: [{column: on_ward, eq: true}, {column: age_years, ge: 90}]}\n"
            "    aggregate: {kind: distinct_patients}\n"
            "    unit: patients\n"
            "    direction: neutral\n"
            "    audiences: [huddle, wall, executive]\n"
            "    group: ward\n"
            "    order: 99\n"
        )
    cfg = load_config(config_dir)
    sid = refresh(write_extract(tmp_path / "x", NOW, small_world()), cfg, engine).snapshot_id
    assert value(engine, sid, "7B", "patients_over_90") == 1
    assert value(engine, sid, "7A", "patients_over_90") == 0


def test_hospital_column_names_are_mapped_by_sources_yaml(tmp_path, config_dir, engine):
    folder = write_extract(tmp_path / "x", NOW, small_world())
    frame = pd.read_csv(folder / "encounters.csv")
    frame.rename(columns={"encounter_id": "ENC_ID", "ward_code": "WARD"}).to_csv(
        folder / "adt_inpatients.csv", index=False
    )
    (folder / "encounters.csv").unlink()
    obs_frame = pd.read_csv(folder / "observations.csv")
    obs_frame["on_oxygen"] = obs_frame["on_oxygen"].map({False: "No", True: "Yes"})
    obs_frame.to_csv(folder / "observations.csv", index=False)
    (config_dir / "sources.yaml").write_text(
        "tables:\n"
        "  encounters:\n    file: adt_inpatients\n    columns: {ENC_ID: encounter_id, WARD: ward_code}\n"
        "  observations:\n    values:\n      on_oxygen: {'Yes': true, 'No': false}\n"
    )
    cfg = load_config(config_dir)
    result = refresh(folder, cfg, engine)
    assert result.quarantined == 0
    assert value(engine, result.snapshot_id, "7A", "patients_on_ward") == 2


def test_every_attempt_is_logged(tmp_path, cfg, engine):
    folder = write_extract(tmp_path / "x", NOW, small_world())
    refresh(folder, cfg, engine)
    refresh(folder, cfg, engine)
    statuses = queries.refresh_attempts(engine)["status"].tolist()
    assert statuses == ["duplicate", "loaded"]
    assert count(engine, RefreshAttempt) == 2


def test_a_child_gets_no_news2_score_and_is_not_counted_as_deteriorating(tmp_path, cfg, engine):
    world = small_world()
    world["encounters"].append(encounter("C1", "PAED", bed="P1", age=6))
    world["observations"].append(obs("C1", "2026-11-25T07:00:00Z", rr=30, hr=130))  # adult NEWS2 would be 3 + 2
    sid = refresh(write_extract(tmp_path / "x", NOW, world), cfg, engine).snapshot_id
    enc = queries.encounter_values(engine, sid).set_index("encounter_id")
    assert enc.loc["C1", "news2_status"] == "not_applicable"
    assert pd.isna(enc.loc["C1", "news2_score"])
    assert "PEWS" in enc.loc["C1", "news2_status_reason"]
    assert value(engine, sid, "PAED", "obs_hourly_or_more") == 0
    assert value(engine, sid, "PAED", "patients_on_ward") == 1


def test_care_hours_per_patient_day_uses_yesterdays_shifts_and_the_midnight_census(tmp_path, cfg, engine):
    world = small_world()
    world["staffing"] += [
        {
            "ward_code": "7A",
            "shift_date": "2026-11-24",
            "shift": "day",
            "staff_group": "registered",
            "planned": 5,
            "actual": 4,
        },
        {
            "ward_code": "7A",
            "shift_date": "2026-11-24",
            "shift": "day",
            "staff_group": "unregistered",
            "planned": 3,
            "actual": 3,
        },
        {
            "ward_code": "7A",
            "shift_date": "2026-11-24",
            "shift": "night",
            "staff_group": "registered",
            "planned": 3,
            "actual": 3,
        },
    ]
    sid = refresh(write_extract(tmp_path / "x", NOW, world), cfg, engine).snapshot_id
    # at midnight 7A held E1 and E2 (E3 left at 18:00): care hours 7 x 12.5 (day) + 3 x 12 (night) = 123.5 over 2
    # patients
    assert value(engine, sid, "7A", "care_hours_per_patient_day") == pytest.approx(61.75)
    assert value(engine, sid, "7B", "care_hours_per_patient_day") is None  # no staffing recorded: no data, not zero


def test_a_patient_list_names_flags_by_their_labels_not_their_codes(tmp_path, cfg, engine):
    world = small_world()
    world["patient_flags"].append(
        {"encounter_id": "E1", "flag": "MED_REC_OUTSTANDING", "raised_at": "2026-11-25T05:00:00Z"}
    )
    sid = refresh(write_extract(tmp_path / "x", NOW, world), cfg, engine).snapshot_id
    labels = {f.code: f.label for f in cfg.clinical.flag_codes}
    with engine.connect() as conn:
        details = [
            json.loads(d)
            for d in conn.execute(
                select(DrilldownRow.detail).where(
                    DrilldownRow.snapshot_id == sid,
                    DrilldownRow.encounter_id == "E1",
                    DrilldownRow.metric_id == "patients_on_ward",
                )
            ).scalars()
        ]
    assert details and details[0]["active_flags"] == ", ".join(
        sorted([labels["SUSPECTED_INFECTION"], labels["MED_REC_OUTSTANDING"]])
    )
