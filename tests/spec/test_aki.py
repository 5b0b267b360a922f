"""NHS England AKI algorithm (Patient Safety Alert, 2014), checked at every edge.

Each case is a short creatinine history, written as "how long before C1 was it
taken, and what was it", with the stage the published algorithm gives.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from metrics.rules.aki import PER_PATIENT_COLUMNS, AkiResult, aki_per_patient, aki_result, creatinine_umol

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
C1_AT = NOW - timedelta(hours=1)
ADULT = 60


def history(c1: float, *earlier: tuple[timedelta, float]) -> list[tuple[datetime, float]]:
    """Earlier results given as (time before C1, µmol/L), then C1 itself, one hour before now."""
    return [(C1_AT - before, value) for before, value in earlier] + [(C1_AT, c1)]


def days(n: float) -> timedelta:
    return timedelta(days=n)


def hours(n: float, minutes: float = 0) -> timedelta:
    return timedelta(hours=n, minutes=minutes)


# ---- unit conversion -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "umol"),
    [
        (100.0, "umol/L", 100.0),
        (100.0, "umol/l", 100.0),
        (100.0, "UMOL/L", 100.0),
        (100.0, "\u00b5mol/L", 100.0),  # micro sign
        (100.0, "\u03bcmol/L", 100.0),  # Greek mu
        (100.0, " µmol/L ", 100.0),
        (1.0, "mg/dL", 88.42),
        (2.0, "MG/DL", 176.84),
        (1.5, "mg/dl", 132.63),
    ],
)
def test_creatinine_units(value: float, unit: str, umol: float) -> None:
    assert creatinine_umol(value, unit) == pytest.approx(umol)


@pytest.mark.parametrize("unit", ["mmol/L", "mg/L", "", "umol", "µmol/mL"])
def test_unknown_units_are_not_guessed(unit: str) -> None:
    assert creatinine_umol(100.0, unit) is None


# ---- staging at every edge -----------------------------------------------------------------------

R = days(3)  # a reference result 3 days before C1: in the 0-7 day window, outside the 48 h window


STAGE_CASES = [
        # RV ratio thresholds 1.5, 2 and 3 (RV1 = 100, taken 3 days before C1)
        ("ratio 1.49", history(149, (R, 100)), 0, "RV1"),
        ("ratio 1.50", history(150, (R, 100)), 1, "RV1"),
        ("ratio 1.99", history(199, (R, 100)), 1, "RV1"),
        ("ratio 2.00", history(200, (R, 100)), 2, "RV1"),
        ("ratio 2.99", history(299, (R, 100)), 2, "RV1"),
        ("ratio 3.00", history(300, (R, 100)), 3, "RV1"),
        # C1 above 354 µmol/L with an RV ratio >= 1.5 is stage 3
        ("C1 354, ratio 1.77", history(354, (R, 200)), 1, "RV1"),
        ("C1 355, ratio 1.775", history(355, (R, 200)), 3, "RV1"),
        ("C1 354, ratio 2.36", history(354, (R, 150)), 2, "RV1"),
        ("C1 355, ratio 2.37", history(355, (R, 150)), 3, "RV1"),
        ("C1 500 but ratio 1.25: C1 alone is not AKI", history(500, (R, 400)), 0, "RV1"),
        # 48-hour rise D = C1 - lowest in the 48 h before C1, must exceed 26 µmol/L
        ("rise 26 in 30 h", history(126, (hours(30), 100)), 0, "RV1"),
        ("rise 27 in 30 h", history(127, (hours(30), 100)), 1, "RV1"),
        ("rise 27, result 47h59m before", history(127, (hours(47, 59), 100)), 1, "RV1"),
        ("rise 27, result exactly 48h before", history(127, (hours(48), 100)), 1, "RV1"),
        ("rise 27, result 48h01m before", history(127, (hours(48, 1), 100)), 0, "RV1"),
        ("rise 27 over a lowest 48 h value", history(130, (hours(40), 103), (hours(20), 110)), 1, "RV1"),
        ("rise 26 over the lowest 48 h value", history(130, (hours(40), 104), (hours(20), 110)), 0, "RV1"),
        ("C1 400, rise 30, ratio 1.08: the 48 h rule gives stage 1 only", history(400, (hours(24), 370)), 1, "RV1"),
        # Windows: 0-7 days (RV1, lowest), 8-365 days (RV2, median)
        ("result exactly 7 days before is RV1", history(150, (days(7), 100)), 1, "RV1"),
        ("result 7 days + 1 minute before is RV2", history(150, (days(7) + timedelta(minutes=1), 100)), 1, "RV2"),
        ("result 8 days before is RV2", history(150, (days(8), 100)), 1, "RV2"),
        ("result exactly 365 days before is RV2", history(150, (days(365), 100)), 1, "RV2"),
        ("result 365 days + 1 minute before: no baseline",
         history(150, (days(365) + timedelta(minutes=1), 100)), None, None),
        ("result 366 days before: no baseline", history(150, (days(366), 100)), None, None),
        # RV1 is the lowest of the 0-7 day results, RV2 the median of the 8-365 day results
        ("RV1 lowest of 120, 100, 130", history(200, (days(6), 120), (days(4), 100), (days(2), 130)), 2, "RV1"),
        ("RV2 median of 60, 100, 200 is 100",
         history(200, (days(300), 60), (days(100), 100), (days(10), 200)), 2, "RV2"),
        ("RV2 median of 80, 120 is 100", history(150, (days(50), 80), (days(20), 120)), 1, "RV2"),
        # Both windows: the higher ratio is used
        ("RV2 80 gives the higher ratio", history(160, (days(40), 80), (days(3), 150)), 2, "RV2"),
        ("RV1 70 gives the higher ratio", history(160, (days(40), 100), (days(3), 70)), 2, "RV1"),
        ("equal ratios: RV1 is named", history(160, (days(40), 80), (days(3), 80)), 2, "RV1"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "results", "stage", "kind"), STAGE_CASES)
def test_stage(what: str, results: list[tuple[datetime, float]], stage: int | None, kind: str | None) -> None:
    result = aki_result(results, ADULT, NOW)
    assert (result.stage, result.reference_kind) == (stage, kind), f"{what}: {result.reason}"


def test_numbers_behind_a_stage_are_reported() -> None:
    result = aki_result(history(200, (days(6), 120), (hours(30), 100)), ADULT, NOW)
    assert result == AkiResult(
        stage=2,
        reason="C1 200 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 2.00 ≥ 2: stage 2",
        c1_umol=200.0,
        c1_at=C1_AT,
        reference_umol=100.0,
        reference_kind="RV1",
        ratio=2.0,
        rise_48h_umol=100.0,
        status="staged",
        result_age_hours=1.0,
        repeat_due=False,
    )


REASON_CASES = [
        (history(355, (R, 200)),
         "C1 355 µmol/L / RV1 200 (lowest in the 7 days before) = ratio 1.77 ≥ 1.5 and C1 > 354 µmol/L: stage 3"),
        (history(127, (hours(30), 100)),
         "C1 127 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 1.27 < 1.5, but a rise of 27 µmol/L "
         "within 48 h (> 26): stage 1"),
        (history(126, (hours(30), 100)),
         "C1 126 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 1.26 < 1.5; rise within 48 h "
         "26 µmol/L (≤ 26): no AKI"),
        (history(110, (days(30), 100)),
         "C1 110 µmol/L / RV2 100 (median of 8-365 days before) = ratio 1.10 < 1.5; no result in the 48 h "
         "before: no AKI"),
        (history(299.6, (R, 100)), "C1 299.6 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 2.99 ≥ 2: stage 2"),
]  # fmt: skip


@pytest.mark.parametrize(("results", "reason"), REASON_CASES)
def test_reasons_say_why(results: list[tuple[datetime, float]], reason: str) -> None:
    assert aki_result(results, ADULT, NOW).reason == reason


# ---- when the algorithm gives no stage -----------------------------------------------------------


def test_missing_baseline_is_said_not_guessed() -> None:
    result = aki_result(history(400), ADULT, NOW)
    assert result.stage is None
    assert result.reason == "no baseline: no result in the last 365 days or 48 hours"
    assert result.c1_umol == 400.0 and result.reference_umol is None and result.ratio is None


def test_no_results() -> None:
    result = aki_result([], ADULT, NOW)
    assert result.stage is None and result.reason == "no creatinine result" and result.c1_umol is None


# Children and young people: the ratio and 48-hour rules apply at every age; the adult "C1 > 354" stage-3
# rule does not (the paediatric one, C1 > 3 x the upper reference limit for age, needs the laboratory's
# interval, which the extract does not carry); with no baseline a child is "not assessed", never dropped.
CHILD_NOTE = " (under 18: C1 not checked against 3 x the upper reference limit for age)"
AGE_CASES = [
    # (age, C1, earlier results, stage, status, reason)
    (18, 300, [(R, 100)], 3, "staged",
     "C1 300 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 3.00 ≥ 3: stage 3"),
    (17, 300, [(R, 100)], 3, "staged",
     "C1 300 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 3.00 ≥ 3: stage 3" + CHILD_NOTE),
    (16, 60, [(R, 30)], 2, "staged",
     "C1 60 µmol/L / RV1 30 (lowest in the 7 days before) = ratio 2.00 ≥ 2: stage 2" + CHILD_NOTE),
    (0, 45, [(R, 30)], 1, "staged",
     "C1 45 µmol/L / RV1 30 (lowest in the 7 days before) = ratio 1.50 ≥ 1.5: stage 1" + CHILD_NOTE),
    (18, 355, [(R, 200)], 3, "staged",
     "C1 355 µmol/L / RV1 200 (lowest in the 7 days before) = ratio 1.77 ≥ 1.5 and C1 > 354 µmol/L: stage 3"),
    (17, 355, [(R, 200)], 1, "staged",
     "C1 355 µmol/L / RV1 200 (lowest in the 7 days before) = ratio 1.77 ≥ 1.5: stage 1" + CHILD_NOTE),
    (17, 300, [], None, "not_assessed",
     "under 18 with no baseline: the paediatric path compares C1 with the laboratory's upper reference limit for age, "
     "which the extract does not carry: not assessed"),
    (18, 300, [], None, "no_baseline", "no baseline: no result in the last 365 days or 48 hours"),
    (101, 300, [(R, 100)], 3, "staged",
     "C1 300 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 3.00 ≥ 3: stage 3"),
]  # fmt: skip


@pytest.mark.parametrize(("age", "c1", "earlier", "stage", "status", "reason"), AGE_CASES)
def test_children_and_young_people_follow_the_paediatric_path_or_are_not_assessed(
    age: int, c1: float, earlier: list[tuple[timedelta, float]], stage: int | None, status: str, reason: str
) -> None:
    result = aki_result(history(c1, *earlier), age, NOW)
    assert (result.stage, result.status, result.reason) == (stage, status, reason)


def test_unknown_age_is_not_assessed_with_the_reason() -> None:
    result = aki_result(history(300, (R, 100)), None, NOW)
    assert result.stage is None and result.status == "not_assessed"
    assert result.reason == "age unknown: the AKI rule for the patient's age cannot be chosen: not assessed"


# An old creatinine does not show the injury has resolved: the stage stands, with the result's age.
CURRENCY_CASES = [
    # (C1 taken this long before now, stage, repeat due, reason ends with)
    (hours(72), 3, False, ": stage 3"),
    (hours(72, 1), 3, True, ": stage 3; creatinine 72 h ago: repeat due"),
    (hours(80), 3, True, ": stage 3; creatinine 80 h ago: repeat due"),
    (hours(200), 3, True, ": stage 3; creatinine 200 h ago: repeat due"),
]


@pytest.mark.parametrize(("c1_age", "stage", "repeat_due", "ending"), CURRENCY_CASES)
def test_an_old_stage_stands_with_its_age_and_a_repeat_due(
    c1_age: timedelta, stage: int, repeat_due: bool, ending: str
) -> None:
    c1_at = NOW - c1_age
    result = aki_result([(c1_at - R, 100.0), (c1_at, 300.0)], ADULT, NOW)
    assert (result.stage, result.repeat_due) == (stage, repeat_due)
    assert result.reason.endswith(ending)
    assert result.result_age_hours == c1_age.total_seconds() / 3600
    assert result.c1_at == c1_at


def test_repeat_due_window_is_a_parameter() -> None:
    c1_at = NOW - hours(30)
    results = [(c1_at - R, 100.0), (c1_at, 300.0)]
    assert aki_result(results, ADULT, NOW, current_within_hours=24).reason.endswith("creatinine 30 h ago: repeat due")
    assert aki_result(results, ADULT, NOW, current_within_hours=48).repeat_due is False


# ---- which result is C1 --------------------------------------------------------------------------


def test_results_after_now_are_ignored() -> None:
    results = history(100, (R, 100)) + [(NOW + hours(1), 400.0)]
    result = aki_result(results, ADULT, NOW)
    assert result.c1_umol == 100.0 and result.stage == 0


def test_input_order_does_not_matter() -> None:
    results = history(200, (days(6), 120), (R, 100))
    assert aki_result(list(reversed(results)), ADULT, NOW) == aki_result(results, ADULT, NOW)


def test_of_two_results_at_the_same_time_the_later_one_in_the_input_is_c1() -> None:
    results = [(C1_AT - R, 100.0), (C1_AT, 140.0), (C1_AT, 200.0)]
    result = aki_result(results, ADULT, NOW)
    assert result.c1_umol == 200.0
    assert result.reference_umol == 100.0  # the other result at C1's time is a candidate too (elapsed 0), but higher
    assert result.rise_48h_umol == 60.0


def test_unusable_values_are_skipped() -> None:
    results = history(200, (R, 100)) + [
        (C1_AT + timedelta(minutes=5), float("nan")),
        (C1_AT + timedelta(minutes=6), 0.0),
    ]
    assert aki_result(results, ADULT, NOW).c1_umol == 200.0


def test_mixing_naive_and_aware_times_is_an_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        aki_result([(datetime(2024, 3, 1, 10), 100.0)], ADULT, NOW)


# ---- aki_per_patient -----------------------------------------------------------------------------

EXTRACTED_AT = pd.Timestamp(NOW)


def labs(*rows: tuple[str, timedelta, str, float, str]) -> pd.DataFrame:
    """Lab rows as (patient_id, time before extracted_at, test, value, unit)."""
    return pd.DataFrame(
        {
            "patient_id": pd.array([r[0] for r in rows], dtype="string"),
            "collected_at": pd.to_datetime([EXTRACTED_AT - r[1] for r in rows], utc=True).as_unit("ns"),
            "test": pd.array([r[2] for r in rows], dtype="string"),
            "value": np.array([r[3] for r in rows], dtype="float64"),
            "unit": pd.array([r[4] for r in rows], dtype="string"),
        }
    )


def test_per_patient_table() -> None:
    frame = labs(
        ("P1", days(4), "creatinine", 1.0, "mg/dL"),  # 88.42 µmol/L
        ("P1", hours(2), "creatinine", 200.0, "umol/L"),
        ("P1", hours(1), "sodium", 140.0, "mmol/L"),
        ("P2", days(30), "creatinine", 80.0, "µmol/L"),
        ("P2", hours(3), "creatinine", 90.0, "umol/L"),
        ("P3", hours(3), "creatinine", 300.0, "umol/L"),
        ("KID", days(2), "creatinine", 30.0, "umol/L"),
        ("KID", hours(1), "creatinine", 90.0, "umol/L"),
    )
    ages = pd.Series({"P1": 70, "P2": 45, "P3": 50, "KID": 9, "P4": 80})
    out = aki_per_patient(frame, ages, EXTRACTED_AT).set_index("patient_id")
    assert list(out.index) == ["P1", "P2", "P3", "KID", "P4"]
    assert out.loc["P1", "aki_stage"] == 2
    assert out.loc["P1", "aki_reference_umol"] == pytest.approx(88.42)
    assert out.loc["P1", "aki_reference_kind"] == "RV1"
    assert out.loc["P1", "aki_ratio"] == pytest.approx(200 / 88.42)
    assert out.loc["P1", "aki_c1_at"] == EXTRACTED_AT - hours(2)
    assert out.loc["P2", "aki_stage"] == 0 and out.loc["P2", "aki_reference_kind"] == "RV2"
    assert pd.isna(out.loc["P3", "aki_stage"])
    assert out.loc["P3", "aki_reason"] == "no baseline: no result in the last 365 days or 48 hours"
    assert out.loc["KID", "aki_stage"] == 3 and out.loc["KID", "aki_reason"].endswith(CHILD_NOTE)
    assert pd.isna(out.loc["P4", "aki_stage"]) and out.loc["P4", "aki_reason"] == "no creatinine result"
    assert pd.isna(out.loc["P4", "aki_c1_at"]) and pd.isna(out.loc["P4", "aki_reference_kind"])


def test_per_patient_columns_and_types() -> None:
    out = aki_per_patient(labs(("P1", hours(1), "creatinine", 100.0, "umol/L")), {"P1": 50}, EXTRACTED_AT)
    assert list(out.columns) == [
        "patient_id",
        "aki_stage",
        "aki_status",
        "aki_reason",
        "aki_result_age_hours",
        "aki_repeat_due",
        "aki_c1_umol",
        "aki_c1_at",
        "aki_reference_umol",
        "aki_reference_kind",
        "aki_ratio",
    ]
    assert tuple(out.columns) == PER_PATIENT_COLUMNS
    assert out["aki_stage"].dtype == "Int64"
    assert out["aki_c1_umol"].dtype == "float64" and out["aki_ratio"].dtype == "float64"
    assert str(out["aki_c1_at"].dtype) == "datetime64[ns, UTC]"


def test_unconvertible_unit_is_ignored_and_counted_when_latest() -> None:
    frame = labs(
        ("P1", days(3), "creatinine", 100.0, "umol/L"),
        ("P1", hours(2), "creatinine", 160.0, "umol/L"),
        ("P1", hours(1), "creatinine", 0.4, "mmol/L"),
        ("P2", days(3), "creatinine", 0.1, "mmol/L"),
        ("P2", hours(2), "creatinine", 100.0, "umol/L"),
        ("P2", hours(1), "creatinine", 160.0, "umol/L"),
        ("P3", hours(1), "creatinine", 0.1, "g/L"),
    )
    out = aki_per_patient(frame, {"P1": 50, "P2": 50, "P3": 50}, EXTRACTED_AT).set_index("patient_id")
    assert out.loc["P1", "aki_stage"] == 1 and out.loc["P1", "aki_c1_umol"] == 160.0
    assert out.loc["P1", "aki_reason"].endswith(
        "(1 result newer than C1 ignored: unit 'mmol/L' cannot be converted to µmol/L)"
    )
    assert out.loc["P2", "aki_stage"] == 1
    assert "ignored" not in out.loc["P2", "aki_reason"]  # the bad row was not the latest
    assert pd.isna(out.loc["P3", "aki_stage"])
    assert (
        out.loc["P3", "aki_reason"]
        == "no creatinine result (1 result ignored: unit 'g/L' cannot be converted to µmol/L)"
    )


def test_per_patient_ignores_results_after_extracted_at_and_other_tests() -> None:
    frame = labs(
        ("P1", days(3), "creatinine", 100.0, "umol/L"),
        ("P1", hours(2), "creatinine", 110.0, "umol/L"),
        ("P1", -hours(1), "creatinine", 400.0, "umol/L"),
        ("P1", hours(1), "potassium", 6.1, "mmol/L"),
        ("P1", hours(1), "Creatinine ", 111.0, "umol/L"),
    )
    out = aki_per_patient(frame, {"P1": 50}, EXTRACTED_AT)
    assert out.loc[0, "aki_c1_umol"] == 111.0
    assert out.loc[0, "aki_stage"] == 0


def test_per_patient_with_missing_age() -> None:
    out = aki_per_patient(labs(("P1", hours(1), "creatinine", 100.0, "umol/L")), pd.Series({"P1": pd.NA}), EXTRACTED_AT)
    assert pd.isna(out.loc[0, "aki_stage"]) and "age unknown" in out.loc[0, "aki_reason"]


def test_per_patient_with_no_lab_rows() -> None:
    out = aki_per_patient(labs(), {"P1": 50}, EXTRACTED_AT)
    assert out["aki_reason"].tolist() == ["no creatinine result"]


# ---- aki_per_patient gives what aki_result gives, at every edge ------------------------------------


def one_patient(results: list[tuple[datetime, float]], unit: str = "umol/L") -> pd.DataFrame:
    return labs(*[("P1", EXTRACTED_AT - when, "creatinine", value, unit) for when, value in results])


def or_none(value: object) -> object:
    return None if pd.isna(value) else value  # type: ignore[call-overload]


def same_as_aki_result(
    results: list[tuple[datetime, float]], age: int | None = ADULT, unit: str = "umol/L"
) -> pd.Series:
    """aki_per_patient's row for one patient, checked column by column against aki_result."""
    row = aki_per_patient(one_patient(results, unit), {"P1": age}, EXTRACTED_AT).iloc[0]
    factor = 88.42 if unit == "mg/dL" else 1.0
    expected = aki_result([(when, value * factor) for when, value in results], age, NOW)
    got = [
        or_none(row[c])
        for c in (
            "aki_stage",
            "aki_reason",
            "aki_c1_umol",
            "aki_c1_at",
            "aki_reference_umol",
            "aki_reference_kind",
            "aki_ratio",
        )
    ]
    assert got == [
        expected.stage,
        expected.reason,
        expected.c1_umol,
        expected.c1_at,
        expected.reference_umol,
        expected.reference_kind,
        expected.ratio,
    ]
    return row


@pytest.mark.parametrize(("what", "results", "stage", "kind"), STAGE_CASES)
def test_per_patient_stage_at_every_edge(
    what: str, results: list[tuple[datetime, float]], stage: int | None, kind: str | None
) -> None:
    row = same_as_aki_result(results)
    assert (or_none(row["aki_stage"]), or_none(row["aki_reference_kind"])) == (stage, kind), what


@pytest.mark.parametrize(("results", "reason"), REASON_CASES)
def test_per_patient_reasons(results: list[tuple[datetime, float]], reason: str) -> None:
    assert same_as_aki_result(results)["aki_reason"] == reason


@pytest.mark.parametrize(
    ("results", "unit", "stage"),
    [
        (history(1.65, (R, 1.1)), "mg/dL", 1),  # ratio 1.4999999999999998: 1.5 but for floating-point noise
        (history(3.3, (R, 1.1)), "mg/dL", 3),  # ratio 2.9999999999999996
        (history(2.0, (R, 1.0)), "mg/dL", 2),
        (history(1.3, (hours(30), 1.0)), "mg/dL", 1),  # rise 26.526
        (history(4.0, (R, 2.66)), "mg/dL", 1),  # C1 353.68, ratio 1.504
        (history(4.01, (R, 2.0)), "mg/dL", 3),  # C1 354.56, ratio 2.005
        (history(78.4, (hours(30), 52.4)), "umol/L", 0),  # rise 26.000000000000007: 26 but for noise; ratio 1.496
    ],
)
def test_per_patient_thresholds_tolerate_floating_point_noise(
    results: list[tuple[datetime, float]], unit: str, stage: int
) -> None:
    assert same_as_aki_result(results, unit=unit)["aki_stage"] == stage


@pytest.mark.parametrize("age", [None, 0, 17, 18, 101])
@pytest.mark.parametrize("c1_age", [hours(1), hours(72), hours(72, 1)])
def test_per_patient_age_and_currency(age: int | None, c1_age: timedelta) -> None:
    c1_at = NOW - c1_age
    same_as_aki_result([(c1_at - R, 100.0), (c1_at, 300.0)], age)


def test_per_patient_of_two_results_at_the_same_time_the_later_one_in_the_input_is_c1() -> None:
    frame = labs(
        ("P1", hours(1) + R, "creatinine", 100.0, "umol/L"),
        ("P2", hours(1), "creatinine", 140.0, "umol/L"),
        ("P1", hours(1), "creatinine", 140.0, "umol/L"),
        ("P2", hours(1) + R, "creatinine", 100.0, "umol/L"),
        ("P1", hours(1), "creatinine", 200.0, "umol/L"),
        ("P2", hours(1), "creatinine", 130.0, "umol/L"),
    )
    out = aki_per_patient(frame, {"P1": ADULT, "P2": ADULT}, EXTRACTED_AT).set_index("patient_id")
    assert out.loc["P1", "aki_c1_umol"] == 200.0 and out.loc["P1", "aki_stage"] == 2
    assert out.loc["P2", "aki_c1_umol"] == 130.0 and out.loc["P2", "aki_stage"] == 0


def test_per_patient_lists_patients_in_the_order_given_even_when_repeated_or_without_results() -> None:
    frame = labs(("P2", hours(1) + R, "creatinine", 100.0, "umol/L"), ("P2", hours(1), "creatinine", 300.0, "umol/L"))
    out = aki_per_patient(frame, pd.Series([50, 60, 70], index=["P3", "P2", "P2"], dtype="Int64"), EXTRACTED_AT)
    assert out["patient_id"].tolist() == ["P3", "P2", "P2"]
    assert out["aki_reason"].tolist()[0] == "no creatinine result"
    assert out["aki_stage"].tolist()[1:] == [3, 3]


def test_per_patient_names_the_latest_unconvertible_unit_and_counts_those_at_or_after_c1() -> None:
    frame = labs(
        ("P1", hours(2) + R, "creatinine", 100.0, "umol/L"),
        ("P1", hours(3), "creatinine", 1.0, "g/L"),  # before C1: not counted
        ("P1", hours(2), "creatinine", 0.2, "mmol/L"),  # same time as C1: counted
        ("P1", hours(2), "creatinine", 160.0, "umol/L"),  # C1
        ("P1", hours(1), "creatinine", 0.3, "xyz"),
        ("P1", hours(1), "creatinine", 0.3, "mmol/L"),  # latest, by input order
        ("P1", -hours(1), "creatinine", 0.3, "abc"),  # after extracted_at: not read
    )
    reason = aki_per_patient(frame, {"P1": ADULT}, EXTRACTED_AT).loc[0, "aki_reason"]
    assert reason.endswith("(3 results newer than C1 ignored: unit 'mmol/L' cannot be converted to µmol/L)")
