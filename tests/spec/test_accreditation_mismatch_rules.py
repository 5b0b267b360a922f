"""Triangulation rules as a table: a ward's level beside its live evidence, and the mismatch each disagreement makes.

Shipped settings (config/accreditation.yaml): Silver and Gold wards are checked; harm metrics falls, pressure
ulcers, C. difficile, missed critical doses; reliability metrics overdue observations, overdue risk assessments,
medicines reconciliation; a reliability median below 3 disagrees; half or more of the cited metrics red disagrees.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.accreditation.config import load_accreditation_config
from metrics.accreditation.triangulation import (
    ConcernSpan,
    WardEvidence,
    cited_metrics,
    concern_spans,
    mismatches,
    span_text,
)
from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR

CFG = load_config(DEFAULT_CONFIG_DIR)
ACFG = load_accreditation_config(DEFAULT_CONFIG_DIR, CFG)
THREE_MONTHS = ConcernSpan(40, date(2026, 9, 1), date(2026, 11, 30))
CITED = cited_metrics(ACFG)


def red(n: int) -> dict[str, str | None]:
    """The cited metrics with the first ``n`` red and the rest green."""
    return {m: ("red" if i < n else "green") for i, m in enumerate(CITED)}


TABLE = [
    # level     evidence                                                     headlines
    (
        "gold",
        WardEvidence("7A", concerns={"falls_last_24h": THREE_MONTHS}),
        ["Gold, yet Falls in the last 24 hours show special-cause concern for 3 months"],
    ),
    (
        "silver",
        WardEvidence("7A", concerns={"obs_overdue": ConcernSpan(2, date(2026, 11, 29), date(2026, 11, 30))}),
        ["Silver, yet Observations overdue show special-cause concern on 2 days"],
    ),
    ("bronze", WardEvidence("7A", concerns={"falls_last_24h": THREE_MONTHS}), []),  # already known to need help
    ("support", WardEvidence("7A", reliability_median=1.0, reliability_ratings=9, barometer_band="red"), []),
    (
        "gold",
        WardEvidence("7A", reliability_median=2.5, reliability_ratings=12),
        ["Gold, but the team rates its processes' reliability 2.5 of 5"],
    ),
    ("gold", WardEvidence("7A", reliability_median=3.0, reliability_ratings=12), []),  # 3 is not below 3
    (
        "silver",
        WardEvidence("7A", barometer_band="red", barometer_score=31.0),
        ["Silver, but the Safety Barometer reads red (31 / 100)"],
    ),
    ("silver", WardEvidence("7A", barometer_band="amber"), []),
    ("silver", WardEvidence("7A", cited_rag=red(4)), [f"Silver, but 4 of {len(CITED)} cited metrics red"]),
    ("silver", WardEvidence("7A", cited_rag=red(3)), []),  # 3 of 8 is under half
    ("gold", WardEvidence("7A"), []),  # nothing known: nothing to disagree with
]


@pytest.mark.parametrize(("level", "evidence", "headlines"), TABLE)
def test_each_disagreement_of_a_high_level_ward_is_a_mismatch(level, evidence, headlines):
    found = mismatches(ACFG, CFG, {"7A": level}, {"7A": evidence})
    assert [m.headline for m in found] == headlines


def test_a_mismatch_links_to_the_chart_behind_it():
    (found,) = mismatches(
        ACFG,
        CFG,
        {"7A": "gold"},
        {"7A": WardEvidence("7A", concerns={"aki": THREE_MONTHS, "pressure_ulcers": THREE_MONTHS})},
    )
    assert found.link == "/exec?metric=pressure_ulcers&scope=ward%3A7A"  # aki is not a harm or reliability metric here
    assert found.evidence == "harm metric: 40 day(s) of special-cause concern from 01 Sep 2026 to 30 Nov 2026"


def test_concern_spans_count_concern_days_of_each_wards_series_in_the_window():
    points = pd.DataFrame(
        {
            "series_id": ["ward:7A|falls_last_24h"] * 4 + ["site:RGH|falls_last_24h", "ward:7B|falls_last_24h"],
            "date": pd.to_datetime(
                ["2026-08-01", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-02", "2026-10-02"]
            ),
            "point_type": [
                "special_cause_concern",
                "special_cause_concern",
                "common_cause",
                "special_cause_concern",
                "special_cause_concern",
                "special_cause_improvement",
            ],
        }
    )
    spans = concern_spans(points, ["7A", "7B"], ["falls_last_24h"], date(2026, 9, 1), date(2026, 10, 31))
    assert spans == {("7A", "falls_last_24h"): ConcernSpan(2, date(2026, 10, 1), date(2026, 10, 3))}


@pytest.mark.parametrize(
    ("first", "last", "points", "text"),
    [
        (date(2026, 11, 1), date(2026, 11, 1), 1, "on 1 day"),
        (date(2026, 11, 1), date(2026, 11, 13), 5, "on 5 days"),
        (date(2026, 11, 1), date(2026, 11, 14), 5, "for 2 weeks"),
        (date(2026, 9, 1), date(2026, 10, 25), 9, "for 8 weeks"),
        (date(2026, 9, 1), date(2026, 10, 26), 9, "for 2 months"),
    ],
)
def test_how_long_a_concern_has_shown_is_said_in_days_weeks_or_months(first, last, points, text):
    assert span_text(ConcernSpan(points, first, last)) == text
