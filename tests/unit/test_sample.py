"""The synthetic trust generator: deterministic, in the contract's shape, and recognisably a hospital.

Small histories (1-3 days) keep these fast; the 90-day and scale-25 timings are
measured by hand (see the module's report), not asserted here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from metrics.config.models import AppConfig, SourcesFile
from metrics.equity.groups import ETHNIC_CATEGORY_GROUP
from metrics.extract.contract import TABLES, TABLES_BY_NAME
from metrics.extract.reader import read_extract
from metrics.synthetic.trust import generate_one, generate_trust
from metrics.synthetic.wards import write_scaled_wards_yaml
from metrics.extract.validate import validate_extract

ROOT = Path(__file__).resolve().parents[2]
WARDS_YAML = ROOT / "config" / "wards.yaml"
CLINICAL_YAML = ROOT / "config" / "clinical.yaml"
END = date(2026, 11, 25)
WARDS = yaml.safe_load(WARDS_YAML.read_text())["wards"]
BEDS = {w["code"]: w["beds"] for w in WARDS}


def _generate(out: Path, **kwargs: object) -> list[Path]:
    args = {"wards_yaml": WARDS_YAML, "clinical_yaml": CLINICAL_YAML, "days": 3, "end": END, "fmt": "csv"}
    args.update(kwargs)
    return generate_trust(out, **args)  # type: ignore[arg-type]


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _generate(tmp_path_factory.mktemp("history"))


@pytest.fixture(scope="module")
def clean_history(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _generate(tmp_path_factory.mktemp("clean"), bad_rows=False)


@pytest.fixture(scope="module")
def parquet_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_one(tmp_path_factory.mktemp("parquet"), end=END, wards_yaml=WARDS_YAML, clinical_yaml=CLINICAL_YAML)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---- determinism and shape ------------------------------------------------------------------


def test_returns_one_folder_per_day_in_date_order(history: list[Path]) -> None:
    assert [p.name for p in history] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    for folder in history:
        assert sorted(p.name for p in folder.iterdir()) == sorted(["manifest.json"] + [f"{t.name}.csv" for t in TABLES])


def test_same_seed_and_arguments_give_identical_bytes(history: list[Path], parquet_day: Path, tmp_path: Path) -> None:
    again = _generate(tmp_path / "csv")
    for first, second in zip(history, again, strict=True):
        assert _files(first) == _files(second)
    again_parquet = generate_one(tmp_path / "pq", end=END, wards_yaml=WARDS_YAML, clinical_yaml=CLINICAL_YAML)
    assert _files(parquet_day) == _files(again_parquet)


def test_another_seed_gives_another_trust(history: list[Path], tmp_path: Path) -> None:
    other = _generate(tmp_path, days=1, seed=7)
    assert (other[0] / "encounters.csv").read_bytes() != (history[-1] / "encounters.csv").read_bytes()


def test_the_patients_on_a_day_do_not_depend_on_how_many_days_were_generated(
    history: list[Path], tmp_path: Path
) -> None:
    latest = generate_one(tmp_path, end=END, fmt="csv", wards_yaml=WARDS_YAML, clinical_yaml=CLINICAL_YAML)
    for table in ("encounters", "staffing"):
        assert (latest / f"{table}.csv").read_bytes() == (history[-1] / f"{table}.csv").read_bytes(), table


# the optional columns the generator does make: frailty, and each patient's deprivation decile and ethnic category
GENERATED_OPTIONAL_COLUMNS = {"clinical_frailty_scale", "imd_decile", "ethnic_category"}


def test_every_file_has_exactly_the_contract_columns_in_order(history: list[Path], parquet_day: Path) -> None:
    """Every column the contract requires a file to carry; the optional ones the generator does not make are left
    out."""
    for folder in history:
        for spec in TABLES:
            header = (folder / f"{spec.name}.csv").read_text(encoding="utf-8").splitlines()[0]
            assert header.split(",") == [
                c.name for c in spec.columns if not c.may_be_absent or c.name in GENERATED_OPTIONAL_COLUMNS
            ], spec.name
    for spec in TABLES:
        names = [c.name for c in spec.columns if not c.may_be_absent or c.name in GENERATED_OPTIONAL_COLUMNS]
        assert pq.read_schema(parquet_day / f"{spec.name}.parquet").names == names, spec.name


def test_manifest_is_0730_london_with_its_offset(history: list[Path], tmp_path: Path) -> None:
    manifest = json.loads((history[-1] / "manifest.json").read_text())
    assert manifest["extracted_at"] == "2026-11-25T07:30:00+00:00"
    assert manifest["source"].startswith("synthetic-trust-generator v1 seed=20261125")
    summer = _generate(tmp_path, days=1, end=date(2026, 7, 1))
    assert json.loads((summer[0] / "manifest.json").read_text())["extracted_at"] == "2026-07-01T07:30:00+01:00"


def test_times_carry_the_right_london_offset_across_the_clock_change(tmp_path: Path) -> None:
    folders = _generate(tmp_path, days=2, end=date(2026, 10, 26))  # clocks went back at 01:00 UTC on 25 October
    for folder in folders:
        for name, column in (
            ("observations", "taken_at"),
            ("medication_administrations", "scheduled_at"),
            ("encounters", "admitted_at"),
        ):
            text = _read(folder, name)[column].dropna()
            as_london = pd.to_datetime(text, utc=True).dt.tz_convert("Europe/London")
            assert (as_london.map(lambda ts: ts.isoformat()) == text).all(), (folder.name, name)
    offsets = _read(folders[0], "observations")["taken_at"].str[-6:]
    assert {"+01:00", "+00:00"} <= set(offsets)


# ---- the hospital -----------------------------------------------------------------------------


def test_encounter_ids_are_unique_in_every_extract(history: list[Path]) -> None:
    for folder in history:
        ids = _read(folder, "encounters")["encounter_id"]
        assert ids.notna().all() and ids.is_unique
        assert ids.str.fullmatch(r"E\d{8}").all()
        assert _read(folder, "encounters")["patient_id"].str.fullmatch(r"P\d{7}").all()


def test_ward_codes_are_configured_bar_the_one_deliberate_bad_row(history: list[Path]) -> None:
    for folder in history:
        codes = _read(folder, "encounters")["ward_code"]
        unknown = codes[~codes.isin(BEDS)]
        assert unknown.tolist() == ["ZZ9"]
        assert set(_read(folder, "staffing")["ward_code"]) == set(BEDS)


def test_occupancy_is_between_80_and_100_percent_of_beds(history: list[Path]) -> None:
    for folder in history:
        enc = _read(folder, "encounters")
        current = enc[enc["discharged_at"].isna() & enc["ward_code"].isin(BEDS)]
        occupancy = current.groupby("ward_code").size() / pd.Series(BEDS)
        assert occupancy.between(0.80, 1.0).all(), occupancy.sort_values().head(3).to_dict()
        # no bed holds two patients at once
        assert not current.duplicated(["ward_code", "bed"]).any()
        assert current["bed"].str.fullmatch(r"(B|SR)\d+").all()
        assert (
            enc["discharged_at"].notna() & enc["ward_code"].isin(BEDS)
        ).sum() > 0  # yesterday's discharges are there


def test_ages_fit_the_specialty(history: list[Path]) -> None:
    specialty = {w["code"]: w["specialty"] for w in WARDS}
    enc = _read(history[-1], "encounters")
    enc = enc[enc["ward_code"].isin(BEDS)]
    age = enc["age_years"].astype(int)
    spec = enc["ward_code"].map(specialty)
    assert (age[enc["ward_code"] == "PAED"] < 18).all()
    assert age[spec == "maternity"].between(18, 45).all()
    assert (age[spec == "elderly care"] >= 75).all()
    assert age.between(0, 120).all()
    assert (enc.loc[spec.isin(["maternity", "gynaecology"]), "sex"] == "F").all()


def test_patients_persist_across_consecutive_days(history: list[Path]) -> None:
    for today, tomorrow in zip(history, history[1:]):
        a, b = _read(today, "encounters"), _read(tomorrow, "encounters")
        a = a[a["discharged_at"].isna() & a["ward_code"].isin(BEDS)].set_index("encounter_id")
        b = b.set_index("encounter_id")
        assert a.index.isin(b.index).all()  # still on the ward, or discharged in the last 24 hours
        same = b.loc[a.index]
        for column in ("patient_id", "ward_code", "bed", "admitted_at", "age_years"):
            assert (same[column] == a[column]).all(), column
        assert 0.05 < (~b.index.isin(a.index)).mean() < 0.4  # and new admissions arrived


def test_lab_results_have_creatinine_in_both_units_and_other_tests(history: list[Path]) -> None:
    labs = _read(history[-1], "lab_results")
    creatinine = labs[labs["test"] == "creatinine"]
    assert set(creatinine["unit"]) == {"umol/L", "mg/dL"}
    assert (creatinine["unit"] == "umol/L").mean() > 0.9
    assert {"potassium", "crp"} <= set(labs["test"])
    times = pd.to_datetime(labs["collected_at"], utc=True)
    assert times.min() < pd.Timestamp("2026-06-01", tz="UTC")  # history going back months
    enc = _read(history[-1], "encounters")
    assert set(labs["patient_id"]) <= set(enc["patient_id"])


def test_observations_medicines_and_flags_look_like_a_ward(history: list[Path]) -> None:
    folder = history[-1]
    obs = _read(folder, "observations")
    assert (obs["on_oxygen"] == "true").any() and (obs["spo2_scale"] == "2").any()
    incomplete = (
        obs[["respiratory_rate", "spo2", "systolic_bp", "heart_rate", "consciousness", "temperature_c"]]
        .isna()
        .any(axis=1)
    )
    assert 0.01 < incomplete.mean() < 0.06
    meds = _read(folder, "medication_administrations")
    assert set(meds["outcome"]) == {"given", "not_given", "pending"}
    assert meds["scheduled_at"].str[11:16].isin(["06:00", "08:00", "12:00", "14:00", "18:00", "22:00"]).all()
    reasons = set(meds.loc[meds["outcome"] == "not_given", "reason"].dropna())
    assert {"patient_refused", "nil_by_mouth", "clinical_reason", "unavailable", "no_reason"} <= reasons
    assert meds.loc[meds["outcome"] == "not_given", "reason"].isna().any()  # left blank
    assert {"paracetamol", "enoxaparin"} <= set(meds["medicine"])
    flags = _read(folder, "patient_flags")
    assert {"SUSPECTED_INFECTION", "SEPSIS", "MED_REC_OUTSTANDING", "PRESSURE_ULCER", "FALL"} <= set(flags["flag"])
    assert flags["cleared_at"].notna().any() and flags["cleared_at"].isna().any()
    assessments = _read(folder, "assessments")
    assert assessments["completed_at"].isna().mean() < 0.25


# ---- scale ------------------------------------------------------------------------------------


def test_scaled_wards_yaml_and_extract_agree(tmp_path: Path) -> None:
    scaled = write_scaled_wards_yaml(WARDS_YAML, 3, tmp_path / "wards.yaml")
    doc = yaml.safe_load(scaled.read_text())
    codes = [w["code"] for w in doc["wards"]]
    assert len(codes) == 3 * len(WARDS) and len(set(codes)) == len(codes)
    assert codes[: len(WARDS)] == [w["code"] for w in WARDS]
    assert "7A-K02" in codes and "7A-K03" in codes
    assert doc["sites"] == yaml.safe_load(WARDS_YAML.read_text())["sites"]
    folder = _generate(tmp_path / "out", days=1, scale=3)[0]
    used = _read(folder, "encounters")["ward_code"]
    assert set(used) - set(codes) == {"ZZ9"}
    assert set(used) - {"ZZ9"} == set(codes)
    assert set(_read(folder, "staffing")["ward_code"]) == set(codes)


# ---- bad rows ---------------------------------------------------------------------------------


def test_bad_rows_off_gives_rows_within_the_contract(clean_history: list[Path]) -> None:
    hr = TABLES_BY_NAME["observations"].column("heart_rate")
    for folder in clean_history:
        extracted_at = pd.Timestamp(json.loads((folder / "manifest.json").read_text())["extracted_at"])
        obs = _read(folder, "observations")
        assert obs["heart_rate"].dropna().astype(int).between(hr.min_value, hr.max_value).all()
        assert (pd.to_datetime(obs["taken_at"], utc=True) <= extracted_at).all()
        assert _read(folder, "encounters")["ward_code"].isin(BEDS).all()
        assert _read(folder, "assessments")["encounter_id"].notna().all()
        assert pd.to_numeric(_read(folder, "lab_results")["value"], errors="coerce").notna().all()


def test_bad_rows_are_added_without_changing_the_other_rows(history: list[Path], clean_history: list[Path]) -> None:
    for bad, clean in zip(history, clean_history):
        for table, is_bad in (
            ("encounters", lambda f: f["ward_code"] == "ZZ9"),
            ("assessments", lambda f: f["encounter_id"].isna()),
        ):
            frame = _read(bad, table)
            assert int(is_bad(frame).sum()) == 1
            pd.testing.assert_frame_equal(frame[~is_bad(frame)].reset_index(drop=True), _read(clean, table))


def test_the_validator_quarantines_exactly_the_deliberate_bad_rows(
    history: list[Path], clean_history: list[Path], parquet_day: Path, cfg: AppConfig
) -> None:
    def quarantined(folder: Path) -> list[tuple[str, str]]:
        # the canonical shape needs no column mapping, so none is applied
        checked = validate_extract(read_extract(folder, SourcesFile()), cfg)
        return sorted(zip(checked.quarantine["table_name"], checked.quarantine["column_name"]))

    assert quarantined(history[-1]) == sorted(
        [
            ("encounters", "ward_code"),
            ("observations", "heart_rate"),
            ("observations", "taken_at"),
            ("assessments", "encounter_id"),
            ("lab_results", "value"),
        ]
    )
    assert quarantined(parquet_day) == sorted(
        [  # Parquet columns are typed: no 'abc' creatinine there
            ("encounters", "ward_code"),
            ("observations", "heart_rate"),
            ("observations", "taken_at"),
            ("assessments", "encounter_id"),
        ]
    )
    assert quarantined(clean_history[-1]) == []


# ---- outside the EPR: incidents, patient feedback, workforce (optional tables) ---------------------


@pytest.fixture(scope="module")
def epr_only(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _generate(tmp_path_factory.mktemp("epr_only"), non_epr=False)


def test_the_optional_tables_can_be_left_out_without_changing_a_byte_of_the_epr_tables(
    history: list[Path], epr_only: list[Path]
) -> None:
    optional = {t.name for t in TABLES if not t.required_file}
    assert optional == {
        "incidents",
        "patient_feedback",
        "workforce",
        "acuity",
        "expected_admissions",
        "falls_risk",
        "accreditation_assessments",
    }
    for full, bare in zip(history, epr_only, strict=True):
        assert not any((bare / f"{name}.csv").exists() for name in optional)
        for spec in TABLES:
            if spec.required_file:
                assert (full / f"{spec.name}.csv").read_bytes() == (bare / f"{spec.name}.csv").read_bytes(), spec.name


def test_the_optional_tables_are_within_the_contract_and_look_like_a_ward(
    clean_history: list[Path], cfg: AppConfig
) -> None:
    folder = clean_history[-1]
    checked = validate_extract(read_extract(folder, SourcesFile()), cfg)
    assert {"incidents", "patient_feedback", "workforce", "acuity", "expected_admissions", "falls_risk"} <= set(
        checked.tables
    )
    assert checked.quarantine.empty
    extracted_at = pd.Timestamp(json.loads((folder / "manifest.json").read_text())["extracted_at"])
    incidents = _read(folder, "incidents")
    occurred = pd.to_datetime(incidents["occurred_at"], utc=True)
    assert occurred.max() <= extracted_at and occurred.min() < extracted_at - pd.Timedelta(
        days=390
    )  # 400 days of history
    assert incidents["incident_id"].is_unique and set(incidents["ward_code"]) == set(BEDS)
    assert set(incidents["incident_type"]) == {
        "FALL",
        "PRESSURE_ULCER",
        "MEDICATION",
        "C_DIFF",
        "GOOD_CATCH",
        "LEARNING",
        "OTHER",
    }
    per_ward_month = incidents.groupby("ward_code").size() / 13
    assert per_ward_month.between(3, 30).all(), per_ward_month.describe()  # a few a month per ward
    ulcers = incidents[incidents["incident_type"] == "PRESSURE_ULCER"]
    assert (
        ulcers["pressure_ulcer_category"].notna().all()
        and incidents.loc[incidents["incident_type"] != "PRESSURE_ULCER", "pressure_ulcer_category"].isna().all()
    )
    feedback = _read(folder, "patient_feedback")
    fft = feedback[feedback["kind"] == "fft"]
    assert fft["fft_positive"].notna().all() and feedback.loc[feedback["kind"] != "fft", "fft_positive"].isna().all()
    assert 0.85 < (fft["fft_positive"] == "true").mean() < 0.98
    days_with_fft = fft.groupby("ward_code")["response_date"].nunique()
    assert (days_with_fft > 0.6 * 200).all()  # FFT responses most days
    workforce = _read(folder, "workforce")
    assert workforce.groupby("ward_code").size().eq(13).all()
    assert (
        workforce["month"].str.endswith("-01").all() and workforce["month"].max() < folder.name[:7] + "-01"
    )  # complete months only


def test_an_incident_keeps_its_id_from_one_extract_to_the_next(history: list[Path]) -> None:
    before, after = (
        _read(history[-2], "incidents").set_index("incident_id"),
        _read(history[-1], "incidents").set_index("incident_id"),
    )
    both = before.index.intersection(after.index)
    assert len(both) > 0.95 * len(before)
    pd.testing.assert_frame_equal(before.loc[both], after.loc[both])


def test_the_anticipation_tables_score_the_patients_on_the_ward_and_expect_admissions(
    clean_history: list[Path],
) -> None:
    folder = clean_history[-1]
    enc = _read(folder, "encounters")
    on_ward = set(enc.loc[enc["discharged_at"].isna(), "encounter_id"])
    acuity = _read(folder, "acuity")
    extract_day = json.loads((folder / "manifest.json").read_text())["extracted_at"][:10]
    day = acuity[(acuity["shift"] == "day") & (acuity["shift_date"] == extract_day)]
    assert set(day["encounter_id"]) <= on_ward
    assert len(day) >= 0.9 * len(on_ward)  # all but the few not scored yet
    assert set(acuity["snct_level"]) <= {"0", "1a", "1b", "2", "3"}
    assert len(_read(folder, "expected_admissions")) > 0
    falls = _read(folder, "falls_risk")
    assert set(falls["encounter_id"]) <= on_ward
    assert set(falls["risk_level"]) == {"low", "moderate", "high"}


def test_each_patient_has_one_deprivation_decile_and_ethnic_category_drawn_at_realistic_shares(
    history: list[Path],
) -> None:
    frames = [pd.read_csv(folder / "encounters.csv", dtype=str, keep_default_na=False) for folder in history]
    encounters = pd.concat(frames, ignore_index=True).drop_duplicates("encounter_id")
    deciles = encounters["imd_decile"]
    known = deciles[deciles != ""].astype(int)
    assert set(known) == set(range(1, 11))
    assert 0 < (deciles == "").mean() < 0.08  # a few per cent with no decile
    assert (known <= 2).mean() > (known >= 9).mean()  # inpatients come more often from deprived areas
    codes = encounters["ethnic_category"]
    assert set(codes) <= set(ETHNIC_CATEGORY_GROUP) | {"Z", "99"}
    assert 0.6 < codes.isin(["A", "B", "C"]).mean() < 0.85
    assert encounters.groupby("patient_id")[["imd_decile", "ethnic_category"]].nunique().max().max() == 1
