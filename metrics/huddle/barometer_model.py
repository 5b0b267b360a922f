"""The Safety Barometer's shapes: a ward's chosen indicators resolved, what the barometer reads, what it gives.

Why this exists: ``metrics.huddle.barometer`` values the indicators and sums them up; the shapes it works
with (and how a value and its thresholds read on the panel) are here, so that the store side
(``metrics.store.barometer``) and the views can name them without the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from metrics.evaluate.definitions import Direction, MetricDefinition
from metrics.huddle.config import Aim, BarometerFile, Domain, EprIndicator, Gauge, IncidentIndicator, Thresholds


# ---- the ward's indicators, resolved ------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedIndicator:
    """A chosen indicator with everything needed to value it: the library entry, the effective direction and
    thresholds."""

    id: str
    label: str
    domain: Domain
    source: str
    spec: Any  # the library entry (EprIndicator, IncidentIndicator, ...)
    direction: Direction
    rag: Thresholds | None
    unit: str = ""
    percent: bool = False  # an EPR ratio, stored 0-1 and shown as %


@dataclass(frozen=True)
class WardSetup:
    ward_code: str
    own_set: bool  # False: the default set
    indicators: tuple[ResolvedIndicator, ...]
    aim: Aim | None


def _metric_thresholds(metric: MetricDefinition) -> Thresholds | None:
    rag = metric.rag
    return (
        None
        if rag is None
        else Thresholds(
            green_max=rag.green_max, amber_max=rag.amber_max, green_min=rag.green_min, amber_min=rag.amber_min
        )
    )


def ward_setup(barometer: BarometerFile, ward_code: str, metrics: Sequence[MetricDefinition] = ()) -> WardSetup:
    """The ward's chosen indicators (its own set, or the default) with their effective thresholds."""
    setup, own = barometer.for_ward(ward_code)
    library = barometer.library()
    by_id = {m.id: m for m in metrics}
    resolved = []
    for choice in setup.choices():
        spec = library[choice.id]
        direction, rag, unit, percent = spec.direction, choice.rag or spec.rag, spec.unit, False
        if isinstance(spec, EprIndicator) and spec.metric in by_id:
            metric = by_id[spec.metric]
            direction = direction or metric.direction
            rag = rag or _metric_thresholds(metric)
            percent = metric.ratio is not None or metric.display == "percent"
            unit = unit or ("%" if percent else "")
        resolved.append(
            ResolvedIndicator(
                choice.id,
                choice.label or spec.label,
                spec.domain,
                spec.source,
                spec,
                direction or Direction.NEUTRAL,
                rag,
                unit,
                percent,
            )
        )
    return WardSetup(ward_code, own, tuple(resolved), setup.aim)


# ---- inputs and readings ------------------------------------------------------------------------


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass(frozen=True)
class BarometerInputs:
    """Everything the barometer reads for one ward. A table left as None was not supplied in the extract."""

    data_date: date  # London date of the snapshot's extracted_at
    huddle_date: date  # the huddle's date (ratings)
    epr_values: Mapping[str, float | None] = field(default_factory=dict)  # metric id -> today's value
    epr_history: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # metric id -> date, value
    incidents: pd.DataFrame | None = None  # day, incident_type, harm_level, pressure_ulcer_category, incidents
    incidents_since: date | None = None  # the first day the incidents data covers (any ward)
    feedback: pd.DataFrame | None = None  # day, kind, responses, positive
    feedback_since: date | None = None
    workforce: pd.DataFrame | None = None  # month, sickness_absence_pct, training_compliance_pct, turnover_pct
    ratings: pd.DataFrame = field(default_factory=lambda: _empty(["huddle_date", "kind", "score"]))
    has_snapshot: bool = True


@dataclass(frozen=True)
class IndicatorReading:
    id: str
    label: str
    domain: Domain
    source: str
    direction: Direction
    unit: str
    value: float | None
    rag: str | None  # green, amber, red; None without a value or thresholds
    status: str  # ok, not_supplied, no_data
    note: str  # what the value is, or why there is none
    trend: tuple[tuple[date, float | None], ...]
    value_text: str
    thresholds_text: str
    at_least: bool = False  # days_since with no incident in the data: the value is a lower bound


@dataclass(frozen=True)
class AimProgress:
    text: str
    indicator_id: str
    indicator_label: str
    target: float
    by: date
    baseline: float | None
    value: float | None
    progress: float | None  # 0-1
    met: bool
    days_left: int
    status: str  # met, working, out_of_reach, missed, no_data
    summary: str


AIM_STATUS_WORDS = {
    "met": "Aim met",
    "working": "Working towards it",
    "out_of_reach": "Cannot be met by the date",
    "missed": "Date passed, not met",
    "no_data": "No data",
}


@dataclass(frozen=True)
class BarometerReading:
    ward_code: str
    own_set: bool
    data_date: date
    huddle_date: date
    indicators: tuple[IndicatorReading, ...]
    domain_scores: dict[str, float | None]
    score: float | None  # 0-100
    band: str | None  # green, amber, red
    capped: bool
    counted: int
    chosen: int
    not_supplied: tuple[str, ...]  # the extract tables the ward's indicators need but the extract did not carry
    statement: str
    aim: AimProgress | None
    gauge: Gauge


def figure_text(x: float, percent: bool = False) -> str:
    """A figure as the panel shows it: whole numbers plain, else one decimal; a 0-1 share as a whole percent."""
    x = x * 100 if percent else x
    return f"{int(round(x))}" if abs(x - round(x)) < 1e-9 or percent else f"{x:.1f}"


def thresholds_text(direction: Direction, thresholds: Thresholds | None, percent: bool = False) -> str:
    """'green ≤ 0, amber ≤ 1' or 'green ≥ 90, amber ≥ 85'; '' without thresholds."""
    if thresholds is None:
        return ""
    if direction is Direction.LOWER and thresholds.green_max is not None and thresholds.amber_max is not None:
        green, amber = figure_text(thresholds.green_max, percent), figure_text(thresholds.amber_max, percent)
        return f"green ≤ {green}, amber ≤ {amber}"
    if direction is Direction.HIGHER and thresholds.green_min is not None and thresholds.amber_min is not None:
        green, amber = figure_text(thresholds.green_min, percent), figure_text(thresholds.amber_min, percent)
        return f"green ≥ {green}, amber ≥ {amber}"
    return ""


def value_text(value: float | None, ind: ResolvedIndicator, at_least: bool = False) -> str:
    """How the value reads on the panel: '2', '42 days', '≥ 409 days', '93%', '4.2%', '3.5'."""
    if value is None or pd.isna(value):
        return "–"
    if ind.percent:
        return f"{value * 100:.0f}%"
    text = figure_text(value)
    if ind.unit == "%":
        text = f"{value:.1f}%" if not float(value).is_integer() else f"{int(value)}%"
    elif ind.unit or (isinstance(ind.spec, IncidentIndicator) and ind.spec.measure == "days_since"):
        unit = ind.unit or "days"
        text = f"{text} {unit.removesuffix('s') if text == '1' and unit.endswith('s') else unit}"
    return f"≥ {text}" if at_least else text
