"""Funnel plots: is a unit's proportion or rate further from the system's than chance allows for its size?

Why this exists: comparing wards and trusts by rank (a league table) rewards luck and punishes small units.
A funnel plot puts each unit's indicator against its size, with control limits around the system's value
that narrow as the size grows, so a unit is only called unusual when chance is an unlikely explanation.

Sources:

* Spiegelhalter DJ. Funnel plots for comparing institutional performance. Statistics in Medicine
  2005;24:1185-1202. Limits at 95 % (p = 0.025, 0.975) and 99.8 % (p = 0.001, 0.999). For a proportion the
  limits are exact binomial, for a rate exact Poisson, with the interpolation of its appendix: for the
  p-quantile ``r_p`` of the count (the smallest r with F(r) >= p), ``alpha = (F(r_p) - p) / (F(r_p) -
  F(r_p - 1))`` and the limit is ``(r_p - alpha) / n``, so the limits are smooth in n.
* Spiegelhalter DJ. Handling over-dispersion of performance indicators. Quality and Safety in Health Care
  2005;14:347-351. Each unit's z-score against the target, ``z = (y - t) / sqrt(V(t) / n)``, is winsorised
  (the lowest and highest 10 % set to the 10th and 90th percentiles), ``phi = sum(z^2) / I``; the data are
  over-dispersed when ``I * phi`` exceeds the 95th percentile of chi-squared on I - 1 degrees of freedom.
  Then either the limits widen multiplicatively (``t +- z_p sqrt(phi V(t) / n)``) or an additive random
  effect is added (DerSimonian-Laird: ``tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w)``, ``w = n /
  V(t)``; limits ``t +- z_p sqrt(V(t) / n + tau^2)``). The chart says which adjustment was used.

The target ``t`` is the pooled system value (total numerator over total denominator). V(t) is t(1 - t) for
a proportion and t for a rate (events per unit of exposure).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import ArrayLike, NDArray

LIMITS = {"95%": (0.025, 0.975), "99.8%": (0.001, 0.999)}
WINSOR = 0.10


class Kind(str, Enum):
    PROPORTION = "proportion"  # binomial: numerator <= denominator, both counts
    RATE = "rate"  # Poisson: events per unit of exposure


class Adjustment(str, Enum):
    NONE = "none"
    MULTIPLICATIVE = "multiplicative"
    ADDITIVE = "additive"


def _variance(kind: Kind, target: float) -> float:
    return target * (1 - target) if kind is Kind.PROPORTION else target


def exact_limit(kind: Kind, target: float, n: ArrayLike, p: float) -> NDArray[np.float64]:
    """The p-quantile limit of the indicator for units of size ``n`` (Spiegelhalter 2005, interpolated)."""
    from scipy import stats  # imported here: a second of start-up that only the views drawing funnels pay

    size = np.asarray(n, dtype=float)
    out = np.full(size.shape, np.nan)
    ok = size > 0
    if kind is Kind.PROPORTION:
        whole = np.rint(size[ok])
        dist = stats.binom(whole, target)
    else:
        whole = size[ok]
        dist = stats.poisson(whole * target)
    r = dist.ppf(p)
    upper = dist.cdf(r)
    lower = dist.cdf(r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(upper > lower, (upper - p) / (upper - lower), 0.0)
    out[ok] = (r - alpha) / whole
    return out


def z_scores(kind: Kind, y: ArrayLike, n: ArrayLike, target: float) -> NDArray[np.float64]:
    """Each unit's z-score against the target on the normal approximation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.asarray(y, float) - target) / np.sqrt(_variance(kind, target) / np.asarray(n, float))


def winsorised(z: ArrayLike, share: float = WINSOR) -> NDArray[np.float64]:
    """z with the lowest and highest ``share`` pulled in to the ``share`` and 1 - ``share`` percentiles."""
    values = np.asarray(z, float)
    low, high = np.percentile(values, [100 * share, 100 * (1 - share)])
    clipped: NDArray[np.float64] = np.clip(values, low, high)
    return clipped


@dataclass(frozen=True)
class Dispersion:
    """The over-dispersion estimate: phi (1 under chance alone), whether it is significant, and tau^2."""

    phi: float
    over_dispersed: bool
    tau2: float
    units: int


def dispersion(kind: Kind, y: ArrayLike, n: ArrayLike, target: float) -> Dispersion:
    """phi from winsorised z-scores, the chi-squared test, and the DerSimonian-Laird tau^2 (QSHC 2005)."""
    from scipy import stats

    size = np.asarray(n, float)
    if _variance(kind, target) <= 0:  # every unit at 0 (or every one at 100 %): no spread to estimate
        return Dispersion(1.0, False, 0.0, len(size))
    z = winsorised(z_scores(kind, y, size, target))
    units = len(z)
    phi = float(np.mean(z**2)) if units else 1.0
    over = units > 1 and units * phi > stats.chi2.ppf(0.95, units - 1)
    weights = size / _variance(kind, target)
    spread = float(weights.sum() - (weights**2).sum() / weights.sum()) if units else 0.0
    tau2 = max(0.0, (units * phi - (units - 1)) / spread) if spread > 0 else 0.0
    return Dispersion(phi, bool(over), tau2, units)


@dataclass(frozen=True)
class Funnel:
    """A funnel for one indicator: the target, the adjustment used, and each unit's position."""

    kind: Kind
    target: float
    adjustment: Adjustment
    dispersion: Dispersion
    value: NDArray[np.float64]
    z: NDArray[np.float64]  # against the limits in use (adjusted when an adjustment is used)
    beyond_95: NDArray[np.bool_]
    beyond_998: NDArray[np.bool_]
    target_from: str = "all units pooled"  # said on the chart: where the centre line came from

    def limits(self, n: ArrayLike, level: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The lower and upper limits at sizes ``n`` for ``level`` ('95%' or '99.8%')."""
        low_p, high_p = LIMITS[level]
        size = np.asarray(n, float)
        if self.adjustment is Adjustment.NONE:
            low, high = (
                exact_limit(self.kind, self.target, size, low_p),
                exact_limit(self.kind, self.target, size, high_p),
            )
        else:
            with np.errstate(divide="ignore"):
                var = _variance(self.kind, self.target) / size
            if self.adjustment is Adjustment.MULTIPLICATIVE:
                se = np.sqrt(self.dispersion.phi * var)
            else:
                se = np.sqrt(var + self.dispersion.tau2)
            from scipy import stats

            zp = stats.norm.ppf(high_p)
            low, high = self.target - zp * se, self.target + zp * se
        if self.kind is Kind.PROPORTION:
            return np.clip(low, 0, 1), np.clip(high, 0, 1)
        return np.clip(low, 0, None), high

    @property
    def adjustment_label(self) -> str:
        """The limits' method in a few words, for the chart's subtitle."""
        if self.adjustment is Adjustment.NONE:
            return "exact " + ("binomial" if self.kind is Kind.PROPORTION else "Poisson") + " limits, not adjusted"
        if self.adjustment is Adjustment.MULTIPLICATIVE:
            return f"limits adjusted for over-dispersion: multiplicative, phi = {self.dispersion.phi:.2f}"
        return (
            f"limits adjusted for over-dispersion: additive random effects, tau = {np.sqrt(self.dispersion.tau2):.3g}"
        )

    @property
    def statement(self) -> str:
        """What the chart says about its limits."""
        return self.statement_per()

    def statement_per(self, per: int = 1, unit: str = "") -> str:
        """What the chart says about its limits, the target read as the chart reads it: ``per`` (1,000 bed days)
        with its ``unit`` for a rate."""
        d = self.dispersion
        target = f"{self.target * per:.3g}" + (f" {unit}" if unit else "")
        base = (
            f"Target {target} ({self.target_from}); limits at 95 % and 99.8 % "
            "(Spiegelhalter, Statistics in Medicine 2005)"
        )
        if self.adjustment is Adjustment.NONE:
            tail = "exact " + ("binomial" if self.kind is Kind.PROPORTION else "Poisson") + " limits"
            if d.over_dispersed:
                return f"{base}, {tail}; over-dispersed (phi = {d.phi:.2f}) but not adjusted."
            return f"{base}, {tail}; no over-dispersion found (phi = {d.phi:.2f}, {d.units} units)."
        if self.adjustment is Adjustment.MULTIPLICATIVE:
            how = f"multiplicative over-dispersion adjustment, phi = {d.phi:.2f}"
        else:
            how = f"additive random-effects adjustment, tau = {np.sqrt(d.tau2):.3g} (phi = {d.phi:.2f})"
        return f"{base}; {how}, from 10 % winsorised z-scores (Spiegelhalter, QSHC 2005)."


def funnel(
    kind: Kind,
    numerator: ArrayLike,
    denominator: ArrayLike,
    adjustment: Adjustment | None = None,
    centre: tuple[float, str] | None = None,
) -> Funnel:
    """A funnel of the units given; ``adjustment`` None: additive random effects when over-dispersed, else none.

    The target is the units' pooled value unless ``centre`` gives one with where it came from: when disclosure
    control has withheld some units, the units left are not a fair sample (a ward with 1 to 7 falls is withheld, one
    with 0 or 12 is not), and the centre line must come from totals that include the withheld units.
    """
    num, den = np.asarray(numerator, float), np.asarray(denominator, float)
    keep = den > 0
    if not keep.any():
        raise ValueError("a funnel needs at least one unit with a denominator above zero")
    pooled = (float(num[keep].sum() / den[keep].sum()), "all units pooled")
    target_value, target_from = centre if centre is not None else pooled
    if not np.isfinite(target_value) or target_value < 0 or (kind is Kind.PROPORTION and target_value > 1):
        raise ValueError(f"a funnel's target must be a rate of 0 or more (a proportion up to 1), got {target_value}")
    target = float(target_value)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(keep, num / den, np.nan)
    disp = dispersion(kind, value[keep], den[keep], target)
    chosen = adjustment or (Adjustment.ADDITIVE if disp.over_dispersed else Adjustment.NONE)
    none = np.zeros(len(num), bool)
    made = Funnel(kind, target, chosen, disp, value, np.full(len(num), np.nan), none, none, target_from)
    flags = {}
    for level in LIMITS:
        low, high = made.limits(den, level)
        flags[level] = keep & ((value < low) | (value > high))
    var = _variance(kind, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        if chosen is Adjustment.NONE:
            z = (value - target) / np.sqrt(var / den)
        elif chosen is Adjustment.MULTIPLICATIVE:
            z = (value - target) / np.sqrt(disp.phi * var / den)
        else:
            z = (value - target) / np.sqrt(var / den + disp.tau2)
    return Funnel(
        kind, target, chosen, disp, value, np.where(keep, z, np.nan), flags["95%"], flags["99.8%"], target_from
    )
