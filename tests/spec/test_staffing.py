"""Spec: safe staffing fill rate, RAG, the board's shifts and CHPPD (NHS England / NHS Improvement)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from metrics.rules.staffing import (
    BOARD_COLUMNS,
    board_shifts,
    care_hours_by_ward,
    care_hours_per_patient_day,
    fill_rate,
    fill_rate_note,
    fill_rate_rag,
    staffing_board,
)

T = pd.Timestamp
NAN = float("nan")
GREEN, AMBER = 0.95, 0.90

FILL_CASES = [
    # (planned, actual, rate, note, behaviour)
    (10.0, 9.5, 0.95, None, "rate_is_actual_over_planned"),
    (4.0, 5.0, 1.25, None, "overfilled_shift_is_above_one"),
    (5.0, 0.0, 0.0, None, "nobody_turned_up_is_a_real_zero"),
    (0.0, 2.0, None, "no staff planned for this shift", "planned_zero_is_none"),
    (None, 2.0, None, "planned staffing not recorded", "planned_missing_is_none"),
    (NAN, 2.0, None, "planned staffing not recorded", "planned_nan_is_none"),
    (5.0, None, None, "actual staffing not recorded", "actual_missing_is_none_not_zero"),
    (5.0, NAN, None, "actual staffing not recorded", "actual_nan_is_none_not_zero"),
]


@pytest.mark.parametrize("planned, actual, rate, note, behaviour", FILL_CASES, ids=[c[-1] for c in FILL_CASES])
def test_fill_rate(
    planned: float | None, actual: float | None, rate: float | None, note: str | None, behaviour: str
) -> None:
    got = fill_rate(planned, actual)
    assert got == (pytest.approx(rate) if rate is not None else None)
    assert fill_rate_note(planned, actual) == note


RAG_CASES = [
    (0.95, "green", "exactly_green_threshold_is_green"),
    (0.9499, "amber", "just_below_green_is_amber"),
    (0.90, "amber", "exactly_amber_threshold_is_amber"),
    (0.8999, "red", "just_below_amber_is_red"),
    (1.30, "green", "overfilled_is_green"),
    (0.0, "red", "empty_shift_is_red"),
    (19 / 20, "green", "computed_95_percent_is_green"),
    (0.95 - 1e-12, "green", "float_noise_below_95_percent_is_still_green"),
    (None, None, "unknown_rate_has_no_rag"),
    (NAN, None, "nan_rate_has_no_rag"),
]


@pytest.mark.parametrize("rate, rag, behaviour", RAG_CASES, ids=[c[-1] for c in RAG_CASES])
def test_fill_rate_rag(rate: float | None, rag: str | None, behaviour: str) -> None:
    assert fill_rate_rag(rate, GREEN, AMBER) == rag


def test_rag_thresholds_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError):
        fill_rate_rag(0.9, 0.85, 0.95)


SHIFT_CASES = [
    # (extracted_at UTC, London wall clock, day date, night date, behaviour)
    ("2026-07-01T07:00Z", "08:00 BST", date(2026, 7, 1), date(2026, 6, 30), "morning_huddle_reviews_last_night"),
    (
        "2026-07-01T18:59Z",
        "19:59 BST",
        date(2026, 7, 1),
        date(2026, 6, 30),
        "at_19_59_london_night_is_still_last_night",
    ),
    ("2026-07-01T19:00Z", "20:00 BST", date(2026, 7, 1), date(2026, 7, 1), "at_20_00_london_tonight_has_started"),
    ("2026-01-15T19:59Z", "19:59 GMT", date(2026, 1, 15), date(2026, 1, 14), "winter_19_59_is_last_night"),
    ("2026-01-15T20:00Z", "20:00 GMT", date(2026, 1, 15), date(2026, 1, 15), "winter_20_00_is_tonight"),
    ("2026-07-01T23:30Z", "00:30 BST", date(2026, 7, 2), date(2026, 7, 1), "after_midnight_the_night_began_yesterday"),
    ("2026-10-25T08:00Z", "08:00 GMT", date(2026, 10, 25), date(2026, 10, 24), "autumn_change_day_morning"),
    ("2026-03-29T19:00Z", "20:00 BST", date(2026, 3, 29), date(2026, 3, 29), "spring_change_day_20_00_bst"),
]


@pytest.mark.parametrize("ext, wall, day, night, behaviour", SHIFT_CASES, ids=[c[-1] for c in SHIFT_CASES])
def test_board_shifts(ext: str, wall: str, day: date, night: date, behaviour: str) -> None:
    assert board_shifts(T(ext)) == {"day": day, "night": night}


def _staffing(rows: list[tuple[str, str, str, str, float | None, float | None]]) -> pd.DataFrame:
    """rows of (ward_code, shift_date, shift, staff_group, planned, actual) in validated form (dates tz-naive
    midnight)."""
    return pd.DataFrame(
        {
            "ward_code": pd.Series([r[0] for r in rows], dtype="string"),
            "shift_date": pd.to_datetime([r[1] for r in rows]),
            "shift": pd.Series([r[2] for r in rows], dtype="string"),
            "staff_group": pd.Series([r[3] for r in rows], dtype="string"),
            "planned": pd.Series([r[4] for r in rows], dtype="float64"),
            "actual": pd.Series([r[5] for r in rows], dtype="float64"),
        }
    )


def test_staffing_board_picks_todays_day_and_last_nights_night_and_sums_rows() -> None:
    frame = _staffing(
        [
            ("W1", "2026-07-01", "day", "registered", 5, 4),
            ("W1", "2026-07-01", "day", "registered", 1, 1),  # second row for the same shift: summed
            ("W1", "2026-07-01", "day", "unregistered", 4, 3.6),
            ("W1", "2026-06-30", "night", "registered", 4, 3.6),
            ("W1", "2026-07-01", "night", "registered", 4, 1),  # tonight: not on the 08:00 board
            ("W1", "2026-06-30", "day", "registered", 5, 0),  # yesterday's day: not on the board
            ("W2", "2026-07-01", "day", "registered", 0, 1),  # nothing planned
        ]
    )
    got = staffing_board(frame, T("2026-07-01T07:00Z"), GREEN, AMBER)
    assert got.columns.tolist() == BOARD_COLUMNS
    records = got.to_dict("records")
    assert [(r["ward_code"], r["shift"], r["staff_group"], r["shift_date"]) for r in records] == [
        ("W1", "day", "registered", date(2026, 7, 1)),
        ("W1", "day", "unregistered", date(2026, 7, 1)),
        ("W1", "night", "registered", date(2026, 6, 30)),
        ("W2", "day", "registered", date(2026, 7, 1)),
    ]
    assert [(r["planned"], r["actual"]) for r in records[:3]] == [(6.0, 5.0), (4.0, 3.6), (4.0, 3.6)]
    assert records[0]["fill_rate"] == pytest.approx(5 / 6)
    assert [r["fill_rate_rag"] for r in records] == ["red", "amber", "amber", None]
    assert [r["fill_rate_note"] for r in records] == [None, None, None, "no staff planned for this shift"]
    assert math.isnan(records[3]["fill_rate"])


def test_staffing_board_at_20_00_london_shows_tonights_night() -> None:
    frame = _staffing(
        [
            ("W1", "2026-06-30", "night", "registered", 4, 4),
            ("W1", "2026-07-01", "night", "registered", 4, 3.8),
        ]
    )
    got = staffing_board(frame, T("2026-07-01T19:00Z"), GREEN, AMBER)
    assert got[["shift_date", "actual", "fill_rate_rag"]].to_dict("records") == [
        {"shift_date": date(2026, 7, 1), "actual": 3.8, "fill_rate_rag": "green"}
    ]


def test_staffing_board_rag_agrees_with_scalar_at_the_boundaries() -> None:
    frame = _staffing(
        [
            ("A", "2026-07-01", "day", "registered", 20, 19),  # 0.95
            ("B", "2026-07-01", "day", "registered", 10000, 9499),  # 0.9499
            ("C", "2026-07-01", "day", "registered", 10, 9),  # 0.90
            ("D", "2026-07-01", "day", "registered", 10000, 8999),  # 0.8999
        ]
    )
    got = staffing_board(frame, T("2026-07-01T10:00Z"), GREEN, AMBER)
    assert got["fill_rate_rag"].tolist() == ["green", "amber", "amber", "red"]
    assert got["fill_rate_rag"].tolist() == [
        fill_rate_rag(fill_rate(p, a), GREEN, AMBER) for p, a in zip(got["planned"], got["actual"])
    ]


def test_staffing_board_sums_to_missing_when_every_row_of_a_shift_is_missing_never_to_zero() -> None:
    frame = _staffing(
        [
            ("W1", "2026-07-01", "day", "registered", None, 4),  # planned not recorded on either row
            ("W1", "2026-07-01", "day", "registered", None, 1),
            ("W2", "2026-07-01", "day", "registered", 5, None),  # one actual recorded, one not: the one counts
            ("W2", "2026-07-01", "day", "registered", 2, 3),
        ]
    )
    records = staffing_board(frame, T("2026-07-01T10:00Z"), GREEN, AMBER).to_dict("records")
    assert math.isnan(records[0]["planned"]) and records[0]["actual"] == 5.0
    assert records[0]["fill_rate_rag"] is None
    assert records[0]["fill_rate_note"] == "planned staffing not recorded"
    assert (records[1]["planned"], records[1]["actual"]) == (7.0, 3.0)


def test_staffing_board_with_no_rows_for_the_board_shifts_is_empty() -> None:
    got = staffing_board(
        _staffing([("W1", "2026-01-01", "day", "registered", 5, 5)]), T("2026-07-01T10:00Z"), GREEN, AMBER
    )
    assert got.empty and got.columns.tolist() == BOARD_COLUMNS


SHIFT_HOURS = {"day": 12.5, "night": 12.0}


def _24h(
    day_reg: float | None, day_unreg: float | None, night_reg: float | None, night_unreg: float | None
) -> pd.DataFrame:
    rows = [
        ("W1", "2026-07-01", "day", "registered", 1, day_reg),
        ("W1", "2026-07-01", "day", "unregistered", 1, day_unreg),
        ("W1", "2026-07-01", "night", "registered", 1, night_reg),
        ("W1", "2026-07-01", "night", "unregistered", 1, night_unreg),
    ]
    return _staffing([r for r in rows if r[5] is not None])


CHPPD_CASES = [
    # (frame, patients, unit, expected, behaviour)
    (_24h(5, 3, 4, 2), 20, "headcount", (8 * 12.5 + 6 * 12.0) / 20, "headcount_times_shift_hours_over_patients"),
    (_24h(60, 37.5, 48, 24), 20, "hours", (60 + 37.5 + 48 + 24) / 20, "hours_are_summed_as_given"),
    (_24h(5, None, 4, None), 9, "headcount", (5 * 12.5 + 4 * 12.0) / 9, "registered_only_ward_still_counts"),
    (_24h(5, 3, 4, 2), 0, "headcount", None, "no_patients_is_none_not_infinite"),
    (_24h(5, 3, 4, 2), None, "headcount", None, "unknown_patient_count_is_none"),
    (_24h(5, 3, None, None), 20, "headcount", None, "missing_night_shift_is_none_not_half_a_day"),
    (_24h(None, None, 4, 2), 20, "headcount", None, "missing_day_shift_is_none"),
]


@pytest.mark.parametrize("frame, patients, unit, expected, behaviour", CHPPD_CASES, ids=[c[-1] for c in CHPPD_CASES])
def test_care_hours_per_patient_day(
    frame: pd.DataFrame, patients: int | None, unit: str, expected: float | None, behaviour: str
) -> None:
    got = care_hours_per_patient_day(frame, patients, unit, SHIFT_HOURS)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_care_hours_refuses_unknown_unit_and_several_wards() -> None:
    with pytest.raises(ValueError, match="unit"):
        care_hours_per_patient_day(_24h(5, 3, 4, 2), 20, "wte", SHIFT_HOURS)
    two_wards = pd.concat([_24h(5, 3, 4, 2), _24h(5, 3, 4, 2).assign(ward_code="W2")])
    with pytest.raises(ValueError, match="one ward"):
        care_hours_per_patient_day(two_wards, 20, "headcount", SHIFT_HOURS)


def test_care_hours_by_ward_gives_a_row_only_to_wards_with_both_shifts_and_patients() -> None:
    frame = pd.concat(
        [
            _24h(5, 3, 4, 2),  # W1: full day and night
            _24h(5, 3, None, None).assign(ward_code="W2"),  # W2: no night shift recorded
            _24h(5, 3, 4, 2).assign(ward_code="W3"),  # W3: nobody at midnight
            _24h(2, 1, 2, 1).assign(ward_code="W4"),  # W4: census unknown
        ]
    )
    got = care_hours_by_ward(frame, {"W1": 20, "W2": 20, "W3": 0}, "headcount", SHIFT_HOURS)
    assert got.columns.tolist() == ["ward_code", "census_midnight", "care_hours", "chppd"]
    assert got["ward_code"].tolist() == ["W1"]
    assert got["care_hours"].iloc[0] == pytest.approx(8 * 12.5 + 6 * 12.0)
    assert got["chppd"].iloc[0] == pytest.approx(
        care_hours_per_patient_day(_24h(5, 3, 4, 2), 20, "headcount", SHIFT_HOURS)
    )


# ---- hours as the safe staffing return counts them, and NICE SG1 red flags ---------------------------------

from metrics.rules.staffing import HEADCOUNT_BASIS, HOURS_BASIS, MIXED_BASIS, RedFlagRules  # noqa: E402

LENGTHS = {"day": 12.5, "night": 12.0}
AT_0730 = T("2026-07-01T06:30Z")  # 07:30 London: the board's night is last night's, started 2026-06-30


def _hours_rows(rows: list[tuple[str, float, float, float | None, float | None]]) -> pd.DataFrame:
    """rows of (staff_group, planned headcount, actual headcount, planned_hours, actual_hours), last night, ward 7A."""
    return pd.DataFrame(
        {
            "ward_code": pd.Series(["7A"] * len(rows), dtype="string"),
            "shift_date": pd.to_datetime(["2026-06-30"] * len(rows)),
            "shift": pd.Series(["night"] * len(rows), dtype="string"),
            "staff_group": pd.Series([r[0] for r in rows], dtype="string"),
            "planned": [r[1] for r in rows],
            "actual": [r[2] for r in rows],
            "planned_hours": pd.Series([r[3] for r in rows], dtype="float64"),
            "actual_hours": pd.Series([r[4] for r in rows], dtype="float64"),
        }
    )


FILL_CASES = [
    # (rows, fill rate, basis, behaviour)
    ([("registered", 4, 4, 48.0, 40.0)], 40 / 48, HOURS_BASIS, "hours_worked_not_headcount"),
    ([("registered", 4, 3, None, None)], 3 / 4, HEADCOUNT_BASIS, "headcount_x_shift_length_is_labelled"),
    ([("registered", 2, 2, 24.0, 24.0), ("registered", 2, 1, None, None)], 36 / 48, MIXED_BASIS, "mixed_rows_say_so"),
]


@pytest.mark.parametrize("rows, rate, basis, behaviour", FILL_CASES, ids=[c[-1] for c in FILL_CASES])
def test_fill_rate_reads_hours_and_labels_the_headcount_fallback(
    rows: list, rate: float, basis: str, behaviour: str
) -> None:
    got = staffing_board(_hours_rows(rows), AT_0730, GREEN, AMBER, unit="headcount", shift_hours=LENGTHS)
    row = got[got["staff_group"] == "registered"].iloc[0]
    assert row["fill_rate"] == pytest.approx(rate)
    assert row["hours_basis"] == basis


RED_FLAG_CASES = [
    # (registered planned/actual headcount, planned/actual hours, red flag, behaviour)
    (2, 2, 24.0, 24.0, False, "two_registered_nurses_full_hours_no_flag"),
    (2, 1, 24.0, 12.0, True, "one_registered_nurse_is_a_red_flag"),
    (4, 4, 48.0, 40.0, False, "shortfall_exactly_8h_and_under_25pct_no_flag"),
    (4, 4, 48.0, 39.5, True, "shortfall_above_8h_is_a_red_flag"),
    (2, 2, 24.0, 18.0, False, "shortfall_exactly_25pct_no_flag"),
    (2, 2, 24.0, 17.5, True, "shortfall_above_25pct_is_a_red_flag"),
]


@pytest.mark.parametrize(
    "planned, actual, planned_h, actual_h, flagged, behaviour", RED_FLAG_CASES, ids=[c[-1] for c in RED_FLAG_CASES]
)
def test_sg1_red_flags_for_registered_nurses(
    planned: float, actual: float, planned_h: float, actual_h: float, flagged: bool, behaviour: str
) -> None:
    rows = _hours_rows([("registered", planned, actual, planned_h, actual_h), ("unregistered", 1, 0, 12.0, 0.0)])
    got = staffing_board(rows, AT_0730, GREEN, AMBER, unit="headcount", shift_hours=LENGTHS, red_flags=RedFlagRules())
    by_group = got.set_index("staff_group")
    assert bool(by_group.loc["registered", "red_flag"]) is flagged
    assert (by_group.loc["registered", "red_flag_reason"] is not None) is flagged
    assert bool(by_group.loc["unregistered", "red_flag"]) is False  # SG1's flags here are about registered nurses


def test_care_hours_read_hours_actually_worked() -> None:
    rows = pd.DataFrame(
        {
            "ward_code": ["7A", "7A"],
            "shift": ["day", "night"],
            "staff_group": ["registered", "registered"],
            "actual": [4.0, 3.0],
            "actual_hours": [44.0, None],  # day: hours worked; night: 3 x 12 h fallback
        }
    )
    got = care_hours_by_ward(rows, {"7A": 20}, "headcount", LENGTHS)
    assert got["care_hours"].tolist() == [80.0]
    assert got["chppd"].tolist() == [4.0]
