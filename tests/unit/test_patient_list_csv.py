"""A patient list's CSV sorts in a spreadsheet: numeric hours and ISO dates, while the screen keeps '19 d 12 h'."""

from types import SimpleNamespace

import pandas as pd

from dashboard.huddle.patient_list import patient_table

ROWS = pd.DataFrame(
    {
        "bed": ["B1", "B2"],
        "overdue_minutes": [28_080.0, 90.0],  # 19 d 12 h, 1 h 30 m
        "due_at": ["2026-11-28T07:30:00+00:00", "2026-07-01T06:30:00+00:00"],
        "admitted_date": ["2026-11-28", "2026-07-01"],
    }
)


def definition() -> SimpleNamespace:
    """patient_table reads only the drill-down's columns and duration column."""
    return SimpleNamespace(drilldown=SimpleNamespace(columns=list(ROWS.columns), duration=None))


def test_the_csv_carries_numeric_hours_and_iso_dates():
    table = patient_table(ROWS, definition(), for_csv=True)
    hours = [c for c in table.columns if c.endswith("(hours)")]
    assert len(hours) == 1
    assert table[hours[0]].tolist() == [468.0, 1.5]
    assert table.iloc[:, 2].tolist() == ["2026-11-28 07:30", "2026-07-01 07:30"]  # London time, BST in July
    assert table.iloc[:, 3].tolist() == ["2026-11-28", "2026-07-01"]


def test_the_screen_keeps_durations_a_nurse_reads():
    table = patient_table(ROWS, definition())
    assert "(hours)" not in " ".join(table.columns)
    assert table.iloc[1, 3] == "Wed 1 Jul"
