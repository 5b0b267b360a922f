"""Properties of the AKI algorithm that must hold for every creatinine history."""

from __future__ import annotations

import math
import os
import random
from datetime import UTC, datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rules.aki import aki_per_patient, aki_result, creatinine_umol

EXAMPLES = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 200)), deadline=None)

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

creatinine = st.floats(10.0, 2000.0, allow_nan=False)
# Earlier results: minutes before C1, up to 400 days (past the 365-day window), and a value.
earlier_results = st.lists(st.tuples(st.integers(0, 400 * 24 * 60), creatinine), max_size=25)
c1_minutes_before_now = st.integers(0, 80 * 60)  # sometimes older than the 72 h currency window
ages = st.one_of(st.none(), st.integers(0, 110))


def build(earlier: list[tuple[int, float]], c1_before_now: int, c1: float) -> list[tuple[datetime, float]]:
    c1_at = NOW - timedelta(minutes=c1_before_now)
    return [(c1_at - timedelta(minutes=m), v) for m, v in earlier] + [(c1_at, c1)]


@EXAMPLES
@given(earlier_results, c1_minutes_before_now, creatinine, ages)
def test_stage_is_none_or_0_to_3_and_always_explained(
    earlier: list[tuple[int, float]], c1_before_now: int, c1: float, age: int | None
) -> None:
    result = aki_result(build(earlier, c1_before_now, c1), age, NOW)
    assert result.stage in (None, 0, 1, 2, 3)
    assert result.reason
    if result.stage is not None:
        assert result.ratio is not None and result.reference_kind in ("RV1", "RV2")


@EXAMPLES
@given(earlier_results, c1_minutes_before_now, creatinine, st.floats(0.0, 1500.0, allow_nan=False), ages)
def test_raising_c1_never_lowers_the_stage(
    earlier: list[tuple[int, float]], c1_before_now: int, c1: float, rise: float, age: int | None
) -> None:
    lower = aki_result(build(earlier, c1_before_now, c1), age, NOW)
    higher = aki_result(build(earlier, c1_before_now, c1 + rise), age, NOW)
    if lower.stage is None:
        assert higher.stage is None  # no stage is about age, currency or baseline, never the value of C1
    else:
        assert higher.stage is not None and higher.stage >= lower.stage


@EXAMPLES
@given(earlier_results, c1_minutes_before_now, creatinine, st.integers(18, 110))
def test_adding_old_history_never_turns_a_stage_into_no_stage(
    earlier: list[tuple[int, float]], c1_before_now: int, c1: float, age: int
) -> None:
    with_history = aki_result(build(earlier + [(3 * 24 * 60, 100.0)], c1_before_now, c1), age, NOW)
    assert with_history.stage is not None  # an old C1 keeps its stage (repeat due); it never drops the patient


@EXAMPLES
@given(
    st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.integers(0, 400 * 24 * 60), creatinine), max_size=40),
    ages,
)
def test_per_patient_agrees_with_aki_result(rows: list[tuple[str, int, float]], age: int | None) -> None:
    frame = pd.DataFrame(
        {
            "patient_id": pd.array([r[0] for r in rows], dtype="string"),
            "collected_at": pd.to_datetime([NOW - timedelta(minutes=r[1]) for r in rows], utc=True).as_unit("ns"),
            "test": pd.array(["creatinine"] * len(rows), dtype="string"),
            "value": pd.array([r[2] for r in rows], dtype="float64"),
            "unit": pd.array(["umol/L"] * len(rows), dtype="string"),
        }
    )
    out = aki_per_patient(frame, {"P1": age, "P2": age, "P3": age}, pd.Timestamp(NOW)).set_index("patient_id")
    for patient in ("P1", "P2", "P3"):
        expected = aki_result([(NOW - timedelta(minutes=m), v) for p, m, v in rows if p == patient], age, NOW)
        got = out.loc[patient]
        assert (None if pd.isna(got["aki_stage"]) else int(got["aki_stage"])) == expected.stage
        assert got["aki_reason"] == expected.reason
        assert (None if pd.isna(got["aki_ratio"]) else got["aki_ratio"]) == expected.ratio


# ---- the vectorised aki_per_patient against aki_result, patient by patient ----------------------

PATIENTS = ("P1", "P2", "P3", "P4")  # listed in ``ages``; P4 often has no rows, P9 has rows but is not listed
HOUR, DAY = 60, 24 * 60
# Minutes before a patient's anchor time, on and next to every window edge (the anchor itself: same time, elapsed 0).
EDGES = [
    0,
    0,
    48 * HOUR - 1,
    48 * HOUR,
    48 * HOUR + 1,
    7 * DAY - 1,
    7 * DAY,
    7 * DAY + 1,
    365 * DAY - 1,
    365 * DAY,
    365 * DAY + 1,
]
# Values that land ratios and rises exactly on 1.5, 2 and 3, on 26 and 27, and C1 on 354 and 355.
EDGE_VALUES = [100.0, 126.0, 127.0, 150.0, 200.0, 300.0, 354.0, 355.0, 1.0, 2.0]
UNITS = ["umol/L", "umol/L", "µmol/L", "UMOL/L", "mg/dL", "MG/DL", "xyz", "mmol/L"]

edge_value = st.sampled_from(EDGE_VALUES)
lab_value = st.one_of(
    edge_value, edge_value, edge_value, st.floats(0.5, 2000.0), st.sampled_from([0.0, -5.0, float("nan"), float("inf")])
)
edge = st.sampled_from(EDGES)
# (minutes before the patient's anchor, test, value, unit); negative minutes: after the anchor, maybe after now.
lab_row = st.tuples(
    st.one_of(edge, edge, st.integers(-2 * DAY, 400 * DAY)),
    st.sampled_from(["creatinine", "creatinine", "creatinine", "Creatinine ", "potassium"]),
    lab_value,
    st.sampled_from(UNITS),
)
anchor_row = st.tuples(
    st.just(0), st.just("creatinine"), lab_value, st.sampled_from(UNITS)
)  # C1, if valid and nothing later is
# One patient's rows: the anchor (minutes before now; 72 h is the currency edge), then the rows, often with one at the
# anchor.
history = st.tuples(
    st.sampled_from([0, 60, 72 * HOUR, 72 * HOUR + 1]),
    st.one_of(st.just([]), *[st.lists(anchor_row, min_size=1, max_size=1)] * 3),  # mostly with a row at the anchor
    st.lists(lab_row, max_size=10),
).map(lambda h: (h[0], h[1] + h[2]))
histories = st.fixed_dictionaries({patient: history for patient in [*PATIENTS[:3], "P9"]})
age_value = st.one_of(st.none(), st.just(pd.NA), st.sampled_from([17, 18]), st.integers(18, 110), st.integers(0, 110))


def lab_frame(rows: list[tuple[str, int, int, str, float, str]], tz: str) -> pd.DataFrame:
    """A lab_results frame as validation hands it to derive: typed, collected_at in microseconds.

    Rows are (patient, anchor, minutes before the anchor, test, value, unit); the anchor is in minutes before now.
    """
    times = [NOW - timedelta(minutes=anchor + before) for _, anchor, before, *_ in rows]
    return pd.DataFrame(
        {
            "patient_id": pd.array([r[0] for r in rows], dtype="str"),
            "collected_at": pd.to_datetime(pd.Series(times, dtype=object), utc=True).dt.tz_convert(tz).dt.as_unit("us"),
            "test": pd.array([r[3] for r in rows], dtype="str"),
            "value": pd.array([r[4] for r in rows], dtype="float64"),
            "unit": pd.array([r[5] for r in rows], dtype="str"),
        }
    )


def per_patient_by_aki_result(
    frame: pd.DataFrame, ages: dict, now: pd.Timestamp, current_within_hours: int
) -> pd.DataFrame:
    """What aki_per_patient must return, written the slow, plain way: aki_result on each patient's rows in turn."""
    columns: dict[str, list] = {
        name: []
        for name in (
            "patient_id",
            "stage",
            "status",
            "reason",
            "age_h",
            "repeat",
            "c1",
            "c1_at",
            "reference",
            "kind",
            "ratio",
        )
    }
    for patient, age in ages.items():
        mine = frame[(frame["patient_id"] == patient) & (frame["test"].str.strip().str.lower() == "creatinine")]
        usable: list[tuple[datetime, float]] = []
        unusable: list[tuple[pd.Timestamp, str]] = []  # creatinine at or before now in a unit that cannot be converted
        for when, value, unit in zip(mine["collected_at"], mine["value"], mine["unit"]):
            if creatinine_umol(1.0, unit) is None:  # the unit cannot be converted, whatever the value
                if when <= now:
                    unusable.append((when, unit))
            else:
                umol = creatinine_umol(value, unit)
                usable.append(
                    (when, math.nan if umol is None else umol)
                )  # aki_result skips NaN, <= 0, infinite, after now
        result = aki_result(usable, None if age is None or pd.isna(age) else int(age), now, current_within_hours)
        reason = result.reason
        newer = [u for u in unusable if result.c1_at is None or u[0] >= result.c1_at]
        if newer:
            latest_unit = sorted(unusable, key=lambda u: u[0])[-1][1]  # stable: of equal times, the later row
            plural = "s" if len(newer) != 1 else ""
            which = "newer than C1 " if result.c1_at is not None else ""
            reason += (
                f" ({len(newer)} result{plural} {which}ignored: unit '{latest_unit}' cannot be converted to µmol/L)"
            )
        for name, value in zip(
            columns,
            (
                patient,
                result.stage,
                result.status,
                reason,
                math.nan if result.result_age_hours is None else result.result_age_hours,
                result.repeat_due,
                result.c1_umol,
                result.c1_at,
                result.reference_umol,
                result.reference_kind,
                result.ratio,
            ),
        ):
            columns[name].append(value)
    c1_at = pd.to_datetime(pd.Series(columns["c1_at"], dtype=object), utc=True).dt.tz_convert(now.tz).dt.as_unit("ns")
    return pd.DataFrame(
        {
            "patient_id": pd.Series(columns["patient_id"], dtype="str"),
            "aki_stage": pd.Series(columns["stage"], dtype="Int64"),
            "aki_status": pd.Series(columns["status"], dtype="str"),
            "aki_reason": pd.Series(columns["reason"], dtype="str"),
            "aki_result_age_hours": pd.Series(columns["age_h"], dtype="float64"),
            "aki_repeat_due": pd.Series(columns["repeat"], dtype=bool),
            "aki_c1_umol": pd.Series(columns["c1"], dtype="float64"),
            "aki_c1_at": c1_at,
            "aki_reference_umol": pd.Series(columns["reference"], dtype="float64"),
            "aki_reference_kind": pd.Series(columns["kind"], dtype="str"),
            "aki_ratio": pd.Series(columns["ratio"], dtype="float64"),
        }
    )


@EXAMPLES
@given(
    histories,
    st.randoms(use_true_random=False),
    st.lists(age_value, min_size=len(PATIENTS), max_size=len(PATIENTS)),
    st.sampled_from([72, 24]),
    st.sampled_from(["UTC", "Europe/London"]),
    st.booleans(),
)
def test_per_patient_equals_aki_result_for_every_patient(
    patient_histories: dict[str, tuple[int, list[tuple[int, str, float, str]]]],
    shuffle: random.Random,
    patient_ages: list[object],
    current_within_hours: int,
    tz: str,
    ages_as_series: bool,
) -> None:
    # Duplicate some rows (same time, another value) and mix the input order: ties go to the later row.
    rows = [(patient, anchor, *row) for patient, (anchor, own) in patient_histories.items() for row in own]
    rows += [(*r[:4], r[4] + 1.0, r[5]) for r in rows[::3]]
    shuffle.shuffle(rows)
    frame = lab_frame(rows, tz)
    now = pd.Timestamp(NOW).tz_convert(tz)
    ages = dict(zip(PATIENTS, patient_ages))
    given_ages = pd.Series(ages, dtype="Int64") if ages_as_series else ages
    got = aki_per_patient(frame, given_ages, now, current_within_hours)
    pd.testing.assert_frame_equal(
        got, per_patient_by_aki_result(frame, ages, now, current_within_hours), check_exact=True
    )
