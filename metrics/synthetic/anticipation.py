"""The optional anticipation tables of one day's extract: acuity levels, expected admissions and falls risk.

Why this exists: the "today's risks" tiles read three optional tables (see ``metrics.extract.contract``). The
synthetic trust supplies them so the demo shows those tiles filled; they are drawn from each day's own stream after
the EPR tables are cut, so switching them off changes no other byte. Levels follow the kind of ward (a critical care
unit's patients are level 2 or 3), older patients get a falls risk assessment six hours after admission, and each
ward expects about one admission per eight funded beds in the next day.
"""

from __future__ import annotations

import numpy as np

from metrics.synthetic.clock import DAY, HOUR, MINUTE, NA
from metrics.synthetic.encounters import World

Table = dict[str, np.ndarray]
LEVELS = np.array(["0", "1a", "1b", "2", "3"], dtype=object)
# probability of each level (0, 1a, 1b, 2, 3) by kind of ward
_LEVEL_P: dict[str, tuple[float, ...]] = {
    "critical": (0.0, 0.0, 0.05, 0.55, 0.40),
    "elderly": (0.35, 0.20, 0.40, 0.05, 0.0),
    "rehab": (0.45, 0.10, 0.43, 0.02, 0.0),
}
_DEFAULT_LEVEL_P = (0.50, 0.30, 0.15, 0.05, 0.0)
NOT_SCORED_SHARE = 0.03  # a few patients the nurse in charge has not scored yet
FALLS_FROM_AGE = 65
FALLS_DUE_AFTER_H = 6


def anticipation_extract(
    rng: np.random.Generator, world: World, encounters: Table, t: int, today: int
) -> dict[str, Table]:
    """acuity (today's day and night shifts), expected_admissions (next 24 hours) and falls_risk for one extract.

    ``encounters``: the day's encounters table (``day_tables``); ``t`` the extract's UTC seconds; ``today`` its
    London date in epoch days. Times in UTC seconds, dates in epoch days, as the other tables.
    """
    wards = world.wards
    on_ward = encounters["discharged_at"] == NA
    eids = encounters["encounter_id"][on_ward]
    ward_index = {str(code): i for i, code in enumerate(wards.code)}
    w = np.array([ward_index[str(c)] for c in encounters["ward_code"][on_ward]], dtype=np.int64)
    kinds = wards.kind[w].astype(str) if len(w) else np.array([], dtype=str)

    parts_e, parts_shift, parts_level = [], [], []
    for shift in ("day", "night"):
        u = rng.random(len(eids))
        level = np.empty(len(eids), dtype=object)
        for i, kind in enumerate(kinds):
            p = _LEVEL_P.get(kind, _DEFAULT_LEVEL_P)
            level[i] = LEVELS[int(np.searchsorted(np.cumsum(p), u[i] * sum(p), side="right").clip(0, 4))]
        scored = rng.random(len(eids)) >= NOT_SCORED_SHARE
        parts_e.append(eids[scored])
        parts_shift.append(np.full(int(scored.sum()), shift, dtype=object))
        parts_level.append(level[scored])
    e_all = np.concatenate(parts_e) if parts_e else np.array([], dtype=object)
    acuity = {
        "encounter_id": e_all,
        "shift_date": np.full(len(e_all), today, dtype=np.int64),
        "shift": np.concatenate(parts_shift),
        "snct_level": np.concatenate(parts_level),
    }

    per_ward = rng.poisson(wards.beds / 8.0)
    owner = np.repeat(np.arange(wards.n), per_ward)
    expected_at = t + (rng.random(len(owner)) * DAY).astype(np.int64) // MINUTE * MINUTE
    expected = {
        "ward_code": wards.code[owner],
        "expected_at": expected_at,
        "source": rng.choice(
            np.array(["emergency", "elective", "transfer"], dtype=object), len(owner), p=(0.7, 0.2, 0.1)
        ),
    }

    ages = encounters["age_years"][on_ward]
    assessed_at = encounters["admitted_at"][on_ward] + FALLS_DUE_AFTER_H * HOUR
    due = (ages >= FALLS_FROM_AGE) & (assessed_at <= t)
    risk = rng.choice(np.array(["low", "moderate", "high"], dtype=object), len(eids), p=(0.3, 0.35, 0.35))
    plan = np.where(risk == "high", rng.random(len(eids)) < 0.85, rng.random(len(eids)) < 0.2)
    falls = {
        "encounter_id": eids[due],
        "assessed_at": assessed_at[due],
        "risk_level": risk[due],
        "care_plan_in_place": plan[due],
    }
    return {"acuity": acuity, "expected_admissions": expected, "falls_risk": falls}
