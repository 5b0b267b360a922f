"""How ill each stay is over time: one curve that vital signs, bloods, flags and antibiotics all follow.

Why this exists: a patient who deteriorates should show it everywhere at once (NEWS2 rising, CRP up, a
sepsis flag, antibiotics started), so the tiles agree with each other. Each stay has a baseline and up to
two episodes: one present on admission and resolving, one arising during the stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.synthetic.clock import HOUR
from metrics.synthetic.encounters import World


@dataclass
class Severity:
    """Per stay: the baseline and the two episodes' shapes; ``at`` gives severity at any time."""

    base: np.ndarray
    a1: np.ndarray  # admission episode amplitude (0 = none)
    pk1: np.ndarray  # hours from admission to its peak
    r1: np.ndarray  # hours from peak to resolved
    inf1: np.ndarray  # infection?
    a2: np.ndarray  # in-stay episode amplitude (0 = none)
    on2: np.ndarray  # wall time it starts
    ramp2: np.ndarray
    plat2: np.ndarray
    res2: np.ndarray
    inf2: np.ndarray
    copd: np.ndarray  # SpO2 scale 2
    admit: np.ndarray

    def at(self, e: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(severity, infection component) of stays ``e`` at wall times ``t``."""
        dt = (t - self.admit[e]) / HOUR
        pk, r = self.pk1[e], self.r1[e]
        f1 = np.where(dt < pk, 0.75 + 0.25 * dt / np.maximum(pk, 0.1), np.clip(1.0 - (dt - pk) / r, 0.0, 1.0))
        c1 = self.a1[e] * np.clip(f1, 0.0, 1.0)
        x = (t - self.on2[e]) / HOUR
        up = x / self.ramp2[e]
        down = (self.ramp2[e] + self.plat2[e] + self.res2[e] - x) / self.res2[e]
        c2 = self.a2[e] * np.clip(np.minimum(np.minimum(up, 1.0), down), 0.0, 1.0)
        return self.base[e] + c1 + c2, self.inf1[e] * c1 + self.inf2[e] * c2


def simulate_severity(rng: np.random.Generator, world: World) -> Severity:
    """Draw each stay's baseline and episodes, more and worse on acute, elderly and critical care wards."""
    n = len(world.e_admit)
    kind = world.wards.kind[world.e_ward]
    acuity = np.array([p.acuity for p in world.wards.profile])[world.e_ward]
    u = rng.random(n)
    base = np.where(
        u < 0.72, rng.uniform(0.0, 0.14, n), np.where(u < 0.93, rng.uniform(0.1, 0.26, n), rng.uniform(0.22, 0.36, n))
    )
    base = base + acuity
    base = np.where(np.isin(kind, ["maternity", "paeds", "rehab"]), base * 0.6, base)
    admit, dis = world.e_admit, world.e_dis
    stay_h = (dis - admit) / HOUR
    # episode present on admission, resolving over one to four days
    p1 = np.select(
        [kind == "medical", kind == "elderly", kind == "critical", kind == "surgical", kind == "paeds"],
        [0.38, 0.32, 0.6, 0.16, 0.25],
        0.08,
    )
    has1 = rng.random(n) < p1
    a1 = np.where(has1, rng.uniform(0.1, 0.62, n), 0.0)
    pk1 = rng.uniform(0.0, 8.0, n)
    r1 = np.minimum(rng.uniform(24, 96, n), np.maximum(stay_h - pk1 - 6, 6))
    inf1 = (rng.random(n) < 0.55).astype(float)
    # episode arising during the stay: more likely the longer the stay
    p2 = 1 - np.exp(-0.035 * stay_h / 24)
    p2 = np.where(
        kind == "critical", np.minimum(1, p2 * 2.5), np.where(np.isin(kind, ["maternity", "rehab"]), p2 * 0.4, p2)
    )
    ramp2, plat2, res2 = rng.uniform(6, 36, n), rng.uniform(2, 30, n), rng.uniform(24, 96, n)
    total = ramp2 + plat2 + res2
    avail = stay_h - 24
    has2 = (rng.random(n) < p2) & (avail >= 24)
    shrink = np.minimum(1.0, np.maximum(avail, 1) / total)
    ramp2, plat2, res2 = ramp2 * shrink, plat2 * shrink, res2 * shrink
    total = ramp2 + plat2 + res2
    on2 = admit + 12 * HOUR + (rng.random(n) * np.maximum(avail - total, 0) * HOUR).astype(np.int64)
    a2 = np.where(has2, 0.25 + 0.95 * rng.beta(1.3, 3.0, n), 0.0)
    inf2 = (rng.random(n) < 0.5).astype(float)
    age = world.p_age[world.e_pat]
    spec = world.wards.specialty[world.e_ward]
    copd = (age >= 45) & (
        rng.random(n)
        < np.where(spec == "respiratory", 0.12, np.where(np.isin(kind, ["medical", "elderly"]), 0.02, 0.004))
    )
    return Severity(
        base,
        a1,
        pk1,
        np.maximum(r1, 1.0),
        inf1,
        a2,
        on2,
        np.maximum(ramp2, 0.5),
        plat2,
        np.maximum(res2, 0.5),
        inf2,
        copd,
        admit,
    )

