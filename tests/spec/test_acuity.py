"""Acuity-based staffing for the next shift, as tables a ward manager can check.

Required care hours are the sum of the Safer Nursing Care Tool multipliers of the patients' levels (the multipliers
in config/clinical.yaml; see metrics/rules/acuity.py for the convention), the shortfall is what the roster does not
cover, and the next shift is the one that starts next at 08:00 or 20:00 London time.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.rules import acuity

SHIPPED = dict(load_config(DEFAULT_CONFIG_DIR).clinical.acuity.multipliers)


def test_the_shipped_multipliers_cover_every_level_in_order_of_need():
    assert list(SHIPPED) == ["0", "1a", "1b", "2", "3"]
    values = [SHIPPED[level] for level in acuity.SNCT_LEVELS]
    assert values == sorted(values)


@pytest.mark.parametrize(
    ("levels", "expected_hours"),
    [
        ([], 0.0),
        (["0"], SHIPPED["0"]),
        (["1a"], SHIPPED["1a"]),
        (["1b"], SHIPPED["1b"]),
        (["2"], SHIPPED["2"]),
        (["3"], SHIPPED["3"]),
        (
            ["0", "0", "1a", "1b", "2", "3"],
            2 * SHIPPED["0"] + SHIPPED["1a"] + SHIPPED["1b"] + SHIPPED["2"] + SHIPPED["3"],
        ),
        (["1A", "1B"], SHIPPED["1a"] + SHIPPED["1b"]),  # codes ignore case
        (["0"] * 20 + ["3"] * 2, 20 * SHIPPED["0"] + 2 * SHIPPED["3"]),
    ],
)
def test_required_care_hours_are_the_sum_of_the_levels_multipliers(levels, expected_hours):
    assert acuity.required_care_hours(levels, SHIPPED) == pytest.approx(expected_hours)


def test_with_the_shipped_values_a_ward_of_every_level_needs_28_5_hours():
    # 2.5 + 3.5 + 4.5 + 6 + 12 = 28.5
    assert acuity.required_care_hours(["0", "1a", "1b", "2", "3"], SHIPPED) == 28.5


def test_a_level_without_a_multiplier_is_an_error_naming_the_levels():
    with pytest.raises(ValueError, match="SNCT level '4' has no multiplier; configured: 0, 1a, 1b, 2, 3"):
        acuity.required_care_hours(["4"], SHIPPED)


@pytest.mark.parametrize(
    ("required", "rostered", "shortfall"),
    [
        (60.0, 50.0, 10.0),
        (50.0, 50.0, 0.0),
        (40.0, 50.0, 0.0),  # more rostered than needed: no shortfall, never negative
        (60.0, None, None),  # no roster for the next shift: unknown, never zero
        (None, 50.0, None),
    ],
)
def test_shortfall_is_what_the_roster_does_not_cover(required, rostered, shortfall):
    assert acuity.shortfall_hours(required, rostered) == shortfall


@pytest.mark.parametrize(
    ("extracted_at", "next_shift"),
    [
        # London in winter is GMT, in summer BST (UTC+1)
        ("2026-01-15T07:59:00Z", (date(2026, 1, 15), "day")),
        ("2026-01-15T08:00:00Z", (date(2026, 1, 15), "night")),
        ("2026-01-15T19:59:00Z", (date(2026, 1, 15), "night")),
        ("2026-01-15T20:00:00Z", (date(2026, 1, 16), "day")),
        ("2026-01-15T23:59:00Z", (date(2026, 1, 16), "day")),
        ("2026-07-15T06:59:00Z", (date(2026, 7, 15), "day")),  # 07:59 BST
        ("2026-07-15T07:00:00Z", (date(2026, 7, 15), "night")),  # 08:00 BST
        ("2026-07-15T19:00:00Z", (date(2026, 7, 16), "day")),  # 20:00 BST
    ],
)
def test_the_next_shift_starts_at_08_00_or_20_00_london_time(extracted_at, next_shift):
    assert acuity.next_shift(pd.Timestamp(extracted_at)) == next_shift


def _ward_table(levels_by_patient: dict[str, str | None], roster: list[tuple[str, float, float]]) -> pd.Series:
    """One ward 7A at 10:00 (the next shift is tonight's night); roster rows: (group, planned, actual) headcount."""
    now = pd.Timestamp("2026-01-15T10:00:00Z")
    on_ward = pd.DataFrame({"encounter_id": list(levels_by_patient), "ward_code": "7A"})
    acuity_rows = pd.DataFrame(
        [
            {"encounter_id": eid, "shift_date": pd.Timestamp("2026-01-15"), "shift": "night", "snct_level": level}
            for eid, level in levels_by_patient.items()
            if level is not None
        ],
        columns=["encounter_id", "shift_date", "shift", "snct_level"],
    )
    staffing = pd.DataFrame(
        [
            {"ward_code": "7A", "shift_date": pd.Timestamp("2026-01-15"), "shift": "night", "staff_group": group,
             "planned": planned, "actual": actual, "planned_hours": None, "actual_hours": None}
            for group, planned, actual in roster
        ],
        columns=["ward_code", "shift_date", "shift", "staff_group", "planned", "actual", "planned_hours",
                 "actual_hours"],
    )  # fmt: skip
    table = acuity.next_shift_by_ward(
        ["7A"], on_ward, acuity_rows, staffing, now, SHIPPED, "headcount", {"day": 12.5, "night": 12.0}
    )
    return table.iloc[0]


def test_a_ward_s_next_shift_needs_the_sum_and_is_short_of_what_the_roster_lacks():
    # needs 2 x 2.5 + 3.5 + 12 = 20.5 h; rostered 1 registered nurse x 12 h: 8.5 h short
    row = _ward_table({"A": "0", "B": "0", "C": "1a", "D": "3"}, [("registered", 2, 1)])
    assert (row["shift"], row["shift_date"]) == ("night", date(2026, 1, 15))
    assert row["required_hours"] == 20.5
    assert row["rostered_hours"] == 12.0
    assert row["shortfall_hours"] == 8.5
    assert (row["patients_scored"], row["patients_not_scored"]) == (4, 0)
    assert (row["planned_staff"], row["rostered_staff"], row["staff_gap"]) == (2, 1, 1)


def test_a_patient_without_a_level_is_counted_as_not_scored_never_as_level_0():
    row = _ward_table({"A": "2", "B": None}, [("registered", 1, 1), ("unregistered", 1, 1)])
    assert row["required_hours"] == 6.0
    assert (row["patients_scored"], row["patients_not_scored"]) == (1, 1)
    assert row["rostered_hours"] == 24.0
    assert row["shortfall_hours"] == 0.0


def test_no_roster_for_the_next_shift_leaves_the_shortfall_unknown():
    row = _ward_table({"A": "3"}, [])
    assert row["required_hours"] == 12.0
    assert pd.isna(row["rostered_hours"])
    assert pd.isna(row["shortfall_hours"])
