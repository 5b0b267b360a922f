"""The metric evaluator: one small interpreter for every tile.

Why this exists: metrics are data (config/metrics.yaml). This module turns a
definition and the derived tables into one value per ward (with numerator
and denominator for ratios, so that site and trust totals are recomputed,
never averaged), its RAG, and the patient-level rows behind the tile.
Every configured ward gets a value, zero when nothing matched; a ratio with
a zero denominator is None ("no data"), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.evaluate import optional_sources
from metrics.evaluate.conditions import EvaluationContext, mask
from metrics.config.models import AppConfig
from metrics.evaluate.definitions import Aggregate, MetricDefinition
from metrics.evaluate.rag import rag_of
from metrics.rules.clock import london_date, london_midnight
from metrics.evaluate.derive import DerivedExtract
from metrics.equity.groups import encounter_groups
from metrics.equity.splits import SPLIT_COLUMNS, group_index, is_proportion, on_ward_rows, split_counts, tally

WARD_VALUE_COLUMNS = ["ward_code", "metric_id", "value", "numerator", "denominator", "rag"]
DRILLDOWN_COLUMNS = ["ward_code", "metric_id", "encounter_id", "bed", "urgency", "duration_minutes", "detail"]


@dataclass(frozen=True)
class Evaluation:
    """Ward metric values and drill-down rows for one extract, and each proportion metric's parts per group."""

    ward_values: pd.DataFrame
    drilldown: pd.DataFrame
    splits: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPLIT_COLUMNS))


def _rows(part: Aggregate, frame: pd.DataFrame, base: np.ndarray, ctx: EvaluationContext) -> np.ndarray:
    """The rows an aggregate counts: the metric's own condition, and the aggregate's if it has one."""
    return base & mask(part.where, frame, ctx) if part.where is not None else base


def _aggregate(part: Aggregate, frame: pd.DataFrame, rows: np.ndarray, wards: list[str]) -> pd.Series:
    needed = {"rows": [], "distinct_encounters": ["encounter_id"], "distinct_patients": ["patient_id"]}.get(
        part.kind, [part.column]
    )
    chosen = frame.loc[
        rows, ["ward_code", *needed]
    ]  # only the columns counted: a derived table is about a hundred wide
    grouped = chosen.groupby("ward_code", observed=True)
    if part.kind == "rows":
        values = grouped.size()
    elif part.kind == "distinct_encounters":
        values = grouped["encounter_id"].nunique()
    elif part.kind == "distinct_patients":
        values = grouped["patient_id"].nunique()
    else:
        values = grouped[part.column].sum(min_count=1)
    # a ward with no rows counts zero; a ward whose rows sum only missing values has no value ("no data"), never 0
    present = pd.Index(wards).isin(values.index)
    return values.reindex(wards).astype("float64").where(present, 0.0)


def _detail_json(frame: pd.DataFrame) -> list[str]:
    """One JSON object per row (times as ISO 8601 UTC, numbers to 2 decimals, missing as null), built in C by pandas."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
        elif frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    text = frame.to_json(
        orient="records", lines=True, date_format="iso", date_unit="s", double_precision=2, force_ascii=False
    )
    return text.splitlines() if text else []


def _drilldown_rows(definition: MetricDefinition, frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    dd = definition.drilldown
    assert dd is not None
    columns = list(dict.fromkeys(dd.columns))
    used = [
        c
        for c in dict.fromkeys(["ward_code", "encounter_id", "bed", dd.urgency, dd.duration, *columns])
        if c and c in frame.columns
    ]
    chosen = frame.loc[rows, used]
    if chosen.empty:
        return pd.DataFrame(columns=DRILLDOWN_COLUMNS)
    details = _detail_json(chosen[columns])
    out = pd.DataFrame(
        {
            "ward_code": chosen["ward_code"].to_numpy(),
            "metric_id": definition.id,
            "encounter_id": chosen["encounter_id"].to_numpy() if "encounter_id" in chosen else None,
            "bed": chosen["bed"].to_numpy() if "bed" in chosen else None,
            "urgency": pd.to_numeric(chosen[dd.urgency], errors="coerce").to_numpy(dtype="float64")
            if dd.urgency
            else np.nan,
            "duration_minutes": pd.to_numeric(chosen[dd.duration], errors="coerce").to_numpy(dtype="float64")
            if dd.duration
            else np.nan,
            "detail": details,
        }
    )
    return out.sort_values(["ward_code", "urgency"], ascending=[True, False], na_position="last")


def _not_supplied(definition: MetricDefinition, wards: list[str]) -> pd.DataFrame:
    """No value for any ward: an optional extract table or column the metric reads was not in the extract."""
    return pd.DataFrame(
        {
            "ward_code": wards,
            "metric_id": definition.id,
            "value": np.nan,
            "numerator": np.nan,
            "denominator": np.nan,
            "rag": [None] * len(wards),
        }
    )


def evaluate(
    derived: DerivedExtract, cfg: AppConfig, metrics: tuple[MetricDefinition, ...] | None = None
) -> Evaluation:
    """Evaluate every metric definition for every configured ward."""
    now = derived.extracted_at
    ctx = EvaluationContext(extracted_at=now, london_midnight=london_midnight(now), london_date=london_date(now))
    wards = sorted(cfg.ward_codes)
    values: list[pd.DataFrame] = []
    drill: list[pd.DataFrame] = []
    splits: list[pd.DataFrame] = []
    encounters = derived.tables["encounters"]
    groups = group_index(encounter_groups(encounters), wards)  # each patient's deprivation, ethnic group, age, sex
    on_ward = tally(None, encounters, on_ward_rows(encounters), groups)  # every count-of-patients' denominator
    for definition in metrics if metrics is not None else cfg.metrics:
        frame = derived.tables[definition.table]
        if optional_sources.not_supplied(definition, derived.supplied):
            values.append(_not_supplied(definition, wards))
            continue
        base = mask(definition.where, frame, ctx)
        if definition.aggregate is not None:
            counted = _rows(definition.aggregate, frame, base, ctx)
            numerator = _aggregate(definition.aggregate, frame, counted, wards)
            denominator = pd.Series(np.nan, index=wards)
            value = numerator
            if is_proportion(definition, set(frame.columns)):
                splits.append(split_counts(definition, frame, counted, on_ward, groups))
        else:
            ratio = definition.ratio
            assert ratio is not None
            counted = base
            num_rows, den_rows = _rows(ratio.numerator, frame, base, ctx), _rows(ratio.denominator, frame, base, ctx)
            numerator = _aggregate(ratio.numerator, frame, num_rows, wards)
            denominator = _aggregate(ratio.denominator, frame, den_rows, wards)
            value = numerator / denominator.where(denominator > 0)
            if is_proportion(definition, set(frame.columns)):
                splits.append(
                    split_counts(definition, frame, num_rows, tally(ratio.denominator, frame, den_rows, groups), groups)
                )
        values.append(
            pd.DataFrame(
                {
                    "ward_code": wards,
                    "metric_id": definition.id,
                    "value": value.to_numpy(),
                    "numerator": numerator.to_numpy(),
                    "denominator": denominator.to_numpy(),
                    "rag": [rag_of(float(v), definition.direction, definition.rag) for v in value.to_numpy()],
                }
            )
        )
        if definition.drilldown is not None:
            drill.append(_drilldown_rows(definition, frame, counted))
    ward_values = pd.concat(values, ignore_index=True) if values else pd.DataFrame(columns=WARD_VALUE_COLUMNS)
    drilldown = (
        pd.concat([d for d in drill if not d.empty], ignore_index=True)
        if any(not d.empty for d in drill)
        else pd.DataFrame(columns=DRILLDOWN_COLUMNS)
    )
    split_values = (
        pd.concat([s for s in splits if not s.empty], ignore_index=True)
        if any(not s.empty for s in splits)
        else pd.DataFrame(columns=SPLIT_COLUMNS)
    )
    return Evaluation(ward_values, drilldown, split_values)
