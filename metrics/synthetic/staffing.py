"""Rosters: planned and actual nurses per ward, shift and staff group.

Why this exists: the fill-rate tiles need planned numbers from the ward's ratios and actual numbers
that fall short more often on a weaker ward and at night.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from metrics.synthetic.clock import DAY, epoch_days
from metrics.synthetic.encounters import World


def simulate_staffing(rng: np.random.Generator, world: World, first: date, last: date) -> dict[str, np.ndarray]:
    """Planned and actual staff per ward, day, shift (day, night) and group from ``first`` to ``last``."""
    wards = world.wards
    days = np.arange(epoch_days(first), epoch_days(last) + 1)
    w, d, s, g = (a.ravel() for a in np.meshgrid(np.arange(wards.n), days, [0, 1], [0, 1], indexing="ij"))
    beds = wards.beds[w].astype(float)
    reg = np.array([p.reg_ratio for p in wards.profile])[w, s]
    unreg = np.array([p.unreg_ratio for p in wards.profile])[w, s]
    planned = np.where(g == 0, np.maximum(2, np.ceil(beds / reg)), np.maximum(1, np.ceil(beds / unreg)))
    q = world.q(w, d * DAY)
    u = rng.random(len(w))
    p1 = np.clip(0.13 * np.exp(0.6 * q) * np.where(s == 1, 1.3, 1.0), 0.02, 0.55)
    p2 = np.clip(0.035 * np.exp(0.8 * q), 0.003, 0.25)
    over = 0.04
    short = np.where(u < p2, 2, np.where(u < p2 + p1, 1, 0))
    extra = (u > 1 - over).astype(float)
    actual = np.maximum(planned - short + extra, 0)
    return {
        "ward_code": wards.code[w],
        "shift_date": d,
        "shift": np.where(s == 0, "day", "night").astype(object),
        "staff_group": np.where(g == 0, "registered", "unregistered").astype(object),
        "planned": planned,
        "actual": actual,
    }

