"""Funnel plot limits and over-dispersion against independent hand computations.

The exact limits are checked against a computation that shares nothing with ``metrics.stats.funnel`` (which
uses scipy): the binomial and Poisson distributions summed term by term in pure Python with ``math.comb`` and
``math.exp``, then Spiegelhalter's interpolation (Statistics in Medicine 2005, appendix) applied by hand.
Over-dispersion is checked against phi and tau^2 worked by hand from the formulas of Spiegelhalter, QSHC 2005.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metrics.stats.funnel import Adjustment, Kind, dispersion, exact_limit, funnel, winsorised, z_scores


def reference_binomial_limit(target: float, n: int, p: float) -> float:
    cdf, previous = 0.0, 0.0
    for r in range(n + 1):
        previous = cdf
        cdf += math.comb(n, r) * target**r * (1 - target) ** (n - r)
        if cdf >= p:
            alpha = (cdf - p) / (cdf - previous)
            return (r - alpha) / n
    raise AssertionError("unreachable")


def reference_poisson_limit(rate: float, exposure: float, p: float) -> float:
    mean = rate * exposure
    cdf, previous, term = 0.0, 0.0, math.exp(-mean)
    for r in range(100_000):
        previous = cdf
        cdf += term
        if cdf >= p:
            alpha = (cdf - p) / (cdf - previous)
            return (r - alpha) / exposure
        term *= mean / (r + 1)
    raise AssertionError("unreachable")


# (target proportion, unit size): small, middling and large units, targets near 0, the middle and 1
PROPORTION_CASES = [(0.1, 20), (0.1, 200), (0.5, 30), (0.8, 50), (0.8, 400), (0.95, 120), (0.02, 1000)]
RATE_CASES = [(0.005, 2000.0), (0.02, 400.0), (1.5, 10.0), (0.3, 333.3)]


@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
@pytest.mark.parametrize(("target", "n"), PROPORTION_CASES)
def test_exact_binomial_limits_match_a_term_by_term_computation(target: float, n: int, p: float) -> None:
    assert exact_limit(Kind.PROPORTION, target, [n], p)[0] == pytest.approx(
        reference_binomial_limit(target, n, p), abs=1e-9
    )


@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
@pytest.mark.parametrize(("rate", "exposure"), RATE_CASES)
def test_exact_poisson_limits_match_a_term_by_term_computation(rate: float, exposure: float, p: float) -> None:
    assert exact_limit(Kind.RATE, rate, [exposure], p)[0] == pytest.approx(
        reference_poisson_limit(rate, exposure, p), abs=1e-9
    )


def test_for_large_units_the_exact_limits_approach_the_normal_ones() -> None:
    # target 0.3, n = 100,000: the 99.8 % limits are 0.3 +- 3.090 * sqrt(0.3 * 0.7 / 100000)
    half = 3.090232 * math.sqrt(0.3 * 0.7 / 100_000)
    assert exact_limit(Kind.PROPORTION, 0.3, [100_000], 0.999)[0] == pytest.approx(0.3 + half, abs=2e-5)
    assert exact_limit(Kind.PROPORTION, 0.3, [100_000], 0.001)[0] == pytest.approx(0.3 - half, abs=2e-5)


def test_winsorising_pulls_the_outer_tenths_to_the_10th_and_90th_percentiles() -> None:
    z = np.arange(1.0, 11.0)  # 1..10; numpy's percentiles: 10th = 1.9, 90th = 9.1
    assert winsorised(z).tolist() == pytest.approx([1.9, 2, 3, 4, 5, 6, 7, 8, 9, 9.1])


def test_phi_and_tau2_by_hand_for_ten_equal_units() -> None:
    # ten units of 100 with target 0.5: V = 0.25, s = sqrt(0.25 / 100) = 0.05, so z = (y - 0.5) / 0.05
    y = np.array([0.40, 0.45, 0.45, 0.50, 0.50, 0.50, 0.55, 0.55, 0.60, 0.50])
    n = np.full(10, 100.0)
    z = z_scores(Kind.PROPORTION, y, n, 0.5)
    assert z.tolist() == pytest.approx([-2, -1, -1, 0, 0, 0, 1, 1, 2, 0])
    # winsorised at the 10th (-1.1) and 90th (1.1) percentiles: z^2 sums to 2 * 1.21 + 4 * 1 = 6.42
    d = dispersion(Kind.PROPORTION, y, n, 0.5)
    assert d.phi == pytest.approx(0.642)
    assert not d.over_dispersed  # 10 * 0.642 = 6.42 < chi2(9) 95th percentile 16.92
    assert d.tau2 == 0.0


def test_an_over_dispersed_set_gets_additive_random_effects_by_hand() -> None:
    y = np.array([0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.5])
    n = np.full(10, 100.0)
    d = dispersion(Kind.PROPORTION, y, n, 0.5)
    # z = -6,-4,-2,0,0,0,2,4,6,0; percentiles 10th -4.2, 90th 4.2: sum z^2 = 2*17.64 + 2*16 + 2*4 = 75.28
    assert d.phi == pytest.approx(7.528)
    assert d.over_dispersed
    # w = n / V = 400 each: sum w = 4000, sum w^2 / sum w = 400; tau^2 = (75.28 - 9) / 3600
    assert d.tau2 == pytest.approx((75.28 - 9) / 3600)
    made = funnel(Kind.PROPORTION, y * n, n)
    assert made.adjustment is Adjustment.ADDITIVE
    low, high = made.limits([100.0], "99.8%")
    half = 3.090232 * math.sqrt(0.0025 + d.tau2)
    assert (low[0], high[0]) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-6)
    multiplicative = funnel(Kind.PROPORTION, y * n, n, Adjustment.MULTIPLICATIVE)
    low, high = multiplicative.limits([100.0], "99.8%")
    assert high[0] == pytest.approx(0.5 + 3.090232 * math.sqrt(7.528 * 0.0025), abs=1e-6)
    assert "multiplicative" in multiplicative.statement and "additive random-effects" in made.statement


def test_a_true_outlier_among_similar_units_is_beyond_the_998_limits_and_no_other_unit_is() -> None:
    n = np.array([80, 120, 150, 90, 200, 60, 110, 130, 100, 140], float)
    share = np.array([0.85, 0.83, 0.86, 0.84, 0.85, 0.87, 0.84, 0.86, 0.30, 0.85])
    made = funnel(Kind.PROPORTION, np.rint(share * n), n)
    assert made.beyond_998.tolist() == [False] * 8 + [True, False]
    assert made.z[8] < -3.09


def test_units_without_a_denominator_are_left_out_not_zero() -> None:
    made = funnel(Kind.PROPORTION, [5, 0, 50], [10, 0, 100])
    assert made.target == pytest.approx(55 / 110)
    assert np.isnan(made.value[1]) and not made.beyond_95[1]
