"""The vectorised rising-NEWS2 rule agrees with the readable scalar one for any run of scores per stay."""

from __future__ import annotations

import os

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rules.news2_trend import is_rising, news2_trend_per_encounter, trend_text

EXAMPLES = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 200)), deadline=None)
NOW = pd.Timestamp("2026-01-15T10:00:00Z")
RR_FOR_SCORE = {0: 16, 1: 10, 2: 22, 3: 25}  # a respiratory rate that alone gives each NEWS2 score


def _frame(runs: list[list[int]]) -> pd.DataFrame:
    rows = []
    for i, scores in enumerate(runs):
        for k, score in enumerate(scores):
            rows.append({"encounter_id": f"E{i}", "taken_at": NOW - pd.Timedelta(hours=len(scores) - k),
                         "respiratory_rate": RR_FOR_SCORE[score], "spo2": 97, "spo2_scale": 1, "on_oxygen": False,
                         # fmt: skip
                         "systolic_bp": 125, "heart_rate": 75, "consciousness": "A", "temperature_c": 37.0})
    frame = pd.DataFrame(rows, columns=["encounter_id", "taken_at", "respiratory_rate", "spo2", "spo2_scale",
                                        # fmt: skip
                                        "on_oxygen", "systolic_bp", "heart_rate", "consciousness", "temperature_c"])
    for col in ("respiratory_rate", "spo2", "spo2_scale", "systolic_bp", "heart_rate"):
        frame[col] = frame[col].astype("Int64")
    frame["temperature_c"] = frame["temperature_c"].astype("Float64")
    frame["on_oxygen"] = frame["on_oxygen"].astype("boolean")
    frame["taken_at"] = pd.to_datetime(frame["taken_at"], utc=True)
    return frame


@EXAMPLES
@given(st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=6), min_size=1, max_size=8))
def test_the_table_rule_agrees_with_the_scalar_rule(runs):
    out = news2_trend_per_encounter(_frame(runs), NOW).set_index("encounter_id")
    for i, scores in enumerate(runs):
        assert bool(out.loc[f"E{i}", "news2_rising"]) is is_rising(scores)
        assert out.loc[f"E{i}", "news2_trend"] == trend_text(scores)
