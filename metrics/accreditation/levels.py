"""Which level a visit earns, and when the ward is next visited.

Why this exists: the level rules are the trust's (config/accreditation.yaml):
each level asks for a minimum percentage in every scored domain, may ask that
no critical question failed, and may ask that the assessments before this one
were at some level or better (by default: Bronze at least 70 % in every
domain; Silver 80 %; Gold 90 % with no critical question failed and the two
assessments before it at Silver or better). The highest level whose every
rule holds is awarded; below the lowest, the ward is in Support. A domain
with nothing applicable does not block a level; a visit with no domain scored
at all earns Support. The next visit is due the level's ``revisit_months``
after the visit (Support: soon).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from metrics.accreditation.config import AccreditationConfig, LevelRule
from metrics.accreditation.scoring import VisitScore


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 month = 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Award:
    """The level a visit earned, why, and when the ward is next due a visit."""

    level: str
    reason: str
    next_visit: date


def _fails(rule: LevelRule, visit: VisitScore, previous: Sequence[str], acfg: AccreditationConfig) -> str | None:
    """Why ``rule`` does not hold for this visit (None when it does)."""
    scored = visit.scored_domains()
    low = {code: pct for code, pct in scored.items() if pct < rule.min_domain_percent}
    if low:
        worst = min(low, key=low.__getitem__)
        return f"{acfg.domain_label(worst)} {low[worst]:g}% is below {rule.label}'s {rule.min_domain_percent:g}%"
    if rule.no_critical_failed and visit.critical_failed:
        return f"critical question {', '.join(visit.critical_failed)} not met"
    if rule.previous is not None:
        needed = rule.previous.count
        floor = acfg.rank(rule.previous.at_least)
        before = list(previous)[:needed]
        if len(before) < needed or any(acfg.rank(code) < floor for code in before):
            label = acfg.level_label(rule.previous.at_least)
            return f"{rule.label} needs the {needed} assessment(s) before at {label} or better"
    return None


def award(acfg: AccreditationConfig, visit: VisitScore, previous_levels: Sequence[str], visited_on: date) -> Award:
    """The highest level whose rules hold. ``previous_levels``: the ward's earlier awards, newest first."""
    support = acfg.file.support
    if not visit.scored_domains():
        return Award(support.code, "no domain was scored", add_months(visited_on, support.revisit_months))
    why_not = ""
    for rule in reversed(acfg.file.levels):
        problem = _fails(rule, visit, previous_levels, acfg)
        if problem is None:
            reason = f"every domain at least {rule.min_domain_percent:g}%" + (f"; {why_not}" if why_not else "")
            return Award(rule.code, reason, add_months(visited_on, rule.revisit_months))
        why_not = why_not or f"not {rule.label}: {problem}"
    lowest = acfg.file.levels[0]
    problem = _fails(lowest, visit, previous_levels, acfg) or ""
    return Award(support.code, problem, add_months(visited_on, support.revisit_months))


def next_visit_due(acfg: AccreditationConfig, level: str, visited_on: date) -> date:
    """When a ward awarded ``level`` on ``visited_on`` is next due a visit."""
    return add_months(visited_on, acfg.revisit_months(level))


def is_overdue(next_visit: date, today: date) -> bool:
    """A revisit is overdue from the day after it was due."""
    return today > next_visit
