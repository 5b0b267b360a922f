"""config/accreditation.yaml: the ward accreditation framework as data.

Why this exists: many trusts accredit their wards (Bronze, Silver, Gold from
unannounced visits, re-assessed on a cadence that depends on the level). The
framework (domains, standards and their questions, the rules of each level,
how often each level is revisited, and which live metrics triangulate it) is
a trust's own choice, so it is YAML validated by strict pydantic models. A
wrong file is refused with every problem listed at once, each naming the
file, the line, the item and the field, like every other file in config/.
Structure is checked first (pydantic), then meaning (ids unique, every domain
used, a level's ``previous.at_least`` a level that exists) and, given the
rest of the configuration, meaning across files (a question evidenced by
``metric:<id>`` names a metric of metrics.yaml; the triangulation's metrics
too).

The file is optional to ``check-config`` (a trust that does not accredit
still gets its board); the accreditation pages say when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from metrics.config.strict import Strict
from metrics.config.yaml_loader import ItemNames, line_of, load_yaml_model
from metrics.errors import ConfigError

if TYPE_CHECKING:
    from metrics.config.models import AppConfig

ACCREDITATION_FILE = "accreditation.yaml"
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,19}$"  # stored in a 20-character column
QUESTION_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"
DEFAULT_DOMAINS = ("safe", "personal", "effective", "leadership", "relationships")
METRIC_PREFIX = "metric:"


class EvidenceKind(StrEnum):
    """How a question is evidenced on the visit; ``metric`` names a tile of config/metrics.yaml."""

    OBSERVATION = "observation"
    CONVERSATION = "conversation"
    RECORDS = "records"
    METRIC = "metric"


class DomainSpec(Strict):
    """One domain a ward is scored on (Safe, Personal, Effective, Leadership, Relationships by default)."""

    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)


class Question(Strict):
    """One question of a standard: scored 0, 0.5, 1 or not applicable on the visit."""

    id: str = Field(pattern=QUESTION_ID_PATTERN)
    domain: str
    text: str = Field(min_length=1, max_length=400)
    weight: float = Field(default=1, gt=0, le=10)
    critical: bool = False
    evidence: str

    @field_validator("evidence")
    @classmethod
    def _known_evidence(cls, value: str) -> str:
        if value in (EvidenceKind.OBSERVATION, EvidenceKind.CONVERSATION, EvidenceKind.RECORDS):
            return value
        if value.startswith(METRIC_PREFIX) and value.removeprefix(METRIC_PREFIX).strip():
            return value
        raise ValueError("evidence must be observation, conversation, records or metric:<a metric id in metrics.yaml>")

    @property
    def evidence_kind(self) -> EvidenceKind:
        return EvidenceKind.METRIC if self.evidence.startswith(METRIC_PREFIX) else EvidenceKind(self.evidence)

    @property
    def metric_id(self) -> str | None:
        """The metric this question cites (``metric:<id>``), else None."""
        return self.evidence.removeprefix(METRIC_PREFIX).strip() if self.evidence.startswith(METRIC_PREFIX) else None


class Standard(Strict):
    """A standard: a heading that groups questions (its questions carry their own domain)."""

    id: str = Field(pattern=QUESTION_ID_PATTERN)
    title: str = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)


class Previous(Strict):
    """A level's rule on the ward's history: the ``count`` assessments before this one at ``at_least`` or better."""

    count: int = Field(ge=1, le=10)
    at_least: str


class LevelRule(Strict):
    """One level, with its rules and how often a ward at that level is revisited."""

    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)
    min_domain_percent: float = Field(ge=0, le=100)
    no_critical_failed: bool = False
    previous: Previous | None = None
    revisit_months: int = Field(ge=1, le=60)
    colour: str = Field(default="#005EB8", pattern=r"^#[0-9A-Fa-f]{6}$")


class SupportLevel(Strict):
    """Below the lowest level: the ward is supported, and revisited soon."""

    code: str = Field(default="support", pattern=CODE_PATTERN)
    label: str = Field(default="Support", min_length=1)
    revisit_months: int = Field(default=3, ge=1, le=24)
    colour: str = Field(default="#D5281B", pattern=r"^#[0-9A-Fa-f]{6}$")


class Triangulation(Strict):
    """Which live data a ward's level is set beside (``metrics.accreditation.triangulation``)."""

    harm_metrics: tuple[str, ...] = ()
    reliability_metrics: tuple[str, ...] = ()
    lookback_days: int = Field(default=90, ge=7, le=730)
    min_concern_points: int = Field(default=1, ge=1, le=365)
    high_levels: tuple[str, ...] = ()  # empty: every level above the lowest
    reliability_median_below: float = Field(default=3, ge=1, le=5)
    cited_red_share: float = Field(default=0.5, gt=0, le=1)


class AccreditationFile(Strict):
    domains: tuple[DomainSpec, ...] = Field(min_length=1)
    standards: tuple[Standard, ...] = Field(min_length=1)
    levels: tuple[LevelRule, ...] = Field(min_length=1)  # lowest first
    support: SupportLevel = SupportLevel()
    action_owner_role: str = Field(default="nurse", pattern=CODE_PATTERN)
    triangulation: Triangulation = Triangulation()


@dataclass(frozen=True)
class AccreditationConfig:
    """accreditation.yaml, validated."""

    directory: Path
    file: AccreditationFile

    @property
    def domains(self) -> tuple[DomainSpec, ...]:
        return self.file.domains

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.file.standards for q in s.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def domain_label(self, code: str) -> str:
        return next((d.label for d in self.domains if d.code == code), code)

    def level_codes(self) -> tuple[str, ...]:
        """Every level from lowest to highest, Support first."""
        return (self.file.support.code, *(level.code for level in self.file.levels))

    def level_label(self, code: str | None) -> str:
        if code == self.file.support.code:
            return self.file.support.label
        return next((lv.label for lv in self.file.levels if lv.code == code), code or "Not assessed")

    def level_colour(self, code: str | None) -> str:
        if code == self.file.support.code:
            return self.file.support.colour
        return next((lv.colour for lv in self.file.levels if lv.code == code), "#4C6272")

    def rank(self, code: str | None) -> int:
        """0 for Support, 1 for the lowest level and so on; -1 for an unknown code or none."""
        codes = self.level_codes()
        return codes.index(code) if code in codes else -1

    def high_levels(self) -> tuple[str, ...]:
        """The levels the triangulation checks: as listed, else every level above the lowest."""
        return self.file.triangulation.high_levels or tuple(lv.code for lv in self.file.levels[1:])

    def revisit_months(self, code: str) -> int:
        if code == self.file.support.code:
            return self.file.support.revisit_months
        return next(lv.revisit_months for lv in self.file.levels if lv.code == code)


# ---- loading ----------------------------------------------------------------------------------
_ITEMS = ItemNames(words={"domains": "domain", "standards": "standard", "levels": "level", "questions": "question"})


def _where(raw: Any, loc: tuple[Any, ...]) -> str:
    line = line_of(raw, loc)
    return f"{ACCREDITATION_FILE} line {line}" if line else ACCREDITATION_FILE


def _internal_problems(model: AccreditationFile, raw: Any) -> list[str]:
    problems: list[str] = []
    domains = [d.code for d in model.domains]
    for i, code in enumerate(domains):
        if code in domains[:i]:
            problems.append(f"{_where(raw, ('domains', i))}: domain `{code}` is listed twice; codes must be unique.")
    seen_questions: set[str] = set()
    used: set[str] = set()
    for i, standard in enumerate(model.standards):
        if any(s.id == standard.id for s in model.standards[:i]):
            problems.append(f"{_where(raw, ('standards', i))}: standard `{standard.id}` is defined twice.")
        for j, question in enumerate(standard.questions):
            where = _where(raw, ("standards", i, "questions", j))
            if question.id in seen_questions:
                problems.append(f"{where}: question `{question.id}` is defined twice; question ids must be unique.")
            seen_questions.add(question.id)
            if question.domain not in domains:
                problems.append(
                    f"{_where(raw, ('standards', i, 'questions', j, 'domain'))}: question `{question.id}`, field "
                    f"`domain`: unknown domain {question.domain!r}; use one of {', '.join(domains)}."
                )
            used.add(question.domain)
    for i, code in enumerate(domains):
        if code not in used:
            problems.append(f"{_where(raw, ('domains', i))}: domain `{code}` has no question; add one or remove it.")
    levels = [lv.code for lv in model.levels]
    for i, level in enumerate(model.levels):
        if level.code in levels[:i] or level.code == model.support.code:
            problems.append(f"{_where(raw, ('levels', i))}: level `{level.code}` is named twice.")
        if i and level.min_domain_percent < model.levels[i - 1].min_domain_percent:
            problems.append(
                f"{_where(raw, ('levels', i, 'min_domain_percent'))}: level `{level.code}`, "
                "field `min_domain_percent`: "
                f"levels are listed lowest first; {level.min_domain_percent:g} is below "
                f"`{model.levels[i - 1].code}`'s {model.levels[i - 1].min_domain_percent:g}."
            )
        if level.previous is not None and level.previous.at_least not in levels:
            problems.append(
                f"{_where(raw, ('levels', i, 'previous', 'at_least'))}: level `{level.code}`, field "
                f"`previous.at_least`: unknown level {level.previous.at_least!r}; use one of {', '.join(levels)}."
            )
    for code in model.triangulation.high_levels:
        if code not in levels:
            problems.append(
                f"{_where(raw, ('triangulation', 'high_levels'))}: field `triangulation.high_levels`: "
                f"unknown level {code!r}; use one of {', '.join(levels)}."
            )
    return problems


def _cross_file_problems(
    model: AccreditationFile, raw: Any, cfg: AppConfig, huddle_roles: set[str] | None
) -> list[str]:
    problems: list[str] = []
    metric_ids = {m.id for m in cfg.metrics}
    for i, standard in enumerate(model.standards):
        for j, question in enumerate(standard.questions):
            if question.metric_id is not None and question.metric_id not in metric_ids:
                problems.append(
                    f"{_where(raw, ('standards', i, 'questions', j, 'evidence'))}: question `{question.id}`, field "
                    f"`evidence`: {question.metric_id!r} is not a metric in metrics.yaml."
                )
    for kind in ("harm_metrics", "reliability_metrics"):
        for metric_id in getattr(model.triangulation, kind):
            if metric_id not in metric_ids:
                problems.append(
                    f"{_where(raw, ('triangulation', kind))}: field `triangulation.{kind}`: "
                    f"{metric_id!r} is not a metric in metrics.yaml."
                )
    if huddle_roles is not None and model.action_owner_role not in huddle_roles:
        problems.append(
            f"{_where(raw, ('action_owner_role',))}: field `action_owner_role`: {model.action_owner_role!r} is not a "
            f"role of huddle.yaml ({', '.join(sorted(huddle_roles))})."
        )
    return problems


def accreditation_config_problems(
    directory: Path | str,
    cfg: AppConfig | None = None,
    *,
    optional: bool = False,
    huddle_roles: set[str] | None = None,
) -> tuple[AccreditationConfig | None, list[str]]:
    """Validate ``directory``/accreditation.yaml: (the config or None, and every problem, naming file and line)."""
    directory = Path(directory)
    path = directory / ACCREDITATION_FILE
    if optional and not path.exists():
        return None, []
    found: list[str] = []
    model, raw = load_yaml_model(path, AccreditationFile, found, names=_ITEMS)
    problems = [p.replace(str(path), ACCREDITATION_FILE, 1) for p in found]
    if model is None:
        return None, problems
    problems += _internal_problems(model, raw)
    if cfg is not None:
        problems += _cross_file_problems(model, raw, cfg, huddle_roles)
    if problems:
        return None, problems
    return AccreditationConfig(directory, model), []


def load_accreditation_config(directory: Path | str, cfg: AppConfig | None = None) -> AccreditationConfig:
    """Load and validate accreditation.yaml; raise ConfigError listing every problem (file, line, field)."""
    loaded, problems = accreditation_config_problems(directory, cfg)
    if problems or loaded is None:
        raise ConfigError([f"{Path(directory)}/{p}" for p in problems])
    return loaded
