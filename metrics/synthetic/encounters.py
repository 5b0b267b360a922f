"""Beds, admissions, discharges and patients: who is in which bed on each simulated day.

Why this exists: every other table hangs off a stay. Each ward keeps 85-100% of its funded beds occupied
at 07:30 (a target drawn per ward, wobbling day to day); patients keep their bed, encounter_id and
patient_id from admission to discharge; lengths of stay are log-normal; about 5% of admissions are
readmissions to the same ward within 30 days. A per-ward quality score (higher is worse) drives the
late obs, missed doses, short shifts and harms simulated elsewhere; two wards change part-way through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from metrics.synthetic.arrays import lognormal_median, rank_in_sorted_groups
from metrics.synthetic.clock import DAY, EXTRACT_MINUTE_OF_DAY, HOUR, MINUTE, LondonClock, epoch_days, to_minute
from metrics.synthetic.wards import Profile, Wards

READMIT_WITHIN_DAYS = 30
READMIT_RATE = 0.05

@dataclass
class World:
    """The simulated trust: its wards, days and per-ward quality, and every stay and patient as columns."""

    wards: Wards
    clock: LondonClock
    days: list[date]  # simulated days; the last len(extract_days) are extracted
    extract_days: list[date]
    t_wall: np.ndarray  # 07:30 wall time of each simulated day
    quality: np.ndarray  # [ward, day]: higher is worse; drives late obs, missed doses, short shifts...
    # encounters
    e_ward: np.ndarray
    e_bed: np.ndarray
    e_pat: np.ndarray
    e_admit: np.ndarray  # wall seconds
    e_dis: np.ndarray  # wall seconds (planned; in the future for stays still open at the end)
    e_readmit: np.ndarray
    # patients
    p_age: np.ndarray
    p_sex: np.ndarray  # object
    # derived
    e_id: np.ndarray = field(default_factory=lambda: np.empty(0, object))  # 'E00054321', set by assign_identifiers
    p_id: np.ndarray = field(default_factory=lambda: np.empty(0, object))  # 'P0012345'
    p_imd_decile: np.ndarray = field(default_factory=lambda: np.empty(0))  # NaN: not known (metrics.synthetic.equity)
    p_ethnic_category: np.ndarray = field(default_factory=lambda: np.empty(0, object))

    def day_index(self, wall: np.ndarray) -> np.ndarray:
        day0 = epoch_days(self.days[0])
        return np.clip(np.asarray(wall, dtype=np.int64) // DAY - day0, 0, len(self.days) - 1)

    def q(self, ward: np.ndarray, wall: np.ndarray) -> np.ndarray:
        quality: np.ndarray = self.quality[ward, self.day_index(wall)]
        return quality


def ward_quality(rng: np.random.Generator, wards: Wards, n_days: int, change_day: int | None) -> np.ndarray:
    """[ward, day] quality (higher is worse): a fixed level, a slow wander, and the two wards that change."""
    base = 0.8 * rng.standard_normal(wards.n)
    # a slowly wandering component, so good weeks and bad weeks happen
    walk = np.cumsum(0.06 * rng.standard_normal((wards.n, n_days)), axis=1)
    walk -= walk.mean(axis=1, keepdims=True)
    quality = base[:, None] + np.clip(walk, -0.5, 0.5)
    if change_day is not None:
        ramp = np.clip((np.arange(n_days) - change_day) / 10.0, 0.0, 1.0)
        quality[wards.base == 3 % max(1, wards.base.max() + 1)] -= 1.3 * ramp  # the 4th ward gets better
        if wards.base.max() >= 11:
            quality[wards.base == 11] += 1.3 * ramp  # the 12th ward gets worse
    return quality


def _ages(rng: np.random.Generator, profiles: list[Profile]) -> np.ndarray:
    n = len(profiles)
    kind = np.array([p.kind for p in profiles], dtype=object)
    mu = np.array([p.age[0] for p in profiles], dtype=float)
    sd = np.array([p.age[1] for p in profiles], dtype=float)
    age = np.clip(mu + sd * rng.standard_normal(n), 18, 99)
    paeds = kind == "paeds"
    age = np.where(paeds, np.floor(17.99 * rng.beta(0.7, 1.4, n)), age)
    maternity = kind == "maternity"
    age = np.where(maternity, np.clip(mu + sd * rng.standard_normal(n), 18, 45), age)
    elderly = (kind == "elderly") & (mu >= 80)
    age = np.where(elderly, np.clip(75 + rng.gamma(2.0, 4.0, n), 75, 103), age)
    return np.floor(age).astype(np.int64)


def _sexes(rng: np.random.Generator, profiles: list[Profile], specialties: list[str]) -> np.ndarray:
    n = len(profiles)
    u = rng.random(n)
    sex = np.where(u < 0.003, "U", np.where(u < 0.49, "M", "F")).astype(object)
    female_only = np.array(
        [p.kind == "maternity" or s.lower() == "gynaecology" for p, s in zip(profiles, specialties, strict=True)],
        dtype=bool,
    )
    sex[female_only] = "F"
    return sex


def _snap_discharge(rng: np.random.Generator, raw_wall: np.ndarray, not_before: np.ndarray) -> np.ndarray:
    """Move a planned discharge to a plausible time of day (mostly 11:00-18:00) on its date, after ``not_before``."""
    n = len(raw_wall)
    hour = np.clip(14.5 + 2.4 * rng.standard_normal(n), 9.0, 21.5)
    day = np.asarray(raw_wall, dtype=np.int64) // DAY
    out = to_minute(day * DAY + (hour * HOUR).astype(np.int64))
    late = out <= not_before
    out = np.where(late, to_minute((np.asarray(not_before) // DAY) * DAY + (hour * HOUR).astype(np.int64)), out)
    late = out <= not_before
    return np.where(late, out + DAY, out)


def simulate_beds(
    rng: np.random.Generator,
    wards: Wards,
    clock: LondonClock,
    sim_days: list[date],
    extract_days: list[date],
    change_day: int | None,
) -> World:
    """Admissions and discharges day by day, keeping each ward at its target occupancy at 07:30."""
    n_days = len(sim_days)
    t_wall = np.array([epoch_days(d) * DAY + EXTRACT_MINUTE_OF_DAY * MINUTE for d in sim_days], dtype=np.int64)
    quality = ward_quality(rng, wards, n_days + 2, change_day)
    n_beds = int(wards.beds.sum())
    cap = n_beds * (n_days + 1) + 16
    e_ward = np.empty(cap, np.int64)
    e_bed = np.empty(cap, np.int64)
    e_pat = np.empty(cap, np.int64)
    e_admit = np.empty(cap, np.int64)
    e_dis = np.empty(cap, np.int64)
    e_readmit = np.zeros(cap, bool)
    p_age = np.empty(cap, np.int64)
    p_sex = np.empty(cap, object)
    p_in = np.zeros(cap, bool)
    ne = npat = 0

    occupancy_mean = rng.uniform(0.88, 0.97, wards.n)
    los_median = np.array([p.los_days for p in wards.profile])
    los_factor = 1.2 * np.exp(
        0.12 * rng.standard_normal(wards.n)
    )  # the medians above are per specialty; whole-trust median about 4 days

    def targets() -> np.ndarray:
        occ = np.clip(occupancy_mean + 0.025 * rng.standard_normal(wards.n), 0.85, 1.0)
        return np.clip(
            np.round(wards.beds * occ).astype(np.int64), np.ceil(wards.beds * 0.85).astype(np.int64), wards.beds
        )

    def new_patients(ward_idx: np.ndarray) -> np.ndarray:
        nonlocal npat
        profs = [wards.profile[w] for w in ward_idx]
        ids = np.arange(npat, npat + len(ward_idx))
        p_age[ids] = _ages(rng, profs)
        p_sex[ids] = _sexes(rng, profs, [wards.specialty[w] for w in ward_idx])
        npat += len(ward_idx)
        return ids

    def add(
        ward_idx: np.ndarray, bed: np.ndarray, pat: np.ndarray, admit: np.ndarray, dis: np.ndarray, readmit: np.ndarray
    ) -> np.ndarray:
        nonlocal ne
        sl = slice(ne, ne + len(ward_idx))
        e_ward[sl], e_bed[sl], e_pat[sl], e_admit[sl], e_dis[sl], e_readmit[sl] = (
            ward_idx,
            bed,
            pat,
            admit,
            dis,
            readmit,
        )
        p_in[pat] = True
        ne += len(ward_idx)
        return np.arange(sl.start, sl.stop)

    # --- day 0: wards already at their target occupancy; stays began some time ago
    bed_occ = np.zeros(n_beds, bool)
    bed_free_since = np.full(n_beds, t_wall[0] - 2 * DAY, np.int64)
    target = targets()
    keys = rng.random(n_beds)
    order = np.lexsort((keys, wards.bed_ward))
    rank = rank_in_sorted_groups(wards.bed_ward[order])
    beds0 = order[rank < target[wards.bed_ward[order]]]
    w0 = wards.bed_ward[beds0]
    los = lognormal_median(rng, los_median[w0] * los_factor[w0], 0.85) * DAY
    elapsed = rng.random(len(beds0)) * los
    admit0 = to_minute(t_wall[0] - elapsed.astype(np.int64) - rng.integers(0, 3 * HOUR, len(beds0)))
    dis0 = _snap_discharge(rng, admit0 + los.astype(np.int64), np.full(len(beds0), t_wall[0]))
    by_time = np.argsort(admit0, kind="stable")
    beds0, w0, admit0, dis0 = beds0[by_time], w0[by_time], admit0[by_time], dis0[by_time]
    cur = add(w0, beds0, new_patients(w0), admit0, dis0, np.zeros(len(beds0), bool))
    bed_occ[beds0] = True
    recent_discharges: list[np.ndarray] = []  # encounter indices discharged per day, last READMIT_WITHIN_DAYS days

    for i in range(1, n_days):
        t_prev, t_now = t_wall[i - 1], t_wall[i]
        leaving = e_dis[cur] <= t_now
        gone = cur[leaving]
        bed_occ[e_bed[gone]] = False
        bed_free_since[e_bed[gone]] = e_dis[gone]
        p_in[e_pat[gone]] = False
        recent_discharges = (recent_discharges + [gone])[-READMIT_WITHIN_DAYS:]
        cur = cur[~leaving]
        census = np.bincount(e_ward[cur], minlength=wards.n)
        n_adm = np.clip(targets() - census, 0, None)
        free = np.flatnonzero(~bed_occ)
        order = np.lexsort((rng.random(len(free)), bed_free_since[free], wards.bed_ward[free]))
        free = free[order]
        fw = wards.bed_ward[free]
        chosen = free[rank_in_sorted_groups(fw) < n_adm[fw]]
        if len(chosen) == 0:
            continue
        cw = wards.bed_ward[chosen]
        lo = np.maximum(bed_free_since[chosen] + rng.integers(1 * HOUR, 4 * HOUR, len(chosen)), t_prev + 5 * MINUTE)
        hi = np.full(len(chosen), t_now - 10 * MINUTE)
        lo = np.minimum(lo, hi - 20 * MINUTE)
        admit = to_minute(lo + ((hi - lo) * rng.random(len(chosen)) ** 0.8).astype(np.int64))
        # readmissions: patients discharged from the same ward in the last 30 days, not in hospital now
        pat = np.full(len(chosen), -1, np.int64)
        readmit = np.zeros(len(chosen), bool)
        pool = np.concatenate(recent_discharges) if recent_discharges else np.empty(0, np.int64)
        pool = pool[~p_in[e_pat[pool]]]
        if len(pool):
            _, first = np.unique(e_pat[pool], return_index=True)
            pool = pool[np.sort(first)]
            want = rng.binomial(np.bincount(cw, minlength=wards.n), READMIT_RATE)
            pw = e_ward[pool]
            pord = np.lexsort((rng.random(len(pool)), pw))
            pool, pw = pool[pord], pw[pord]
            picked = pool[rank_in_sorted_groups(pw) < want[pw]]
            got = np.bincount(e_ward[picked], minlength=wards.n)
            take = rank_in_sorted_groups(cw) < got[cw]  # chosen beds are sorted by ward already
            pat[take] = e_pat[picked]
            readmit[take] = True
        fresh = pat < 0
        pat[fresh] = new_patients(cw[fresh])
        los = lognormal_median(rng, los_median[cw] * los_factor[cw], 0.85) * DAY
        dis = _snap_discharge(rng, admit + los.astype(np.int64), np.full(len(chosen), t_now))
        by_time = np.argsort(admit, kind="stable")
        new = add(cw[by_time], chosen[by_time], pat[by_time], admit[by_time], dis[by_time], readmit[by_time])
        bed_occ[chosen] = True
        cur = np.concatenate([cur, new])

    # The setting, then the stays (trimmed to those made), then the patients.
    return World(
        wards=wards, clock=clock, days=sim_days, extract_days=extract_days, t_wall=t_wall, quality=quality,
        e_ward=e_ward[:ne], e_bed=e_bed[:ne], e_pat=e_pat[:ne], e_admit=e_admit[:ne], e_dis=e_dis[:ne],
        e_readmit=e_readmit[:ne], p_age=p_age[:npat], p_sex=p_sex[:npat],
    )


def assign_identifiers(rng: np.random.Generator, world: World) -> None:
    """Give every stay an ``E00054321`` and every patient a ``P0012345``, numbered in order of admission."""
    n_e, n_p = len(world.e_admit), len(world.p_age)
    order = np.argsort(world.e_admit, kind="stable")
    numbers = 54000 + np.cumsum(rng.integers(1, 4, n_e))
    e_num = np.empty(n_e, np.int64)
    e_num[order] = numbers
    world.e_id = np.array([f"E{n:08d}" for n in e_num], dtype=object)
    first_admit = np.full(n_p, np.iinfo(np.int64).max)
    np.minimum.at(first_admit, world.e_pat, world.e_admit)
    p_order = np.argsort(first_admit, kind="stable")
    p_numbers = 12000 + np.cumsum(rng.integers(1, 25, n_p))
    p_num = np.empty(n_p, np.int64)
    p_num[p_order] = p_numbers
    world.p_id = np.array([f"P{n:07d}" for n in p_num], dtype=object)

