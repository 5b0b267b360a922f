"""Properties of the clinical rules: staffing monotonicity, missed-dose bounds, frame/scalar agreement, London
midnight."""

from __future__ import annotations

import os
from datetime import timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rules.clock import london_date, london_midnight, london_time
from metrics.rules.doses import CriticalMedicines, critical_doses_in_window, dose_status, doses_per_encounter
from metrics.rules.sepsis import Lactate, News2Reading, SepsisResult, SepsisSettings, sepsis_screen
from metrics.rules.staffing import fill_rate, fill_rate_rag

EXAMPLES = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 200)), deadline=None)
RAG_RANK = {"red": 0, "amber": 1, "green": 2}

amount = st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)
planned_amount = st.floats(min_value=0.01, max_value=200, allow_nan=False, allow_infinity=False)
threshold = st.floats(min_value=0.01, max_value=1.5, allow_nan=False, allow_infinity=False)


@EXAMPLES
@given(planned=planned_amount, a=amount, b=amount)
def test_fill_rate_is_monotone_in_actual(planned: float, a: float, b: float) -> None:
    low, high = sorted((a, b))
    rate_low, rate_high = fill_rate(planned, low), fill_rate(planned, high)
    assert rate_low is not None and rate_high is not None
    assert rate_low <= rate_high


@EXAMPLES
@given(planned=planned_amount, a=amount, b=amount, t1=threshold, t2=threshold)
def test_rag_never_improves_as_actual_falls(planned: float, a: float, b: float, t1: float, t2: float) -> None:
    amber, green = sorted((t1, t2))
    low, high = sorted((a, b))
    rag_low = fill_rate_rag(fill_rate(planned, low), green, amber)
    rag_high = fill_rate_rag(fill_rate(planned, high), green, amber)
    assert rag_low is not None and rag_high is not None
    assert RAG_RANK[rag_low] <= RAG_RANK[rag_high]


# ---- doses ------------------------------------------------------------------------------------
CRITICAL = {"anticoagulants": ["enoxaparin", "apixaban"], "parkinsons": ["co-careldopa"], "insulin": ["insulin"]}
MEDICINES = [
    "Enoxaparin 40 mg",
    "Apixaban 5 mg",
    "Co-careldopa 25/100",
    "Insulin glargine",
    "Paracetamol 1 g",
    "Heparinised saline",
]
OUTCOMES = ["given", "not_given", "pending"]
REASONS = [None, "", "no_reason", "unavailable", "patient_refused", "nil_by_mouth", "clinical_reason", "patient_absent"]
MISSED_REASONS = ("no_reason", "unavailable", "not_available", "out_of_stock", "omitted")
# extracted_at around both 2026 clock changes and in plain summer and winter
EXTRACTS = [
    pd.Timestamp(t)
    for t in ("2026-10-25T08:00Z", "2026-03-29T08:00Z", "2026-03-30T06:30Z", "2026-07-01T22:30Z", "2026-01-15T12:00Z")
]

dose_row = st.tuples(
    st.sampled_from(["E1", "E2", "E3"]),
    st.sampled_from(MEDICINES),
    st.integers(min_value=-36 * 60, max_value=6 * 60),  # minutes relative to extracted_at
    st.sampled_from(OUTCOMES),
    st.sampled_from(REASONS),
)


def _dose_frame(rows: list[tuple[str, str, int, str, str | None]], ext: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in rows], dtype="string"),
            "medicine": pd.Series([r[1] for r in rows], dtype="string"),
            "scheduled_at": pd.Series([ext + timedelta(minutes=r[2]) for r in rows], dtype="datetime64[ns, UTC]"),
            "outcome": pd.Series([r[3] for r in rows], dtype="string"),
            "reason": pd.Series([r[4] for r in rows], dtype="string"),
        }
    )


@EXAMPLES
@given(
    rows=st.lists(dose_row, max_size=40),
    ext=st.sampled_from(EXTRACTS),
    pending_after=st.integers(min_value=0, max_value=300),
)
def test_missed_count_never_exceeds_critical_doses_in_the_window(
    rows: list[tuple[str, str, int, str, str | None]], ext: pd.Timestamp, pending_after: int
) -> None:
    frame = _dose_frame(rows, ext)
    today = critical_doses_in_window(
        frame, ext, CriticalMedicines(CRITICAL, default_minutes=pending_after), MISSED_REASONS
    )
    per = doses_per_encounter(today)
    assert int(per["missed_critical_doses"].sum()) <= len(today)
    assert int((per["missed_critical_doses"] + per["excused_critical_doses"]).sum()) <= len(today)
    doses_each = today.groupby("encounter_id").size()
    for enc, missed in zip(per["encounter_id"], per["missed_critical_doses"]):
        assert 0 <= missed <= doses_each[enc]
    # every row kept is critical and within the rolling [extracted_at - 24 h, extracted_at]
    assert today["critical_class"].notna().all()
    assert ((today["scheduled_at"] >= ext - pd.Timedelta(hours=24)) & (today["scheduled_at"] <= ext)).all()


@EXAMPLES
@given(
    rows=st.lists(dose_row, min_size=1, max_size=30),
    ext=st.sampled_from(EXTRACTS),
    pending_after=st.integers(min_value=0, max_value=300),
)
def test_frame_dose_status_agrees_with_scalar(
    rows: list[tuple[str, str, int, str, str | None]], ext: pd.Timestamp, pending_after: int
) -> None:
    today = critical_doses_in_window(
        _dose_frame(rows, ext), ext, CriticalMedicines(CRITICAL, default_minutes=pending_after), MISSED_REASONS
    )
    for row in today.itertuples(index=False):
        reason = None if pd.isna(row.reason) else row.reason
        assert row.dose_status == dose_status(row.outcome, reason, row.scheduled_at, ext, pending_after, MISSED_REASONS)


# ---- sepsis ------------------------------------------------------------------------------------
SETTINGS = SepsisSettings(red_flags={"NON_BLANCHING_RASH": "non-blanching rash"})
readings = st.one_of(
    st.none(),
    st.builds(
        News2Reading,
        minimum=st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
        missing=st.sampled_from(["", "temperature"]),
        red=st.booleans(),
        usable=st.booleans(),
        why_not=st.sampled_from([None, "NEWS2 overdue"]),
    ),
)
lactates = st.one_of(st.none(), st.builds(Lactate, value=st.floats(min_value=0, max_value=20), taken=st.just("22:10")))
flag_sets = st.sets(st.sampled_from(["SEPSIS", "SUSPECTED_INFECTION", "NON_BLANCHING_RASH", "FALL"]), max_size=3)


@EXAMPLES
@given(flags=flag_sets, reading=readings, lactate=lactates)
def test_a_negative_sepsis_screen_always_rests_on_a_current_complete_low_news2(
    flags: set[str], reading: News2Reading | None, lactate: Lactate | None
) -> None:
    result = sepsis_screen(flags, reading, lactate, SETTINGS)
    infected = bool(flags & {"SEPSIS", "SUSPECTED_INFECTION"})
    if not infected:
        assert result == SepsisResult(False, None, (), None)
        return
    if not result.positive:
        assert reading is not None and reading.usable and not reading.missing and not reading.red
        assert reading.minimum is not None and reading.minimum <= 4 and result.risk in ("low", "very low")
        assert lactate is None or lactate.value < 2.0
    else:
        assert len(result.criteria) >= 1 and all(result.criteria)


@EXAMPLES
@given(flags=flag_sets, reading=readings, lactate=lactates, extra=st.sampled_from(["SEPSIS", "NON_BLANCHING_RASH"]))
def test_adding_a_sepsis_or_red_flag_never_clears_a_positive_screen(
    flags: set[str], reading: News2Reading | None, lactate: Lactate | None, extra: str
) -> None:
    before = sepsis_screen(flags, reading, lactate, SETTINGS)
    after = sepsis_screen(flags | {extra}, reading, lactate, SETTINGS)
    assert after.positive or not before.positive


# ---- clock ------------------------------------------------------------------------------------
moments = st.datetimes(
    min_value=pd.Timestamp("2020-01-01").to_pydatetime(), max_value=pd.Timestamp("2035-12-31").to_pydatetime()
).map(lambda d: pd.Timestamp(d).tz_localize("UTC"))


@EXAMPLES
@given(ts=moments)
def test_london_midnight_is_local_00_00_of_the_same_london_date_and_not_after(ts: pd.Timestamp) -> None:
    midnight = london_midnight(ts)
    local = london_time(midnight)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert london_date(midnight) == london_date(ts)
    assert midnight <= ts < midnight + pd.Timedelta(hours=25)
