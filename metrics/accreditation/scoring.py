"""Scoring an accreditation visit: each question 0, 0.5, 1 or not applicable; each domain a percentage.

Why this exists: the visit's answers must turn into domain scores the same
way on every screen and report. A question scored "not applicable" is left
out of its domain's denominator (it neither helps nor harms); a domain whose
every question is not applicable has no score (None), never 0 % or 100 %.
A domain's percentage is the weighted sum of its scores over the weighted
number of its applicable questions. A critical question scored 0 has failed;
0.5 (partly met) is not a failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from metrics.accreditation.config import AccreditationConfig

SCORES: tuple[float, ...] = (0.0, 0.5, 1.0)
NOT_APPLICABLE = "n/a"
SCORE_LABELS: dict[float | None, str] = {1.0: "Met (1)", 0.5: "Partly met (0.5)", 0.0: "Not met (0)", None: "n/a"}

Answer = float | None  # 0, 0.5 or 1; None: not applicable


class ScoreError(ValueError):
    """An answer outside 0, 0.5, 1 or n/a, or a question the framework does not hold."""


def parse_score(value: object) -> Answer:
    """'0', '0.5', '1', 0, 0.5, 1 or 'n/a' (also 'na', empty) → 0.0, 0.5, 1.0 or None; else ScoreError."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("n/a", "na", ""):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ScoreError(f"a score is 0, 0.5, 1 or n/a, got {value!r:.30}") from None
    if number not in SCORES:
        raise ScoreError(f"a score is 0, 0.5, 1 or n/a, got {value!r:.30}")
    return number


@dataclass(frozen=True)
class VisitScore:
    """What one visit's answers add up to: a percentage per domain (None: nothing applicable) and failed criticals."""

    domain_percent: dict[str, float | None]
    critical_failed: tuple[str, ...]

    def scored_domains(self) -> dict[str, float]:
        return {code: pct for code, pct in self.domain_percent.items() if pct is not None}


def score_visit(acfg: AccreditationConfig, answers: Mapping[str, Answer]) -> VisitScore:
    """Domain percentages (rounded to 0.1) and the critical questions scored 0, from ``answers`` (question id → score).

    A question not answered is not applicable. An answer to a question the framework does not hold raises ScoreError.
    """
    unknown = sorted(set(answers) - {q.id for q in acfg.questions})
    if unknown:
        raise ScoreError(f"not a question of accreditation.yaml: {', '.join(unknown)}")
    got: dict[str, float] = {d.code: 0.0 for d in acfg.domains}
    out_of: dict[str, float] = {d.code: 0.0 for d in acfg.domains}
    failed: list[str] = []
    for question in acfg.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if answer not in SCORES:
            raise ScoreError(f"question {question.id}: a score is 0, 0.5, 1 or n/a, got {answer!r}")
        got[question.domain] += question.weight * answer
        out_of[question.domain] += question.weight
        if question.critical and answer == 0.0:
            failed.append(question.id)
    percent = {code: (round(100 * got[code] / out_of[code], 1) if out_of[code] else None) for code in got}
    return VisitScore(percent, tuple(failed))
