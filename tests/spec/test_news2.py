"""NEWS2 (Royal College of Physicians, 2017), checked band edge by band edge.

Each table reads like the RCP chart: a value, and the score the chart gives it.
A nurse can audit these rows against the paper chart without reading the code.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from metrics.rules.news2 import (
    News2Result,
    news2,
    news2_frame,
    score_air_or_oxygen,
    score_consciousness,
    score_heart_rate,
    score_respiration_rate,
    score_spo2_scale1,
    score_spo2_scale2,
    score_systolic_bp,
    score_temperature,
)

AIR, OXYGEN = False, True

# ---- parameter scores at every band edge ---------------------------------------------------------


@pytest.mark.parametrize(
    ("breaths_per_min", "score"),
    [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)],
)
def test_respiration_rate(breaths_per_min: int, score: int) -> None:
    assert score_respiration_rate(breaths_per_min) == score


@pytest.mark.parametrize(
    ("spo2_percent", "score"),
    [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
)
def test_spo2_scale_1(spo2_percent: int, score: int) -> None:
    assert score_spo2_scale1(spo2_percent) == score


@pytest.mark.parametrize(
    ("spo2_percent", "on_oxygen", "score"),
    [
        (83, AIR, 3),
        (83, OXYGEN, 3),
        (84, AIR, 2),
        (84, OXYGEN, 2),
        (85, AIR, 2),
        (85, OXYGEN, 2),
        (86, AIR, 1),
        (86, OXYGEN, 1),
        (87, AIR, 1),
        (87, OXYGEN, 1),
        (88, AIR, 0),
        (88, OXYGEN, 0),
        (92, AIR, 0),
        (92, OXYGEN, 0),
        (93, AIR, 0),
        (93, OXYGEN, 1),
        (94, AIR, 0),
        (94, OXYGEN, 1),
        (95, AIR, 0),
        (95, OXYGEN, 2),
        (96, AIR, 0),
        (96, OXYGEN, 2),
        (97, AIR, 0),
        (97, OXYGEN, 3),
        (100, AIR, 0),
        (100, OXYGEN, 3),
    ],
)
def test_spo2_scale_2(spo2_percent: int, on_oxygen: bool, score: int) -> None:
    assert score_spo2_scale2(spo2_percent, on_oxygen) == score


@pytest.mark.parametrize(("on_oxygen", "score"), [(AIR, 0), (OXYGEN, 2)])
def test_air_or_oxygen(on_oxygen: bool, score: int) -> None:
    assert score_air_or_oxygen(on_oxygen) == score


@pytest.mark.parametrize(
    ("systolic_mmhg", "score"),
    [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bp(systolic_mmhg: int, score: int) -> None:
    assert score_systolic_bp(systolic_mmhg) == score


@pytest.mark.parametrize(
    ("beats_per_min", "score"),
    [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)],
)
def test_heart_rate(beats_per_min: int, score: int) -> None:
    assert score_heart_rate(beats_per_min) == score


@pytest.mark.parametrize(
    ("acvpu", "score"),
    [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3), ("a", 0), ("c", 3), ("u", 3), (" V ", 3)],
)
def test_consciousness(acvpu: str, score: int) -> None:
    assert score_consciousness(acvpu) == score


@pytest.mark.parametrize("not_acvpu", ["X", "", "Alert", "GCS 15"])
def test_consciousness_rejects_codes_outside_acvpu(not_acvpu: str) -> None:
    with pytest.raises(ValueError, match="A, C, V, P, U"):
        score_consciousness(not_acvpu)


@pytest.mark.parametrize(
    ("temp_c", "score"),
    [
        (34.0, 3),
        (35.0, 3),
        (35.05, 1),
        (35.1, 1),
        (36.0, 1),
        (36.05, 0),
        (36.1, 0),
        (38.0, 0),
        (38.05, 1),
        (38.1, 1),
        (39.0, 1),
        (39.05, 2),
        (39.1, 2),
        (41.0, 2),
    ],
)
def test_temperature(temp_c: float, score: int) -> None:
    assert score_temperature(temp_c) == score


# ---- aggregate, risk and monitoring --------------------------------------------------------------

NORMAL: dict[str, object] = {
    "respiratory_rate": 16,
    "spo2": 97,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp": 120,
    "heart_rate": 70,
    "consciousness": "A",
    "temperature_c": 37.0,
}


def obs_set(**changes: object) -> dict[str, object]:
    """A normal set (scores 0) with the given parameters changed."""
    return {**NORMAL, **changes}


@pytest.mark.parametrize(
    ("what", "changes", "total", "single_3", "risk", "monitoring"),
    [
        ("all normal", {}, 0, False, "low", "12-hourly"),
        ("HR 95", {"heart_rate": 95}, 1, False, "low", "4-6-hourly"),
        (
            "HR 95, RR 22, T 38.5",
            {"heart_rate": 95, "respiratory_rate": 22, "temperature_c": 38.5},
            4,
            False,
            "low",
            "4-6-hourly",
        ),
        ("RR 8 alone (a red 3)", {"respiratory_rate": 8}, 3, True, "low-medium", "hourly"),
        ("new confusion alone", {"consciousness": "C"}, 3, True, "low-medium", "hourly"),
        ("RR 8 and HR 95", {"respiratory_rate": 8, "heart_rate": 95}, 4, True, "low-medium", "hourly"),
        (
            "RR 22, SBP 95, HR 95",
            {"respiratory_rate": 22, "systolic_bp": 95, "heart_rate": 95},
            5,
            False,
            "medium",
            "hourly",
        ),
        ("voice and RR 22", {"consciousness": "V", "respiratory_rate": 22}, 5, True, "medium", "hourly"),
        (
            "RR 22, SBP 95, HR 115",
            {"respiratory_rate": 22, "systolic_bp": 95, "heart_rate": 115},
            6,
            False,
            "medium",
            "hourly",
        ),
        (
            "RR 22, SBP 95, HR 115, T 38.5",
            {"respiratory_rate": 22, "systolic_bp": 95, "heart_rate": 115, "temperature_c": 38.5},
            7,
            False,
            "high",
            "continuous",
        ),
        ("oxygen alone", {"on_oxygen": True}, 2, False, "low", "4-6-hourly"),
        (
            "every parameter at its worst",
            {
                "respiratory_rate": 30,
                "spo2": 85,
                "on_oxygen": True,
                "systolic_bp": 80,
                "heart_rate": 150,
                "consciousness": "U",
                "temperature_c": 34.0,
            },
            20,
            True,
            "high",
            "continuous",
        ),
    ],
)
def test_aggregate_risk_and_monitoring(
    what: str, changes: dict[str, object], total: int, single_3: bool, risk: str, monitoring: str
) -> None:
    result = news2(obs_set(**changes))
    assert (result.score, result.any_single_3, result.risk, result.monitoring) == (total, single_3, risk, monitoring), (
        what
    )
    assert result.missing == ()
    assert sum(result.parameter_scores.values()) == total


def test_scale_2_is_used_when_the_set_says_so() -> None:
    # SpO2 90 on oxygen: scale 1 scores 3, scale 2 scores 0 (within its 88-92 target).
    assert news2(obs_set(spo2=90, on_oxygen=True, spo2_scale=1)).parameter_scores["spo2"] == 3
    assert news2(obs_set(spo2=90, on_oxygen=True, spo2_scale=2)).parameter_scores["spo2"] == 0
    assert news2(obs_set(spo2=97, on_oxygen=True, spo2_scale=2)).score == 3 + 2


@pytest.mark.parametrize("missing_scale", [None, float("nan"), pd.NA])
def test_missing_spo2_scale_means_scale_1(missing_scale: object) -> None:
    result = news2(obs_set(spo2=93, spo2_scale=missing_scale))
    assert result.parameter_scores["spo2"] == 2
    assert result.score == 2
    assert result.missing == ()


def test_spo2_scale_outside_1_and_2_is_an_error() -> None:
    with pytest.raises(ValueError, match="spo2_scale"):
        news2(obs_set(spo2_scale=3))


# ---- incomplete sets: no score, never a silent zero ----------------------------------------------


@pytest.mark.parametrize(
    "parameter",
    ["respiratory_rate", "spo2", "on_oxygen", "systolic_bp", "heart_rate", "consciousness", "temperature_c"],
)
@pytest.mark.parametrize("missing_value", [None, float("nan"), pd.NA, "absent"])
def test_a_missing_parameter_leaves_the_set_unscored(parameter: str, missing_value: object) -> None:
    obs = obs_set()
    if isinstance(missing_value, str):  # "absent": the key is not there at all
        del obs[parameter]
    else:
        obs[parameter] = missing_value
    result = news2(obs)
    assert result.score is None
    assert result.missing == (parameter,)
    assert result.any_single_3 is None and result.risk is None and result.monitoring is None
    assert parameter not in result.parameter_scores
    assert len(result.parameter_scores) == 6


def test_empty_consciousness_text_is_missing() -> None:
    assert news2(obs_set(consciousness="  ")).missing == ("consciousness",)


def test_several_missing_parameters_are_listed_in_chart_order() -> None:
    result = news2(obs_set(temperature_c=None, respiratory_rate=None, consciousness=None))
    assert result.score is None
    assert result.missing == ("respiratory_rate", "consciousness", "temperature_c")


def test_scale_2_spo2_up_to_92_is_scored_even_without_air_or_oxygen() -> None:
    low = news2(obs_set(spo2=85, spo2_scale=2, on_oxygen=None))
    assert low.parameter_scores["spo2"] == 2 and low.missing == ("on_oxygen",) and low.score is None
    high = news2(obs_set(spo2=95, spo2_scale=2, on_oxygen=None))
    assert "spo2" not in high.parameter_scores and high.missing == ("on_oxygen",)


def test_result_type() -> None:
    result = news2(obs_set())
    assert isinstance(result, News2Result)
    with pytest.raises(AttributeError):
        result.score = 5  # type: ignore[misc]


# ---- news2_frame ---------------------------------------------------------------------------------


def frame_of(rows: list[dict[str, object]], **extra: list[object]) -> pd.DataFrame:
    """Observation rows with the dtypes validation produces."""
    cols = {name: [r.get(name) for r in rows] for name in NORMAL}
    frame = pd.DataFrame(
        {
            "respiratory_rate": pd.array(cols["respiratory_rate"], dtype="Int64"),
            "spo2": pd.array(cols["spo2"], dtype="Int64"),
            "spo2_scale": pd.array(cols["spo2_scale"], dtype="Int64"),
            "on_oxygen": pd.array(cols["on_oxygen"], dtype="boolean"),
            "systolic_bp": pd.array(cols["systolic_bp"], dtype="Int64"),
            "heart_rate": pd.array(cols["heart_rate"], dtype="Int64"),
            "consciousness": pd.array(cols["consciousness"], dtype="string"),
            "temperature_c": pd.array([np.nan if v is None else v for v in cols["temperature_c"]], dtype="float64"),
        }
    )
    for name, values in extra.items():
        frame.insert(0, name, values)
    return frame


def test_news2_frame_columns_and_types() -> None:
    rows = [
        obs_set(),
        obs_set(respiratory_rate=8, heart_rate=95),
        obs_set(temperature_c=None, spo2_scale=None),
        obs_set(spo2=97, spo2_scale=2, on_oxygen=True),
    ]
    out = news2_frame(frame_of(rows))
    assert out["news2_score"].dtype == "Int64"
    assert out["news2_any_single_3"].dtype == "boolean"
    for col in ("news2_rr", "news2_spo2", "news2_o2", "news2_sbp", "news2_hr", "news2_acvpu", "news2_temp"):
        assert out[col].dtype == "Int64", col
    assert out["news2_score"].tolist() == [0, 4, pd.NA, 5]
    assert out["news2_any_single_3"].tolist() == [False, True, pd.NA, True]
    assert out["news2_risk"].astype("string").tolist() == ["low", "low-medium", pd.NA, "medium"]
    assert out["news2_monitoring"].astype("string").tolist() == ["12-hourly", "hourly", pd.NA, "hourly"]
    assert out["news2_missing"].astype(str).tolist() == ["", "", "temperature_c", ""]
    assert out["news2_temp"].tolist() == [0, 0, pd.NA, 0]
    assert out["news2_rr"].tolist() == [0, 3, 0, 0]
    assert out["news2_spo2"].tolist() == [0, 0, 0, 3]
    assert out["news2_o2"].tolist() == [0, 0, 0, 2]
    # Input columns are kept, unchanged.
    assert out["respiratory_rate"].tolist() == [16, 8, 16, 16]


def test_news2_frame_keeps_the_index_and_lists_every_missing_parameter() -> None:
    rows = [obs_set(respiratory_rate=None, consciousness=None), obs_set()]
    frame = frame_of(rows)
    frame.index = pd.Index([10, 20])
    out = news2_frame(frame)
    assert list(out.index) == [10, 20]
    assert out.loc[10, "news2_missing"] == "respiratory_rate, consciousness"
    assert out.loc[20, "news2_missing"] == ""
    assert out["news2_risk"].isin(["low"]).tolist() == [False, True]


def test_news2_frame_empty() -> None:
    out = news2_frame(frame_of([]))
    assert len(out) == 0
    assert "news2_score" in out.columns


def test_news2_frame_rejects_an_unknown_consciousness_code() -> None:
    with pytest.raises(ValueError, match="A, C, V, P, U"):
        news2_frame(frame_of([obs_set(consciousness="X")]))
