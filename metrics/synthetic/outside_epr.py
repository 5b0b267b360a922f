"""The optional tables from outside the EPR: incidents, patient feedback and workforce figures.

Why this exists: the Safety Barometer brings harm reports, the Friends and Family Test and workforce
figures together with the EPR tiles. Their rates follow the same per-ward quality as the EPR harms, so
the barometer agrees with the tiles. Each extract carries a window of this history.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from metrics.synthetic.arrays import expand, take
from metrics.synthetic.clock import DAY, HOUR, MINUTE, NA, epoch_days
from metrics.synthetic.encounters import World

INCIDENT_LOOKBACK_DAYS = 400  # each extract carries this much incident history ("days since the last fall")
FEEDBACK_LOOKBACK_DAYS = 200
WORKFORCE_MONTHS = 13

# Incidents per month on a 25-bed ward of an average ward quality, with multipliers per kind of ward.
_INCIDENT_RATES: dict[str, tuple[float, dict[str, float]]] = {
    "FALL": (2.0, {"elderly": 2.0, "rehab": 1.8, "surgical": 0.8, "critical": 0.2, "paeds": 0.2, "maternity": 0.1}),
    "PRESSURE_ULCER": (1.0, {"elderly": 1.8, "rehab": 1.5, "critical": 2.0, "paeds": 0.1, "maternity": 0.05}),
    "MEDICATION": (2.0, {"critical": 1.5, "paeds": 1.2}),
    "C_DIFF": (0.08, {"elderly": 2.0, "paeds": 0.2, "maternity": 0.1}),
    "OTHER": (2.5, {}),
    "GOOD_CATCH": (1.2, {}),
    "LEARNING": (0.8, {}),
}
_POSITIVE_REPORTS = ("GOOD_CATCH", "LEARNING")  # better wards report more of these, not fewer
_HARM = ("none", "low", "moderate", "severe", "death")
_HARM_P: dict[str, tuple[float, ...]] = {
    "FALL": (0.55, 0.33, 0.08, 0.035, 0.005),
    "MEDICATION": (0.72, 0.23, 0.045, 0.005, 0.0),
    "C_DIFF": (0.0, 0.6, 0.35, 0.05, 0.0),
    "OTHER": (0.6, 0.32, 0.07, 0.01, 0.0),
    "GOOD_CATCH": (1.0, 0.0, 0.0, 0.0, 0.0),
    "LEARNING": (1.0, 0.0, 0.0, 0.0, 0.0),
}
_PU_CATEGORY_P = (0.25, 0.5, 0.18, 0.07)  # categories 1-4; harm follows the category (1-2 low, 3 moderate, 4 severe)


def simulate_outside_epr(
    rng: np.random.Generator,
    world: World,
    first_extract: date,
    end: date,
    falls_multiplier: np.ndarray | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Every incident, feedback response and monthly workforce row of the whole period, per ward.

    Rates follow the same per-ward quality as the EPR harms (a weaker ward has more falls and pressure
    ulcers, fewer good-catch reports, a lower FFT score, more sickness), so the barometer agrees with the tiles.
    ``falls_multiplier`` (one factor per ward) scales a ward's falls: a planted outlier for the falls rate.
    """
    wards = world.wards
    clock = world.clock
    first_day = epoch_days(first_extract) - INCIDENT_LOOKBACK_DAYS
    days = np.arange(first_day, epoch_days(end) + 1)
    w, d = (a.ravel() for a in np.meshgrid(np.arange(wards.n), days, indexing="ij"))
    q = world.q(w, d * DAY + 12 * HOUR)
    size = wards.beds[w] / 25.0

    # incidents: Poisson counts per ward, day and type; a random minute of the day; harm by type
    parts: dict[str, list[np.ndarray]] = {"w": [], "t": [], "type": [], "harm": [], "cat": []}
    for code, (per_month, by_kind) in _INCIDENT_RATES.items():
        mult = np.array([by_kind.get(k, 1.0) for k in wards.kind])[w]
        if code == "FALL" and falls_multiplier is not None:
            mult = mult * np.asarray(falls_multiplier, float)[w]
        quality = np.exp(-0.3 * q) if code in _POSITIVE_REPORTS else np.exp(0.45 * q)
        n = rng.poisson(per_month / 30.4 * size * mult * quality)
        owner, _ = expand(n)
        when = d[owner] * DAY + rng.integers(0, DAY // MINUTE, len(owner)) * MINUTE
        if code == "PRESSURE_ULCER":
            cat = rng.choice(4, size=len(owner), p=_PU_CATEGORY_P) + 1
            harm = np.where(cat <= 2, 1, np.where(cat == 3, 2, 3))
        else:
            cat = np.full(len(owner), NA)
            harm = rng.choice(len(_HARM), size=len(owner), p=np.array(_HARM_P[code]) / sum(_HARM_P[code]))
        parts["w"].append(w[owner])
        parts["t"].append(clock.to_utc(when))
        parts["type"].append(np.full(len(owner), code, object))
        parts["harm"].append(np.array(_HARM, dtype=object)[harm])
        parts["cat"].append(cat.astype(np.int64))
    iw, it = np.concatenate(parts["w"]), np.concatenate(parts["t"])
    order = np.lexsort((iw, it))
    incidents = {
        "incident_id": np.array([f"INC{n:07d}" for n in 310000 + np.arange(len(order))], dtype=object),
        "ward_code": wards.code[iw[order]],
        "occurred_at": it[order],
        "incident_type": np.concatenate(parts["type"])[order],
        "harm_level": np.concatenate(parts["harm"])[order],
        "pressure_ulcer_category": np.concatenate(parts["cat"])[order],
    }

    # feedback: FFT responses most days (one row each), now and then a compliment, rarely a complaint
    recent = d >= epoch_days(first_extract) - FEEDBACK_LOOKBACK_DAYS
    fw, fd, fq, fsize = w[recent], d[recent], q[recent], size[recent]
    rows_w, rows_d, rows_kind, rows_pos = [], [], [], []
    for kind, lam in (
        ("fft", 1.2 + fsize),
        ("compliment", 0.12 * fsize * np.exp(-0.2 * fq)),
        ("complaint", 0.03 * np.exp(0.3 * fq)),
    ):
        owner, _ = expand(rng.poisson(lam))
        rows_w.append(fw[owner])
        rows_d.append(fd[owner])
        rows_kind.append(np.full(len(owner), kind, object))
        if kind == "fft":
            p_good = np.clip(0.94 - 0.03 * fq[owner], 0.75, 0.99)
            rows_pos.append(np.array(rng.random(len(owner)) < p_good, dtype=object))
        else:
            rows_pos.append(np.full(len(owner), None, object))
    bw, bd = np.concatenate(rows_w), np.concatenate(rows_d)
    order = np.lexsort((bw, bd))
    feedback = {
        "ward_code": wards.code[bw[order]],
        "response_date": bd[order],
        "kind": np.concatenate(rows_kind)[order],
        "fft_positive": np.concatenate(rows_pos)[order],
    }

    # workforce: one row per ward and month; sickness is higher in winter
    start = date(first_extract.year, first_extract.month, 1)
    months = []
    for back in range(WORKFORCE_MONTHS + 1, 0, -1):
        year, month = divmod(start.year * 12 + start.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    cursor = start
    while cursor <= end:
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    m_day = np.array([epoch_days(m) for m in months], dtype=np.int64)
    winter = np.array([m.month in (12, 1, 2) for m in months], dtype=float)
    mw, mi = (a.ravel() for a in np.meshgrid(np.arange(wards.n), np.arange(len(months)), indexing="ij"))
    mq = world.q(mw, m_day[mi] * DAY)
    sickness = np.clip(4.4 + 0.9 * mq + 1.2 * winter[mi] + 0.8 * rng.standard_normal(len(mw)), 0.5, 15)
    training = np.clip(92.0 - 2.5 * mq + 2.0 * rng.standard_normal(len(mw)), 60, 100)
    turnover = np.clip(11.0 + 2.0 * mq + 1.0 * rng.standard_normal(len(mw)), 2, 35)
    workforce = {
        "ward_code": wards.code[mw],
        "month": m_day[mi],
        "sickness_absence_pct": np.round(sickness, 1),
        "training_compliance_pct": np.round(training, 1),
        "turnover_pct": np.round(turnover, 1),
    }
    return {"incidents": incidents, "patient_feedback": feedback, "workforce": workforce}


def outside_epr_extract(
    history: dict[str, dict[str, np.ndarray]], t: int, today: int
) -> dict[str, dict[str, np.ndarray]]:
    """What the extract at ``t`` (UTC seconds; London day ``today``) carries of the optional tables."""
    inc = history["incidents"]
    fb = history["patient_feedback"]
    wf = history["workforce"]
    this_month = epoch_days((date(1970, 1, 1) + timedelta(days=int(today))).replace(day=1))
    months = np.unique(wf["month"][wf["month"] < this_month])[-WORKFORCE_MONTHS:]  # complete months only
    return {
        "incidents": take(inc, (inc["occurred_at"] <= t) & (inc["occurred_at"] > t - INCIDENT_LOOKBACK_DAYS * DAY)),
        "patient_feedback": take(
            fb, (fb["response_date"] < today) & (fb["response_date"] >= today - FEEDBACK_LOOKBACK_DAYS)
        ),
        "workforce": take(wf, np.isin(wf["month"], months)),
    }

