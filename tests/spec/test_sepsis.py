"""Spec: the sepsis screen (NICE NG51 / UK Sepsis Trust / NEWS2 with suspected infection)."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.rules.sepsis import (
    SEPSIS_COLUMNS,
    SepsisCriterion,
    active_flags_per_encounter,
    criteria_from_config,
    sepsis_per_encounter,
    sepsis_screen,
)

T = pd.Timestamp
EXT = T("2026-07-01T08:00Z")
NA = None

DEFAULT = (
    SepsisCriterion("sepsis_flag", "Active SEPSIS flag", ("SEPSIS",)),
    SepsisCriterion(
        "infection_and_news2",
        "Suspected infection with NEWS2 >= 5 or a single parameter scoring 3",
        ("SUSPECTED_INFECTION",),
        news2_at_least=5,
        or_single_parameter_3=True,
    ),
)
NOTE = "suspected infection but NEWS2 not available (incomplete observations)"

SCREEN_CASES = [
    # (active flags, NEWS2, any single 3, positive, trigger id, note, behaviour)
    (["SEPSIS"], NA, NA, True, "sepsis_flag", None, "sepsis_flag_alone_is_positive_even_without_news2"),
    (["SEPSIS"], 0, False, True, "sepsis_flag", None, "sepsis_flag_is_positive_whatever_the_news2"),
    (["SUSPECTED_INFECTION"], 4, False, False, None, None, "infection_with_news2_4_and_no_single_3_is_negative"),
    (["SUSPECTED_INFECTION"], 5, False, True, "infection_and_news2", None, "infection_with_news2_5_is_positive"),
    (["SUSPECTED_INFECTION"], 12, False, True, "infection_and_news2", None, "infection_with_news2_above_5_is_positive"),
    (
        ["SUSPECTED_INFECTION"],
        4,
        True,
        True,
        "infection_and_news2",
        None,
        "infection_with_news2_4_and_a_single_3_is_positive",
    ),
    (
        ["SUSPECTED_INFECTION"],
        3,
        True,
        True,
        "infection_and_news2",
        None,
        "infection_with_low_news2_but_a_single_3_is_positive",
    ),
    (["SUSPECTED_INFECTION"], NA, NA, False, None, NOTE, "infection_with_unknown_news2_is_not_positive_but_noted"),
    (["SUSPECTED_INFECTION"], NA, False, False, None, NOTE, "infection_with_unknown_news2_and_no_single_3_is_noted"),
    (
        ["SUSPECTED_INFECTION"],
        NA,
        True,
        True,
        "infection_and_news2",
        None,
        "infection_with_unknown_news2_but_a_single_3_seen_is_positive",
    ),
    (["SUSPECTED_INFECTION"], pd.NA, pd.NA, False, None, NOTE, "pandas_na_counts_as_unknown"),
    ([], 9, True, False, None, None, "high_news2_without_an_infection_flag_is_not_this_screen"),
    ([], NA, NA, False, None, None, "no_flags_and_no_news2_gives_no_note"),
    (["C_DIFF", "FALL"], 7, True, False, None, None, "unrelated_flags_never_match"),
    (["suspected_infection"], 5, False, True, "infection_and_news2", None, "flag_codes_compare_case_insensitively"),
    (
        ["SUSPECTED_INFECTION", "SEPSIS"],
        6,
        False,
        True,
        "sepsis_flag",
        None,
        "first_matching_criterion_in_config_order_wins",
    ),
    (
        ["SUSPECTED_INFECTION", "SEPSIS"],
        NA,
        NA,
        True,
        "sepsis_flag",
        None,
        "a_positive_criterion_clears_an_earlier_undecided_note",
    ),
]


@pytest.mark.parametrize(
    "flags, news2, single3, positive, trigger_id, note, behaviour", SCREEN_CASES, ids=[c[-1] for c in SCREEN_CASES]
)
def test_sepsis_screen_default_criteria(
    flags: list[str],
    news2: int | None,
    single3: bool | None,
    positive: bool,
    trigger_id: str | None,
    note: str | None,
    behaviour: str,
) -> None:
    result = sepsis_screen(flags, news2, single3, DEFAULT)
    assert result.positive is positive
    assert result.trigger_id == trigger_id
    assert result.note == note
    if positive:
        assert result.trigger_label == next(c.label for c in DEFAULT if c.id == trigger_id)
    else:
        assert result.trigger_label is None


ONLY_SCORE = SepsisCriterion("score_only", "Infection and NEWS2 >= 5", ("SUSPECTED_INFECTION",), news2_at_least=5)
ONLY_SINGLE = SepsisCriterion(
    "single_only", "Infection and a single 3", ("SUSPECTED_INFECTION",), or_single_parameter_3=True
)

CRITERION_CASES = [
    (ONLY_SCORE, 5, True, True, None, "score_only_matches_at_threshold"),
    (ONLY_SCORE, 4, True, False, None, "score_only_ignores_a_single_3"),
    (ONLY_SCORE, NA, True, False, NOTE, "score_only_with_unknown_score_is_undecided"),
    (ONLY_SINGLE, 2, True, True, None, "single_only_matches_a_single_3"),
    (ONLY_SINGLE, 9, False, False, None, "single_only_ignores_the_aggregate"),
    (ONLY_SINGLE, 9, NA, False, NOTE, "single_only_with_unknown_single_is_undecided"),
]


@pytest.mark.parametrize(
    "criterion, news2, single3, positive, note, behaviour", CRITERION_CASES, ids=[c[-1] for c in CRITERION_CASES]
)
def test_sepsis_screen_honours_each_configured_news2_condition(
    criterion: SepsisCriterion,
    news2: int | None,
    single3: bool | None,
    positive: bool,
    note: str | None,
    behaviour: str,
) -> None:
    result = sepsis_screen(["SUSPECTED_INFECTION"], news2, single3, [criterion])
    assert (result.positive, result.note) == (positive, note)


def test_criteria_from_config_reads_the_clinical_yaml_shape() -> None:
    raw = [
        {"id": "sepsis_flag", "label": "Active SEPSIS flag", "flags_any": ["sepsis"]},
        {
            "id": "i",
            "label": "L",
            "flags_any": ["SUSPECTED_INFECTION"],
            "news2_at_least": 5,
            "or_single_parameter_3": True,
        },
    ]
    got = criteria_from_config(raw)
    assert got[0] == SepsisCriterion("sepsis_flag", "Active SEPSIS flag", ("SEPSIS",))
    assert got[1] == DEFAULT[1].__class__("i", "L", ("SUSPECTED_INFECTION",), 5, True)


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


def _news2(rows: list[tuple[str, int | None, bool | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in rows], dtype="string"),
            "news2_score": pd.array([r[1] for r in rows], dtype="Int64"),
            "news2_any_single_3": pd.array([r[2] for r in rows], dtype="boolean"),
        }
    )


def test_sepsis_per_encounter_screens_every_encounter_like_the_scalar_screen() -> None:
    raised = "2026-07-01T06:00Z"
    flags = _flags(
        [
            ("SEPSIS_FLAG", "SEPSIS", raised, None),
            ("INF_5", "SUSPECTED_INFECTION", raised, None),
            ("INF_4", "SUSPECTED_INFECTION", raised, None),
            ("INF_4_S3", "SUSPECTED_INFECTION", raised, None),
            ("INF_UNKNOWN", "SUSPECTED_INFECTION", raised, None),
            ("INF_NO_OBS", "SUSPECTED_INFECTION", raised, None),
            ("INF_CLEARED", "SUSPECTED_INFECTION", raised, "2026-07-01T07:00Z"),
            ("INF_FUTURE", "SUSPECTED_INFECTION", "2026-07-01T09:00Z", None),
        ]
    )
    news2 = _news2(
        [
            ("SEPSIS_FLAG", None, None),
            ("INF_5", 5, False),
            ("INF_4", 4, False),
            ("INF_4_S3", 4, True),
            ("INF_UNKNOWN", None, False),
            ("INF_CLEARED", 9, True),
            ("INF_FUTURE", 9, True),
            ("NO_FLAG", 9, True),
        ]
    )
    ids = pd.Series(
        [
            "SEPSIS_FLAG",
            "INF_5",
            "INF_4",
            "INF_4_S3",
            "INF_UNKNOWN",
            "INF_NO_OBS",
            "INF_CLEARED",
            "INF_FUTURE",
            "NO_FLAG",
            "INF_5",
        ],
        dtype="string",
    )
    got = sepsis_per_encounter(ids, flags, news2, EXT, DEFAULT).set_index("encounter_id")
    assert list(got.reset_index().columns) == SEPSIS_COLUMNS
    assert got.index.is_unique and len(got) == 9
    assert got["sepsis_positive"].dtype == bool
    expected = {
        "SEPSIS_FLAG": (True, "Active SEPSIS flag", None),
        "INF_5": (True, DEFAULT[1].label, None),
        "INF_4": (False, None, None),
        "INF_4_S3": (True, DEFAULT[1].label, None),
        "INF_UNKNOWN": (False, None, NOTE),
        "INF_NO_OBS": (False, None, "suspected infection but NEWS2 not available (no observations)"),
        "INF_CLEARED": (False, None, None),
        "INF_FUTURE": (False, None, None),
        "NO_FLAG": (False, None, None),
    }
    for enc, (positive, trigger, note) in expected.items():
        row = got.loc[enc]
        assert (bool(row["sepsis_positive"]), row["sepsis_trigger"], row["sepsis_note"]) == (positive, trigger, note), (
            enc
        )


def test_sepsis_per_encounter_with_no_flags_is_all_negative() -> None:
    got = sepsis_per_encounter(pd.Series(["E1", "E2"]), _flags([]), _news2([("E1", 9, True)]), EXT, DEFAULT)
    assert not got["sepsis_positive"].any()
    assert got["sepsis_trigger"].isna().all() and got["sepsis_note"].isna().all()


def test_sepsis_per_encounter_refuses_two_news2_rows_for_one_encounter() -> None:
    with pytest.raises(ValueError, match="one row per encounter"):
        sepsis_per_encounter(pd.Series(["E1"]), _flags([]), _news2([("E1", 1, False), ("E1", 2, False)]), EXT, DEFAULT)
