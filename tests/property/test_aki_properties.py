"""Properties of the AKI algorithm that must hold for every creatinine history."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.aki import aki_per_patient, aki_result

EXAMPLES = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 200)), deadline=None)

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

creatinine = st.floats(10.0, 2000.0, allow_nan=False)
# Earlier results: minutes before C1, up to 400 days (past the 365-day window), and a value.
earlier_results = st.lists(st.tuples(st.integers(0, 400 * 24 * 60), creatinine), max_size=25)
c1_minutes_before_now = st.integers(0, 80 * 60)  # sometimes older than the 72 h currency window
ages = st.one_of(st.none(), st.integers(0, 110))


def build(earlier: list[tuple[int, float]], c1_before_now: int, c1: float) -> list[tuple[datetime, float]]:
    c1_at = NOW - timedelta(minutes=c1_before_now)
    return [(c1_at - timedelta(minutes=m), v) for m, v in earlier] + [(c1_at, c1)]


@EXAMPLES
@given(earlier_results, c1_minutes_before_now, creatinine, ages)
def test_stage_is_none_or_0_to_3_and_always_explained(
    earlier: list[tuple[int, float]], c1_before_now: int, c1: float, age: int | None
) -> None:
    result = aki_result(build(earlier, c1_before_now, c1), age, NOW)
    assert result.stage in (None, 0, 1, 2, 3)
    assert result.reason
    if result.stage is not None:
        assert result.ratio is not None and result.reference_kind in ("RV1", "RV2")


@EXAMPLES
@given(earlier_results, c1_minutes_before_now, creatinine, st.floats(0.0, 1500.0, allow_nan=False), ages)
def test_raising_c1_never_lowers_the_stage(
    earlier: list[tuple[int, float]], c1_before_now: int, c1: float, rise: float, age: int | None
) -> None:
    lower = aki_result(build(earlier, c1_before_now, c1), age, NOW)
    higher = aki_result(build(earlier, c1_before_now, c1 + rise), age, NOW)
    if lower.stage is None:
        assert higher.stage is None  # no stage is about age, currency or baseline, never the value of C1
    else:
        assert higher.stage is not None and higher.stage >= lower.stage


@EXAMPLES
@given(earlier_results, c1_minutes_before_now, creatinine, st.integers(18, 110))
def test_adding_old_history_never_turns_a_stage_into_no_stage(
    earlier: list[tuple[int, float]], c1_before_now: int, c1: float, age: int
) -> None:
    with_history = aki_result(build(earlier + [(3 * 24 * 60, 100.0)], c1_before_now, c1), age, NOW)
    assert with_history.stage is not None or with_history.reason.startswith("no creatinine in the last")


@EXAMPLES
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.integers(0, 400 * 24 * 60), creatinine), max_size=40), ages)
def test_per_patient_agrees_with_aki_result(rows: list[tuple[str, int, float]], age: int | None) -> None:
    frame = pd.DataFrame(
        {
            "patient_id": pd.array([r[0] for r in rows], dtype="string"),
            "collected_at": pd.to_datetime([NOW - timedelta(minutes=r[1]) for r in rows], utc=True).as_unit("ns"),
            "test": pd.array(["creatinine"] * len(rows), dtype="string"),
            "value": pd.array([r[2] for r in rows], dtype="float64"),
            "unit": pd.array(["umol/L"] * len(rows), dtype="string"),
        }
    )
    out = aki_per_patient(frame, {"P1": age, "P2": age, "P3": age}, pd.Timestamp(NOW)).set_index("patient_id")
    for patient in ("P1", "P2", "P3"):
        expected = aki_result([(NOW - timedelta(minutes=m), v) for p, m, v in rows if p == patient], age, NOW)
        got = out.loc[patient]
        assert (None if pd.isna(got["aki_stage"]) else int(got["aki_stage"])) == expected.stage
        assert got["aki_reason"] == expected.reason
        assert (None if pd.isna(got["aki_ratio"]) else got["aki_ratio"]) == expected.ratio
