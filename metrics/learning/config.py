"""Loading and validating config/learning.yaml: which incidents need a learning response, by when, and the factors.

Why this exists: NHS England's Patient Safety Incident Response Framework
(PSIRF, August 2022) leaves each organisation to set, in its own patient
safety incident response plan, which incidents get a learning response and
how quickly; that is a hospital's choice, made in YAML, never in code. The
contributory factors a response may name are a closed list (after the
Yorkshire Contributory Factors Framework, Lawton et al., BMJ Qual Saf 2012)
so that themes can be counted across responses. A wrong file is refused with
every problem listed at once, each naming the file, the line and the field,
the same way as ``metrics.config``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from metrics.config.strict import Strict
from metrics.config.yaml_loader import ItemNames, load_yaml_model
from metrics.errors import ConfigError
from metrics.extract.contract import HARM_LEVELS
from metrics.extract.optional_tables import HARM_INCIDENT_TYPES
from metrics.store.learning_models import RESPONSE_KINDS

LEARNING_FILE = "learning.yaml"
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
_ITEMS = ItemNames(
    words={"harm_incidents": "harm incident", "contributory_factors": "factor", "responses": "response"},
    keys={"harm_incidents": "incident_type"},
)


class HarmIncidentRule(Strict):
    """Which incidents of one type need a learning response, and within how many days of the incident."""

    incident_type: str
    label: str = Field(min_length=1)
    harm_levels: tuple[str, ...] = ()  # any of these harm levels; empty: any harm level
    min_pressure_ulcer_category: int | None = Field(default=None, ge=1, le=4)
    respond_within_days: int = Field(ge=1, le=365)

    @field_validator("incident_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value.upper() not in HARM_INCIDENT_TYPES:
            raise ValueError(f"incident_type must be one of {', '.join(HARM_INCIDENT_TYPES)}")
        return value.upper()

    @field_validator("harm_levels")
    @classmethod
    def _known_levels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v.lower() not in HARM_LEVELS]
        if unknown:
            raise ValueError(f"harm levels must be among {', '.join(HARM_LEVELS)}; unknown {unknown}")
        return tuple(v.lower() for v in value)

    @model_validator(mode="after")
    def _says_what_harm(self) -> HarmIncidentRule:
        if not self.harm_levels and self.min_pressure_ulcer_category is None:
            raise ValueError("give harm_levels, min_pressure_ulcer_category or both: which incidents are harm")
        return self


class ResponseKind(Strict):
    label: str = Field(min_length=1)
    hint: str = Field(min_length=1)


class Factor(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)


def _refuse_twice(keys: list[str], rule: str) -> None:
    """A ValueError stating ``rule`` and naming every key listed more than once."""
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"{rule}; listed twice: {', '.join(twice)}")


class LearningFile(Strict):
    """config/learning.yaml as a whole."""

    source: str = Field(min_length=1)
    harm_incidents: tuple[HarmIncidentRule, ...] = Field(min_length=1)
    responses: dict[str, ResponseKind]
    contributory_factors: tuple[Factor, ...] = Field(min_length=1)
    lookback_days: int = Field(default=90, ge=7, le=400)
    theme_window_days: int = Field(default=90, ge=7, le=400)
    theme_min_responses: int = Field(default=2, ge=2, le=50)
    text_max_chars: int = Field(default=500, ge=50, le=4000)

    @field_validator("responses")
    @classmethod
    def _every_kind(cls, value: dict[str, ResponseKind]) -> dict[str, ResponseKind]:
        if set(value) != set(RESPONSE_KINDS):
            raise ValueError(f"responses must give exactly {', '.join(RESPONSE_KINDS)}; got {', '.join(value)}")
        return value

    @field_validator("contributory_factors")
    @classmethod
    def _unique_codes(cls, value: tuple[Factor, ...]) -> tuple[Factor, ...]:
        _refuse_twice([f.code for f in value], "factor codes must be unique")
        return value

    @field_validator("harm_incidents")
    @classmethod
    def _one_rule_per_type(cls, value: tuple[HarmIncidentRule, ...]) -> tuple[HarmIncidentRule, ...]:
        _refuse_twice([r.incident_type for r in value], "one rule per incident type")
        return value

    def factor_label(self, code: str) -> str:
        return next((f.label for f in self.contributory_factors if f.code == code), code)

    def rule(self, incident_type: str) -> HarmIncidentRule | None:
        return next((r for r in self.harm_incidents if r.incident_type == incident_type.upper()), None)


def learning_config_problems(directory: Path, *, optional: bool = False) -> tuple[LearningFile | None, list[str]]:
    """(the config or None, every problem as 'learning.yaml line N: item, field: message'); absent and optional:
    (None, []).
    """
    path = Path(directory) / LEARNING_FILE
    if optional and not path.exists():
        return None, []
    problems: list[str] = []
    loaded: tuple[Any, Any] = load_yaml_model(path, LearningFile, problems, names=_ITEMS)
    return (loaded[0] if not problems else None), [p.replace(str(path), path.name, 1) for p in problems]


def load_learning_config(directory: Path | str) -> LearningFile:
    """config/learning.yaml, validated; raises ConfigError listing every problem (file, line, field)."""
    loaded, problems = learning_config_problems(Path(directory))
    if problems or loaded is None:
        raise ConfigError([f"{directory}/{p}" for p in problems] or [f"{directory}/{LEARNING_FILE}: not found"])
    return loaded
