"""Properties of NEWS2 that must hold for every input, and the vectorised scorer against the scalar one."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rules.news2 import (
    PARAMETERS,
    SCORE_COLUMNS,
    news2,
    news2_frame,
    score_heart_rate,
    score_respiration_rate,
    score_spo2_scale1,
    score_spo2_scale2,
    score_systolic_bp,
    score_temperature,
)

EXAMPLES = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 200)), deadline=None)

rr_values = st.integers(0, 80)
spo2_values = st.integers(50, 100)
sbp_values = st.integers(30, 300)
hr_values = st.integers(10, 300)
temp_values = st.floats(25.0, 45.0, allow_nan=False)
acvpu_values = st.sampled_from(["A", "C", "V", "P", "U"])
distance = st.integers(0, 100)


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


complete_sets = st.fixed_dictionaries(
    {
        "respiratory_rate": rr_values,
        "spo2": spo2_values,
        "spo2_scale": st.sampled_from([1, 2]),
        "on_oxygen": st.booleans(),
        "systolic_bp": sbp_values,
        "heart_rate": hr_values,
        "consciousness": acvpu_values,
        "temperature_c": temp_values.map(lambda t: round(t, 1)),
    }
)

any_sets = st.fixed_dictionaries(
    {
        "respiratory_rate": maybe(rr_values),
        "spo2": maybe(spo2_values),
        "spo2_scale": maybe(st.sampled_from([1, 2])),
        "on_oxygen": maybe(st.booleans()),
        "systolic_bp": maybe(sbp_values),
        "heart_rate": maybe(hr_values),
        "consciousness": maybe(acvpu_values),
        "temperature_c": maybe(st.one_of(temp_values.map(lambda t: round(t, 1)), temp_values)),
    }
)


# ---- ranges --------------------------------------------------------------------------------------


@EXAMPLES
@given(rr_values, spo2_values, st.booleans(), sbp_values, hr_values, temp_values)
def test_every_parameter_scores_0_to_3(rr: int, spo2: int, o2: bool, sbp: int, hr: int, temp: float) -> None:
    for score in (
        score_respiration_rate(rr),
        score_spo2_scale1(spo2),
        score_spo2_scale2(spo2, o2),
        score_systolic_bp(sbp),
        score_heart_rate(hr),
        score_temperature(temp),
    ):
        assert score in (0, 1, 2, 3)


@EXAMPLES
@given(complete_sets)
def test_a_complete_set_scores_0_to_20(obs: dict[str, object]) -> None:
    result = news2(obs)
    assert result.score is not None and 0 <= result.score <= 20
    assert result.score == sum(result.parameter_scores.values())
    assert result.any_single_3 == (3 in result.parameter_scores.values())
    assert result.risk in ("low", "low-medium", "medium", "high")
    assert result.monitoring in ("12-hourly", "4-6-hourly", "hourly", "continuous")


@EXAMPLES
@given(any_sets)
def test_a_score_exactly_when_nothing_is_missing(obs: dict[str, object]) -> None:
    result = news2(obs)
    absent = tuple(name for name in PARAMETERS if obs[name] is None)  # chart order
    assert result.missing == absent
    assert (result.score is None) == bool(absent)


# ---- monotone: further from the normal band never scores lower -----------------------------------


def further_up_and_down(
    score: Callable[[float], int], low_normal: float, high_normal: float, value: float, step: float
) -> None:
    """From the normal band or above, going up never lowers the score; from the band or below, going down never does."""
    if value >= low_normal:
        assert score(value + step) >= score(value)
    if value <= high_normal:
        assert score(value - step) >= score(value)


@EXAMPLES
@given(rr_values, distance)
def test_respiration_rate_is_monotone(rr: int, step: int) -> None:
    further_up_and_down(score_respiration_rate, 12, 20, rr, step)


@EXAMPLES
@given(sbp_values, distance)
def test_systolic_bp_is_monotone(sbp: int, step: int) -> None:
    further_up_and_down(score_systolic_bp, 111, 219, sbp, step)


@EXAMPLES
@given(hr_values, distance)
def test_heart_rate_is_monotone(hr: int, step: int) -> None:
    further_up_and_down(score_heart_rate, 51, 90, hr, step)


@EXAMPLES
@given(temp_values, st.floats(0, 10, allow_nan=False))
def test_temperature_is_monotone(temp: float, step: float) -> None:
    further_up_and_down(score_temperature, 36.1, 38.0, temp, step)


@EXAMPLES
@given(spo2_values, distance)
def test_spo2_scale_1_is_monotone(spo2: int, step: int) -> None:
    assert score_spo2_scale1(spo2 - step) >= score_spo2_scale1(spo2)


@EXAMPLES
@given(spo2_values, distance, st.booleans())
def test_spo2_scale_2_is_monotone(spo2: int, step: int, on_oxygen: bool) -> None:
    # Normal band 88-92; above it only oxygen raises the score (on air >=93 scores 0).
    further_up_and_down(lambda v: score_spo2_scale2(v, on_oxygen), 88, 92, spo2, step)


# ---- differential: news2_frame against news2, row for row -----------------------------------------


def to_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    def col(name: str) -> list[object]:
        return [r[name] for r in rows]

    return pd.DataFrame(
        {
            "respiratory_rate": pd.array(col("respiratory_rate"), dtype="Int64"),
            "spo2": pd.array(col("spo2"), dtype="Int64"),
            "spo2_scale": pd.array(col("spo2_scale"), dtype="Int64"),
            "on_oxygen": pd.array(col("on_oxygen"), dtype="boolean"),
            "systolic_bp": pd.array(col("systolic_bp"), dtype="Int64"),
            "heart_rate": pd.array(col("heart_rate"), dtype="Int64"),
            "consciousness": pd.array(col("consciousness"), dtype="string"),
            "temperature_c": np.array([np.nan if v is None else v for v in col("temperature_c")], dtype="float64"),
        }
    )


def na_to_none(value: object) -> object:
    return None if pd.isna(value) else value


@EXAMPLES
@given(st.lists(any_sets, min_size=1, max_size=40))
def test_news2_frame_agrees_with_news2(rows: list[dict[str, object]]) -> None:
    out = news2_frame(to_frame(rows))
    for i, obs in enumerate(rows):
        expected = news2(obs)
        got = out.iloc[i]
        assert na_to_none(got["news2_score"]) == expected.score
        assert na_to_none(got["news2_any_single_3"]) == expected.any_single_3
        assert na_to_none(got["news2_risk"]) == expected.risk
        assert na_to_none(got["news2_monitoring"]) == expected.monitoring
        assert got["news2_missing"] == ", ".join(expected.missing)
        for name, column in SCORE_COLUMNS.items():  # the column names themselves: tests/spec/test_news2.py
            assert na_to_none(got[column]) == expected.parameter_scores.get(name), (name, obs)
