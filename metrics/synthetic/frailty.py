"""Clinical Frailty Scale scores for the synthetic stays, recorded on some wards more reliably than on others.

Why this exists: the system view compares trusts and wards on how often a frailty score is recorded for
patients aged 65 and over (NHS England's acute frailty guidance: assess everyone 65 and over on admission
with the Clinical Frailty Scale), and a synthetic system must differ between wards in a way a funnel plot
can find. Each ward records a score for a stay of a patient 65 and over with its own probability
(``recorded_share``, one per ward); the score rises with age (Rockwood CFS version 2.0: 1 very fit to 9
terminally ill). Draws come from a stream of their own, so the other simulated rows do not change.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.clock import NA
from metrics.synthetic.encounters import World

FRAILTY_FROM_AGE = 65


def typical_recorded_share(
    rng: np.random.Generator, n_wards: int, level: float = 0.85, spread: float = 0.02
) -> np.ndarray:
    """One recording probability per ward around ``level``: ``spread`` is the wards' standard deviation."""
    return np.clip(level + spread * rng.standard_normal(n_wards), 0.05, 0.99)


def simulate_frailty(rng: np.random.Generator, world: World, recorded_share: np.ndarray) -> np.ndarray:
    """Per stay: the CFS score (1 to 9) recorded in the stay, or NA (not assessed, or under 65)."""
    if len(recorded_share) != world.wards.n:
        raise ValueError(f"recorded_share needs one value per ward ({world.wards.n}), got {len(recorded_share)}")
    n = len(world.e_ward)
    age = world.p_age[world.e_pat].astype(float)
    draw = rng.random(n)
    noise = rng.standard_normal(n)
    recorded = (age >= FRAILTY_FROM_AGE) & (draw < np.asarray(recorded_share, float)[world.e_ward])
    score = np.clip(np.rint(2.6 + (age - FRAILTY_FROM_AGE) / 9.0 + 1.4 * noise), 1, 9).astype(np.int64)
    return np.where(recorded, score, NA)
