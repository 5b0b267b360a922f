"""Ward standings and site/trust totals (metrics.board.standings): reds and ambers per ward, and totals that
sum counts and recompute ratios from summed parts, over literal ward values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.board.standings import (
    TRUST,
    most_in_need,
    site_scope,
    standing_totals,
    totals,
    ward_standings,
)
from metrics.config.models import AppConfig, Site, Ward

SITES = (Site(code="S1", name="Site one"), Site(code="S2", name="Site two"), Site(code="S3", name="No wards"))
WARDS = (
    Ward(code="W1", name="One", site="S1", specialty="medicine", beds=20, matron="M1"),
    Ward(code="W2", name="Two", site="S1", specialty="medicine", beds=20, matron="M1"),
    Ward(code="w3", name="Three", site="S2", specialty="surgery", beds=20, matron="M2"),
)
COUNT_A, COUNT_B, RATIO = "falls_last_24h", "pressure_ulcers", "staff_fill_rate_overall"


@pytest.fixture
def definitions(cfg: AppConfig) -> list:
    by_id = {m.id: m for m in cfg.metrics}
    return [by_id[COUNT_A], by_id[COUNT_B], by_id[RATIO]]


def _values(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["ward_code", "metric_id", "value", "numerator", "denominator", "rag"])
    for col in ("value", "numerator", "denominator"):
        frame[col] = frame[col].astype("float64")
    return frame


VALUES = _values(
    [
        # ward  metric   value numerator denominator rag
        ("W1", COUNT_A, 2, None, None, "red"),
        ("W1", COUNT_B, 1, 1, None, "amber"),
        ("W1", RATIO, 0.9, 90, 100, "red"),
        ("W2", COUNT_A, 0, None, None, "green"),
        ("W2", COUNT_B, 3, 3, None, "red"),
        ("W2", RATIO, 0.5, 50, 100, "amber"),
        ("W3", COUNT_A, None, None, None, None),  # stored upper-case; configured as w3
        ("W3", COUNT_B, None, None, None, None),
        ("W3", RATIO, None, 0, 0, None),  # no planned hours: no ratio
        ("W1", "not_shown", 5, 5, None, "red"),  # a metric outside the definitions never counts
    ]
)


def test_reds_and_ambers_are_counted_per_ward_with_labels_in_definition_order(definitions: list) -> None:
    got = ward_standings(VALUES, WARDS, definitions)
    labels = {d.id: d.label for d in definitions}
    assert list(got.index) == ["W1", "W2", "w3"]
    assert got.loc["W1", "reds"] == 2 and got.loc["W1", "ambers"] == 1
    assert got.loc["W1", "red_labels"] == (labels[COUNT_A], labels[RATIO])
    assert got.loc["W1", "amber_labels"] == (labels[COUNT_B],)
    assert got.loc["W2", "reds"] == 1 and got.loc["W2", "ambers"] == 1
    assert got.loc["w3", "reds"] == 0 and got.loc["w3", "ambers"] == 0
    assert got.loc["w3", "red_labels"] == ()


def test_a_ward_with_no_values_at_all_stands_at_zero(definitions: list) -> None:
    got = ward_standings(VALUES.iloc[0:0], WARDS, definitions)
    assert got["reds"].tolist() == [0, 0, 0] and got["ambers"].tolist() == [0, 0, 0]


def test_most_in_need_ranks_reds_then_ambers_then_code_and_leaves_out_wards_with_neither(definitions: list) -> None:
    got = most_in_need(ward_standings(VALUES, WARDS, definitions))
    assert list(got.index) == ["W1", "W2"]
    assert list(most_in_need(ward_standings(VALUES, WARDS, definitions), top=1).index) == ["W1"]


def test_standing_totals_sum_per_site_and_for_the_trust(definitions: list) -> None:
    got = standing_totals(ward_standings(VALUES, WARDS, definitions), WARDS, SITES)
    assert list(got.index) == [site_scope("S1"), site_scope("S2"), TRUST]  # a site with no ward has no row
    assert got.loc["site:S1"].tolist() == [3, 2]
    assert got.loc["site:S2"].tolist() == [0, 0]
    assert got.loc[TRUST].tolist() == [3, 2]


TOTAL_CASES = [
    # scope, metric, expected total, why
    ("site:S1", COUNT_A, 2.0, "counts are summed; a missing numerator takes the value"),
    ("site:S1", COUNT_B, 4.0, "counts are summed"),
    ("site:S1", RATIO, 140 / 200, "a ratio is summed numerators over summed denominators, not a mean of ratios"),
    ("site:S2", COUNT_A, None, "a group with no value is a gap, never a zero"),
    ("site:S2", RATIO, None, "a zero denominator is a gap"),
    (TRUST, COUNT_A, 2.0, "the trust sums every ward"),
    (TRUST, RATIO, 140 / 200, "a ward with a zero denominator adds nothing to the trust's ratio"),
]


@pytest.mark.parametrize("scope, metric, expected, why", TOTAL_CASES, ids=[c[3] for c in TOTAL_CASES])
def test_totals(definitions: list, scope: str, metric: str, expected: float | None, why: str) -> None:
    got = totals(VALUES, WARDS, SITES, definitions).loc[scope, metric]
    if expected is None:
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected)


def test_totals_have_a_row_per_site_with_wards_then_the_trust_and_a_column_per_definition(definitions: list) -> None:
    got = totals(VALUES, WARDS, SITES, definitions)
    assert list(got.index) == ["site:S1", "site:S2", TRUST]
    assert list(got.columns) == [COUNT_A, COUNT_B, RATIO]


def test_values_indexed_by_ward_and_metric_give_the_same_answer(definitions: list) -> None:
    indexed = VALUES.set_index(["ward_code", "metric_id"])
    pd.testing.assert_frame_equal(totals(indexed, WARDS, SITES, definitions), totals(VALUES, WARDS, SITES, definitions))
    pd.testing.assert_frame_equal(
        ward_standings(indexed, WARDS, definitions), ward_standings(VALUES, WARDS, definitions)
    )
