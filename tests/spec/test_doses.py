"""Spec: critical medicines (NPSA RRR009, SPS critical medicines tool, Parkinson's UK Get It On Time) and missed doses
over a rolling window, with per-class time-critical minutes."""

from __future__ import annotations

import pandas as pd
import pytest

from datetime import time
from pathlib import Path

import yaml

from metrics.rules.doses import (
    DOSE_COLUMNS_ADDED,
    PER_ENCOUNTER_COLUMNS,
    CriticalMedicines,
    critical_class,
    critical_doses_in_window,
    dose_status,
    doses_per_encounter,
    last_huddle_at,
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

MEDICINES = CriticalMedicines(names=CRITICAL, default_minutes=THRESHOLD)


def critical_doses_today(
    frame: pd.DataFrame, ext: pd.Timestamp, critical: dict, threshold: float, missed_reasons: tuple
) -> pd.DataFrame:
    """The doses of the last 24 hours, every class waiting ``threshold`` minutes: the rules before per-class limits."""
    return critical_doses_in_window(
        frame, ext, CriticalMedicines(names=critical, default_minutes=threshold), missed_reasons
    )


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
    # (extracted_at, scheduled_at, in the 24-hour window, behaviour)
    ("2026-01-15T00:30Z", "2026-01-14T23:30Z", True, "dose_an_hour_before_midnight_is_still_counted_at_00_30"),
    ("2026-01-15T00:30Z", "2026-01-14T00:30Z", True, "exactly_24_hours_before_is_included"),
    ("2026-01-15T00:30Z", "2026-01-14T00:29:59Z", False, "24_hours_and_a_second_before_is_excluded"),
    ("2026-07-01T00:30+01:00", "2026-06-30T22:00+01:00", True, "bst_evening_dose_counted_after_midnight"),
    ("2026-10-25T08:00Z", "2026-10-24T08:00Z", True, "autumn_change_day_window_is_24_real_hours"),
    ("2026-10-25T08:00Z", "2026-10-24T07:59:59Z", False, "autumn_change_day_no_extra_hour"),
    ("2026-01-15T08:00Z", "2026-01-15T08:00Z", True, "scheduled_exactly_at_extracted_at_is_included"),
    ("2026-01-15T08:00Z", "2026-01-15T08:00:01Z", False, "scheduled_after_extracted_at_is_excluded"),
]


@pytest.mark.parametrize(
    "extracted_at, scheduled, included, behaviour", WINDOW_CASES, ids=[c[-1] for c in WINDOW_CASES]
)
def test_critical_doses_window_is_rolling_not_a_calendar_day(
    extracted_at: str, scheduled: str, included: bool, behaviour: str
) -> None:
    frame = _doses([("E1", "Apixaban 5 mg", scheduled, "not_given", "unavailable")])
    got = critical_doses_in_window(frame, T(extracted_at), MEDICINES, MISSED_REASONS)
    assert (len(got) == 1) is included


def test_window_length_is_configurable() -> None:
    frame = _doses([("E1", "Apixaban 5 mg", "2026-01-15T00:00Z", "not_given", "unavailable")])
    assert len(critical_doses_in_window(frame, EXT, MEDICINES, MISSED_REASONS, window_hours=8)) == 1
    assert len(critical_doses_in_window(frame, EXT, MEDICINES, MISSED_REASONS, window_hours=7.99)) == 0


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
    assert got["matched_by"].tolist() == ["name", "name", "name"]
    assert got["since_last_huddle"].tolist() == [False, False, False]  # no huddle given
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


# ---- the shipped critical medicines list (config/clinical.yaml), as a pharmacist would check it ----------

SHIPPED = yaml.safe_load((Path(__file__).parents[2] / "config" / "clinical.yaml").read_text())["missed_doses"]
SHIPPED_MEDICINES = CriticalMedicines(
    names=SHIPPED["critical_medicines"],
    not_critical_when_named=SHIPPED["not_critical_when_named"],
    time_critical_minutes=SHIPPED["time_critical_minutes"],
    default_minutes=SHIPPED["pending_missed_after_minutes"],
)

SHIPPED_CASES = [
    # (eMAR name, class on the shipped list)
    ("Opicapone 50 mg capsule", "parkinsons"),
    ("Safinamide 50 mg", "parkinsons"),
    ("Amantadine 100 mg", "parkinsons"),
    ("Co-careldopa 25/100", "parkinsons"),
    ("Phenobarbital 30 mg", "anti-epileptics"),
    ("Clonazepam 500 micrograms", "anti-epileptics"),
    ("Oxcarbazepine 300 mg", "anti-epileptics"),
    ("Brivaracetam 50 mg", "anti-epileptics"),
    ("Ceftazidime 2 g IV", "anti-infectives"),
    ("Linezolid 600 mg", "anti-infectives"),
    ("Amikacin 15 mg/kg IV", "anti-infectives"),
    ("Co-trimoxazole 960 mg", "anti-infectives"),
    ("Levofloxacin 500 mg", "anti-infectives"),
    ("Argatroban infusion", "anticoagulants"),
    ("Sirolimus 2 mg", "immunosuppressants"),
    ("Fiasp FlexTouch 6 units", "insulin"),
    ("Insulin aspart (Fiasp) 6 units", "insulin"),
    ("Heparin sodium 5000 units SC", "anticoagulants"),
    ("Heparin sodium 10 units/mL flush", None),
    ("Heparin sodium line lock 100 units", None),
    ("Paracetamol 1 g", None),
]


@pytest.mark.parametrize("medicine, expected", SHIPPED_CASES, ids=[c[0] for c in SHIPPED_CASES])
def test_shipped_list_catches_the_critical_medicines_and_not_a_heparin_flush(
    medicine: str, expected: str | None
) -> None:
    assert critical_class(medicine, SHIPPED_MEDICINES.names, SHIPPED_MEDICINES.not_critical_when_named) == expected


THRESHOLD_CASES = [
    # (class, pending minutes allowed on the shipped list)
    ("parkinsons", 30.0),  # Parkinson's UK "Get It On Time": within 30 minutes
    ("insulin", 30.0),
    ("anticoagulants", 60.0),
    ("anti-infectives", 60.0),
    ("anti-epileptics", 60.0),
    ("steroids", 120.0),  # not listed: the general threshold
]


@pytest.mark.parametrize("cls, minutes", THRESHOLD_CASES, ids=[c[0] for c in THRESHOLD_CASES])
def test_time_critical_minutes_per_class(cls: str, minutes: float) -> None:
    assert SHIPPED_MEDICINES.minutes_for(cls) == minutes


PARKINSONS_CASES = [
    # (pending since, at 08:00: status) for co-careldopa, 30 minutes allowed
    ("2026-01-15T07:30:01Z", "pending", "pending_29_min_59_s_is_on_time"),
    ("2026-01-15T07:30Z", "pending_overdue", "pending_exactly_30_min_is_missed"),
    ("2026-01-15T07:00Z", "pending_overdue", "pending_60_min_is_missed"),
]


@pytest.mark.parametrize("scheduled, expected, behaviour", PARKINSONS_CASES, ids=[c[-1] for c in PARKINSONS_CASES])
def test_a_parkinsons_dose_is_late_after_30_minutes(scheduled: str, expected: str, behaviour: str) -> None:
    got = critical_doses_in_window(
        _doses([("E1", "Co-careldopa 25/100", scheduled, "pending", None)]),
        EXT,
        SHIPPED_MEDICINES,
        SHIPPED["missed_reasons"],
    )
    assert got["dose_status"].tolist() == [expected]
    assert got["time_critical_minutes"].tolist() == [30.0]


def test_nil_by_mouth_is_not_an_acceptable_reason_to_omit_a_critical_medicine() -> None:
    got = critical_doses_in_window(
        _doses([("E1", "Levodopa 100 mg", "2026-01-15T06:00Z", "not_given", "nil_by_mouth")]),
        EXT,
        SHIPPED_MEDICINES,
        SHIPPED["missed_reasons"],
    )
    assert got[["dose_status", "is_missed", "reason"]].values.tolist() == [["missed", True, "nil_by_mouth"]]


def test_review_case_overnight_parkinsons_doses_at_00_30() -> None:
    """At 00:30 London: a dose not given at 23:30 and one pending since 22:00 are both counted."""
    frame = _doses(
        [
            ("E1", "Co-careldopa 25/100", "2026-01-14T23:30Z", "not_given", None),
            ("E1", "Co-careldopa 25/100", "2026-01-14T22:00Z", "pending", None),
        ]
    )
    got = critical_doses_in_window(frame, T("2026-01-15T00:30Z"), SHIPPED_MEDICINES, SHIPPED["missed_reasons"])
    assert got["dose_status"].tolist() == ["missed", "pending_overdue"]
    assert doses_per_encounter(got)["missed_critical_doses"].tolist() == [2]


CODE_CASES = [
    # (eMAR name, dm+d code, class, matched by)
    ("Stalevo", "111", "parkinsons", "dm+d code"),
    ("Some brand the name list lacks", "111", "parkinsons", "dm+d code"),
    ("Opicapone 50 mg", "999", "parkinsons", "name"),  # a code not on the list falls back to the name
    ("Opicapone 50 mg", None, "parkinsons", "name"),
    ("Heparin sodium flush", "222", None, None),  # the flush's code is not on the list; the name is excluded
]


@pytest.mark.parametrize("medicine, code, cls, matched_by", CODE_CASES, ids=[f"{c[0]}-{c[1]}" for c in CODE_CASES])
def test_dmd_code_list_is_matched_before_the_name(
    medicine: str, code: str | None, cls: str | None, matched_by: str | None
) -> None:
    medicines = CriticalMedicines(
        names=SHIPPED["critical_medicines"],
        codes={"parkinsons": ["111"]},
        not_critical_when_named=SHIPPED["not_critical_when_named"],
    )
    frame = _doses([("E1", medicine, "2026-01-15T06:00Z", "not_given", None)]).assign(
        dmd_code=pd.Series([code], dtype="string")
    )
    got = critical_doses_in_window(frame, EXT, medicines, MISSED_REASONS)
    assert got["critical_class"].tolist() == ([cls] if cls else [])
    assert got["matched_by"].tolist() == ([matched_by] if matched_by else [])


HUDDLE_CASES = [
    # (extracted_at, last huddle with huddles at 08:00 and 20:00 London)
    ("2026-01-15T00:30Z", "2026-01-14T20:00Z"),
    ("2026-01-15T08:00Z", "2026-01-15T08:00Z"),
    ("2026-01-15T07:59Z", "2026-01-14T20:00Z"),
    ("2026-07-01T07:30Z", "2026-07-01T07:00Z"),  # BST: 08:00 London is 07:00 UTC
]


@pytest.mark.parametrize("extracted_at, expected", HUDDLE_CASES, ids=[c[0] for c in HUDDLE_CASES])
def test_last_huddle_is_the_latest_at_or_before_the_extract(extracted_at: str, expected: str) -> None:
    assert last_huddle_at(T(extracted_at), (time(8, 0), time(20, 0))) == T(expected)


def test_missed_since_the_last_huddle_is_counted_apart() -> None:
    frame = _doses(
        [
            ("E1", "Levodopa 100 mg", "2026-01-15T07:00Z", "not_given", None),
            ("E1", "Levodopa 100 mg", "2026-01-14T19:00Z", "not_given", None),
        ]
    )
    got = critical_doses_in_window(frame, EXT, MEDICINES, MISSED_REASONS, huddle_at=T("2026-01-14T20:00Z"))
    assert got["since_last_huddle"].tolist() == [True, False]
    per = doses_per_encounter(got)
    assert per[["missed_critical_doses", "missed_critical_doses_since_huddle"]].values.tolist() == [[2, 1]]
