"""EPR flags: infection, sepsis, infection control, harms, discharge, pharmacy and restrictive practice.

Why this exists: several tiles count patients with a flag raised and not cleared. Infection and sepsis
follow the stay's severity curve; falls and pressure ulcers are commoner on weaker wards and in older,
longer stays; only the codes config/clinical.yaml lists are written.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.clock import DAY, HOUR, MINUTE, NA, to_minute
from metrics.synthetic.encounters import World
from metrics.synthetic.severity import Severity


def simulate_flags(
    rng: np.random.Generator, world: World, sev: Severity, stays: np.ndarray, codes: set[str]
) -> dict[str, np.ndarray]:
    """Every flag of ``stays`` raised during the stay, with the time it was cleared or NA; only ``codes``."""
    n = len(stays)
    e = stays
    admit, dis = world.e_admit[e], world.e_dis[e]
    stay = np.maximum(dis - admit, HOUR)
    age = world.p_age[world.e_pat[e]]
    kind = world.wards.kind[world.e_ward[e]]
    q = world.q(world.e_ward[e], admit)
    out_e, out_flag, out_r, out_c = [], [], [], []

    def flag(mask: np.ndarray, code: str, raised: np.ndarray, cleared: np.ndarray | None = None) -> None:
        raised = to_minute(np.maximum(raised, admit + 5 * MINUTE))
        ok = mask & (raised < dis)
        cl = np.full(n, NA) if cleared is None else to_minute(cleared)
        cl = np.where((cl != NA) & ((cl >= dis) | (cl <= raised)), NA, cl)
        out_e.append(e[ok])
        out_flag.append(np.full(int(ok.sum()), code, object))
        out_r.append(raised[ok])
        out_c.append(cl[ok])

    def hours(lo: float, hi: float) -> np.ndarray:
        return (rng.uniform(lo, hi, n) * HOUR).astype(np.int64)

    def cleared_after(start: np.ndarray, share: float, median_hours: float, spread: float) -> np.ndarray:
        """Cleared a log-normal time after ``start`` for ``share`` of the stays; still active for the rest.

        The draws come in the order the rows were first written in (which stays, then how long), so the
        sample stays the same."""
        cleared = rng.random(n) < share
        gap = (rng.lognormal(np.log(median_hours), spread, n) * HOUR).astype(np.int64)
        return np.where(cleared, start + gap, NA)

    def during() -> np.ndarray:
        moments: np.ndarray = admit + (rng.random(n) * stay).astype(np.int64)
        return moments

    # infection and sepsis follow the severity curve's infection episodes
    inf1 = (sev.a1[e] > 0) & (sev.inf1[e] > 0)
    inf2 = (sev.a2[e] > 0) & (sev.inf2[e] > 0)
    t_inf = np.where(inf2 & ~inf1, sev.on2[e] + (sev.ramp2[e] * 0.4 * HOUR).astype(np.int64), admit + hours(0.3, 6))
    suspected = ((inf1 | inf2) & (rng.random(n) < 0.5)) | (rng.random(n) < 0.015)
    flag(suspected, "SUSPECTED_INFECTION", t_inf, np.where(rng.random(n) < 0.7, t_inf + hours(24, 96), NA))
    peak = np.maximum(np.where(inf1, sev.a1[e], 0), np.where(inf2, sev.a2[e], 0))
    t_peak = np.where(
        inf2 & ~inf1, sev.on2[e] + (sev.ramp2[e] * HOUR).astype(np.int64), admit + (sev.pk1[e] * HOUR).astype(np.int64)
    )
    flag(
        (peak >= 0.6) & (rng.random(n) < 0.55),
        "SEPSIS",
        t_peak - hours(0, 3),
        np.where(rng.random(n) < 0.5, t_peak + hours(36, 96), NA),
    )
    # infection control
    tested = rng.random(n) < np.where(np.isin(kind, ["medical", "elderly", "critical"]), 0.35, 0.12)
    result_at = admit + hours(4, 26)
    covid = tested & (rng.random(n) < 0.07)
    flag(tested, "COVID_TEST_PENDING", admit + hours(0.2, 2), result_at)
    flag(covid, "COVID_POSITIVE", result_at)
    mrsa = rng.random(n) < 0.015
    t_mrsa = admit + hours(24, 72)
    flag(mrsa, "MRSA", t_mrsa)
    cdiff = rng.random(n) < 0.004 * np.clip(stay / (5 * DAY), 0.3, 3)
    t_cdiff = during()
    flag(cdiff, "C_DIFF", t_cdiff)
    noro = rng.random(n) < 0.003
    t_noro = during()
    flag(noro, "NOROVIRUS", t_noro, t_noro + hours(48, 96))
    isolate_at = np.where(covid, result_at, np.where(cdiff, t_cdiff, np.where(noro, t_noro, t_mrsa)))
    isolate = covid | cdiff | noro | (mrsa & (rng.random(n) < 0.6)) | (rng.random(n) < 0.01)
    flag(isolate, "ISOLATION", np.where(covid | cdiff | noro | mrsa, isolate_at, during()))
    # harms, more often on the weaker wards and in older, longer stays
    risk = (
        np.exp(0.45 * q)
        * np.where(age >= 75, 1.8, np.where(age >= 60, 1.0, 0.35))
        * np.clip(stay / (6 * DAY), 0.4, 3.0)
    )
    on_admission = rng.random(n) < 0.55
    flag(rng.random(n) < 0.024 * risk, "PRESSURE_ULCER", np.where(on_admission, admit + hours(1, 12), during()))
    t_fall = during()
    flag(rng.random(n) < 0.03 * risk, "FALL", t_fall, np.where(rng.random(n) < 0.5, t_fall + hours(48, 96), NA))
    # discharge and pharmacy
    dis_hour = (dis % DAY) / HOUR
    flag((dis_hour < 11) & (rng.random(n) < 0.75), "GOLDEN_DISCHARGE", (dis // DAY - 1) * DAY + hours(14, 18))
    long_stay = stay > 6 * DAY
    fit_day = (dis - (stay * rng.uniform(0.2, 0.45, n)).astype(np.int64)) // DAY
    flag(
        long_stay & (rng.random(n) < np.where(np.isin(kind, ["elderly", "rehab"]), 0.7, 0.4)),
        "MEDICALLY_FIT",
        fit_day * DAY + hours(9, 17),
    )
    t_rec = admit + hours(0.1, 1)
    flag(rng.random(n) < 0.96, "MED_REC_OUTSTANDING", t_rec, cleared_after(t_rec, 0.98, 8, 0.7))
    t_presc = admit + hours(0.5, 3)
    flag(rng.random(n) < 0.9, "PRESCRIPTION_UNVERIFIED", t_presc, cleared_after(t_presc, 0.975, 5, 0.8))
    # capacity and restrictive practice
    confused = age >= 80
    dols = confused & (rng.random(n) < 0.2) & (stay > 2 * DAY)
    t_dols = admit + hours(24, 96)
    flag(dols, "DOLS", t_dols)
    enhanced = ((age >= 75) & (rng.random(n) < 0.1)) | (sev.a2[e] > 0.8) & (rng.random(n) < 0.5)
    t_enh = during()
    flag(enhanced, "ENHANCED_OBSERVATION", t_enh, np.where(rng.random(n) < 0.5, t_enh + hours(48, 168), NA))
    t_lrr = np.where(dols, t_dols, t_enh) + hours(20, 30)
    flag(
        (dols | enhanced) & (rng.random(n) < 0.7),
        "LEAST_RESTRICTIVE_REVIEW_DUE",
        t_lrr,
        np.where(rng.random(n) < 0.4, t_lrr + hours(2, 30), NA),
    )
    i = np.concatenate(out_e)
    fl = np.concatenate(out_flag)
    raised = np.concatenate(out_r)
    cleared = np.concatenate(out_c)
    keep = np.isin(fl, list(codes))
    i, fl, raised, cleared = i[keep], fl[keep], raised[keep], cleared[keep]
    order = np.lexsort((raised, i))
    return {"_e": i[order], "flag": fl[order], "raised_at": raised[order], "cleared_at": cleared[order]}

