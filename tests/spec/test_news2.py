"""NEWS2 (Royal College of Physicians, 2017), checked band edge by band edge.

Each table reads like the RCP chart: a value, and the score the chart gives it.
A nurse can audit these rows against the paper chart without reading the code.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics.rules.news2 import (
    News2Result,
    latest_news2_per_encounter,
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


# ---- latest_news2_per_encounter ------------------------------------------------------------------

NOW = pd.Timestamp("2024-01-15T08:00:00Z")  # January: UK local time is UTC
OVERDUE_AFTER = {"12-hourly": 720, "4-6-hourly": 360, "hourly": 60, "continuous": 60}
GRACE = 15


def sets(*rows: tuple[str, str, dict[str, object]]) -> pd.DataFrame:
    """Observation sets as (encounter_id, taken_at, changes to a normal set)."""
    frame = frame_of([obs_set(**changes) for _, _, changes in rows])
    frame.insert(0, "taken_at", pd.to_datetime([t for _, t, _ in rows], utc=True).as_unit("ns"))
    frame.insert(0, "encounter_id", pd.array([e for e, _, _ in rows], dtype="string"))
    return frame


def latest(frame: pd.DataFrame, now: pd.Timestamp = NOW) -> pd.DataFrame:
    return latest_news2_per_encounter(frame, now, OVERDUE_AFTER, GRACE).set_index("encounter_id")


def test_latest_complete_set_is_current() -> None:
    out = latest(sets(("E1", "2024-01-15T02:00Z", {"heart_rate": 95}), ("E1", "2024-01-15T06:10Z", {})))
    row = out.loc["E1"]
    assert row["news2_status"] == "current"
    assert row["news2_score"] == 0
    assert row["news2_scored_at"] == pd.Timestamp("2024-01-15T06:10Z")
    assert row["news2_latest_at"] == pd.Timestamp("2024-01-15T06:10Z")
    assert row["news2_age_minutes"] == 110.0
    assert row["news2_risk"] == "low" and row["news2_monitoring"] == "12-hourly"
    assert row["news2_status_reason"] == "NEWS2 0 at 06:10 (1 h 50 m ago); 12-hourly monitoring"


def test_latest_set_incomplete_keeps_the_earlier_complete_score() -> None:
    out = latest(
        sets(("E1", "2024-01-15T02:00Z", {"heart_rate": 95}), ("E1", "2024-01-15T06:10Z", {"temperature_c": None}))
    )
    row = out.loc["E1"]
    assert row["news2_status"] == "incomplete"
    assert row["news2_score"] == 1  # from 02:00, never zero by default
    assert row["news2_scored_at"] == pd.Timestamp("2024-01-15T02:00Z")
    assert row["news2_latest_at"] == pd.Timestamp("2024-01-15T06:10Z")
    assert row["news2_age_minutes"] == 110.0  # from the latest set of any kind
    assert row["news2_status_reason"] == "latest set at 06:10 is missing temperature_c; score shown is from 02:00"


def test_never_scored() -> None:
    out = latest(sets(("E1", "2024-01-15T06:10Z", {"temperature_c": None, "spo2": None})))
    row = out.loc["E1"]
    assert row["news2_status"] == "never_scored"
    assert pd.isna(row["news2_score"]) and pd.isna(row["news2_any_single_3"])
    assert pd.isna(row["news2_risk"]) and pd.isna(row["news2_monitoring"]) and pd.isna(row["news2_scored_at"])
    assert row["news2_latest_at"] == pd.Timestamp("2024-01-15T06:10Z")
    assert (
        row["news2_status_reason"]
        == "no complete set: latest set at 06:10 (1 h 50 m ago) is missing spo2, temperature_c"
    )


@pytest.mark.parametrize(
    ("changes", "monitoring", "limit_minutes"),
    [
        ({}, "12-hourly", 720 + 15),
        ({"heart_rate": 95}, "4-6-hourly", 360 + 15),
        ({"respiratory_rate": 8}, "hourly", 60 + 15),
        ({"respiratory_rate": 22, "systolic_bp": 95, "heart_rate": 95}, "hourly", 60 + 15),
        ({"respiratory_rate": 22, "systolic_bp": 95, "heart_rate": 115, "temperature_c": 38.5}, "continuous", 60 + 15),
    ],
)
@pytest.mark.parametrize(("extra_minutes", "status"), [(-1, "current"), (0, "current"), (1, "overdue")])
def test_overdue_exactly_at_the_limit_and_one_minute_past(
    changes: dict[str, object], monitoring: str, limit_minutes: int, extra_minutes: int, status: str
) -> None:
    taken = NOW - pd.Timedelta(minutes=limit_minutes + extra_minutes)
    out = latest(sets(("E1", taken.isoformat(), changes)))
    row = out.loc["E1"]
    assert row["news2_monitoring"] == monitoring
    assert row["news2_age_minutes"] == limit_minutes + extra_minutes
    assert row["news2_status"] == status


def test_overdue_reason_reads_like_a_handover() -> None:
    out = latest(sets(("E1", "2024-01-15T00:40Z", {"respiratory_rate": 8})))
    assert out.loc["E1", "news2_status"] == "overdue"
    assert out.loc["E1", "news2_status_reason"] == (
        "last set 7 h 20 m ago at 00:40; hourly monitoring due (overdue after 1 h 15 m, grace included)"
    )


def test_overdue_comes_before_incomplete() -> None:
    out = latest(
        sets(("E1", "2024-01-14T18:00Z", {"respiratory_rate": 8}), ("E1", "2024-01-15T05:00Z", {"spo2": None}))
    )
    row = out.loc["E1"]
    assert row["news2_status"] == "overdue"
    assert row["news2_score"] == 3
    assert row["news2_status_reason"] == (
        "last set 3 h 0 m ago at 05:00; hourly monitoring due (overdue after 1 h 15 m, grace included); "
        "that set is missing spo2, score shown is from 14 Jan 18:00"
    )


def test_a_set_taken_on_another_day_shows_its_date() -> None:
    out = latest(sets(("E1", "2024-01-14T23:30Z", {})))
    assert out.loc["E1", "news2_status_reason"] == "NEWS2 0 at 14 Jan 23:30 (8 h 30 m ago); 12-hourly monitoring"


def test_times_in_reasons_are_uk_local_time() -> None:
    summer_now = pd.Timestamp("2024-06-15T08:00Z")  # BST: 09:00 in London
    out = latest(sets(("E1", "2024-06-15T05:10Z", {})), now=summer_now)
    assert out.loc["E1", "news2_status_reason"] == "NEWS2 0 at 06:10 (2 h 50 m ago); 12-hourly monitoring"


@pytest.mark.parametrize(
    ("first", "second", "status", "score"),
    [
        ({}, {"temperature_c": None}, "incomplete", 0),  # the later row in the file is the latest set
        ({"temperature_c": None}, {"heart_rate": 95}, "current", 1),
        ({"heart_rate": 95}, {"respiratory_rate": 8}, "current", 3),
    ],
)
def test_ties_on_taken_at_take_the_later_row(
    first: dict[str, object], second: dict[str, object], status: str, score: int
) -> None:
    out = latest(sets(("E1", "2024-01-15T07:30Z", first), ("E1", "2024-01-15T07:30Z", second)))
    assert out.loc["E1", "news2_status"] == status
    assert out.loc["E1", "news2_score"] == score


def test_file_order_does_not_matter_apart_from_ties() -> None:
    out = latest(sets(("E1", "2024-01-15T06:00Z", {"heart_rate": 95}), ("E1", "2024-01-15T02:00Z", {})))
    assert out.loc["E1", "news2_score"] == 1
    assert out.loc["E1", "news2_scored_at"] == pd.Timestamp("2024-01-15T06:00Z")


def test_sets_after_extracted_at_are_ignored() -> None:
    out = latest(
        sets(
            ("E1", "2024-01-15T06:00Z", {}),
            ("E1", "2024-01-15T09:00Z", {"respiratory_rate": 8}),
            ("E2", "2024-01-15T09:00Z", {}),
        )
    )
    assert list(out.index) == ["E1"]
    assert out.loc["E1", "news2_score"] == 0


def test_a_set_without_taken_at_is_ignored() -> None:
    frame = sets(("E1", "2024-01-15T06:00Z", {"temperature_c": None}), ("E1", "2024-01-15T07:00Z", {}))
    frame["taken_at"] = frame["taken_at"].where(frame.index == 0)  # the complete set has no time
    out = latest(frame)
    assert out.loc["E1", "news2_status"] == "never_scored"
    assert out.loc["E1", "news2_latest_at"] == pd.Timestamp("2024-01-15T06:00Z")


def test_one_row_per_encounter_with_expected_columns_and_types() -> None:
    out = latest_news2_per_encounter(
        sets(("E2", "2024-01-15T06:00Z", {}), ("E1", "2024-01-15T07:00Z", {}), ("E2", "2024-01-15T07:30Z", {})),
        NOW,
        OVERDUE_AFTER,
        GRACE,
    )
    assert list(out.columns) == [
        "encounter_id",
        "news2_score",
        "news2_any_single_3",
        "news2_risk",
        "news2_monitoring",
        "news2_scored_at",
        "news2_age_minutes",
        "news2_latest_at",
        "news2_status",
        "news2_status_reason",
    ]
    assert sorted(out["encounter_id"]) == ["E1", "E2"]
    assert out["news2_score"].dtype == "Int64"
    assert out["news2_any_single_3"].dtype == "boolean"
    assert out["news2_age_minutes"].dtype == "float64"
    assert str(out["news2_scored_at"].dtype) == "datetime64[ns, UTC]"
    assert str(out["news2_latest_at"].dtype) == "datetime64[ns, UTC]"


def test_no_sets_gives_an_empty_table() -> None:
    out = latest_news2_per_encounter(sets(("E1", "2024-01-15T09:00Z", {})), NOW, OVERDUE_AFTER, GRACE)
    assert len(out) == 0
    assert "news2_status" in out.columns


def test_overdue_settings_must_cover_every_monitoring_frequency() -> None:
    with pytest.raises(ValueError, match="continuous"):
        latest_news2_per_encounter(sets(("E1", "2024-01-15T06:00Z", {})), NOW, {"12-hourly": 720}, GRACE)


def test_age_minutes_is_fractional() -> None:
    out = latest(sets(("E1", "2024-01-15T07:59:30Z", {})))
    assert math.isclose(out.loc["E1", "news2_age_minutes"], 0.5)
    assert out.loc["E1", "news2_status_reason"] == "NEWS2 0 at 07:59 (0 m ago); 12-hourly monitoring"
