"""Counting a proportion metric's numerator and denominator per group of each split, per ward.

Why this exists: the equity view must read what the engine counted, never recompute a rule. The engine
(``metrics.evaluate.engine``) hands this module the very rows a metric counts; this module tallies them by the
groups of ``metrics.equity.groups`` and the store keeps the tallies per ward per snapshot (one snapshot a day).

A proportion metric is either
* a ratio over patient-level rows (its table carries ``encounter_id``): numerator and denominator as configured; or
* a count of patients among those on the ward (unit ``patients``, counting rows of encounters or distinct
  encounters, its condition requiring ``on_ward`` and something more): the numerator is the patients counted, the
  denominator every patient on the ward.
Other metrics (staff fill rates, doses, beds) have no patient to group and are not split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.evaluate.conditions import All, Leaf
from metrics.evaluate.definitions import Aggregate, MetricDefinition
from metrics.equity.groups import SPLITS

SPLIT_COLUMNS = ["ward_code", "metric_id", "split", "group_label", "numerator", "denominator"]


def _requires_on_ward(condition: object) -> bool:
    """True when the condition holds only for patients on the ward (``on_ward`` eq true, alone or in an ``all``)."""
    if isinstance(condition, Leaf):
        return condition.column == "on_ward" and condition.eq is True
    if isinstance(condition, All):
        return any(_requires_on_ward(c) for c in condition.all)
    return False


def is_proportion(definition: MetricDefinition, table_columns: set[str] | frozenset[str]) -> bool:
    """Whether a metric is a proportion of patients, and so can be split (see the module docstring)."""
    if "encounter_id" not in table_columns:
        return False
    if definition.ratio is not None:
        return True
    aggregate = definition.aggregate
    if isinstance(definition.where, Leaf) and aggregate is not None and aggregate.where is None:
        return False  # the patients on the ward themselves: always 100 % of the denominator, nothing to compare
    return (
        aggregate is not None
        and definition.unit == "patients"
        and aggregate.kind in ("rows", "distinct_encounters")
        and (definition.table == "encounters" or aggregate.kind == "distinct_encounters")
        and _requires_on_ward(definition.where)
    )


def _tally(part: Aggregate | None, frame: pd.DataFrame, rows: np.ndarray, groups: pd.DataFrame) -> pd.DataFrame:
    """Per (ward, split, group): the count (or sum) the aggregate makes of ``rows``; None counts distinct encounters."""
    kind = "distinct_encounters" if part is None else part.kind
    needed = ["ward_code", "encounter_id"] + ([part.column] if part is not None and part.kind == "sum" else [])
    if part is not None and part.kind == "distinct_patients":
        needed.append("patient_id")
    chosen = frame.loc[rows, list(dict.fromkeys(needed))]
    if kind == "distinct_encounters":
        chosen = chosen.drop_duplicates(["ward_code", "encounter_id"])
    elif kind == "distinct_patients":
        chosen = chosen.drop_duplicates(["ward_code", "patient_id"])
    joined = chosen.merge(groups, on="encounter_id", how="inner")
    parts = []
    for split in SPLITS:
        keyed = joined.groupby(["ward_code", split], observed=True)
        tally = keyed[part.column].sum(min_count=1) if kind == "sum" and part is not None else keyed.size()
        parts.append(tally.rename("count").reset_index().rename(columns={split: "group_label"}).assign(split=split))
    if not parts:
        return pd.DataFrame(columns=["ward_code", "split", "group_label", "count"])
    return pd.concat(parts, ignore_index=True)


def on_ward_rows(encounters: pd.DataFrame) -> np.ndarray:
    """The patients on the ward: the denominator of every count-of-patients proportion."""
    rows: np.ndarray = encounters["on_ward"].fillna(False).astype(bool).to_numpy()
    return rows


def split_counts(
    definition: MetricDefinition,
    frame: pd.DataFrame,
    numerator_rows: np.ndarray,
    denominator: tuple[pd.DataFrame, np.ndarray],
    groups: pd.DataFrame,
) -> pd.DataFrame:
    """The metric's numerator and denominator per ward, split and group (groups with a denominator only).

    ``denominator`` is the frame and rows the denominator counts: the ratio's own, or the encounters on the ward.
    """
    ratio = definition.ratio
    num = _tally(ratio.numerator if ratio else None, frame, numerator_rows, groups)
    den_frame, den_rows = denominator
    den = _tally(ratio.denominator if ratio else None, den_frame, den_rows, groups)
    keys = ["ward_code", "split", "group_label"]
    out = den.rename(columns={"count": "denominator"}).merge(
        num.rename(columns={"count": "numerator"}), on=keys, how="left"
    )
    out["numerator"] = out["numerator"].fillna(0.0).astype("float64")
    out["denominator"] = out["denominator"].astype("float64")
    out = out[out["denominator"] > 0]
    out.insert(1, "metric_id", definition.id)
    return out[SPLIT_COLUMNS]
