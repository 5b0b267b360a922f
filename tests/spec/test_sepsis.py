"""Spec: the sepsis screen (NICE NG51 2024 1.11.5 risk grades; RCP 2017 red score; UK Sepsis Trust red flags).

Each row is one patient a clinician can check: the flags on the EPR, what the
NEWS2 board says about the newest set, the latest lactate, and the answer.
"""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.rules.sepsis import (
    SEPSIS_COLUMNS,
    Lactate,
    News2Reading,
    SepsisSettings,
    active_flags_per_encounter,
    latest_lactate_per_patient,
    nice_risk,
    sepsis_per_encounter,
    sepsis_screen,
)

T = pd.Timestamp
EXT = T("2026-07-01T08:00Z")
INF = ["SUSPECTED_INFECTION"]
SETTINGS = SepsisSettings(
    red_flags={
        "NEW_OXYGEN_NEED": "new need for oxygen",
        "NON_BLANCHING_RASH": "non-blanching rash",
        "MOTTLED_SKIN": "mottled or ashen skin",
        "NO_URINE_18H": "no urine passed in 18 hours",
    }
)


def current(score: int, red: bool = False) -> News2Reading:
    """A complete newest set within its monitoring interval."""
    return News2Reading(minimum=score, red=red)


def partial(score: int, missing: str = "temperature", red: bool = False) -> News2Reading:
    return News2Reading(minimum=score, missing=missing, red=red)


OVERDUE = News2Reading(minimum=7, usable=False, why_not="NEWS2 overdue (last set 12 h 30 m ago)")
PREGNANT = News2Reading(minimum=None, usable=False, why_not="NEWS2 not applicable: pregnancy (use MEOWS)")
LACTATE_4_5 = Lactate(4.5, "22:10")


@pytest.mark.parametrize(
    ("score", "risk"),
    [(0, "very low"), (1, "low"), (4, "low"), (5, "moderate"), (6, "moderate"), (7, "high"), (20, "high")],
)
def test_nice_ng51_risk_grades_at_every_boundary(score: int, risk: str) -> None:
    assert nice_risk(score) == risk


SCREEN_CASES = [
    # (flags, NEWS2 reading, lactate, positive, risk, criteria fired, behaviour)
    (INF, current(0), None, False, "very low", (), "infection_news2_0_is_very_low_risk_and_negative"),
    (INF, current(4), None, False, "low", (), "infection_news2_4_is_low_risk_and_negative"),
    (
        INF,
        current(5),
        None,
        True,
        "moderate",
        ("suspected infection with NEWS2 5: moderate risk (NICE NG51)",),
        "infection_news2_5_is_moderate_risk",
    ),
    (
        INF,
        current(6),
        None,
        True,
        "moderate",
        ("suspected infection with NEWS2 6: moderate risk (NICE NG51)",),
        "infection_news2_6_is_moderate_risk",
    ),
    (
        INF,
        current(7),
        None,
        True,
        "high",
        ("suspected infection with NEWS2 7: high risk (NICE NG51)",),
        "infection_news2_7_is_high_risk",
    ),
    (
        INF,
        current(3, red=True),
        None,
        True,
        "low",
        ("suspected infection with a NEWS2 parameter scoring 3 (RCP red score)",),
        "infection_with_a_single_red_parameter_is_positive",
    ),
    (
        INF,
        partial(6, red=True),
        None,
        True,
        "moderate",
        (
            "suspected infection with NEWS2 ≥ 6 (temperature missing): moderate risk at least (NICE NG51)",
            "suspected infection with a NEWS2 parameter scoring 3 (RCP red score)",
        ),
        "the_reviews_incomplete_set_with_red_scores_is_positive",
    ),
    (
        INF,
        partial(2),
        None,
        True,
        None,
        ("suspected infection, not graded: newest set incomplete (temperature missing): sepsis risk cannot be graded",),
        "an_incomplete_low_set_cannot_grade_and_is_never_a_silent_negative",
    ),
    (
        INF,
        OVERDUE,
        None,
        True,
        None,
        (
            "suspected infection, not graded: NEWS2 overdue (last set 12 h 30 m ago): sepsis risk cannot be graded by "
            "NEWS2",
        ),
        "an_overdue_news2_is_not_used_even_if_high",
    ),
    (
        INF,
        PREGNANT,
        None,
        True,
        None,
        (
            "suspected infection, not graded: NEWS2 not applicable: pregnancy (use MEOWS): sepsis risk cannot be "
            "graded by NEWS2",
        ),
        "pregnancy_is_not_graded_by_news2",
    ),
    (
        INF,
        None,
        None,
        True,
        None,
        ("suspected infection, not graded: no observations: sepsis risk cannot be graded",),
        "no_observations_is_not_graded",
    ),
    (
        INF,
        current(0),
        LACTATE_4_5,
        True,
        "very low",
        ("suspected infection with lactate 4.5 mmol/L at 22:10 (red flag)",),
        "the_reviews_lactate_4_5_is_a_red_flag",
    ),
    (
        INF,
        current(0),
        Lactate(2.0, "22:10"),
        True,
        "very low",
        ("suspected infection with lactate 2 mmol/L at 22:10 (red flag)",),
        "lactate_exactly_2_is_a_red_flag",
    ),
    (INF, current(0), Lactate(1.9, "22:10"), False, "very low", (), "lactate_1_9_is_not_a_red_flag"),
    (
        [*INF, "NEW_OXYGEN_NEED"],
        current(2),
        None,
        True,
        "low",
        ("suspected infection with new need for oxygen (red flag)",),
        "new_oxygen_need_is_a_red_flag",
    ),
    (
        [*INF, "NON_BLANCHING_RASH"],
        current(0),
        None,
        True,
        "very low",
        ("suspected infection with non-blanching rash (red flag)",),
        "non_blanching_rash_is_a_red_flag",
    ),
    (
        [*INF, "MOTTLED_SKIN"],
        current(0),
        None,
        True,
        "very low",
        ("suspected infection with mottled or ashen skin (red flag)",),
        "mottled_skin_is_a_red_flag",
    ),
    (
        [*INF, "NO_URINE_18H"],
        current(0),
        None,
        True,
        "very low",
        ("suspected infection with no urine passed in 18 hours (red flag)",),
        "no_urine_for_18_hours_is_a_red_flag",
    ),
    (
        ["NON_BLANCHING_RASH"],
        current(9, red=True),
        LACTATE_4_5,
        False,
        None,
        (),
        "no_infection_flag_is_not_this_screen",
    ),
    (
        ["SEPSIS"],
        current(0),
        None,
        True,
        "very low",
        ("active sepsis flag",),
        "an_active_sepsis_flag_is_always_positive",
    ),
    (
        ["sepsis", "suspected_infection"],
        current(7),
        LACTATE_4_5,
        True,
        "high",
        (
            "active sepsis flag",
            "suspected infection with NEWS2 7: high risk (NICE NG51)",
            "suspected infection with lactate 4.5 mmol/L at 22:10 (red flag)",
        ),
        "every_criterion_that_fires_is_listed_in_order_and_codes_compare_case_insensitively",
    ),
]


@pytest.mark.parametrize(
    "flags, reading, lactate, positive, risk, criteria, behaviour", SCREEN_CASES, ids=[c[-1] for c in SCREEN_CASES]
)
def test_sepsis_screen(
    flags: list[str],
    reading: News2Reading | None,
    lactate: Lactate | None,
    positive: bool,
    risk: str | None,
    criteria: tuple[str, ...],
    behaviour: str,
) -> None:
    result = sepsis_screen(flags, reading, lactate, SETTINGS)
    assert (result.positive, result.risk, result.criteria) == (positive, risk, criteria)


def _flags(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in rows], dtype="string"),
            "flag": pd.Series([r[1] for r in rows], dtype="string"),
            "raised_at": pd.to_datetime([r[2] for r in rows], utc=True),
            "cleared_at": pd.to_datetime([r[3] for r in rows], utc=True),
        }
    )


ACTIVE_CASES = [
    # (raised_at, cleared_at, active at EXT, behaviour)
    ("2026-07-01T08:00Z", None, True, "raised_exactly_at_extracted_at_is_active"),
    ("2026-07-01T08:00:01Z", None, False, "raised_after_extracted_at_is_not_yet_active"),
    ("2026-06-30T08:00Z", None, True, "raised_earlier_and_never_cleared_is_active"),
    ("2026-06-30T08:00Z", "2026-07-01T08:00Z", False, "cleared_exactly_at_extracted_at_is_no_longer_active"),
    ("2026-06-30T08:00Z", "2026-07-01T07:59:59Z", False, "cleared_before_extracted_at_is_not_active"),
    ("2026-06-30T08:00Z", "2026-07-01T08:00:01Z", True, "cleared_after_extracted_at_was_still_active_then"),
]


@pytest.mark.parametrize("raised, cleared, active, behaviour", ACTIVE_CASES, ids=[c[-1] for c in ACTIVE_CASES])
def test_active_flags_window(raised: str, cleared: str | None, active: bool, behaviour: str) -> None:
    got = active_flags_per_encounter(_flags([("E1", "SEPSIS", raised, cleared)]), EXT)
    assert list(got.columns) == ["encounter_id", "flag"]
    assert (len(got) == 1) is active


def test_active_flags_are_deduplicated_and_upper_case() -> None:
    frame = _flags([("E1", "sepsis", "2026-06-30T08:00Z", None), ("E1", "SEPSIS", "2026-06-30T09:00Z", None)])
    got = active_flags_per_encounter(frame, EXT)
    assert got.to_dict("records") == [{"encounter_id": "E1", "flag": "SEPSIS"}]


def _labs(rows: list[tuple[str, str, float, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": pd.Series([r[0] for r in rows], dtype="string"),
            "test": pd.Series([r[1] for r in rows], dtype="string"),
            "value": pd.Series([r[2] for r in rows], dtype="float64"),
            "unit": pd.Series([r[3] for r in rows], dtype="string"),
            "collected_at": pd.to_datetime([r[4] for r in rows], utc=True),
        }
    )


LACTATE_CASES = [
    # (lab rows for patient P1, the lactate that counts at EXT 08:00 with a 24-hour window, behaviour)
    ([("P1", "lactate", 4.5, "mmol/L", "2026-06-30T22:10Z")], 4.5, "yesterday_evening_counts_after_midnight"),
    ([("P1", "lactate", 4.5, "mmol/L", "2026-06-30T08:00Z")], None, "exactly_24_hours_old_is_outside_the_window"),
    ([("P1", "lactate", 4.5, "mmol/L", "2026-06-30T08:01Z")], 4.5, "a_minute_inside_the_window_counts"),
    ([("P1", "lactate", 4.5, "mmol/L", "2026-07-01T08:01Z")], None, "after_extracted_at_is_ignored"),
    (
        [("P1", "lactate", 4.5, "mmol/L", "2026-07-01T02:00Z"), ("P1", "LACTATE", 1.4, "mmol/l", "2026-07-01T06:00Z")],
        1.4,
        "the_latest_lactate_counts",
    ),
    ([("P1", "creatinine", 90.0, "umol/L", "2026-07-01T06:00Z")], None, "other_tests_are_not_lactate"),
]


@pytest.mark.parametrize("rows, expected, behaviour", LACTATE_CASES, ids=[c[-1] for c in LACTATE_CASES])
def test_latest_lactate_per_patient(rows: list, expected: float | None, behaviour: str) -> None:
    got = latest_lactate_per_patient(_labs(rows), EXT, SepsisSettings())
    assert got["lactate_mmol_l"].tolist() == ([] if expected is None else [expected])


def test_sepsis_per_encounter_screens_only_flagged_stays_like_the_scalar_screen() -> None:
    stays = pd.DataFrame(
        {
            "encounter_id": ["INF_7", "INF_LACTATE", "NO_FLAG", "INF_NO_OBS"],
            "news2_minimum_score": pd.array([7, 0, 9, None], dtype="Int64"),
            "news2_missing": ["", "", "", None],
            "news2_any_single_3": pd.array([False, False, True, None], dtype="boolean"),
            "news2_usable": [True, True, True, False],
            "news2_why_not": [None, None, None, "no observations recorded"],
            "lactate_mmol_l": [None, 4.5, 9.0, None],
            "lactate_text": [None, "22:10", "22:10", None],
        }
    )
    active = pd.DataFrame({"encounter_id": ["INF_7", "INF_LACTATE", "INF_NO_OBS"], "flag": ["SUSPECTED_INFECTION"] * 3})
    got = sepsis_per_encounter(stays, active, SETTINGS).set_index("encounter_id")
    assert list(got.reset_index().columns) == SEPSIS_COLUMNS
    assert got["sepsis_positive"].to_dict() == {
        "INF_7": True,
        "INF_LACTATE": True,
        "NO_FLAG": False,
        "INF_NO_OBS": True,
    }
    assert got.loc["INF_7", "sepsis_trigger"] == "suspected infection with NEWS2 7: high risk (NICE NG51)"
    assert got.loc["INF_LACTATE", "sepsis_risk"] == "very low"
    assert got.loc["INF_NO_OBS", "sepsis_note"] == "no observations recorded: sepsis risk cannot be graded by NEWS2"
    assert got.loc["NO_FLAG", "sepsis_trigger"] is None and got.loc["NO_FLAG", "sepsis_risk"] is None


def test_sepsis_per_encounter_refuses_two_rows_for_one_encounter() -> None:
    stays = pd.DataFrame({"encounter_id": ["E1", "E1"]})
    with pytest.raises(ValueError, match="one row per encounter"):
        sepsis_per_encounter(stays, pd.DataFrame({"encounter_id": [], "flag": []}), SETTINGS)
