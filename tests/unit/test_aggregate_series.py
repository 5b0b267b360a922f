"""Site and trust totals: one rule for the executive grid (aggregate_series) and the SPC series (store_series)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.config.models import AppConfig
from metrics.store.spc_history import store_series
from metrics.store.queries import aggregate_series


def _history(rows: list[tuple[str, str, str, float | None, float | None, float | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "metric_id", "ward_code", "value", "numerator", "denominator"])
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("value", "numerator", "denominator"):
        frame[col] = frame[col].astype("float64")
    return frame


def test_a_day_when_no_ward_has_a_value_is_a_gap_not_a_zero() -> None:
    history = _history(
        [
            ("2026-11-01", "m", "W1", 2, 2, None),
            ("2026-11-01", "m", "W2", 3, None, None),  # W2: the value stands in for the numerator
            ("2026-11-02", "m", "W1", None, None, None),
            ("2026-11-02", "m", "W2", None, None, None),
        ]
    )
    got = aggregate_series(history, ["W1", "W2"], is_ratio=False).set_index("date")["value"]
    assert got.loc["2026-11-01"] == 5
    assert np.isnan(got.loc["2026-11-02"])


def test_a_ratio_is_recomputed_from_summed_parts_and_a_zero_denominator_is_a_gap() -> None:
    history = _history(
        [
            ("2026-11-01", "r", "W1", 1.0, 9, 9),
            ("2026-11-01", "r", "W2", 0.5, 1, 2),
            ("2026-11-02", "r", "W1", None, 0, 0),
            ("2026-11-02", "r", "W2", None, 0, 0),
        ]
    )
    got = aggregate_series(history, None, is_ratio=True).set_index("date")["value"]
    assert got.loc["2026-11-01"] == pytest.approx(10 / 11)  # not the mean of 1.0 and 0.5
    assert np.isnan(got.loc["2026-11-02"])


PART = st.one_of(st.none(), st.integers(0, 20).map(float))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 3), PART, PART),
        min_size=1,
        max_size=30,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.booleans(),
)
def test_the_trust_total_is_the_same_in_the_grid_and_in_the_spc_series(cfg: AppConfig, rows: list, ratio: bool) -> None:
    definition = next(d for d in cfg.metrics if (d.ratio is not None) == ratio)
    wards = [w.code for w in cfg.wards.wards][:4]
    history = _history(
        [
            (
                f"2026-11-0{day + 1}",
                definition.id,
                wards[w],
                (num / den if num is not None and den else None) if ratio else num,
                num,
                den if ratio else None,
            )
            for day, w, num, den in rows
        ]
    )
    grid = aggregate_series(history, None, is_ratio=ratio).set_index("date")["value"]
    spc = store_series(cfg, history, [definition])
    trust = spc[spc["scope_kind"] == "trust"].set_index("date")["value"]
    trust = trust.loc[grid.index]  # the SPC series also has a row (a gap) for days between with no extract
    np.testing.assert_allclose(grid.to_numpy(dtype=float), trust.to_numpy(dtype=float), equal_nan=True)
