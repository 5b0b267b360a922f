"""The NEWS2 a ward board shows per stay (RCP 2017): the newest set first, even when incomplete.

The tables read like a handover: the sets a patient had, and what the board
must say. A nurse can check each row against the RCP chart and its
"thresholds and triggers" (a single red score: hourly monitoring at least).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.rules.news2_board import latest_news2_per_encounter, shown_score
from tests.spec.test_news2 import frame_of, obs_set

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
    assert row["news2_minimum_score"] == 0 and row["news2_shown"] == "≥ 0, temperature missing"
    assert row["news2_monitoring"] == "4-6-hourly"  # held up by the 02:00 set: an incomplete set never lowers it
    assert row["news2_status_reason"] == (
        "latest set at 06:10 scores ≥ 0, temperature missing; 4-6-hourly monitoring at least; last complete set scored "
        "1 at 02:00"
    )


def test_never_scored() -> None:
    out = latest(sets(("E1", "2024-01-15T06:10Z", {"temperature_c": None, "spo2": None})))
    row = out.loc["E1"]
    assert row["news2_status"] == "never_scored"
    assert pd.isna(row["news2_score"]) and pd.isna(row["news2_any_single_3"]) and pd.isna(row["news2_scored_at"])
    assert row["news2_minimum_score"] == 0 and row["news2_shown"] == "≥ 0, SpO2 and temperature missing"
    assert row["news2_risk"] == "low" and row["news2_monitoring"] == "12-hourly"  # the least the set calls for
    assert row["news2_latest_at"] == pd.Timestamp("2024-01-15T06:10Z")
    assert row["news2_status_reason"] == (
        "no complete set: latest set at 06:10 scores ≥ 0, SpO2 and temperature missing; 12-hourly monitoring at least; "
        "taken 1 h 50 m ago"
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
        "that set scores ≥ 0, SpO2 missing; last complete set scored 3 at 14 Jan 18:00"
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
        "news2_minimum_score",
        "news2_shown",
        "news2_missing",
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


# ---- the clinical review's cases: the newest set first -------------------------------------------
# Extract at 08:00 (NOW). Each case: earlier set, newest set (changes to a normal set; None = not recorded),
# and what the board must show: the newest set as scored, its monitoring, its status.
MISSING = None
NEWEST_SET_CASES = [
    # (earlier set at 02:00, newest set at 07:30, shown, minimum, single 3, monitoring, status, behaviour)
    (
        {},
        {"respiratory_rate": 30, "systolic_bp": 85, "temperature_c": MISSING},
        "≥ 6, temperature missing",
        6,
        True,
        "hourly",
        "incomplete",
        "the_reviews_case_red_scores_in_an_incomplete_newest_set_count_hourly",
    ),
    (
        {},
        {"respiratory_rate": 25, "temperature_c": MISSING},
        "≥ 3, temperature missing",
        3,
        True,
        "hourly",
        "incomplete",
        "one_red_score_in_an_incomplete_set_is_hourly",
    ),
    (
        {},
        {"respiratory_rate": 24, "temperature_c": MISSING},
        "≥ 2, temperature missing",
        2,
        pd.NA,
        "4-6-hourly",
        "incomplete",
        "rr_24_scores_2_not_red_in_an_incomplete_set",
    ),
    (
        {},
        {"systolic_bp": 90, "heart_rate": 131, "spo2": MISSING},
        "≥ 6, SpO2 missing",
        6,
        True,
        "hourly",
        "incomplete",
        "a_total_already_5_or_more_is_hourly",
    ),
    (
        {},
        {"systolic_bp": 90, "heart_rate": 131, "respiratory_rate": 25, "spo2": MISSING},
        "≥ 9, SpO2 missing",
        9,
        True,
        "continuous",
        "incomplete",
        "a_partial_total_of_7_or_more_is_continuous",
    ),
    ({}, {"respiratory_rate": 25}, "3", 3, True, "hourly", "current", "a_complete_newest_set_with_a_red_score"),
    (
        {"respiratory_rate": 25},
        {"temperature_c": MISSING},
        "≥ 0, temperature missing",
        0,
        pd.NA,
        "hourly",
        "incomplete",
        "an_incomplete_set_never_lowers_monitoring_below_the_last_complete_set",
    ),
    (
        {"respiratory_rate": 25},
        {},
        "0",
        0,
        False,
        "12-hourly",
        "current",
        "a_complete_newer_set_does_lower_it",
    ),
]


@pytest.mark.parametrize(
    "earlier, newest, shown, minimum, single3, monitoring, status, behaviour",
    NEWEST_SET_CASES,
    ids=[c[-1] for c in NEWEST_SET_CASES],
)
def test_the_newest_set_decides_what_the_board_shows(
    earlier: dict[str, object],
    newest: dict[str, object],
    shown: str,
    minimum: int,
    single3: object,
    monitoring: str,
    status: str,
    behaviour: str,
) -> None:
    row = latest(sets(("E1", "2024-01-15T02:00Z", earlier), ("E1", "2024-01-15T07:30Z", newest))).loc["E1"]
    assert (row["news2_shown"], row["news2_minimum_score"]) == (shown, minimum)
    got = row["news2_any_single_3"]
    assert (pd.isna(got) and pd.isna(single3)) if pd.isna(single3) else (not pd.isna(got) and bool(got) is single3)
    assert (row["news2_monitoring"], row["news2_status"]) == (monitoring, status)


def test_a_red_parameter_in_an_incomplete_newest_set_counts_hourly() -> None:
    """The review's patient: 08:00 scored 0; 12:00 has RR 30 and systolic 85 but no temperature."""
    now = pd.Timestamp("2024-01-15T12:30Z")
    frame = sets(
        ("E1", "2024-01-15T08:00Z", {}),
        ("E1", "2024-01-15T12:00Z", {"respiratory_rate": 30, "systolic_bp": 85, "temperature_c": None}),
    )
    row = latest(frame, now).loc["E1"]
    assert row["news2_monitoring"] == "hourly" and row["news2_risk"] == "medium"
    assert row["news2_shown"] == "≥ 6, temperature missing"
    assert row["news2_score"] == 0 and row["news2_scored_at"] == pd.Timestamp("2024-01-15T08:00Z")
    assert row["news2_status_reason"] == (
        "latest set at 12:00 scores ≥ 6, temperature missing; hourly monitoring at least; last complete set scored 0 "
        "at 08:00"
    )


@pytest.mark.parametrize(
    ("minutes_after_12", "status"),
    [(75, "incomplete"), (76, "overdue")],  # hourly + 15 minutes' grace, from the newest (incomplete) set
)
def test_the_overdue_clock_runs_from_the_newest_set_at_its_monitoring_level(minutes_after_12: int, status: str) -> None:
    now = pd.Timestamp("2024-01-15T12:00Z") + pd.Timedelta(minutes=minutes_after_12)
    frame = sets(
        ("E1", "2024-01-15T08:00Z", {}),
        ("E1", "2024-01-15T12:00Z", {"respiratory_rate": 30, "systolic_bp": 85, "temperature_c": None}),
    )
    assert latest(frame, now).loc["E1", "news2_status"] == status


def test_an_incomplete_red_set_just_after_midnight_is_overdue_and_still_hourly() -> None:
    now = pd.Timestamp("2024-01-16T00:30Z")  # January: London is UTC
    frame = sets(
        ("E1", "2024-01-15T08:00Z", {}),
        ("E1", "2024-01-15T12:00Z", {"respiratory_rate": 30, "systolic_bp": 85, "temperature_c": None}),
    )
    row = latest(frame, now).loc["E1"]
    assert (row["news2_status"], row["news2_monitoring"]) == ("overdue", "hourly")
    assert row["news2_status_reason"] == (
        "last set 12 h 30 m ago at 15 Jan 12:00; hourly monitoring due (overdue after 1 h 15 m, grace included); "
        "that set scores ≥ 6, temperature missing; last complete set scored 0 at 15 Jan 08:00"
    )


def test_a_never_complete_stay_is_judged_overdue_from_its_minimum() -> None:
    frame = sets(("E1", "2024-01-15T06:00Z", {"respiratory_rate": 30, "temperature_c": None}))
    row = latest(frame).loc["E1"]
    assert (row["news2_status"], row["news2_monitoring"]) == ("overdue", "hourly")


@pytest.mark.parametrize(
    ("score", "missing", "shown"),
    [
        (6, "", "6"),
        (6, "temperature", "≥ 6, temperature missing"),
        (0, "SpO2 and pulse", "≥ 0, SpO2 and pulse missing"),
    ],
)
def test_shown_score(score: int, missing: str, shown: str) -> None:
    assert shown_score(score, missing) == shown
