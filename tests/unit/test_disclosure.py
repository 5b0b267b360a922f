"""Statistical disclosure control: which counts a bundle withholds, as tables a reader can check by eye.

The rule (NHS Digital's for HES, 2018): counts from 1 to 7 are withheld, zero is shown. Then no published
total may give a withheld count away: every line (a total and the cells it adds up) has none or at least two
withheld cells.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics.federation.disclosure import DEFAULT_THRESHOLD, primary
from metrics.federation.export import _levels, _lines, disclosure_controlled
from metrics.federation.disclosure import unsafe_lines


def test_the_default_threshold_is_nhs_digitals_seven() -> None:
    assert DEFAULT_THRESHOLD == 7


@pytest.mark.parametrize(
    ("count", "withheld"),
    [(0, False), (1, True), (3, True), (7, True), (8, False), (120, False), (np.nan, False)],
)
def test_primary_suppression_withholds_one_to_seven_and_shows_zero(count: float, withheld: bool) -> None:
    assert primary(np.array([count]), np.array([True]), 7).tolist() == [withheld]


def test_a_part_that_is_not_a_count_of_people_is_never_withheld() -> None:
    assert primary(np.array([3.0]), np.array([False]), 7).tolist() == [False]


def _history(rows: list[tuple[str, str, str, float, float | None]]) -> pd.DataFrame:
    """(ward, site, day, numerator, denominator) rows of one metric 'm'."""
    frame = pd.DataFrame(rows, columns=["ward_code", "site_code", "date", "numerator", "denominator"])
    frame["metric_id"] = "m"
    frame["date"] = pd.to_datetime(frame["date"])
    frame["month"] = frame["date"].dt.to_period("M").dt.start_time
    return frame


def _cell(out: pd.DataFrame, level: str, unit: str, period: str, day: str) -> pd.Series:
    hit = out[(out["level"] == level) & (out["unit_code"] == unit) & (out["period"] == period)]
    return hit[hit["day"] == pd.Timestamp(day)].iloc[0]


def test_one_small_ward_day_is_withheld_with_a_partner_so_no_total_reveals_it() -> None:
    # ward A (site S) on three days: 3 (small), 20, 30. Ward B (site S): 15, 25, 35.
    history = _history(
        [
            ("A", "S", "2026-11-01", 3, None),
            ("A", "S", "2026-11-02", 20, None),
            ("A", "S", "2026-11-03", 30, None),
            ("B", "S", "2026-11-01", 15, None),
            ("B", "S", "2026-11-02", 25, None),
            ("B", "S", "2026-11-03", 35, None),
        ]
    )
    values = _levels(history)
    out = disclosure_controlled(values, {"m": (True, False)}, set(), 7)
    assert _cell(out, "ward", "A", "day", "2026-11-01")["suppressed"]
    # A's month (53) and the site's day (18) are published, so a second cell of each line is withheld:
    # the smallest positive other day of A (20 on the 2nd), and the other ward on the 1st (B: 15)
    assert _cell(out, "ward", "A", "day", "2026-11-02")["suppressed"]
    assert _cell(out, "ward", "B", "day", "2026-11-01")["suppressed"]
    assert not _cell(out, "ward", "A", "day", "2026-11-03")["suppressed"]
    assert _cell(out, "ward", "A", "month", "2026-11-01")["numerator"] == 53
    assert np.isnan(_cell(out, "ward", "A", "day", "2026-11-01")["numerator"])
    counts = values.assign(count=values["numerator"])
    withheld = out["suppressed"].to_numpy()
    assert unsafe_lines(counts, withheld, _lines(values)) == 0


def test_a_ratio_withholds_its_value_when_either_part_is_withheld() -> None:
    history = _history(
        [
            ("A", "S", "2026-11-01", 2, 40),
            ("A", "S", "2026-11-02", 12, 40),
            ("B", "S", "2026-11-01", 10, 30),
            ("B", "S", "2026-11-02", 11, 30),
        ]
    )
    out = disclosure_controlled(_levels(history), {"m": (True, True)}, {"m"}, 7)
    small = _cell(out, "ward", "A", "day", "2026-11-01")
    assert small["suppressed"] and np.isnan(small["value"]) and np.isnan(small["numerator"])
    assert small["denominator"] == 40  # the denominator is not small and stays
    month = _cell(out, "trust", "", "month", "2026-11-01")
    assert (month["numerator"], month["denominator"]) == (35, 140)
    assert month["value"] == pytest.approx(0.25)


def test_a_line_whose_other_members_are_zero_withholds_its_total() -> None:
    # ward A: 4 on the 1st and 0 on the 2nd: its month total (4) is small anyway; ward B: 0 and 0
    history = _history(
        [
            ("A", "S", "2026-11-01", 4, None),
            ("A", "S", "2026-11-02", 0, None),
            ("B", "S", "2026-11-01", 0, None),
            ("B", "S", "2026-11-02", 0, None),
        ]
    )
    values = _levels(history)
    out = disclosure_controlled(values, {"m": (True, False)}, set(), 7)
    for level, unit in (("ward", "A"), ("site", "S"), ("trust", "")):
        assert _cell(out, level, unit, "day", "2026-11-01")["suppressed"], level
        assert _cell(out, level, unit, "month", "2026-11-01")["suppressed"], level
    assert not _cell(out, "ward", "B", "day", "2026-11-01")["suppressed"]  # a zero is shown
    assert date(2026, 11, 1) == _cell(out, "ward", "B", "day", "2026-11-01")["day"].date()
