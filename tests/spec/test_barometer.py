"""Spec: the Safety Barometer (docs/barometer.md): indicator values, RAG, the aim's progress and the overall reading.

The inputs are small literal tables a ward manager could check by hand. The
shipped config/barometer.yaml is used for the library and the ward sets, so a
change there that breaks the rule shows here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from metrics.huddle.barometer import (
    BarometerInputs,
    IndicatorReading,
    aim_progress,
    barometer_reading,
    gauge_score,
    indicator_reading,
    shown_score,
    ward_setup,
)
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.evaluate.definitions import Direction
from metrics.evaluate.rag import rag_of
from metrics.huddle.config import Aim, Domain, Gauge, Thresholds, load_huddle_config

DAY = date(2026, 11, 25)  # the data date and the huddle date
LOWER, HIGHER = Direction.LOWER, Direction.HIGHER


@pytest.fixture(scope="module")
def hcfg(cfg):
    return load_huddle_config(DEFAULT_CONFIG_DIR, cfg)


def d(days_ago: int) -> date:
    return DAY - timedelta(days=days_ago)


def incidents(*rows: tuple[int, str, str, int | None, int]) -> pd.DataFrame:
    """(days ago, type, harm, pressure ulcer category, how many)"""
    return pd.DataFrame(
        [
            {"day": d(a), "incident_type": t, "harm_level": h, "pressure_ulcer_category": c, "incidents": n}
            for a, t, h, c, n in rows
        ],
        columns=["day", "incident_type", "harm_level", "pressure_ulcer_category", "incidents"],
    )


# Ward 7A's incidents, as a reader would list them.
WARD_INCIDENTS = incidents(
    # days ago, type,            harm,       category, count
    (0, "FALL", "none", None, 1),  # today: no harm
    (3, "FALL", "low", None, 1),  # a fall with harm, 3 days ago
    (29, "FALL", "moderate", None, 1),  # the 30-day window's first day: counted
    (30, "FALL", "none", None, 2),  # one day too old for the window
    (12, "PRESSURE_ULCER", "low", 1, 1),  # category 1: not a category 2+ ulcer
    (40, "PRESSURE_ULCER", "moderate", 3, 1),  # the last category 2+ ulcer, 40 days ago
    (5, "MEDICATION", "none", None, 2),
    (2, "GOOD_CATCH", "none", None, 1),
)
FEEDBACK = pd.DataFrame(
    [
        # day,  kind,         responses, positive
        (d(1), "fft", 10, 9),
        (d(20), "fft", 10, 10),
        (d(45), "fft", 10, 5),  # outside the 30-day window
        (d(3), "compliment", 2, None),
        (d(4), "complaint", 1, None),
    ],
    columns=["day", "kind", "responses", "positive"],
)
WORKFORCE = pd.DataFrame(
    [(date(2026, 9, 1), 5.1, 88.0, 12.0), (date(2026, 10, 1), 3.9, 91.5, 11.0)],
    columns=["month", "sickness_absence_pct", "training_compliance_pct", "turnover_pct"],
)
RATINGS = pd.DataFrame(
    [(DAY, "reliability", s) for s in (2, 4, 4, 5)] + [(DAY, "feel_safe", 3)] + [(d(1), "reliability", 1)],
    columns=["huddle_date", "kind", "score"],
)


def full_inputs(**changes) -> BarometerInputs:
    values = dict(
        data_date=DAY,
        huddle_date=DAY,
        epr_values={"missed_critical_doses_today": 2.0, "pressure_ulcers": 0.0, "falls_last_24h": 1.0},
        incidents=WARD_INCIDENTS,
        incidents_since=d(399),
        feedback=FEEDBACK,
        feedback_since=d(199),
        workforce=WORKFORCE,
        ratings=RATINGS,
    )
    values.update(changes)
    return BarometerInputs(**values)


def indicator_of(hcfg, cfg, ward: str, indicator_id: str):
    setup = ward_setup(hcfg.barometer, ward, cfg.metrics)
    return next(i for i in setup.indicators if i.id == indicator_id)


def reading_of(hcfg, cfg, ward: str, indicator_id: str, inputs: BarometerInputs) -> IndicatorReading:
    return indicator_reading(indicator_of(hcfg, cfg, ward, indicator_id), inputs)


# ---- RAG: the same rule as the tiles ------------------------------------------------------------

RAG_CASES = [
    # value, direction, thresholds,                               rag
    (0, LOWER, Thresholds(green_max=0, amber_max=1), "green"),
    (1, LOWER, Thresholds(green_max=0, amber_max=1), "amber"),
    (2, LOWER, Thresholds(green_max=0, amber_max=1), "red"),
    (30, HIGHER, Thresholds(green_min=30, amber_min=7), "green"),
    (29, HIGHER, Thresholds(green_min=30, amber_min=7), "amber"),
    (7, HIGHER, Thresholds(green_min=30, amber_min=7), "amber"),
    (6, HIGHER, Thresholds(green_min=30, amber_min=7), "red"),
    (None, LOWER, Thresholds(green_max=0, amber_max=1), None),
    (3, LOWER, None, None),
    (3, Direction.NEUTRAL, Thresholds(green_max=0, amber_max=1), None),
]


@pytest.mark.parametrize("value, direction, thresholds, rag", RAG_CASES)
def test_indicator_rag_is_green_amber_red_at_the_thresholds(value, direction, thresholds, rag):
    assert rag_of(value, direction, thresholds) == rag


# ---- indicator values from the literal tables above ---------------------------------------------

VALUE_CASES = [
    # indicator,                  value, text,       rag,     behaviour
    ("falls_with_harm", 2, "2", "red", "falls of low harm or worse in the 30 days including today and day 29"),
    ("pressure_ulcers_cat2", 0, "0", "green", "a category 1 ulcer is not counted; the category 3 one is 40 days old"),
    ("medication_incidents", 2, "2", "amber", "the count of incidents, not of rows"),
    ("days_since_fall_with_harm", 3, "3 days", "red", "a fall with no harm today does not reset a with-harm count"),
    ("days_since_pressure_ulcer", 40, "40 days", "green", "the last category 2+ ulcer"),
    ("good_catches", 1, "1", "amber", "good-catch reports in the window"),
    ("compliments", 2, "2", "amber", "compliments count responses"),
    ("fft_positive", 95.0, "95%", "green", "19 positive of 20 answered in the window; day 45 left out"),
    ("sickness_absence", 3.9, "3.9%", "green", "the latest month supplied"),
    ("training_compliance", 91.5, "91.5%", "green", "the latest month supplied"),
    ("reliability_rating", 4.0, "4", "green", "the median of today's ratings only (2, 4, 4, 5)"),
    ("feel_safe_rating", 3.0, "3", "amber", "one rating today"),
    ("missed_critical_doses", 2.0, "2", "red", "an EPR tile's value with its metric's own RAG"),
]


@pytest.mark.parametrize("indicator, value, text, rag, behaviour", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_indicator_values_on_known_inputs(hcfg, cfg, indicator, value, text, rag, behaviour):
    got = reading_of(hcfg, cfg, "7A", indicator, full_inputs())
    assert got.value == pytest.approx(value), behaviour
    assert got.value_text == text
    assert got.rag == rag
    assert got.status == "ok"


def test_days_since_with_no_incident_in_the_data_is_a_lower_bound(hcfg, cfg):
    got = reading_of(
        hcfg, cfg, "7A", "days_since_pressure_ulcer", full_inputs(incidents=incidents((5, "FALL", "none", None, 1)))
    )
    assert got.value == 399 and got.at_least
    assert got.value_text == "≥ 399 days"
    assert "None since the data begins on 22 Oct 2025" in got.note


def test_count_trend_has_one_point_per_window_and_none_before_the_data(hcfg, cfg):
    got = reading_of(hcfg, cfg, "7A", "falls_with_harm", full_inputs(incidents_since=d(100)))
    assert [end for end, _ in got.trend] == [d(150), d(120), d(90), d(60), d(30), d(0)]
    assert [v for _, v in got.trend] == [
        None,
        None,
        None,
        0.0,
        0.0,
        2.0,
    ]  # a window starting before the data has no value


def test_the_huddle_trend_is_the_daily_median_over_thirty_days(hcfg, cfg):
    got = reading_of(hcfg, cfg, "7A", "reliability_rating", full_inputs())
    assert len(got.trend) == 30 and got.trend[-1] == (DAY, 4.0) and got.trend[-2] == (d(1), 1.0)
    assert got.trend[0] == (d(29), None)


def test_nobody_rated_today_is_no_data_not_zero(hcfg, cfg):
    got = reading_of(hcfg, cfg, "7A", "reliability_rating", full_inputs(ratings=RATINGS[RATINGS["huddle_date"] != DAY]))
    assert got.value is None and got.rag is None and got.status == "no_data"
    assert got.note == "Nobody has rated yet today."


# ---- the overall reading ------------------------------------------------------------------------

GAUGE = Gauge()  # points green 100, amber 50, red 0; green from 75, amber from 50


def r(domain: str, rag: str | None) -> IndicatorReading:
    return IndicatorReading(
        "x", "x", Domain(domain), "incidents", LOWER, "", None if rag is None else 1.0, rag, "ok", "", (), "", ""
    )


GAUGE_CASES = [
    # indicators (domain, rag)                                              score, band,   capped, behaviour
    ([("harm", "green"), ("positive", "green"), ("culture", "green")], 100, "green", False, "all_green_reads_100"),
    (
        [("harm", "green"), ("harm", "amber"), ("positive", "green"), ("culture", "amber")],
        75,
        "green",
        False,
        "domains_weigh_the_same_(75+100+50)/3",
    ),
    (
        [("harm", "green"), ("harm", "red"), ("positive", "green"), ("positive", "green"), ("culture", "green")],
        74,
        "amber",
        True,
        "a_red_harm_caps_just_below_green_(50+100+100)/3=83",
    ),
    (
        [("harm", "red"), ("positive", "red"), ("culture", "amber")],
        17,
        "red",
        False,
        "low_reading_is_not_capped_further_(0+0+50)/3=16.7_shown_17",
    ),
    (
        [("harm", "amber"), ("culture", "red"), ("positive", None)],
        25,
        "red",
        False,
        "a_domain_without_a_rag_is_left_out_(50+0)/2",
    ),
    ([("harm", "amber"), ("positive", "amber")], 50, "amber", False, "exactly_amber_min_is_amber"),
    ([("harm", None), ("culture", None)], None, None, False, "no_rag_no_reading"),
]


@pytest.mark.parametrize("rows, score, band, capped, behaviour", GAUGE_CASES, ids=[c[-1] for c in GAUGE_CASES])
def test_the_gauge_rule_on_known_inputs(rows, score, band, capped, behaviour):
    got_score, got_band, domains, got_capped = gauge_score([r(dom, rag) for dom, rag in rows], GAUGE)
    assert got_score == (None if score is None else pytest.approx(score))
    assert (got_band, got_capped) == (band, capped)
    assert set(domains) == {"harm", "positive", "culture"}


# The reading is rounded once, half up, and the band is decided on the number shown. Points 0 / 50 / 100.
ROUNDING_CASES = [
    # indicators (domain, rag)                                 gauge green_min, amber_min  shown  band
    ([("harm", "green"), ("positive", "green"), ("culture", "red")], 67, 50, 67, "green"),  # 66.67 shows 67: green
    ([("harm", "green"), ("positive", "green"), ("culture", "red")], 68, 50, 67, "amber"),  # 67 is below 68
    ([("harm", "green"), ("positive", "red"), ("culture", "red")], 75, 33, 33, "amber"),  # 33.33 shows 33: amber
    ([("harm", "green"), ("positive", "red"), ("culture", "red")], 75, 34, 33, "red"),
    (
        [("harm", "green"), ("harm", "red"), ("harm", "red"), ("harm", "red"), ("positive", "green")],
        75,
        50,
        63,
        "amber",
    ),
]


@pytest.mark.parametrize(("rows", "green_min", "amber_min", "shown", "band"), ROUNDING_CASES)
def test_the_reading_is_rounded_once_and_banded_as_shown(rows, green_min, amber_min, shown, band):
    score, got_band, _, _ = gauge_score(
        [r(dom, rag) for dom, rag in rows], Gauge(green_min=green_min, amber_min=amber_min)
    )
    assert (score, got_band) == (shown, band)


@pytest.mark.parametrize(("exact", "shown"), [(92.5, 93), (92.49, 92), (0.5, 1), (99.5, 100), (74.5, 75), (16.67, 17)])
def test_half_rounds_up_as_the_gauge_draws_it(exact, shown):
    assert shown_score(exact) == shown


def test_the_whole_panel_for_the_default_set(hcfg, cfg):
    reading = barometer_reading(ward_setup(hcfg.barometer, "7A", cfg.metrics), full_inputs(), hcfg.barometer.gauge)
    rags = {i.id: i.rag for i in reading.indicators}
    # harm: falls_with_harm red, pressure_ulcers_cat2 green, medication amber, missed doses red -> (0+100+50+0)/4 = 37.5
    # positive: days since fall with harm red, days since PU green, good catches amber, compliments amber -> 50
    # culture: reliability green, feel safe amber, sickness green, training green, fft green -> 90
    assert rags["falls_with_harm"] == "red" and rags["compliments"] == "amber"
    assert reading.domain_scores == {"harm": 37.5, "positive": 50.0, "culture": 90.0}
    assert reading.score == 59  # (37.5 + 50 + 90) / 3 = 59.17, rounded once to what every screen shows
    assert reading.band == "amber" and not reading.capped
    assert (reading.counted, reading.chosen) == (13, 13)
    assert reading.statement.startswith("59 out of 100 (Amber), over 13 of 13 indicators")


# ---- a ward with its own set --------------------------------------------------------------------


def test_a_ward_with_its_own_indicator_set_and_thresholds(hcfg, cfg):
    own = ward_setup(hcfg.barometer, "9a", cfg.metrics)  # ward codes are case-insensitive
    default = ward_setup(hcfg.barometer, "7A", cfg.metrics)
    assert own.own_set and not default.own_set
    assert [i.id for i in own.indicators][:3] == [
        "pressure_ulcers_cat2",
        "days_since_pressure_ulcer",
        "falls_with_harm",
    ]
    assert "complaints" in {i.id for i in own.indicators} and "complaints" not in {i.id for i in default.indicators}
    mine = next(i for i in own.indicators if i.id == "days_since_pressure_ulcer")
    library = next(i for i in default.indicators if i.id == "days_since_pressure_ulcer")
    assert (mine.rag.green_min, mine.rag.amber_min) == (60, 30)
    assert (library.rag.green_min, library.rag.amber_min) == (30, 7)
    # 40 days since the last category 2+ ulcer: green by the library's 30, amber by 9A's own 60
    assert reading_of(hcfg, cfg, "9A", "days_since_pressure_ulcer", full_inputs()).rag == "amber"
    assert reading_of(hcfg, cfg, "7A", "days_since_pressure_ulcer", full_inputs()).rag == "green"
    assert own.aim is not None and own.aim.text == "No category 2+ pressure ulcers for 60 days by 31 March"


def test_an_epr_indicator_takes_its_metrics_direction_and_thresholds(hcfg, cfg):
    setup = ward_setup(hcfg.barometer, "7A", cfg.metrics)
    doses = next(i for i in setup.indicators if i.id == "missed_critical_doses")
    metric = next(m for m in cfg.metrics if m.id == "missed_critical_doses_today")
    assert doses.direction is metric.direction
    assert (doses.rag.green_max, doses.rag.amber_max) == (metric.rag.green_max, metric.rag.amber_max)


# ---- the aim --------------------------------------------------------------------------------------

AIM_CASES = [
    # indicator (ward),                     value, target, baseline, by,                 status,         progress,
    # behaviour
    ("days_since_pressure_ulcer", "9A", 38, 60, None, date(2027, 3, 31), "working", 38 / 60, "a_run_of_38_of_60_days"),
    ("days_since_pressure_ulcer", "9A", 60, 60, None, date(2027, 3, 31), "met", 1.0, "reaching_the_target_meets_it"),
    (
        "days_since_pressure_ulcer",
        "9A",
        10,
        60,
        None,
        DAY + timedelta(days=20),
        "out_of_reach",
        10 / 60,
        "10_plus_20_days_left_cannot_make_60",
    ),
    (
        "days_since_pressure_ulcer",
        "9A",
        10,
        60,
        None,
        DAY - timedelta(days=1),
        "missed",
        10 / 60,
        "the_date_has_passed",
    ),
    ("medication_incidents", "8C", 2, 1, 3, date(2027, 3, 31), "working", 0.5, "lower_is_better_half_way_from_3_to_1"),
    (
        "medication_incidents",
        "8C",
        4,
        1,
        3,
        date(2027, 3, 31),
        "working",
        0.0,
        "worse_than_the_baseline_is_no_progress",
    ),
    ("medication_incidents", "8C", 1, 1, None, date(2027, 3, 31), "met", 1.0, "lower_is_better_met_without_a_baseline"),
]


@pytest.mark.parametrize(
    "indicator, ward, value, target, baseline, by, status, progress, behaviour",
    AIM_CASES,
    ids=[c[-1] for c in AIM_CASES],
)
def test_aim_progress(hcfg, cfg, indicator, ward, value, target, baseline, by, status, progress, behaviour):
    ind = indicator_of(hcfg, cfg, ward, indicator)
    reading = replace(indicator_reading(ind, full_inputs()), value=float(value), value_text=str(value))
    got = aim_progress(
        Aim(text="t", indicator=indicator, target=target, by=by, baseline=baseline), reading, ind.spec, DAY
    )
    assert got.status == status
    assert got.progress == pytest.approx(progress)
    assert got.days_left == (by - DAY).days


# ---- a hospital that does not supply the optional tables -----------------------------------------


def test_missing_optional_tables_are_not_supplied_and_the_reading_uses_what_is_there(hcfg, cfg):
    inputs = full_inputs(incidents=None, incidents_since=None, feedback=None, feedback_since=None, workforce=None)
    reading = barometer_reading(ward_setup(hcfg.barometer, "7A", cfg.metrics), inputs, hcfg.barometer.gauge)
    status = {i.id: i.status for i in reading.indicators}
    assert (
        status["falls_with_harm"]
        == status["compliments"]
        == status["sickness_absence"]
        == status["fft_positive"]
        == "not_supplied"
    )
    assert status["missed_critical_doses"] == status["reliability_rating"] == "ok"
    falls = next(i for i in reading.indicators if i.id == "falls_with_harm")
    assert (falls.value, falls.rag, falls.value_text) == (None, None, "–")
    assert falls.note == "Not supplied: the extract has no incidents table."
    assert reading.not_supplied == ("incidents", "patient_feedback", "workforce")
    # what is there: harm = missed doses red (0); positive = nothing; culture = reliability green, feel safe amber -> 75
    assert reading.domain_scores == {"harm": 0.0, "positive": None, "culture": 75.0}
    assert reading.score == 38 and reading.band == "red"  # (0 + 75) / 2 = 37.5, shown 38
    assert (reading.counted, reading.chosen) == (3, 13)
    assert "over 3 of 13 indicators" in reading.statement
    assert "Not supplied in the extract: incidents, patient_feedback, workforce." in reading.statement
    assert reading.aim is not None and reading.aim.status == "no_data"


def test_no_snapshot_and_no_ratings_give_no_reading(hcfg, cfg):
    inputs = BarometerInputs(data_date=DAY, huddle_date=DAY, has_snapshot=False)
    reading = barometer_reading(ward_setup(hcfg.barometer, "7A", cfg.metrics), inputs, hcfg.barometer.gauge)
    assert reading.score is None and reading.band is None
    assert reading.statement.startswith("No reading: none of the 13 indicators has a value")
