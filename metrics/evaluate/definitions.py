"""Metric definitions: what a tile counts, how it is judged, and who sees it.

Why this exists: every tile on every view is one entry in config/metrics.yaml.
This module is the typed, validated shape of that entry (pydantic v2,
``extra="forbid"`` so a misspelt field is an error, not a silent default).
The evaluator in ``metrics.evaluate.engine`` interprets it; nothing else needs to
change when a hospital adds a tile.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import Field, model_validator

from metrics.config.strict import Strict
from metrics.evaluate.conditions import Condition


class Direction(str, Enum):
    """Which way is better; drives RAG and SPC colours."""

    LOWER = "lower_is_better"
    HIGHER = "higher_is_better"
    NEUTRAL = "neutral"


class Audience(str, Enum):
    HUDDLE = "huddle"
    WALL = "wall"
    EXECUTIVE = "executive"
    SYSTEM = "system"  # the system view across trusts only (aggregate)


class Aggregate(Strict):
    """How rows that pass the condition become one number per ward."""

    kind: Literal["rows", "distinct_encounters", "distinct_patients", "sum"]
    column: str | None = None
    where: Condition | None = None

    @model_validator(mode="after")
    def _column_for_sum(self) -> "Aggregate":
        if self.kind == "sum" and not self.column:
            raise ValueError("aggregate kind 'sum' needs 'column': the column to add up")
        if self.kind != "sum" and self.column:
            raise ValueError(f"aggregate kind {self.kind!r} takes no 'column' (only 'sum' does)")
        return self


class Ratio(Strict):
    """A ratio of two aggregates over the same table; stored with its parts so totals are recomputed, never averaged."""

    numerator: Aggregate
    denominator: Aggregate


class Rag(Strict):
    """Red/amber/green thresholds. For lower-is-better: green at or below green_max, amber at or below amber_max, else
    red.
    For higher-is-better: green at or above green_min, amber at or above amber_min, else red."""

    green_max: float | None = None
    amber_max: float | None = None
    green_min: float | None = None
    amber_min: float | None = None


class Drilldown(Strict):
    """The patient list behind a tile (huddle view only)."""

    columns: tuple[str, ...]
    urgency: str | None = Field(default=None, description="numeric column sorted descending: most urgent first")
    duration: str | None = Field(default=None, description="numeric column of minutes: 'for how long'")


class MetricDefinition(Strict):
    """One tile."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    short_label: str | None = Field(
        default=None,
        max_length=32,
        description="for the wall and the executive grid, where a tile is read from across a room; the label otherwise",
    )
    description: str
    table: str
    where: Condition | None = None
    aggregate: Aggregate | None = None
    ratio: Ratio | None = None
    unit: str
    direction: Direction
    rag: Rag | None = None
    target: float | None = None
    audiences: tuple[Audience, ...]
    group: str
    order: int = 0
    drilldown: Drilldown | None = None
    # actual_planned: a ratio read as 'numerator (denominator)', e.g. nurses on shift '4 (5)'; its value is the ratio
    # rate: a ratio of events to exposure shown per ``per`` units of it (falls per 1,000 occupied bed days); its
    # stored value is the plain ratio, and the system view's funnel gives it Poisson limits
    display: Literal["count", "percent", "staffing", "actual_planned", "rate"] = "count"
    per: int | None = Field(default=None, gt=0, description="display 'rate': shown per this many of the denominator")
    staffing_cell: tuple[str, str] | None = None  # (shift, staff_group) for the staffing grid
    # g: a daily count of rare events (falls); an improvement project charts the days between them (a g chart)
    chart: Literal["xmr", "g"] | None = None

    @property
    def wall_label(self) -> str:
        """What a wall tile or an executive column head says: the short label if there is one."""
        return self.short_label or self.label

    @model_validator(mode="after")
    def _shape(self) -> "MetricDefinition":
        if (self.aggregate is None) == (self.ratio is None):
            raise ValueError("give exactly one of 'aggregate' or 'ratio'")
        if self.rag is not None:
            if self.direction is Direction.LOWER and (self.rag.green_max is None or self.rag.amber_max is None):
                raise ValueError("a lower_is_better metric's rag needs green_max and amber_max")
            if self.direction is Direction.HIGHER and (self.rag.green_min is None or self.rag.amber_min is None):
                raise ValueError("a higher_is_better metric's rag needs green_min and amber_min")
            if self.direction is Direction.LOWER and self.rag.green_max > self.rag.amber_max:  # type: ignore[operator]
                raise ValueError(
                    f"rag.green_max ({self.rag.green_max}) must not exceed rag.amber_max ({self.rag.amber_max})"
                )
            if self.direction is Direction.HIGHER and self.rag.green_min < self.rag.amber_min:  # type: ignore[operator]
                raise ValueError(
                    f"rag.green_min ({self.rag.green_min}) must not be below rag.amber_min ({self.rag.amber_min})"
                )
            if self.direction is Direction.NEUTRAL:
                raise ValueError("a neutral metric has no rag")
        if self.display == "rate" and (self.ratio is None or self.per is None):
            raise ValueError("display 'rate' needs a 'ratio' (events over exposure) and 'per' (e.g. 1000)")
        if self.per is not None and self.display != "rate":
            raise ValueError("'per' is only for display 'rate'")
        harm_count = self.aggregate is not None and self.display == "count" and self.direction is Direction.LOWER
        if self.chart == "g" and not harm_count:
            raise ValueError("chart 'g' is for a count of rare harmful events: an 'aggregate', display 'count', "
                             "lower_is_better")
        return self

    def referenced_columns(self) -> set[str]:
        cols: set[str] = set()
        if self.where is not None:
            cols |= self.where.columns()
        parts: list[Aggregate] = []
        if self.aggregate is not None:
            parts.append(self.aggregate)
        if self.ratio is not None:
            parts += [self.ratio.numerator, self.ratio.denominator]
        for part in parts:
            if part.column:
                cols.add(part.column)
            if part.where is not None:
                cols |= part.where.columns()
        return cols


def metric_as_dict(definition: MetricDefinition) -> dict[str, Any]:
    """A JSON-ready copy, stored with each snapshot so history keeps the labels it was made with."""
    return definition.model_dump(mode="json", by_alias=True, exclude_none=True)
