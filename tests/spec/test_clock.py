"""Spec: London midnight and London date across GMT, BST and both clock-change days."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.rules.clock import as_utc, london_date, london_midnight, london_time

T = pd.Timestamp

MIDNIGHT_CASES = [
    # (extracted_at, UTC of the London midnight that starts its day, why)
    ("2026-01-15T10:00Z", "2026-01-15T00:00Z", "winter_gmt_midnight_is_00_utc"),
    ("2026-07-01T10:00Z", "2026-06-30T23:00Z", "summer_bst_midnight_is_23_utc_the_evening_before"),
    ("2026-07-01T22:59:59Z", "2026-06-30T23:00Z", "bst_one_second_before_local_midnight_is_still_today"),
    ("2026-07-01T23:00Z", "2026-07-01T23:00Z", "bst_exactly_local_midnight_starts_the_new_day"),
    ("2026-07-01T23:30Z", "2026-07-01T23:00Z", "bst_after_23_utc_is_already_tomorrow_in_london"),
    ("2026-10-25T08:00Z", "2026-10-24T23:00Z", "autumn_change_day_midnight_was_still_bst"),
    ("2026-10-25T00:30Z", "2026-10-24T23:00Z", "autumn_change_day_before_clocks_go_back"),
    ("2026-10-25T23:59:59Z", "2026-10-24T23:00Z", "autumn_change_day_is_25_hours_long"),
    ("2026-10-26T08:00Z", "2026-10-26T00:00Z", "day_after_autumn_change_midnight_is_gmt"),
    ("2026-03-29T08:00Z", "2026-03-29T00:00Z", "spring_change_day_midnight_was_still_gmt"),
    ("2026-03-29T22:59:59Z", "2026-03-29T00:00Z", "spring_change_day_is_23_hours_long"),
    ("2026-03-29T23:00Z", "2026-03-29T23:00Z", "day_after_spring_change_starts_at_23_utc"),
    ("2026-03-30T08:00Z", "2026-03-29T23:00Z", "day_after_spring_change_midnight_is_bst"),
    ("2026-07-01T10:00+01:00", "2026-06-30T23:00Z", "an_offset_time_is_accepted"),
]


@pytest.mark.parametrize("extracted_at, expected, why", MIDNIGHT_CASES, ids=[c[2] for c in MIDNIGHT_CASES])
def test_london_midnight_is_the_utc_moment_the_local_day_started(extracted_at: str, expected: str, why: str) -> None:
    got = london_midnight(T(extracted_at))
    assert got == T(expected)
    assert str(got.tz) == "UTC"


DATE_CASES = [
    ("2026-01-15T23:59:59Z", date(2026, 1, 15), "winter_late_evening_is_same_date"),
    ("2026-07-01T22:59:59Z", date(2026, 7, 1), "summer_22_59_utc_is_23_59_london"),
    ("2026-07-01T23:00Z", date(2026, 7, 2), "summer_23_00_utc_is_next_london_date"),
    ("2026-10-25T23:30Z", date(2026, 10, 25), "after_autumn_change_23_30_utc_is_same_date"),
    ("2026-03-28T23:30Z", date(2026, 3, 28), "before_spring_change_23_30_utc_is_same_date"),
    ("2026-03-29T23:30Z", date(2026, 3, 30), "after_spring_change_23_30_utc_is_next_date"),
]


@pytest.mark.parametrize("ts, expected, why", DATE_CASES, ids=[c[2] for c in DATE_CASES])
def test_london_date_is_the_calendar_date_on_the_ward(ts: str, expected: date, why: str) -> None:
    assert london_date(T(ts)) == expected


def test_london_time_converts_to_local_wall_clock() -> None:
    local = london_time(T("2026-07-01T19:00Z"))
    assert (local.hour, local.minute) == (20, 0)


@pytest.mark.parametrize("bad", [T("2026-07-01T10:00"), pd.NaT], ids=["naive_time", "missing_time"])
def test_naive_or_missing_time_is_refused_not_guessed(bad: pd.Timestamp) -> None:
    with pytest.raises(ValueError):
        london_midnight(bad)
    with pytest.raises(ValueError):
        as_utc(bad)
