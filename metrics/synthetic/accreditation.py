"""About two years of accreditation visits for the synthetic trust, as an audit app's extract would carry them.

Why this exists: the demo and the tests need wards with a history of levels
(Support, Bronze, Silver, Gold) that agrees with how good each ward is, so
the huddle shows a badge, the executive wall a spread per site, and the
triangulation something to compare. Visits are unannounced, every 5 to 12
months (within 2 to 4 after a visit with a question not met); each question is met, partly met, not met
or not applicable with chances that follow the ward's quality (the same
quality that drives its EPR harms). The visits are scored and levelled on
loading, by config/accreditation.yaml, exactly as a real audit app's would
be. Findings are left to the app: the synthetic visits carry none, so the
huddle's actions list stays the team's own.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from metrics.synthetic.clock import DAY, HOUR, epoch_days
from metrics.synthetic.config_files import load_yaml
from metrics.synthetic.encounters import World

HISTORY_DAYS = 730
ASSESSORS = ("Quality team assessor 1", "Quality team assessor 2", "Quality team assessor 3", "Peer assessor 4")


def question_ids(accreditation_yaml: Path) -> list[str]:
    """The question ids of the framework, in file order ([] when the file is absent)."""
    if not accreditation_yaml.exists():
        return []
    document = load_yaml(accreditation_yaml)
    return [str(q["id"]) for s in document.get("standards", []) for q in s.get("questions", [])]


def simulate_visits(
    rng: np.random.Generator, world: World, questions: list[str], first_extract: date, end: date
) -> dict[str, np.ndarray]:
    """Every visit's scored questions from two years before the first extract to ``end``, one row per question."""
    columns: dict[str, list[object]] = {k: [] for k in ("visit_reference", "ward_code", "assessed_on", "assessor")}
    columns |= {"question": [], "score": []}
    if not questions:
        return {k: np.array(v, dtype=object) for k, v in columns.items()}
    start = epoch_days(first_extract) - HISTORY_DAYS
    last = epoch_days(end)
    wards = world.wards
    number = 0
    for w in range(wards.n):
        quality = float(world.q(np.array([w]), np.array([epoch_days(first_extract) * DAY + 12 * HOUR]))[0])
        day = start + int(rng.integers(0, 180))
        while day <= last:
            number += 1
            drift = 0.3 * rng.standard_normal()
            p_met = float(np.clip(0.95 - 0.06 * (quality + drift), 0.6, 0.985))
            p_na = 0.01
            p_partly = (1 - p_met - p_na) * 0.8
            chances = np.array([p_met, p_partly, 1 - p_met - p_na - p_partly, p_na])
            draws = rng.choice(4, size=len(questions), p=chances / chances.sum())
            assessor = ASSESSORS[int(rng.integers(len(ASSESSORS)))]
            for question, draw in zip(questions, draws, strict=True):
                columns["visit_reference"].append(f"ACC{number:06d}")
                columns["ward_code"].append(wards.code[w])
                columns["assessed_on"].append(day)
                columns["assessor"].append(assessor)
                columns["question"].append(question)
                columns["score"].append(("1", "0.5", "0", "n/a")[int(draw)])
            # a visit with a question not met is followed up sooner, as a ward in Support would be
            day += int(rng.integers(75, 110)) if (draws == 2).any() else int(rng.integers(150, 380))
    out = {k: np.array(v, dtype=object) for k, v in columns.items()}
    out["assessed_on"] = np.array(columns["assessed_on"], dtype=np.int64)
    return out


def visits_extract(visits: dict[str, np.ndarray], today: int) -> dict[str, np.ndarray]:
    """What the extract of London day ``today`` carries: every visit up to that day."""
    keep = visits["assessed_on"] <= today
    return {k: v[keep] for k, v in visits.items()}
