"""Loading and validating config/dimensions.yaml: the five questions of safety and the measures answering each.

Why this exists: the Health Foundation's framework for measuring and
monitoring safety (Vincent, Burnett and Carthey, 2013; BMJ Qual Saf 2014)
asks five questions: past harm, reliability, sensitivity to operations (is
care safe today?), anticipation (will it be safe in the future?) and
integration and learning. Which measures answer each is a hospital's choice,
made in YAML; a wrong file is refused with every problem listed at once,
naming the file, the line and the field (a metric id not in metrics.yaml too).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from metrics.config.strict import Strict
from metrics.config.yaml_loader import ItemNames, line_of, load_yaml_model
from metrics.errors import ConfigError

DIMENSIONS_FILE = "dimensions.yaml"
DIMENSION_CODES = ("past_harm", "reliability", "safe_today", "safe_future", "learning")
LearningMeasure = Literal["responses_overdue", "responses_due", "responses_recorded", "recurring_themes"]
LEARNING_LABELS: dict[str, str] = {
    "responses_overdue": "Learning responses overdue",
    "responses_due": "Learning responses due",
    "responses_recorded": "Learning responses recorded",
    "recurring_themes": "Recurring themes",
}
_ITEMS = ItemNames(words={"dimensions": "dimension"})


class Dimension(Strict):
    code: Literal["past_harm", "reliability", "safe_today", "safe_future", "learning"]
    question: str = Field(min_length=1)
    metrics: tuple[str, ...] = ()
    learning: tuple[LearningMeasure, ...] = ()


class DimensionsFile(Strict):
    source: str = Field(min_length=1)
    dimensions: tuple[Dimension, ...]

    @field_validator("dimensions")
    @classmethod
    def _all_five_once(cls, value: tuple[Dimension, ...]) -> tuple[Dimension, ...]:
        codes = [d.code for d in value]
        if sorted(codes) != sorted(DIMENSION_CODES):
            raise ValueError(f"give each of {', '.join(DIMENSION_CODES)} exactly once; got {', '.join(codes)}")
        return value


def dimensions_config_problems(
    directory: Path, metric_ids: Iterable[str] | None = None, *, optional: bool = False
) -> tuple[DimensionsFile | None, list[str]]:
    """(the config or None, every problem as 'dimensions.yaml line N: ...'); absent and optional: (None, [])."""
    path = Path(directory) / DIMENSIONS_FILE
    if optional and not path.exists():
        return None, []
    problems: list[str] = []
    loaded: tuple[Any, Any] = load_yaml_model(path, DimensionsFile, problems, names=_ITEMS)
    found, raw = loaded
    if found is not None and metric_ids is not None:
        known = set(metric_ids)
        for i, dimension in enumerate(found.dimensions):
            for j, metric in enumerate(dimension.metrics):
                if metric not in known:
                    line = line_of(raw, ("dimensions", i, "metrics", j))
                    problems.append(
                        f"{path.name} line {line}: dimension `{dimension.code}`, field `metrics`: "
                        f"unknown metric {metric!r}; use an id from metrics.yaml."
                    )
    problems = [p.replace(str(path), path.name, 1) for p in problems]
    return (found if not problems else None), problems


def load_dimensions_config(directory: Path | str, metric_ids: Iterable[str] | None = None) -> DimensionsFile:
    """config/dimensions.yaml, validated (metric ids against ``metric_ids`` when given); raises ConfigError."""
    loaded, problems = dimensions_config_problems(Path(directory), metric_ids)
    if problems or loaded is None:
        raise ConfigError([f"{directory}/{p}" for p in problems] or [f"{directory}/{DIMENSIONS_FILE}: not found"])
    return loaded
