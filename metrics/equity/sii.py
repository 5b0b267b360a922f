"""The slope index of inequality (SII) of a proportion across deprivation quintiles, with its 95 % interval.

Why this exists: bars by quintile show a gap; the SII puts one number on the gradient across all five, using
every group and weighting each by its size, so a board can watch whether it narrows.

Method: Office for Health Improvement and Disparities (formerly Public Health England), Public Health Technical
Guidance, "Slope index of inequality (SII) and relative index of inequality (RII)" (Fingertips), after Low A,
Low A. "Measuring the gap: quantifying and comparing local health inequalities", J Public Health 2004;26:388-95.
Each quintile is placed at the midpoint of its cumulative share of the population (its ridit score: the share of
patients in more deprived quintiles plus half its own share), and the proportion in each quintile is regressed on
that score by weighted least squares, weighted by the quintile's population (here, the denominator: its patients).
The slope is the gap the line predicts between the two ends of the deprivation scale.

Sign: the SII here is the value predicted for the most deprived end minus the value predicted for the least
deprived end (the negative of the slope against a score running from most to least deprived), so for a harm a
positive SII means the most deprived patients fare worse.

Interval: the guidance derives the interval from each quintile's own sampling error (by simulation); with five
points the regression's residual error is not a fit measure of it. This module carries the same sampling error
through the regression exactly instead of by simulation: the SII is a weighted sum of the quintiles' proportions,
SII = sum c_j p_j, so Var(SII) = sum c_j^2 p_j (1 - p_j) / n_j (binomial variance of each quintile's proportion),
and the 95 % interval is SII +/- 1.959964 sqrt(Var). Deterministic, so a test can check it to the last digit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the 97.5th centile of the standard normal distribution


@dataclass(frozen=True)
class SlopeIndex:
    """The SII (most deprived minus least deprived, in the proportion's own units) with its 95 % interval."""

    sii: float
    lower: float
    upper: float
    standard_error: float
    ridit: tuple[float, ...]  # each group's ridit score, most deprived first


@dataclass(frozen=True)
class NoSlopeIndex:
    """Why there is no SII: fewer than two quintiles have any patients."""

    reason: str


def ridit_scores(populations: Sequence[float]) -> tuple[float, ...]:
    """Each group's midpoint of the cumulative population share, the groups ordered from most deprived."""
    total = float(sum(populations))
    scores, before = [], 0.0
    for n in populations:
        scores.append((before + n / 2.0) / total)
        before += n
    return tuple(scores)


def slope_index(numerators: Sequence[float], denominators: Sequence[float]) -> SlopeIndex | NoSlopeIndex:
    """The SII of numerator/denominator across groups ordered from most to least deprived (see the module).

    A group with no patients carries no weight and is left out; at least two groups must have patients.
    """
    if len(numerators) != len(denominators):
        raise ValueError(f"numerators and denominators must pair up, got {len(numerators)} and {len(denominators)}")
    pairs = [(float(a), float(n)) for a, n in zip(numerators, denominators, strict=True) if n and n > 0]
    if any(a < 0 or a > n for a, n in pairs):
        raise ValueError("each numerator must lie between 0 and its denominator")
    if len(pairs) < 2:
        return NoSlopeIndex("fewer than two deprivation quintiles have patients")
    counts = [n for _, n in pairs]
    shares = [a / n for a, n in pairs]
    x = ridit_scores(counts)
    total = sum(counts)
    x_mean = sum(n * xi for n, xi in zip(counts, x, strict=True)) / total
    sxx = sum(n * (xi - x_mean) ** 2 for n, xi in zip(counts, x, strict=True))
    # slope = sum c_j p_j with c_j = n_j (x_j - x_mean) / sxx; the SII is minus the slope
    weights = [-n * (xi - x_mean) / sxx for n, xi in zip(counts, x, strict=True)]
    sii = sum(c * p for c, p in zip(weights, shares, strict=True))
    variance = sum(c * c * p * (1.0 - p) / n for c, p, n in zip(weights, shares, counts, strict=True))
    se = math.sqrt(variance)
    return SlopeIndex(sii=sii, lower=sii - Z_95 * se, upper=sii + Z_95 * se, standard_error=se, ridit=x)
