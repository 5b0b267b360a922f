"""Risk assessments (VTE, falls, pressure ulcer, MUST...): when each falls due and when it is done.

Why this exists: the outstanding and overdue assessment tiles need due times by type and patient group,
weekly repeats for some, and completions that are late or forgotten more often on a weaker ward.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from metrics.synthetic.arrays import expand, in_order
from metrics.synthetic.clock import DAY, HOUR, MINUTE, NA, to_minute
from metrics.synthetic.encounters import World

# Assessment types: hours after admission they fall due, and who gets them.
_ASSESSMENT_RULES: dict[str, tuple[float, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "VTE": (14, lambda age, kind: age >= 16),
    "FALLS": (6, lambda age, kind: (age >= 65) | np.isin(kind, ["elderly", "rehab"])),
    "PRESSURE_ULCER": (6, lambda age, kind: np.ones(age.shape, bool)),
    "MUST": (24, lambda age, kind: np.ones(age.shape, bool)),
    "ALCOHOL": (24, lambda age, kind: age >= 16),
    "DELIRIUM": (12, lambda age, kind: age >= 65),
    "MOVING_HANDLING": (6, lambda age, kind: age >= 16),
    "BEDRAILS": (12, lambda age, kind: (age >= 65) | (kind == "critical")),
    "DEMENTIA": (24, lambda age, kind: age >= 75),
    "INFECTION": (6, lambda age, kind: np.ones(age.shape, bool)),
    "ALERT": (6, lambda age, kind: np.ones(age.shape, bool)),
    "ADL": (24, lambda age, kind: (age >= 65) | np.isin(kind, ["elderly", "rehab"])),
    "HYGIENE": (24, lambda age, kind: age >= 16),
    # stroke admissions stand in as about one older medical patient in nine
    "STROKE": (4, lambda age, kind: (age >= 55) & np.isin(kind, ["medical", "elderly"]) & (age % 9 == 0)),
    "WELFARE": (24, lambda age, kind: age >= 16),
}
_WEEKLY_ASSESSMENTS = ("PRESSURE_ULCER", "FALLS", "MUST")



def simulate_assessments(
    rng: np.random.Generator, world: World, stays: np.ndarray, types: list[str], t_to: int
) -> dict[str, np.ndarray]:
    """Every assessment of ``stays`` due up to a day after ``t_to``: type, due and completed times (wall seconds)."""
    age = world.p_age[world.e_pat[stays]]
    kind = world.wards.kind[world.e_ward[stays]].astype(str)
    admit, dis = world.e_admit[stays], world.e_dis[stays]
    parts_e, parts_type, parts_due, parts_k = [], [], [], []
    for ti, code in enumerate(types):
        hours, who = _ASSESSMENT_RULES.get(code.upper(), (24, lambda a, k: np.ones(a.shape, bool)))
        mask = who(age, kind)
        idx = np.flatnonzero(mask)
        parts_e.append(idx)
        parts_type.append(np.full(len(idx), ti))
        parts_due.append(admit[idx] + int(hours * HOUR))
        parts_k.append(np.zeros(len(idx), np.int64))
        if code.upper() in _WEEKLY_ASSESSMENTS:
            weeks = np.clip((np.minimum(dis[idx], t_to + DAY) - admit[idx]) // (7 * DAY), 0, None)
            owner, k = expand(weeks)
            parts_e.append(idx[owner])
            parts_type.append(np.full(len(owner), ti))
            parts_due.append(admit[idx[owner]] + (k + 1) * 7 * DAY)
            parts_k.append(k + 1)
    i = np.concatenate(parts_e)
    typ = np.concatenate(parts_type)
    due = to_minute(np.concatenate(parts_due))
    repeat = np.concatenate(parts_k) > 0
    e = stays[i]
    n = len(i)
    q = world.q(world.e_ward[e], due)
    p_never = np.clip(0.02 * np.exp(0.8 * q), 0.003, 0.15)
    p_late = np.clip(0.2 * np.exp(0.8 * q), 0.04, 0.6)
    u = rng.random(n)
    start = np.where(repeat, due - 12 * HOUR, world.e_admit[e])
    on_time = start + (rng.uniform(0.3, 1.0, n) * (due - start)).astype(np.int64)
    late = due + (rng.exponential(18.0, n) * HOUR).astype(np.int64) + 10 * MINUTE
    forgotten = due + (rng.exponential(72.0, n) * HOUR).astype(np.int64) + HOUR  # found at a later audit, or never
    completed = to_minute(np.where(u < p_never, forgotten, np.where(u < p_never + p_late, late, on_time)))
    completed = np.where(completed > world.e_dis[e], NA, completed)
    return in_order(
        np.lexsort((due, typ, e)),
        {"_e": e, "assessment_type": np.array(types, dtype=object)[typ], "due_at": due, "completed_at": completed},
    )
