"""Spec: outstanding and overdue risk assessments, counted from extracted_at."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.rules.assessments import (
    PER_ENCOUNTER_COLUMNS,
    ROW_COLUMNS_ADDED,
    assessment_rows,
    assessments_per_encounter,
)

T = pd.Timestamp
EXT = T("2026-07-01T08:00Z")


def _assessments(rows: list[tuple[str, str, str | None, str | None]]) -> pd.DataFrame:
    """rows of (encounter_id, assessment_type, due_at, completed_at) in validated form."""
    return pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in rows], dtype="string"),
            "assessment_type": pd.Series([r[1] for r in rows], dtype="string"),
            "due_at": pd.to_datetime([r[2] for r in rows], utc=True),
            "completed_at": pd.to_datetime([r[3] for r in rows], utc=True),
        }
    )


ROW_CASES = [
    # (due_at, completed_at, outstanding, overdue, overdue_minutes, behaviour)
    ("2026-07-01T06:00Z", None, True, True, 120.0, "not_completed_and_due_earlier_is_overdue"),
    ("2026-07-01T08:00Z", None, True, False, None, "due_exactly_at_extracted_at_is_not_yet_overdue"),
    ("2026-07-01T07:59:59Z", None, True, True, 1 / 60, "due_one_second_before_extracted_at_is_overdue"),
    ("2026-07-01T12:00Z", None, True, False, None, "due_later_today_is_outstanding_not_overdue"),
    ("2026-07-01T06:00Z", "2026-07-01T07:00Z", False, False, None, "completed_before_extracted_at_is_done"),
    ("2026-07-01T06:00Z", "2026-07-01T08:00Z", False, False, None, "completed_exactly_at_extracted_at_is_done"),
    (
        "2026-07-01T06:00Z",
        "2026-07-01T08:00:01Z",
        True,
        True,
        120.0,
        "completed_after_extracted_at_was_still_outstanding",
    ),
    ("2026-06-29T08:00Z", None, True, True, 2880.0, "two_days_overdue_counts_minutes"),
    (None, None, True, False, None, "missing_due_time_is_outstanding_but_never_overdue"),
]


@pytest.mark.parametrize(
    "due, completed, outstanding, overdue, minutes, behaviour", ROW_CASES, ids=[c[-1] for c in ROW_CASES]
)
def test_assessment_rows(
    due: str | None, completed: str | None, outstanding: bool, overdue: bool, minutes: float | None, behaviour: str
) -> None:
    got = assessment_rows(_assessments([("E1", "VTE", due, completed)]), EXT)
    assert list(got.columns[-3:]) == ROW_COLUMNS_ADDED
    row = got.iloc[0]
    assert bool(row["outstanding"]) is outstanding
    assert bool(row["overdue"]) is overdue
    if minutes is None:
        assert math.isnan(row["overdue_minutes"])
    else:
        assert row["overdue_minutes"] == pytest.approx(minutes)


def test_assessment_rows_keep_input_columns_and_types() -> None:
    frame = _assessments([("E1", "VTE", "2026-07-01T06:00Z", None)])
    got = assessment_rows(frame, EXT)
    assert list(got.columns) == list(frame.columns) + ROW_COLUMNS_ADDED
    assert got["outstanding"].dtype == bool and got["overdue"].dtype == bool
    assert got["overdue_minutes"].dtype == "float64"
    assert "outstanding" not in frame.columns  # input not modified


def test_assessments_per_encounter_counts_types_and_longest_overdue() -> None:
    frame = _assessments(
        [
            ("E1", "VTE", "2026-07-01T06:00Z", None),  # overdue 120
            ("E1", "FALLS", "2026-07-01T04:00Z", None),  # overdue 240
            ("E1", "MUST", "2026-07-01T10:00Z", None),  # outstanding, not due yet
            ("E1", "VTE", "2026-06-30T06:00Z", "2026-06-30T07:00Z"),  # done
            ("E1", "VTE", "2026-07-01T07:00Z", None),  # second VTE outstanding: type listed once
            ("E2", "DELIRIUM", "2026-07-01T06:00Z", "2026-07-01T06:30Z"),  # done
        ]
    )
    got = assessments_per_encounter(assessment_rows(frame, EXT))
    assert got.columns.tolist() == PER_ENCOUNTER_COLUMNS
    rows = got.set_index("encounter_id")
    assert rows.loc["E1", "assessments_outstanding"] == 4
    assert rows.loc["E1", "assessments_overdue"] == 3
    assert rows.loc["E1", "assessments_outstanding_types"] == "FALLS, MUST, VTE"
    assert rows.loc["E1", "assessments_max_overdue_minutes"] == 240.0
    assert rows.loc["E2", "assessments_outstanding"] == 0
    assert rows.loc["E2", "assessments_overdue"] == 0
    assert rows.loc["E2", "assessments_outstanding_types"] is None
    assert math.isnan(rows.loc["E2", "assessments_max_overdue_minutes"])
    assert got["assessments_outstanding"].dtype == "int64"
    assert got["encounter_id"].dtype == "string"  # the caller's key dtype survives, so merges stay exact


def test_assessments_per_encounter_of_nothing_is_empty_with_columns() -> None:
    got = assessments_per_encounter(assessment_rows(_assessments([]), EXT))
    assert got.empty and got.columns.tolist() == PER_ENCOUNTER_COLUMNS


def test_naive_extracted_at_is_refused() -> None:
    with pytest.raises(ValueError):
        assessment_rows(_assessments([]), T("2026-07-01T08:00"))
