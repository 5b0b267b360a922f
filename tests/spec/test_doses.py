"""Spec: critical medicines (NHS SPS critical medicines list) and missed-dose status since London midnight."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.rules.doses import (
    DOSE_COLUMNS_ADDED,
    PER_ENCOUNTER_COLUMNS,
    critical_class,
    critical_doses_today,
    dose_status,
    doses_per_encounter,
)

T = pd.Timestamp
EXT = T("2026-01-15T08:00Z")  # GMT: London midnight is 2026-01-15T00:00Z
THRESHOLD = 120
MISSED_REASONS = ("no_reason", "unavailable", "not_available", "out_of_stock", "omitted")
CRITICAL = {
    "anti-infectives": ["amoxicillin", "co-amoxiclav", "gentamicin"],
    "anticoagulants": ["enoxaparin", "heparin", "apixaban"],
    "insulin": ["insulin", "novorapid", "lantus"],
    "parkinsons": ["co-careldopa", "madopar", "levodopa"],
    "anti-epileptics": ["levetiracetam", "sodium valproate"],
    "respiratory": ["salbutamol nebule"],
    "palliative": ["morphine subcutaneous"],
}

CLASS_CASES = [
    ("Enoxaparin 40 mg SC", "anticoagulants", "name_followed_by_dose_matches"),
    ("Co-careldopa 25/100", "parkinsons", "hyphenated_name_matches_as_one_word"),
    ("Insulin aspart (NovoRapid)", "insulin", "generic_insulin_word_matches"),
    ("NovoRapid FlexPen", "insulin", "brand_name_matches"),
    ("HEPARIN sodium 5000 units", "anticoagulants", "match_is_case_insensitive"),
    ("Paracetamol", None, "non_critical_medicine_is_none"),
    ("Dalteparinx", None, "unlisted_name_is_none"),
    ("Theparin", None, "name_inside_a_longer_word_does_not_match"),
    ("Heparinised saline", None, "name_continued_by_letters_does_not_match"),
    ("Levodopa2", None, "name_continued_by_a_digit_does_not_match"),
    ("Sodium valproate 500 mg MR", "anti-epileptics", "multi_word_name_matches_as_a_phrase"),
    ("Sodium  Valproate", "anti-epileptics", "phrase_tolerates_extra_spaces"),
    ("Valproate sodium", None, "phrase_words_out_of_order_do_not_match"),
    ("Salbutamol nebule 2.5 mg", "respiratory", "nebule_phrase_matches"),
    ("Salbutamol inhaler", None, "only_the_listed_phrase_is_critical"),
    ("Morphine subcutaneous 2.5 mg", "palliative", "route_phrase_matches"),
    ("Morphine oral solution", None, "same_drug_other_route_is_not_listed"),
    ("Amoxicillin/heparin test", "anti-infectives", "first_class_in_config_order_wins"),
    ("", None, "empty_name_is_none"),
]


@pytest.mark.parametrize("medicine, expected, behaviour", CLASS_CASES, ids=[c[-1] for c in CLASS_CASES])
def test_critical_class_whole_word_match(medicine: str, expected: str | None, behaviour: str) -> None:
    assert critical_class(medicine, CRITICAL) == expected


STATUS_CASES = [
    # (outcome, reason, scheduled_at, expected, behaviour)
    ("given", None, "2026-01-15T06:00Z", "given", "given_dose_is_given"),
    ("given", None, "2026-01-15T09:00Z", "given", "dose_given_early_is_given_not_not_yet_due"),
    ("not_given", "no_reason", "2026-01-15T06:00Z", "missed", "reason_no_reason_is_missed"),
    ("not_given", "unavailable", "2026-01-15T06:00Z", "missed", "reason_unavailable_is_missed"),
    ("not_given", "not_available", "2026-01-15T06:00Z", "missed", "reason_not_available_is_missed"),
    ("not_given", "out_of_stock", "2026-01-15T06:00Z", "missed", "reason_out_of_stock_is_missed"),
    ("not_given", "omitted", "2026-01-15T06:00Z", "missed", "reason_omitted_is_missed"),
    ("not_given", "UNAVAILABLE", "2026-01-15T06:00Z", "missed", "reason_compares_case_insensitively"),
    ("not_given", None, "2026-01-15T06:00Z", "missed", "missing_reason_is_missed"),
    ("not_given", "", "2026-01-15T06:00Z", "missed", "empty_reason_is_missed"),
    ("not_given", "  ", "2026-01-15T06:00Z", "missed", "blank_reason_is_missed"),
    ("not_given", "patient_refused", "2026-01-15T06:00Z", "excused", "reason_patient_refused_is_excused"),
    ("not_given", "nil_by_mouth", "2026-01-15T06:00Z", "excused", "reason_nil_by_mouth_is_excused"),
    ("not_given", "clinical_reason", "2026-01-15T06:00Z", "excused", "reason_clinical_reason_is_excused"),
    ("not_given", "patient_absent", "2026-01-15T06:00Z", "excused", "reason_patient_absent_is_excused"),
    ("not_given", "some_local_code", "2026-01-15T06:00Z", "excused", "unlisted_reason_is_excused_and_shown"),
    ("pending", None, "2026-01-15T08:00Z", "pending", "pending_due_exactly_now_is_pending"),
    ("pending", None, "2026-01-15T06:01Z", "pending", "pending_threshold_minus_1_min_is_pending"),
    ("pending", None, "2026-01-15T06:00:01Z", "pending", "pending_threshold_minus_1_s_is_pending"),
    ("pending", None, "2026-01-15T06:00Z", "pending_overdue", "pending_exactly_threshold_is_overdue_inclusive"),
    ("pending", None, "2026-01-15T05:59Z", "pending_overdue", "pending_beyond_threshold_is_overdue"),
    ("pending", None, "2026-01-15T08:00:01Z", "not_yet_due", "pending_scheduled_after_now_is_not_yet_due"),
    ("not_given", "no_reason", "2026-01-15T09:00Z", "not_yet_due", "not_given_scheduled_after_now_is_not_yet_due"),
    ("PENDING", None, "2026-01-15T07:00Z", "pending", "outcome_compares_case_insensitively"),
]


@pytest.mark.parametrize(
    "outcome, reason, scheduled, expected, behaviour", STATUS_CASES, ids=[c[-1] for c in STATUS_CASES]
)
def test_dose_status(outcome: str, reason: str | None, scheduled: str, expected: str, behaviour: str) -> None:
    assert dose_status(outcome, reason, T(scheduled), EXT, THRESHOLD, MISSED_REASONS) == expected


def test_dose_status_refuses_an_unknown_outcome() -> None:
    with pytest.raises(ValueError, match="outcome"):
        dose_status("held", None, T("2026-01-15T06:00Z"), EXT, THRESHOLD, MISSED_REASONS)


def _doses(rows: list[tuple[str, str, str, str, str | None]]) -> pd.DataFrame:
    """rows of (encounter_id, medicine, scheduled_at, outcome, reason) in validated form."""
    return pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in rows], dtype="string"),
            "medicine": pd.Series([r[1] for r in rows], dtype="string"),
            "scheduled_at": pd.to_datetime([r[2] for r in rows], utc=True),
            "outcome": pd.Series([r[3] for r in rows], dtype="string"),
            "administered_at": pd.to_datetime([None] * len(rows), utc=True),
            "reason": pd.Series([r[4] for r in rows], dtype="string"),
        }
    )


@pytest.mark.parametrize(
    "outcome, reason, scheduled, expected, behaviour", STATUS_CASES, ids=[c[-1] for c in STATUS_CASES]
)
def test_frame_status_agrees_with_scalar_status_and_future_doses_are_not_today(
    outcome: str, reason: str | None, scheduled: str, expected: str, behaviour: str
) -> None:
    frame = _doses([("E1", "Enoxaparin 40 mg", scheduled, outcome, reason)])
    got = critical_doses_today(frame, EXT, CRITICAL, THRESHOLD, MISSED_REASONS)
    if T(scheduled) > EXT:
        assert got.empty
    else:
        assert got["dose_status"].tolist() == [expected]
        assert got["is_missed"].tolist() == [expected in ("missed", "pending_overdue")]


WINDOW_CASES = [
    # (extracted_at, scheduled_at, in today's window, behaviour)
    ("2026-01-15T08:00Z", "2026-01-14T23:59:59Z", False, "gmt_one_second_before_midnight_is_yesterday"),
    ("2026-01-15T08:00Z", "2026-01-15T00:00Z", True, "gmt_exactly_midnight_is_today"),
    ("2026-07-01T08:00Z", "2026-06-30T22:59:59Z", False, "bst_one_second_before_midnight_is_yesterday"),
    ("2026-07-01T08:00Z", "2026-06-30T23:00Z", True, "bst_midnight_is_23_utc_the_evening_before"),
    ("2026-10-25T08:00Z", "2026-10-24T22:59:59Z", False, "autumn_change_day_one_second_before_bst_midnight"),
    ("2026-10-25T08:00Z", "2026-10-24T23:00Z", True, "autumn_change_day_bst_midnight_is_today"),
    ("2026-10-25T08:00Z", "2026-10-25T01:30Z", True, "autumn_change_day_repeated_hour_is_today"),
    ("2026-10-26T08:00Z", "2026-10-25T23:59:59Z", False, "day_after_autumn_change_one_second_before_gmt_midnight"),
    ("2026-10-26T08:00Z", "2026-10-26T00:00Z", True, "day_after_autumn_change_gmt_midnight_is_today"),
    ("2026-03-29T08:00Z", "2026-03-28T23:59:59Z", False, "spring_change_day_one_second_before_gmt_midnight"),
    ("2026-03-29T08:00Z", "2026-03-28T23:00Z", False, "spring_change_day_is_not_using_the_bst_offset_yet"),
    ("2026-03-29T08:00Z", "2026-03-29T00:00Z", True, "spring_change_day_gmt_midnight_is_today"),
    ("2026-03-30T08:00Z", "2026-03-29T22:59:59Z", False, "day_after_spring_change_one_second_before_bst_midnight"),
    ("2026-03-30T08:00Z", "2026-03-29T23:00Z", True, "day_after_spring_change_bst_midnight_is_today"),
    ("2026-01-15T08:00Z", "2026-01-15T08:00Z", True, "scheduled_exactly_at_extracted_at_is_included"),
    ("2026-01-15T08:00Z", "2026-01-15T08:00:01Z", False, "scheduled_after_extracted_at_is_excluded"),
]


@pytest.mark.parametrize(
    "extracted_at, scheduled, included, behaviour", WINDOW_CASES, ids=[c[-1] for c in WINDOW_CASES]
)
def test_critical_doses_today_window_starts_at_london_midnight(
    extracted_at: str, scheduled: str, included: bool, behaviour: str
) -> None:
    frame = _doses([("E1", "Apixaban 5 mg", scheduled, "not_given", "unavailable")])
    got = critical_doses_today(frame, T(extracted_at), CRITICAL, THRESHOLD, MISSED_REASONS)
    assert (len(got) == 1) is included


def test_critical_doses_today_keeps_only_critical_medicines_and_adds_columns() -> None:
    frame = _doses(
        [
            ("E1", "Paracetamol 1 g", "2026-01-15T06:00Z", "not_given", "unavailable"),
            ("E1", "Co-careldopa 25/100", "2026-01-15T06:00Z", "pending", None),
            ("E1", "Enoxaparin 40 mg SC", "2026-01-15T07:30Z", "pending", None),
            ("E2", "Insulin aspart (NovoRapid)", "2026-01-15T07:00Z", "not_given", "nil_by_mouth"),
        ]
    )
    got = critical_doses_today(frame, EXT, CRITICAL, THRESHOLD, MISSED_REASONS)
    assert list(got.columns) == list(frame.columns) + DOSE_COLUMNS_ADDED
    assert got["medicine"].tolist() == ["Co-careldopa 25/100", "Enoxaparin 40 mg SC", "Insulin aspart (NovoRapid)"]
    assert got["critical_class"].tolist() == ["parkinsons", "anticoagulants", "insulin"]
    assert got["dose_status"].tolist() == ["pending_overdue", "pending", "excused"]
    assert got["is_missed"].tolist() == [True, False, False]
    assert got["is_missed"].dtype == bool
    assert got["minutes_since_scheduled"].tolist() == [120.0, 30.0, 60.0]


def test_critical_doses_today_on_an_empty_frame_is_empty_with_the_columns() -> None:
    got = critical_doses_today(_doses([]), EXT, CRITICAL, THRESHOLD, MISSED_REASONS)
    assert got.empty and set(DOSE_COLUMNS_ADDED) <= set(got.columns)
    assert doses_per_encounter(got).columns.tolist() == PER_ENCOUNTER_COLUMNS


def test_doses_per_encounter_counts_missed_and_excused_and_lists_missed_medicines_sorted() -> None:
    frame = _doses(
        [
            ("E1", "Levetiracetam 500 mg", "2026-01-15T02:00Z", "not_given", "out_of_stock"),
            ("E1", "Enoxaparin 40 mg SC", "2026-01-15T01:00Z", "not_given", None),
            ("E1", "Enoxaparin 40 mg SC", "2026-01-15T05:00Z", "pending", None),
            ("E1", "Co-careldopa 25/100", "2026-01-15T07:00Z", "not_given", "patient_refused"),
            ("E1", "Co-careldopa 25/100", "2026-01-15T07:30Z", "given", None),
            ("E2", "Madopar 62.5", "2026-01-15T06:00Z", "given", None),
            ("E2", "Lantus 10 units", "2026-01-15T06:30Z", "not_given", "nil_by_mouth"),
            ("E3", "Paracetamol", "2026-01-15T06:30Z", "not_given", None),
        ]
    )
    got = doses_per_encounter(critical_doses_today(frame, EXT, CRITICAL, THRESHOLD, MISSED_REASONS))
    assert got.columns.tolist() == PER_ENCOUNTER_COLUMNS
    rows = got.set_index("encounter_id")
    assert list(rows.index) == ["E1", "E2"]  # E3 had no critical dose today
    assert rows.loc["E1", "missed_critical_doses"] == 3
    assert rows.loc["E1", "excused_critical_doses"] == 1
    assert rows.loc["E1", "missed_critical_medicines"] == "Enoxaparin 40 mg SC, Levetiracetam 500 mg"
    assert rows.loc["E1", "first_missed_at"] == T("2026-01-15T01:00Z")
    assert rows.loc["E2", "missed_critical_doses"] == 0
    assert rows.loc["E2", "excused_critical_doses"] == 1
    assert rows.loc["E2", "missed_critical_medicines"] is None
    assert pd.isna(rows.loc["E2", "first_missed_at"])
    assert got["missed_critical_doses"].dtype == "int64"
    assert got["encounter_id"].dtype == "string"  # the caller's key dtype survives, so merges stay exact
