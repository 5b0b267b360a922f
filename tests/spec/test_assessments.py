"""Spec: outstanding and overdue risk assessments, counted from extracted_at."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.rules.assessments import (
    PER_ENCOUNTER_COLUMNS,
    ROW_COLUMNS_ADDED,
    AssessmentDue,
    assessment_rows,
    assessments_per_encounter,
    with_schedule,
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
    assert list(got.columns[-len(ROW_COLUMNS_ADDED) :]) == ROW_COLUMNS_ADDED
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


# ---- due times from admission, and required types a stay lacks (config/clinical.yaml assessment_schedule) ----

SCHEDULE = {
    "VTE": AssessmentDue(14, from_age_years=16),  # NICE NG89; 14-hour consultant review standard
    "PRESSURE_ULCER": AssessmentDue(6),  # NICE CG179 / QS89 statement 1
    "MUST": AssessmentDue(24, reassess_every_hours=168),  # NICE CG32: on admission, weekly after
}


def _stays(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """rows of (encounter_id, admitted_at, age_years)."""
    return pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in rows], dtype="string"),
            "admitted_at": pd.to_datetime([r[1] for r in rows], utc=True),
            "age_years": pd.Series([r[2] for r in rows], dtype="Int64"),
        }
    )


SCHEDULE_CASES = [
    # (admitted, age, VTE row (due, completed) or None, VTE outstanding, VTE overdue, due_at, due basis, behaviour)
    ("2026-06-30T12:00Z", 70, None, True, True, "2026-07-01T02:00Z",
     "no VTE assessment in the extract: due 14 h after admission",
     "stay_20h_old_with_no_vte_row_is_outstanding_and_overdue"),
    ("2026-06-30T18:00Z", 70, None, True, False, "2026-07-01T08:00Z",
     "no VTE assessment in the extract: due 14 h after admission",
     "stay_exactly_14h_old_with_no_row_is_outstanding_not_yet_overdue"),
    ("2026-07-01T07:00Z", 70, None, True, False, "2026-07-01T21:00Z",
     "no VTE assessment in the extract: due 14 h after admission", "new_stay_with_no_row_is_outstanding_at_once"),
    ("2026-06-30T12:00Z", 70, (None, None), True, True, "2026-07-01T02:00Z",
     "no due time in the extract: due 14 h after admission", "row_without_due_time_gets_it_from_admission"),
    ("2026-06-30T12:00Z", 70, ("2026-07-01T10:00Z", None), True, False, "2026-07-01T10:00Z",
     "due time from the extract", "the_extracts_due_time_wins"),
    ("2026-06-30T12:00Z", 70, ("2026-06-30T13:00Z", "2026-06-30T13:30Z"), False, False, "2026-06-30T13:00Z",
     "due time from the extract", "completed_vte_is_done"),
    ("2026-06-30T12:00Z", 15, None, None, None, None, None, "under_16_has_no_vte_required_by_ng89"),
    ("2026-06-30T12:00Z", 16, None, True, True, "2026-07-01T02:00Z",
     "no VTE assessment in the extract: due 14 h after admission", "aged_16_needs_a_vte_assessment"),
]  # fmt: skip


@pytest.mark.parametrize(
    "admitted, age, vte, outstanding, overdue, due, basis, behaviour",
    SCHEDULE_CASES,
    ids=[c[-1] for c in SCHEDULE_CASES],
)
def test_vte_due_from_admission_and_a_missing_row_is_outstanding(
    admitted: str,
    age: int,
    vte: tuple[str | None, str | None] | None,
    outstanding: bool | None,
    overdue: bool | None,
    due: str | None,
    basis: str | None,
    behaviour: str,
) -> None:
    given = _assessments([("E1", "VTE", *vte)] if vte else [])
    got = assessment_rows(with_schedule(given, _stays([("E1", admitted, age)]), SCHEDULE, EXT), EXT)
    rows = got[got["assessment_type"] == "VTE"]
    if outstanding is None:
        assert rows.empty
        return
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (bool(row["outstanding"]), bool(row["overdue"]), row["due_at"], row["due_basis"]) == (
        outstanding,
        overdue,
        T(due),
        basis,
    )


def test_every_required_type_a_stay_lacks_is_added_once() -> None:
    stays = _stays([("E1", "2026-06-30T12:00Z", 70)])
    got = assessment_rows(with_schedule(_assessments([]), stays, SCHEDULE, EXT), EXT)
    assert sorted(got["assessment_type"]) == ["MUST", "PRESSURE_ULCER", "VTE"]
    assert got.set_index("assessment_type").loc["PRESSURE_ULCER", "due_at"] == T("2026-06-30T18:00Z")
    per = assessments_per_encounter(got)
    assert per[["assessments_outstanding", "assessments_overdue"]].values.tolist() == [[3, 2]]


MUST_CASES = [
    # (last MUST completed, a new MUST row due, behaviour)
    ("2026-06-24T08:00Z", "2026-07-01T08:00Z", "exactly_a_week_later_it_is_due_again"),
    ("2026-06-24T08:00:01Z", None, "a_second_short_of_a_week_it_is_not"),
    ("2026-06-20T08:00Z", "2026-06-27T08:00Z", "more_than_a_week_it_is_overdue_from_the_week_mark"),
]


@pytest.mark.parametrize("completed, due_again, behaviour", MUST_CASES, ids=[c[-1] for c in MUST_CASES])
def test_must_is_reassessed_weekly(completed: str, due_again: str | None, behaviour: str) -> None:
    stays = _stays([("E1", "2026-06-01T12:00Z", 70)])
    given = _assessments([("E1", "MUST", "2026-06-02T12:00Z", completed)])
    got = with_schedule(given, stays, {"MUST": SCHEDULE["MUST"]}, EXT)
    again = got[got["completed_at"].isna()]
    assert again["due_at"].tolist() == ([T(due_again)] if due_again else [])
