"""Accreditation scoring and levels, as tables an assessor can check by eye.

The framework is the shipped config/accreditation.yaml: five domains; Bronze at least 70 % in every scored domain,
Silver 80 %, Gold 90 % with no critical question scored 0 and the two visits before it at Silver or better;
below Bronze, Support. Revisits: Support 3 months, Bronze 6, Silver 9, Gold 12.
"""

from __future__ import annotations

from datetime import date

import pytest

from metrics.accreditation.config import load_accreditation_config
from metrics.accreditation.levels import add_months, award, is_overdue, next_visit_due
from metrics.accreditation.scoring import ScoreError, VisitScore, parse_score, score_visit
from metrics.config.models import DEFAULT_CONFIG_DIR

ACFG = load_accreditation_config(DEFAULT_CONFIG_DIR)
ALL_MET = {q.id: 1.0 for q in ACFG.questions}
VISIT = date(2026, 3, 31)

# ---- a domain's percentage ------------------------------------------------------------------------------------
# Safe holds S1.1 (weight 2, critical), S1.2 (weight 2, critical), S1.3, S1.4, S1.5 (weight 1 each): 7 in all.
# Personal holds S2.1, S2.2 (critical), S2.3, weight 1 each.
DOMAIN_TABLE = [
    # answers changed from all met                     domain     percent   critical failed
    ({}, "safe", 100.0, ()),
    ({"S1.1": 0.5}, "safe", 85.7, ()),  # 6 of 7
    ({"S1.1": 0.0}, "safe", 71.4, ("S1.1",)),  # 5 of 7: a critical question at 0 has failed
    ({"S1.3": 0.0}, "safe", 85.7, ()),  # not critical: no failure
    ({"S1.3": None}, "safe", 100.0, ()),  # n/a: 6 of 6, out of the denominator
    ({"S1.3": None, "S1.4": 0.0}, "safe", 83.3, ()),  # 5 of 6
    ({"S2.2": 0.5}, "personal", 83.3, ()),  # partly met is not a failure
    ({"S2.2": 0.0}, "personal", 66.7, ("S2.2",)),
    ({"S2.1": None, "S2.2": None, "S2.3": None}, "personal", None, ()),  # nothing applicable: no score, not 0 %
]


@pytest.mark.parametrize(("changes", "domain", "percent", "failed"), DOMAIN_TABLE)
def test_a_domain_scores_its_weighted_met_share_of_the_applicable_questions(changes, domain, percent, failed):
    visit = score_visit(ACFG, {**ALL_MET, **changes})
    assert visit.domain_percent[domain] == percent
    assert visit.critical_failed == failed


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1", 1.0),
        ("0.5", 0.5),
        ("0", 0.0),
        (1, 1.0),
        (0.5, 0.5),
        ("n/a", None),
        ("N/A", None),
        ("", None),
        (None, None),
    ],
)
def test_a_score_is_0_half_1_or_not_applicable(given, expected):
    assert parse_score(given) == expected


@pytest.mark.parametrize("given", ["2", "0.25", "-1", "yes", "0.50000001"])
def test_any_other_score_is_refused_with_the_allowed_values(given):
    with pytest.raises(ScoreError, match="a score is 0, 0.5, 1 or n/a"):
        parse_score(given)


def test_an_answer_to_a_question_the_framework_does_not_hold_is_refused():
    with pytest.raises(ScoreError, match="not a question of accreditation.yaml: S9.9"):
        score_visit(ACFG, {**ALL_MET, "S9.9": 1.0})


# ---- levels at every boundary ---------------------------------------------------------------------------------


def scores(low: float, critical_failed: tuple[str, ...] = (), **others: float | None) -> VisitScore:
    """Every domain at 100 % but ``safe`` at ``low`` (and any others given)."""
    percent: dict[str, float | None] = {d.code: 100.0 for d in ACFG.domains}
    percent["safe"] = low
    percent.update(others)
    return VisitScore(percent, critical_failed)


LEVEL_TABLE = [
    # lowest domain  critical failed  levels before (newest first)  level
    (69.9, (), ["gold", "gold"], "support"),
    (70.0, (), [], "bronze"),
    (79.9, (), ["gold", "gold"], "bronze"),
    (80.0, (), [], "silver"),
    (89.9, (), ["gold", "gold"], "silver"),
    (90.0, (), ["silver", "silver"], "gold"),
    (90.0, (), ["gold", "silver"], "gold"),
    (100.0, (), ["silver"], "silver"),  # only one visit before
    (100.0, (), [], "silver"),  # a first visit cannot be Gold
    (100.0, (), ["silver", "bronze"], "silver"),  # the second visit before was below Silver
    (100.0, (), ["bronze", "silver"], "silver"),
    (100.0, (), ["silver", "silver", "support"], "gold"),  # only the two before count
    (100.0, ("S1.1",), ["gold", "gold"], "silver"),  # a critical question failed: never Gold
    (90.0, ("S2.2",), ["gold", "gold"], "silver"),
]


@pytest.mark.parametrize(("lowest", "failed", "before", "level"), LEVEL_TABLE)
def test_the_highest_level_whose_every_rule_holds_is_awarded(lowest, failed, before, level):
    assert award(ACFG, scores(lowest, failed), before, VISIT).level == level


def test_a_domain_with_nothing_applicable_does_not_block_a_level():
    assert award(ACFG, scores(95.0, personal=None), ["silver", "silver"], VISIT).level == "gold"


def test_a_visit_with_no_domain_scored_is_support():
    nothing = VisitScore({d.code: None for d in ACFG.domains}, ())
    assert award(ACFG, nothing, ["gold", "gold"], VISIT).level == "support"


def test_the_award_says_why_a_higher_level_was_not_reached():
    result = award(ACFG, scores(85.0), ["silver", "silver"], VISIT)
    assert result.reason == "every domain at least 80%; not Gold: Safe 85% is below Gold's 90%"
    support = award(ACFG, scores(60.0), [], VISIT)
    assert support.reason == "Safe 60% is below Bronze's 70%"


# ---- the next visit -------------------------------------------------------------------------------------------

REVISIT_TABLE = [
    # level      visited            next visit due
    ("support", date(2026, 3, 31), date(2026, 6, 30)),  # 3 months; June has 30 days
    ("bronze", date(2026, 3, 31), date(2026, 9, 30)),
    ("silver", date(2026, 3, 31), date(2026, 12, 31)),
    ("gold", date(2026, 3, 31), date(2027, 3, 31)),
    ("silver", date(2026, 5, 31), date(2027, 2, 28)),  # no 31 February
    ("gold", date(2027, 2, 28), date(2028, 2, 28)),
    ("bronze", date(2027, 8, 31), date(2028, 2, 29)),  # a leap year
]


@pytest.mark.parametrize(("level", "visited", "due"), REVISIT_TABLE)
def test_the_next_visit_is_due_the_levels_revisit_months_later(level, visited, due):
    assert next_visit_due(ACFG, level, visited) == due


def test_an_award_carries_its_next_visit():
    assert award(ACFG, scores(60.0), [], VISIT).next_visit == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("due", "today", "overdue"),
    [
        (date(2026, 6, 30), date(2026, 6, 29), False),
        (date(2026, 6, 30), date(2026, 6, 30), False),
        (date(2026, 6, 30), date(2026, 7, 1), True),
    ],
)
def test_a_revisit_is_overdue_from_the_day_after_it_was_due(due, today, overdue):
    assert is_overdue(due, today) is overdue


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
