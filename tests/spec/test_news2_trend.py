"""A rising NEWS2: the last three complete sets, oldest first, each scoring higher than the one before."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.rules.news2_trend import is_rising, news2_trend_per_encounter, trend_text


@pytest.mark.parametrize(
    ("scores", "rising"),
    [
        ([1, 3, 4], True),
        ([0, 1, 2], True),
        ([5, 1, 3, 4], True),  # only the last three count
        ([1, 3, 3], False),  # level is not rising
        ([1, 4, 3], False),
        ([4, 3, 1], False),
        ([2, 2, 2], False),
        ([1, 3], False),  # fewer than three sets
        ([], False),
        ([1, 2, 3, 3], False),
    ],
)
def test_rising_means_strictly_higher_each_time_over_the_last_three(scores, rising):
    assert is_rising(scores) is rising


def test_the_trend_reads_oldest_first():
    assert trend_text([0, 1, 3, 4]) == "1 → 3 → 4"


def _set(eid: str, at: str, rr: int, temp: float | None = 37.0) -> dict:
    return {"encounter_id": eid, "taken_at": pd.Timestamp(at), "respiratory_rate": rr, "spo2": 97, "spo2_scale": 1,
            # fmt: skip
            "on_oxygen": False, "systolic_bp": 125, "heart_rate": 75, "consciousness": "A", "temperature_c": temp}


def test_incomplete_sets_and_sets_after_the_extract_are_left_out():
    now = pd.Timestamp("2026-01-15T10:00:00Z")
    rows = [
        # rr 16 scores 0, 21-24 scores 2, 25+ scores 3
        _set("UP", "2026-01-15T02:00:00Z", 16),
        _set("UP", "2026-01-15T04:00:00Z", 22),
        _set("UP", "2026-01-15T05:00:00Z", 30, temp=None),  # incomplete: no score, ignored
        _set("UP", "2026-01-15T06:00:00Z", 25),
        _set("FLAT", "2026-01-15T02:00:00Z", 16),
        _set("FLAT", "2026-01-15T04:00:00Z", 22),
        _set("FLAT", "2026-01-15T06:00:00Z", 22),
        _set("FLAT", "2026-01-15T11:00:00Z", 25),  # after the extract
        _set("TWO", "2026-01-15T04:00:00Z", 16),
        _set("TWO", "2026-01-15T06:00:00Z", 25),
    ]
    frame = pd.DataFrame(rows)
    for col in ("respiratory_rate", "spo2", "spo2_scale", "systolic_bp", "heart_rate"):
        frame[col] = frame[col].astype("Int64")
    frame["temperature_c"] = frame["temperature_c"].astype("Float64")
    frame["on_oxygen"] = frame["on_oxygen"].astype("boolean")
    out = news2_trend_per_encounter(frame, now).set_index("encounter_id")
    assert out.loc["UP", "news2_trend"] == "0 → 2 → 3"
    assert bool(out.loc["UP", "news2_rising"]) is True
    assert out.loc["FLAT", "news2_trend"] == "0 → 2 → 2"
    assert bool(out.loc["FLAT", "news2_rising"]) is False
    assert out.loc["TWO", "news2_trend"] == "0 → 3"
    assert bool(out.loc["TWO", "news2_rising"]) is False
