"""Blood results: creatinine (for AKI), potassium and CRP, in hospital and from a year of history.

Why this exists: the AKI rule compares today's creatinine with a baseline, so each patient needs a
baseline, results from before admission (GP and clinics) and AKI episodes on admission or arising in
hospital. A few creatinines come in mg/dL, as some laboratories report them.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.arrays import expand
from metrics.synthetic.clock import DAY, HOUR, MINUTE, to_minute
from metrics.synthetic.encounters import World
from metrics.synthetic.severity import Severity

def simulate_labs(
    rng: np.random.Generator, world: World, sev: Severity, stays: np.ndarray, t_to: int
) -> dict[str, np.ndarray]:
    """Every blood result of the patients of ``stays`` up to ``t_to``, earlier history included."""
    pats = np.unique(world.e_pat[stays])
    all_stays = np.flatnonzero(np.isin(world.e_pat, pats))  # earlier stays of these patients too
    n_p = len(world.p_age)
    age = world.p_age
    sex = world.p_sex
    # per patient baseline creatinine (umol/L)
    u = rng.standard_normal(n_p)
    base = np.where(sex == "M", 84.0, 67.0) * np.exp(0.17 * u) * np.where(age >= 75, 1.1, 1.0)
    base = np.where(age < 18, 25 + 3.2 * age, base) * np.where(age < 18, np.exp(0.1 * u), 1.0)
    ckd = (age >= 50) & (rng.random(n_p) < 0.09)
    base = np.where(ckd, base * rng.uniform(1.6, 3.6, n_p), base)
    has_history = rng.random(n_p) < np.where(age < 18, 0.35, np.where(age < 40, 0.75, 0.9))
    first_admit = np.full(n_p, np.iinfo(np.int64).max)
    np.minimum.at(first_admit, world.e_pat, world.e_admit)
    # AKI episodes per stay: 1.5x, 2x or 3x baseline, on admission or arising in hospital
    n_e = len(world.e_admit)
    kind = world.wards.kind[world.e_ward]
    spec = world.wards.specialty[world.e_ward]
    p_aki = np.select(
        [
            spec == "renal medicine",
            kind == "critical",
            kind == "elderly",
            np.isin(kind, ["maternity", "paeds", "rehab"]),
        ],
        [0.32, 0.32, 0.2, 0.02],
        0.15,
    )
    aki = rng.random(n_e) < p_aki
    stage = rng.choice(3, size=n_e, p=[0.62, 0.25, 0.13])
    ratio = np.array([1.5, 2.0, 3.0])[stage] * rng.uniform(1.04, 1.3, n_e)
    community = rng.random(n_e) < 0.6
    stay_h = (world.e_dis - world.e_admit) / HOUR
    rise = rng.uniform(24, 60, n_e) * HOUR
    plateau = rng.uniform(24, 96, n_e) * HOUR
    recover = rng.uniform(96, 240, n_e) * HOUR
    hospital_on = world.e_admit + (24 * HOUR + rng.random(n_e) * np.maximum(stay_h - 48, 0) * HOUR).astype(np.int64)
    aki_on = np.where(
        community, world.e_admit - rise.astype(np.int64) - (rng.random(n_e) * plateau).astype(np.int64), hospital_on
    )
    aki &= community | (stay_h >= 72)

    def factor(e: np.ndarray, t: np.ndarray) -> np.ndarray:
        x = (t - aki_on[e]).astype(float)
        up = x / rise[e]
        down = 1 - (x - rise[e] - plateau[e]) / recover[e]
        shape = np.clip(np.minimum(np.minimum(up, 1.0), down), 0.0, 1.0)
        multiplier: np.ndarray = 1 + np.where(aki[e], ratio[e] - 1, 0) * shape
        return multiplier

    sick = (sev.base + sev.a1 + sev.a2 > 0.45) | aki | (spec == "renal medicine") | (kind == "critical")
    p_daily = np.where(sick, 0.85, 0.3)
    # in-stay samples: one on admission, then morning bloods
    admit_sample = rng.random(len(all_stays)) < np.where(np.isin(kind[all_stays], ["paeds", "maternity"]), 0.6, 0.93)
    s_e = [all_stays[admit_sample]]
    s_t = [to_minute(world.e_admit[all_stays[admit_sample]] + rng.integers(10, 100, int(admit_sample.sum())) * MINUTE)]
    d0 = world.e_admit[all_stays] // DAY + 1
    d1 = np.minimum(world.e_dis[all_stays], t_to) // DAY
    owner, k = expand(np.maximum(d1 - d0 + 1, 0))
    e = all_stays[owner]
    t = to_minute((d0[owner] + k) * DAY + 6 * HOUR + rng.integers(0, 100, len(owner)) * MINUTE)
    in_aki = aki[e] & (t >= aki_on[e] - DAY) & (t <= aki_on[e] + (rise[e] + plateau[e] + recover[e]).astype(np.int64))
    keep = (
        (t > world.e_admit[e] + 4 * HOUR)
        & (t < world.e_dis[e])
        & (t <= t_to)
        & (rng.random(len(e)) < np.where(in_aki, 0.95, p_daily[e]))
    )
    s_e.append(e[keep])
    s_t.append(t[keep])
    stay_e = np.concatenate(s_e)
    stay_t = np.concatenate(s_t)
    # history before the first admission: a few results a year from GP and clinics
    hp = pats[has_history[pats]]
    n_hist = 1 + rng.poisson(np.where(ckd[hp], 5.0, 2.2))
    owner, _ = expand(n_hist)
    h_pat = hp[owner]
    h_t = to_minute(
        first_admit[h_pat] // DAY * DAY
        - rng.integers(2, 365, len(owner)) * DAY
        + rng.integers(9 * 60, 16 * 60, len(owner)) * MINUTE
    )
    # creatinine values
    pat = np.concatenate([h_pat, world.e_pat[stay_e]])
    when = np.concatenate([h_t, stay_t])
    from_stay = np.concatenate([np.full(len(h_pat), -1), stay_e])
    n = len(pat)
    f = np.ones(n)
    st = from_stay >= 0
    f[st] = factor(from_stay[st], when[st])
    creat = base[pat] * f * np.exp(0.05 * rng.standard_normal(n))
    mgdl = rng.random(n) < np.where(st, 0.01, 0.07)
    value = np.where(mgdl, np.round(creat / 88.42, 2), np.round(creat))
    unit = np.where(mgdl, "mg/dL", "umol/L").astype(object)
    # potassium with every creatinine; CRP with most hospital samples and some clinic ones
    s_now = np.zeros(n)
    inf_now = np.zeros(n)
    if st.any():
        s_now[st], inf_now[st] = sev.at(from_stay[st], when[st])
    potassium = np.round(np.clip(4.2 + 0.35 * rng.standard_normal(n) + 0.5 * (f - 1), 2.6, 7.2), 1)
    with_crp = rng.random(n) < np.where(st, 0.65, 0.2)
    crp = np.round(
        np.clip(
            np.exp(1.3 + 0.8 * rng.standard_normal(n))
            + 160 * inf_now * rng.uniform(0.5, 1.5, n)
            + 20 * np.clip(s_now - inf_now, 0, None),
            1,
            420,
        )
    )
    pats_all = np.concatenate([pat, pat, pat[with_crp]])
    times = np.concatenate([when, when, when[with_crp]])
    test = np.concatenate(
        [np.full(n, "creatinine", object), np.full(n, "potassium", object), np.full(int(with_crp.sum()), "crp", object)]
    )
    values = np.concatenate([value, potassium, crp[with_crp]])
    units = np.concatenate([unit, np.full(n, "mmol/L", object), np.full(int(with_crp.sum()), "mg/L", object)])
    rank = np.concatenate([np.zeros(n), np.ones(n), np.full(int(with_crp.sum()), 2)])
    order = np.lexsort((rank, times, pats_all))
    return {
        "_p": pats_all[order],
        "collected_at": times[order],
        "test": test[order],
        "value": values[order],
        "unit": units[order],
    }
