"""Properties of the clinical rules: staffing monotonicity, missed-dose bounds, frame/scalar agreement, London midnight."""

from __future__ import annotations

import os
from datetime import timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rules.clock import london_date, london_midnight, london_time
from metrics.rules.doses import CriticalMedicines, critical_doses_in_window, dose_status, doses_per_encounter
from metrics.rules.sepsis import SepsisCriterion, sepsis_per_encounter, sepsis_screen
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
    today = critical_doses_in_window(frame, ext, CriticalMedicines(CRITICAL, default_minutes=pending_after), MISSED_REASONS)
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


# ---- sepsis -----------------------------------------------------------------------------------
CRITERIA = (
    SepsisCriterion("sepsis_flag", "Active SEPSIS flag", ("SEPSIS",)),
    SepsisCriterion(
        "inf",
        "Infection and NEWS2",
        ("SUSPECTED_INFECTION", "COVID_POSITIVE"),
        news2_at_least=5,
        or_single_parameter_3=True,
    ),
    SepsisCriterion("score_only", "Isolation and NEWS2 >= 7", ("ISOLATION",), news2_at_least=7),
)
encounter_state = st.tuples(
    st.sets(st.sampled_from(["SEPSIS", "SUSPECTED_INFECTION", "COVID_POSITIVE", "ISOLATION", "FALL"]), max_size=3),
    st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
    st.one_of(st.none(), st.booleans()),
    st.booleans(),  # present in the news2 frame
)


@EXAMPLES
@given(states=st.lists(encounter_state, min_size=1, max_size=12))
def test_frame_sepsis_screen_agrees_with_scalar(states: list[tuple[set[str], int | None, bool | None, bool]]) -> None:
    ext = pd.Timestamp("2026-07-01T08:00Z")
    ids = [f"E{i}" for i in range(len(states))]
    flag_rows = [(enc, flag) for enc, (flags, *_rest) in zip(ids, states) for flag in sorted(flags)]
    flags = pd.DataFrame(
        {
            "encounter_id": pd.Series([r[0] for r in flag_rows], dtype="string"),
            "flag": pd.Series([r[1] for r in flag_rows], dtype="string"),
            "raised_at": pd.Series([ext - timedelta(hours=1)] * len(flag_rows), dtype="datetime64[ns, UTC]"),
            "cleared_at": pd.Series([pd.NaT] * len(flag_rows), dtype="datetime64[ns, UTC]"),
        }
    )
    present = [(enc, s[1], s[2]) for enc, s in zip(ids, states) if s[3]]
    news2 = pd.DataFrame(
        {
            "encounter_id": pd.Series([p[0] for p in present], dtype="string"),
            "news2_score": pd.array([p[1] for p in present], dtype="Int64"),
            "news2_any_single_3": pd.array([p[2] for p in present], dtype="boolean"),
        }
    )
    got = sepsis_per_encounter(pd.Series(ids, dtype="string"), flags, news2, ext, CRITERIA).set_index("encounter_id")
    for enc, (flag_set, score, single, in_news2) in zip(ids, states):
        expected = sepsis_screen(
            flag_set,
            score if in_news2 else None,
            single if in_news2 else None,
            CRITERIA,
            news2_missing_reason="incomplete observations" if in_news2 else "no observations",
        )
        row = got.loc[enc]
        assert (bool(row["sepsis_positive"]), row["sepsis_trigger"], row["sepsis_note"]) == (
            expected.positive,
            expected.trigger_label,
            expected.note,
        )


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
