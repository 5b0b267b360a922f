"""Vital-sign observation sets: when they are taken and what they read.

Why this exists: NEWS2 and the late-observations tile need realistic sets. The frequency follows the
stay's severity (hourly when very unwell) and the ward's routine; a weaker ward is late more often; about
3% of sets miss one parameter; patients with COPD are on SpO2 scale 2.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.arrays import masked
from metrics.synthetic.clock import HOUR, MINUTE, NONE, to_minute
from metrics.synthetic.encounters import World
from metrics.synthetic.severity import Severity


def simulate_observations(
    rng: np.random.Generator, world: World, sev: Severity, stays: np.ndarray, t_from: int, t_to: int
) -> dict[str, np.ndarray]:
    """Every observation set of ``stays`` between ``t_from`` and ``t_to`` (wall seconds), by stay then time."""
    admit, dis = world.e_admit[stays], world.e_dis[stays]
    start = np.where(
        admit >= t_from,
        admit + rng.integers(5, 45, len(stays)) * MINUTE,
        t_from + rng.integers(0, 8 * 60, len(stays)) * MINUTE,
    )
    end = np.minimum(dis, t_to)
    routine_sets = [world.wards.profile[w].obs_hours for w in world.e_ward[stays]]
    routine = np.array(
        [r[int(k * len(r))] for r, k in zip(routine_sets, rng.random(len(stays)), strict=True)], dtype=float
    )
    active = np.flatnonzero(start <= end)
    t = start[active]
    out_i, out_t = [], []
    while len(active):
        out_i.append(active)
        out_t.append(t)
        e = stays[active]
        s, _ = sev.at(e, t)
        n = len(active)
        interval = np.where(
            s >= 0.8,
            rng.uniform(0.5, 1.0, n),
            np.where(
                s >= 0.45,
                rng.uniform(0.8, 1.5, n),
                np.where(s >= 0.22, np.minimum(routine[active], rng.uniform(4.0, 6.0, n)), routine[active]),
            ),
        )
        interval *= rng.uniform(0.9, 1.1, n)
        p_late = np.clip(0.05 * np.exp(0.6 * world.q(world.e_ward[e], t)), 0.005, 0.35)
        late = rng.random(n) < p_late
        interval = np.where(
            late,
            np.where(interval < 2, interval * rng.uniform(1.5, 2.5, n), interval + rng.uniform(1.5, 5.0, n)),
            interval,
        )
        t = to_minute(t + (interval * HOUR).astype(np.int64) + rng.integers(-5, 6, n) * MINUTE)
        keep = t <= end[active]
        active, t = active[keep], t[keep]
    idx = np.concatenate(out_i) if out_i else np.empty(0, np.int64)
    when = np.concatenate(out_t) if out_t else np.empty(0, np.int64)
    e = stays[idx]
    n = len(e)
    s, inf = sev.at(e, when)
    s = np.maximum(s, 0)
    # per-stay personal baselines
    hr_off = (8 * rng.standard_normal(len(stays)))[idx]
    sbp_off = (14 * rng.standard_normal(len(stays)))[idx]
    rr_off = rng.normal(0, 0.8, len(stays))[idx]
    age = world.p_age[world.e_pat[e]]
    child = age < 16
    rr = 15.5 + rr_off + 11 * s + 1.3 * rng.standard_normal(n) + np.where(child, 6 * (1 - age / 16), 0)
    hr = 76 + hr_off + 42 * s + 12 * inf + 7 * rng.standard_normal(n) + np.where(child, 40 * (1 - age / 16), 0)
    sbp = 128 + sbp_off - 34 * s + 11 * rng.standard_normal(n) - np.where(child, 25 * (1 - age / 16), 0)
    copd = sev.copd[e]
    spo2 = np.where(copd, 91 - 4 * s + 1.3 * rng.standard_normal(n), 97.2 - 7 * s + 1.1 * rng.standard_normal(n))
    p_o2 = 1 / (1 + np.exp(-(s - 0.62) / 0.1))
    on_o2 = (rng.random(n) < np.where(copd, np.maximum(p_o2, 0.35), p_o2)) | (
        world.wards.kind[world.e_ward[e]] == "critical"
    ) & (s > 0.45)
    spo2 = np.where(on_o2 & ~copd, spo2 + 2.0, spo2)
    temp = 36.75 + 0.3 * rng.standard_normal(n) + 2.0 * inf + 0.3 * (s - inf).clip(0)
    p_conf = np.clip((s - 0.75) * 1.1, 0, 0.8) + np.where(age >= 85, 0.02, 0)
    conf = rng.random(n) < p_conf
    v = conf & (s > 1.1) & (rng.random(n) < 0.35)
    acvpu = np.where(v, "V", np.where(conf, "C", "A")).astype(object)
    rr = np.clip(np.round(rr), 6, 45).astype(np.int64)
    hr = np.clip(np.round(hr), 35, 185).astype(np.int64)
    sbp = np.clip(np.round(sbp), 62, 230).astype(np.int64)
    spo2 = np.clip(np.round(spo2), 72, 100).astype(np.int64)
    temp = np.round(np.clip(temp, 34.5, 41.0), 1)
    # about 3% of sets miss one parameter
    incomplete = rng.random(n) < 0.03
    which = rng.choice(6, size=n, p=[0.15, 0.15, 0.2, 0.1, 0.3, 0.1])
    miss = {
        name: incomplete & (which == k)
        for k, name in enumerate(
            ["respiratory_rate", "spo2", "systolic_bp", "heart_rate", "temperature_c", "consciousness"]
        )
    }
    order = np.lexsort((when, e))
    return {
        "_e": e[order],
        "taken_at": when[order],
        "respiratory_rate": masked(rr, miss["respiratory_rate"])[order],
        "spo2": masked(spo2, miss["spo2"])[order],
        "spo2_scale": np.where(copd, 2, 1)[order],
        "on_oxygen": on_o2[order],
        "systolic_bp": masked(sbp, miss["systolic_bp"])[order],
        "heart_rate": masked(hr, miss["heart_rate"])[order],
        "consciousness": np.where(miss["consciousness"], NONE, acvpu)[order],
        "temperature_c": np.where(miss["temperature_c"], np.nan, temp)[order],
    }

