"""The eMAR: what each patient is prescribed and what happened at every drug round.

Why this exists: the missed-critical-doses tile needs doses of critical medicines (names from
config/clinical.yaml's list) given, excused, missed or never charted, with the 06:00 round (pharmacy
shut overnight) and weaker wards missing more.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.arrays import expand, in_order
from metrics.synthetic.clock import DAY, HOUR, MINUTE, NA, NONE, to_minute
from metrics.synthetic.encounters import World
from metrics.synthetic.severity import Severity

# Medicines: (name as the eMAR shows it, drug-round hours, base probability, per-kind probability).
# Critical ones use names from config/clinical.yaml's critical medicines list.
_ROUTINE_MEDS: tuple[tuple[str, tuple[int, ...], float, dict[str, float]], ...] = (
    ("paracetamol", (6, 12, 18, 22), 0.50, {"paeds": 0.55, "surgical": 0.75}),
    ("lansoprazole", (8,), 0.22, {"paeds": 0.02}),
    ("omeprazole", (8,), 0.12, {"paeds": 0.03}),
    ("senna", (22,), 0.22, {"paeds": 0.02, "elderly": 0.45, "rehab": 0.40}),
    ("laxido", (8, 18), 0.12, {"paeds": 0.05, "elderly": 0.25}),
    ("amlodipine", (8,), 0.18, {"paeds": 0.0, "maternity": 0.01}),
    ("ramipril", (8,), 0.12, {"paeds": 0.0, "maternity": 0.0}),
    ("atorvastatin", (22,), 0.28, {"paeds": 0.0, "maternity": 0.0}),
    ("bisoprolol", (8,), 0.18, {"paeds": 0.0, "maternity": 0.01}),
    ("furosemide", (8, 14), 0.10, {"paeds": 0.0, "maternity": 0.0}),
    ("metformin", (8, 18), 0.09, {"paeds": 0.0, "maternity": 0.02}),
    ("sertraline", (8,), 0.08, {"paeds": 0.01}),
    ("adcal-d3", (8, 18), 0.10, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.3}),
    ("ferrous sulfate", (8,), 0.06, {"maternity": 0.25, "paeds": 0.01}),
    ("enoxaparin", (18,), 0.50, {"paeds": 0.0, "surgical": 0.80, "maternity": 0.30, "critical": 0.2}),
    ("apixaban", (8, 18), 0.09, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.16}),
    ("prednisolone", (8,), 0.04, {"paeds": 0.04, "maternity": 0.0}),
    ("hydrocortisone", (8, 14), 0.01, {"critical": 0.08}),
    ("levetiracetam", (8, 22), 0.025, {"paeds": 0.03, "maternity": 0.0}),
    ("co-careldopa", (6, 12, 18, 22), 0.02, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.07, "rehab": 0.08}),
    ("salbutamol nebule", (6, 12, 18, 22), 0.04, {"paeds": 0.12, "maternity": 0.0}),
    ("digoxin", (8,), 0.03, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.06}),
    ("tacrolimus", (6, 18), 0.005, {"paeds": 0.0, "maternity": 0.0}),
    ("morphine subcutaneous", (6, 12, 18, 22), 0.004, {"paeds": 0.0, "maternity": 0.0}),
)
# Specialty-specific extra probability for a few medicines (renal transplant, epilepsy, COPD, palliative care).
_SPECIALTY_MEDS: dict[str, dict[str, float]] = {
    "renal medicine": {"tacrolimus": 0.18, "furosemide": 0.3},
    "neurology": {"levetiracetam": 0.30, "co-careldopa": 0.12},
    "stroke": {"co-careldopa": 0.05},
    "respiratory": {"prednisolone": 0.30, "salbutamol nebule": 0.40},
    "oncology": {"morphine subcutaneous": 0.10, "dexamethasone": 0.20},
    "cardiology": {"apixaban": 0.25, "digoxin": 0.10, "furosemide": 0.30},
    "diabetes and endocrinology": {"hydrocortisone": 0.10, "metformin": 0.3},
}
_EXTRA_MEDS: dict[str, tuple[int, ...]] = {"dexamethasone": (8,)}
_ANTIBIOTICS: tuple[tuple[str, tuple[int, ...], float], ...] = (
    ("co-amoxiclav", (6, 14, 22), 0.42),
    ("tazocin", (6, 14, 22), 0.20),
    ("amoxicillin", (6, 14, 22), 0.12),
    ("clarithromycin", (6, 18), 0.10),
    ("metronidazole", (6, 14, 22), 0.06),
    ("gentamicin", (18,), 0.05),
    ("flucloxacillin", (6, 12, 18, 22), 0.05),
)
_INSULIN: tuple[tuple[str, tuple[int, ...]], ...] = (("novorapid", (8, 12, 18)), ("lantus", (22,)))
_CRITICAL_NAMES = {
    "enoxaparin",
    "apixaban",
    "prednisolone",
    "hydrocortisone",
    "levetiracetam",
    "co-careldopa",
    "salbutamol nebule",
    "digoxin",
    "tacrolimus",
    "morphine subcutaneous",
    "dexamethasone",
    "novorapid",
    "lantus",
} | {a[0] for a in _ANTIBIOTICS}

_EXCUSED_REASONS = ("patient_refused", "nil_by_mouth", "clinical_reason", "patient_absent")
_EXCUSED_P = (0.45, 0.20, 0.22, 0.13)
_MISSED_REASONS = ("unavailable", "no_reason", "")  # "" is a not_given dose with the reason left blank
_MISSED_P = (0.45, 0.30, 0.25)



def simulate_medications(
    rng: np.random.Generator, world: World, sev: Severity, stays: np.ndarray, t_from: int, t_to: int
) -> dict[str, np.ndarray]:
    """Every scheduled dose of ``stays`` between ``t_from`` and ``t_to``: outcome, reason and when recorded."""
    n_s = len(stays)
    kind = world.wards.kind[world.e_ward[stays]]
    spec = world.wards.specialty[world.e_ward[stays]]
    age = world.p_age[world.e_pat[stays]]
    admit, dis = world.e_admit[stays], world.e_dis[stays]
    names: list[str] = []
    slots: list[tuple[int, ...]] = []
    r_i, r_m, r_start, r_stop = [], [], [], []

    def add(idx: np.ndarray, name: str, hours: tuple[int, ...], start: np.ndarray, stop: np.ndarray) -> None:
        if name not in names:
            names.append(name)
            slots.append(hours)
        r_i.append(idx)
        r_m.append(np.full(len(idx), names.index(name)))
        r_start.append(start)
        r_stop.append(stop)

    prescribed_at = admit + rng.integers(1 * 60, 10 * 60, n_s) * MINUTE
    for name, hours, p, per_kind in _ROUTINE_MEDS:
        prob = np.array([per_kind.get(k, p) for k in kind])
        for sp, extra in _SPECIALTY_MEDS.items():
            if name in extra:
                prob = np.where(spec == sp, np.maximum(prob, extra[name]), prob)
        idx = np.flatnonzero(rng.random(n_s) < prob)
        add(idx, name, hours, prescribed_at[idx], dis[idx])
    for name, hours in _EXTRA_MEDS.items():
        prob = np.array([_SPECIALTY_MEDS.get(s, {}).get(name, 0.0) for s in spec])
        idx = np.flatnonzero(rng.random(n_s) < prob)
        add(idx, name, hours, prescribed_at[idx], dis[idx])
    # insulin for people with diabetes on insulin
    p_insulin = np.where(spec == "diabetes and endocrinology", 0.45, np.where(age >= 18, 0.07, 0.02))
    insulin = np.flatnonzero(rng.random(n_s) < p_insulin)
    for name, hours in _INSULIN:
        idx = insulin[rng.random(len(insulin)) < 0.8]
        add(idx, name, hours, prescribed_at[idx], dis[idx])
    # antibiotics: for infection episodes (course of 5-7 days), and some started on admission
    ab_p = np.array([a[2] for a in _ANTIBIOTICS])
    ab_p /= ab_p.sum()
    e = stays
    inf_start = np.where(sev.inf2[e] > 0, sev.on2[e] + (sev.ramp2[e] * 0.6 * HOUR).astype(np.int64), NA)
    inf_start = np.where((sev.a2[e] > 0) & (inf_start != NA), inf_start, NA)
    starts = [
        np.where((sev.a1[e] > 0) & (sev.inf1[e] > 0), prescribed_at, NA),
        inf_start,
        np.where(rng.random(n_s) < 0.08, prescribed_at, NA),
    ]
    for start in starts:
        idx = np.flatnonzero(start != NA)
        choice = rng.choice(len(_ANTIBIOTICS), size=len(idx), p=ab_p)
        course = rng.integers(5, 8, len(idx)) * DAY
        st = to_minute(start[idx] + rng.integers(0, 4 * 60, len(idx)) * MINUTE)
        for k, (name, hours, _) in enumerate(_ANTIBIOTICS):
            sel = choice == k
            add(idx[sel], name, hours, st[sel], np.minimum(st[sel] + course[sel], dis[idx[sel]]))
    i = np.concatenate(r_i)
    med = np.concatenate(r_m)
    start = np.maximum(np.concatenate(r_start), t_from)
    stop = np.minimum(np.minimum(np.concatenate(r_stop), dis[i]), t_to)
    valid = stop > start
    i, med, start, stop = i[valid], med[valid], start[valid], stop[valid]
    # expand to doses: every drug-round hour of every day between start and stop
    slot_table = np.full((len(names), 4), -1, np.int64)
    n_slots = np.zeros(len(names), np.int64)
    for k, hours in enumerate(slots):
        slot_table[k, : len(hours)] = hours
        n_slots[k] = len(hours)
    d0 = start // DAY
    n_day = stop // DAY - d0 + 1
    owner, j = expand(n_day * n_slots[med])
    m = med[owner]
    hour = slot_table[m, j % n_slots[m]]
    sched = (d0[owner] + j // n_slots[m]) * DAY + hour * HOUR
    keep = (sched >= start[owner]) & (sched <= stop[owner])
    owner, sched, m = owner[keep], sched[keep], m[keep]
    e = stays[i[owner]]
    n = len(e)
    critical = np.isin(np.array(names, dtype=object)[m], list(_CRITICAL_NAMES))
    q = world.q(world.e_ward[e], sched)
    early_round = (sched // HOUR) % 24 == 6  # pharmacy is shut overnight: the 06:00 round misses most
    p_missed = np.where(critical, np.where(early_round, 0.07, 0.008) * np.exp(0.6 * q), 0.012)
    surgical = world.wards.kind[world.e_ward[e]] == "surgical"
    p_excused = np.where(critical, 0.03, 0.055) + np.where(surgical, 0.02, 0.0)
    p_never_charted = 0.002
    u = rng.random(n)
    missed = u < p_missed
    excused = (u >= p_missed) & (u < p_missed + p_excused)
    uncharted = (u >= p_missed + p_excused) & (u < p_missed + p_excused + p_never_charted)
    given = ~(missed | excused | uncharted)
    reason_ex = rng.choice(len(_EXCUSED_REASONS), size=n, p=np.array(_EXCUSED_P) / sum(_EXCUSED_P))
    reason_ex = np.where(surgical & (rng.random(n) < 0.3), 1, reason_ex)  # nil by mouth before theatre
    reason_ms = rng.choice(len(_MISSED_REASONS), size=n, p=_MISSED_P)
    reason = np.where(
        excused,
        np.array(_EXCUSED_REASONS, dtype=object)[reason_ex],
        np.where(missed, np.array(_MISSED_REASONS, dtype=object)[reason_ms], NONE),
    )
    reason = np.where(reason == "", NONE, reason)
    delay = np.where(
        rng.random(n) < 0.85, np.clip(8 + 15 * rng.standard_normal(n), -30, 60), 30 + rng.exponential(50, n)
    )
    recorded = to_minute(sched + (delay * MINUTE).astype(np.int64))
    recorded = np.where(given, recorded, np.where(uncharted, NA, to_minute(sched + rng.integers(0, 60, n) * MINUTE)))
    outcome = np.where(given, "given", np.where(uncharted, "pending", "not_given")).astype(object)
    medicine = np.array(names, dtype=object)[m]
    columns = {"_e": e, "medicine": medicine, "scheduled_at": sched, "outcome": outcome}
    columns |= {"_recorded": recorded, "reason": reason}  # when it was charted, and why a dose was not given
    return in_order(np.lexsort((m, sched, e)), columns)

