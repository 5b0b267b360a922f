"""Spec: the slope index of inequality across deprivation quintiles and its 95 % interval.

Checked three ways: a worked example by hand, an independent matrix computation (numpy weighted least squares on
the ridit scores and the sandwich variance from each quintile's binomial variance), and the edges.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metrics.equity.sii import Z_95, NoSlopeIndex, SlopeIndex, ridit_scores, slope_index


def test_ridit_scores_are_the_midpoints_of_the_cumulative_population_share():
    assert ridit_scores([100, 100, 100, 100, 100]) == pytest.approx((0.1, 0.3, 0.5, 0.7, 0.9), abs=1e-15)
    # 50 of 200 in the most deprived fifth: midpoint 25/200; then 50+30/2=65 of 200 ...
    assert ridit_scores([50, 30, 40, 40, 40]) == pytest.approx((0.125, 0.325, 0.5, 0.7, 0.9), abs=1e-15)


def test_worked_example_a_straight_line_from_30_to_10_percent_gives_an_sii_of_25_points():
    # five quintiles of 100 patients each, 30, 25, 20, 15 and 10 % counted, most deprived first.
    # ridit 0.1 .. 0.9; the line p = 0.325 - 0.25 x passes through every point: slope -0.25, so SII = +0.25.
    # c_j = -n_j (x_j - 0.5) / sum n (x - 0.5)^2 = -100 (x_j - 0.5) / 40 = 1, 0.5, 0, -0.5, -1
    # Var = (1 x 0.3 x 0.7 + 0.25 x 0.25 x 0.75 + 0 + 0.25 x 0.15 x 0.85 + 1 x 0.1 x 0.9) / 100 = 0.0037875
    result = slope_index([30, 25, 20, 15, 10], [100, 100, 100, 100, 100])
    assert isinstance(result, SlopeIndex)
    assert result.sii == pytest.approx(0.25, abs=1e-12)
    assert result.standard_error == pytest.approx(math.sqrt(0.0037875), abs=1e-12)
    assert result.lower == pytest.approx(0.25 - 1.959963984540054 * math.sqrt(0.0037875), abs=1e-12)
    assert result.upper == pytest.approx(0.25 + 1.959963984540054 * math.sqrt(0.0037875), abs=1e-12)
    assert (round(result.lower, 4), round(result.upper, 4)) == (0.1294, 0.3706)


def _reference(numerators: list[float], denominators: list[float]) -> tuple[float, float]:
    """An independent computation: WLS by matrices, and the sandwich variance with known group variances."""
    n = np.array(denominators, dtype=float)
    p = np.array(numerators, dtype=float) / n
    cumulative = np.cumsum(n) - n / 2
    x = cumulative / n.sum()
    design = np.column_stack([np.ones_like(x), x])
    w = np.diag(n)
    bread = np.linalg.inv(design.T @ w @ design)
    beta = bread @ design.T @ w @ p
    meat = design.T @ w @ np.diag(p * (1 - p) / n) @ w @ design
    cov = bread @ meat @ bread
    # cross-check the point estimate against numpy's own least squares on sqrt(weight)-scaled rows
    scaled = np.sqrt(n)[:, None] * design
    lstsq = np.linalg.lstsq(scaled, np.sqrt(n) * p, rcond=None)[0]
    assert lstsq[1] == pytest.approx(beta[1], abs=1e-12)
    return -float(beta[1]), math.sqrt(float(cov[1, 1]))


CASES = [
    # numerators, denominators (most deprived first): a steep gradient, a reversed one, uneven sizes, a flat one
    ([30, 25, 20, 15, 10], [100, 100, 100, 100, 100]),
    ([12, 9, 11, 8, 4], [122, 111, 94, 90, 76]),
    ([2, 5, 9, 14, 20], [40, 60, 80, 100, 120]),
    ([10, 10, 10, 10, 10], [100, 100, 100, 100, 100]),
    ([3, 0, 7], [20, 15, 30]),
]


@pytest.mark.parametrize(("numerators", "denominators"), CASES)
def test_the_sii_and_its_interval_match_an_independent_matrix_computation(numerators, denominators):
    result = slope_index(numerators, denominators)
    assert isinstance(result, SlopeIndex)
    sii, se = _reference(numerators, denominators)
    assert result.sii == pytest.approx(sii, abs=1e-12)
    assert result.standard_error == pytest.approx(se, abs=1e-12)
    assert result.lower == pytest.approx(sii - Z_95 * se, abs=1e-12)
    assert result.upper == pytest.approx(sii + Z_95 * se, abs=1e-12)


def test_a_flat_rate_has_an_sii_of_zero():
    result = slope_index([10, 10, 10, 10, 10], [100, 100, 100, 100, 100])
    assert isinstance(result, SlopeIndex)
    assert result.sii == pytest.approx(0.0, abs=1e-15)


def test_a_quintile_with_no_patients_carries_no_weight():
    with_empty = slope_index([30, 0, 20, 15, 10], [100, 0, 100, 100, 100])
    without = slope_index([30, 20, 15, 10], [100, 100, 100, 100])
    assert isinstance(with_empty, SlopeIndex) and isinstance(without, SlopeIndex)
    assert with_empty.sii == pytest.approx(without.sii, abs=1e-15)


@pytest.mark.parametrize(
    ("numerators", "denominators"), [([], []), ([3], [10]), ([3, 0, 0, 0, 0], [10, 0, 0, 0, 0])]
)
def test_fewer_than_two_quintiles_with_patients_give_no_sii_and_say_why(numerators, denominators):
    result = slope_index(numerators, denominators)
    assert result == NoSlopeIndex("fewer than two deprivation quintiles have patients")


def test_a_numerator_above_its_denominator_is_refused():
    with pytest.raises(ValueError, match="between 0 and its denominator"):
        slope_index([11, 1], [10, 10])
