"""Recording an accreditation visit: checked, levelled, stored append-only with its audit row and actions.

Why this exists: a visit is entered domain by domain through the app's form
(an assessor) or loaded from an audit app's extract; both go through
``record_assessment`` so both are checked and levelled the same way. Every
problem is refused with a message naming the field (an unknown ward, a date
in the future, a score outside 0, 0.5, 1 or n/a, an unknown question). The
level is worked out here from the visit's scores and the ward's earlier
levels (``metrics.accreditation.levels``) and stored with the visit, so a
later change to the framework never rewrites history. Each finding written
beside a question becomes one of the ward's improvement actions on the
huddle's actions list (``source = 'accreditation'``), due by the next visit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from metrics.accreditation.config import AccreditationConfig
from metrics.accreditation.levels import Award, award
from metrics.accreditation.scoring import Answer, ScoreError, parse_score, score_visit
from metrics.entry_fields import EntryRefused, known_ward
from metrics.rules.clock import LONDON
from metrics.store import accreditation as stored
from metrics.store.audit import Actor

if TYPE_CHECKING:
    from metrics.config.models import AppConfig

FINDING_MAX_CHARS = 500
ACTION_DUE_TIME = time(17, 0)  # London time on the day the next visit is due


class AssessmentInputError(EntryRefused):
    """A visit refused before it reached the store; ``problems`` are (field, message) pairs, all of them."""


@dataclass(frozen=True)
class Recorded:
    """What a stored visit earned."""

    assessment_id: int
    award: Award
    domain_percent: dict[str, float | None]
    actions: int


def _check(
    cfg: AppConfig,
    acfg: AccreditationConfig,
    ward_code: str,
    assessed_on: Any,
    scores: Mapping[str, Any],
    findings: Mapping[str, str],
    today: date,
    require_every_question: bool,
) -> tuple[str, date, dict[str, Answer], dict[str, str]]:
    problems: list[tuple[str, str]] = []
    ward = known_ward(cfg, ward_code, problems)
    if isinstance(assessed_on, datetime) or not isinstance(assessed_on, date):
        problems.append(("assessed_on", f"the visit date must be a date, got {assessed_on!r:.40}"))
    elif assessed_on > today:
        problems.append(("assessed_on", f"the visit date {assessed_on:%d %b %Y} is in the future"))
    answers: dict[str, Answer] = {}
    for question_id, value in scores.items():
        if acfg.question(str(question_id)) is None:
            problems.append(("scores", f"{str(question_id)[:40]!r} is not a question of accreditation.yaml"))
            continue
        try:
            answers[str(question_id)] = parse_score(value)
        except ScoreError as exc:
            problems.append(("scores", f"question {question_id}: {exc}"))
    missing = [q.id for q in acfg.questions if q.id not in scores or scores[q.id] is None]
    if require_every_question and missing:
        problems.append(
            ("scores", f"score every question (n/a where it does not apply); not scored: {', '.join(missing)}")
        )
    elif all(a is None for a in answers.values()):
        problems.append(("scores", "no question was scored: score at least one 0, 0.5 or 1"))
    notes: dict[str, str] = {}
    for question_id, text in findings.items():
        words = " ".join(str(text or "").split())
        if not words:
            continue
        if acfg.question(str(question_id)) is None:
            problems.append(("findings", f"{str(question_id)[:40]!r} is not a question of accreditation.yaml"))
        elif len(words) > FINDING_MAX_CHARS:
            problems.append(
                ("findings", f"question {question_id}: a finding holds at most {FINDING_MAX_CHARS} characters")
            )
        else:
            notes[str(question_id)] = words
    if problems:
        raise AssessmentInputError(problems)
    assert ward is not None and isinstance(assessed_on, date)
    return ward.code, assessed_on, answers, notes


@dataclass(frozen=True)
class PreparedVisit:
    """A checked, levelled visit ready to store: its row, its answers and the actions its findings become."""

    row: dict[str, Any]
    answers: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    award: Award
    domain_percent: dict[str, float | None]


def prepare_visit(
    cfg: AppConfig,
    acfg: AccreditationConfig,
    *,
    ward_code: str,
    assessed_on: date,
    scores: Mapping[str, Any],
    findings: Mapping[str, str] | None,
    actor: Actor,
    previous: Callable[[str, date], list[str]],
    assessor: str | None = None,
    source: str = "app",
    external_id: str | None = None,
    now: datetime | None = None,
    require_every_question: bool = True,
) -> PreparedVisit:
    """Check and level one visit; ``previous(ward, day)``: the ward's levels before ``day``, newest first.

    Raises AssessmentInputError naming every problem.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    ward, visited, answers, notes = _check(
        cfg,
        acfg,
        ward_code,
        assessed_on,
        scores,
        findings or {},
        moment.astimezone(LONDON).date(),
        require_every_question,
    )
    visit = score_visit(acfg, answers)
    earned = award(acfg, visit, previous(ward, visited), visited)
    row = {
        "ward_code": ward,
        "assessed_on": visited,
        "level": earned.level,
        "level_reason": earned.reason,
        "next_visit": earned.next_visit,
        "domain_percent": visit.domain_percent,
        "critical_failed": list(visit.critical_failed),
        "assessor": (assessor or actor.label)[:120],
        "source": source,
        "external_id": external_id,
        "created_at": moment,
    }
    answer_rows = [
        {"question_id": q.id, "domain": q.domain, "score": answers.get(q.id), "finding": notes.get(q.id)}
        for q in acfg.questions
        if q.id in answers or q.id in notes
    ]
    domain_of = {q.id: acfg.domain_label(q.domain) for q in acfg.questions}
    due = datetime.combine(earned.next_visit, ACTION_DUE_TIME, LONDON).astimezone(timezone.utc)
    actions = [
        {
            "ward_code": ward,
            "text": f"Accreditation visit {visited:%d %b %Y}, {question_id} ({domain_of[question_id]}): {text}",
            "owner_role": acfg.file.action_owner_role,
            "due_at": due,
            "status": "open",
            "created_on": visited,
            "created_at": moment,
            "closed_at": None,
            "device": actor.device,
            "version": 1,
            "source": "accreditation",
        }
        for question_id, text in notes.items()
    ]
    return PreparedVisit(row, answer_rows, actions, earned, visit.domain_percent)


def stored_levels_before(engine: Engine) -> Callable[[str, date], list[str]]:
    """``previous`` for ``prepare_visit`` read from the store: the ward's awarded levels before a day, newest first."""

    def before(ward: str, day: date) -> list[str]:
        earlier = stored.assessments(engine, [ward])
        return [str(lv) for lv, on in zip(earlier["level"], earlier["assessed_on"], strict=True) if on <= day]

    return before


def record_assessment(
    engine: Engine,
    cfg: AppConfig,
    acfg: AccreditationConfig,
    *,
    actor: Actor,
    now: datetime | None = None,
    **visit: Any,
) -> Recorded:
    """Check, level and store one visit with its audit row; each finding becomes an open improvement action.

    ``visit``: ward_code, assessed_on, scores (question id -> 0, 0.5, 1 or 'n/a'), findings, and optionally assessor,
    source, external_id, require_every_question (see ``prepare_visit``). The app's form must score every question
    (n/a stated, never assumed); an audit app's extract may leave a question out, read as n/a.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    visit.setdefault("findings", None)
    prepared = prepare_visit(cfg, acfg, actor=actor, previous=stored_levels_before(engine), now=moment, **visit)
    assessment_id = stored.insert_assessment(engine, prepared.row, prepared.answers, prepared.actions, actor, moment)
    return Recorded(assessment_id, prepared.award, prepared.domain_percent, len(prepared.actions))
