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

from dataclasses import dataclass

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


@dataclass(frozen=True)
class GroupIndex:
    """Each encounter's group in every split as small integers, made once per extract, so a metric's tally is a
    lookup and a ``numpy.bincount`` rather than a join and a group-by."""

    encounters: pd.Index  # encounter_id -> position
    wards: pd.Index  # ward_code -> position
    codes: dict[str, np.ndarray]  # split -> each encounter's group position in SPLITS[split]


def group_index(groups: pd.DataFrame, wards: list[str]) -> GroupIndex:
    """The ``GroupIndex`` of ``metrics.equity.groups.encounter_groups``' frame over the configured wards."""
    codes = {}
    for split, (_, order) in SPLITS.items():
        codes[split] = pd.Index(order).get_indexer(groups[split].to_numpy()).astype(np.int64)
    return GroupIndex(pd.Index(groups["encounter_id"].to_numpy()), pd.Index(wards), codes)


def tally(part: Aggregate | None, frame: pd.DataFrame, rows: np.ndarray, index: GroupIndex) -> dict[str, np.ndarray]:
    """Per split, a [ward, group] array of the count (or sum) the aggregate makes of ``rows``; None counts distinct
    encounters. A row whose encounter or ward is unknown is not counted (it has no group)."""
    kind = "distinct_encounters" if part is None else part.kind
    column = part.column if part is not None and part.kind == "sum" else None
    needed = ["ward_code", "encounter_id"] + ([column] if column else [])
    if kind == "distinct_patients":
        needed.append("patient_id")
    chosen = frame.loc[rows, list(dict.fromkeys(needed))]
    if kind == "distinct_encounters":
        chosen = chosen.drop_duplicates(["ward_code", "encounter_id"])
    elif kind == "distinct_patients":
        chosen = chosen.drop_duplicates(["ward_code", "patient_id"])
    encounter = index.encounters.get_indexer(chosen["encounter_id"].to_numpy())
    ward = index.wards.get_indexer(chosen["ward_code"].to_numpy())
    known = (encounter >= 0) & (ward >= 0)
    weights = (
        np.nan_to_num(pd.to_numeric(chosen[column], errors="coerce").to_numpy(dtype="float64"))[known]
        if column
        else None
    )
    encounter, ward = encounter[known], ward[known]
    out = {}
    for split, codes in index.codes.items():
        size = len(SPLITS[split][1])
        flat = np.bincount(ward * size + codes[encounter], weights=weights, minlength=len(index.wards) * size)
        out[split] = flat.astype("float64").reshape(len(index.wards), size)
    return out


def on_ward_rows(encounters: pd.DataFrame) -> np.ndarray:
    """The patients on the ward: the denominator of every count-of-patients proportion."""
    rows: np.ndarray = encounters["on_ward"].fillna(False).astype(bool).to_numpy()
    return rows


def split_counts(
    definition: MetricDefinition,
    frame: pd.DataFrame,
    numerator_rows: np.ndarray,
    den: dict[str, np.ndarray],
    index: GroupIndex,
) -> pd.DataFrame:
    """The metric's numerator and denominator per ward, split and group (groups with a denominator only).

    ``den`` is the denominator's ``tally``: the ratio's own, or the patients on the ward (tallied once per extract).
    """
    ratio = definition.ratio
    num = tally(ratio.numerator if ratio else None, frame, numerator_rows, index)
    wards, splits, labels, numerators, denominators = [], [], [], [], []
    ward_codes = index.wards.to_numpy(dtype=object)
    for split, (_, order) in SPLITS.items():
        ward, group = np.nonzero(den[split] > 0)
        wards.append(ward_codes[ward])
        splits.append(np.full(len(ward), split, dtype=object))
        labels.append(np.asarray(order, dtype=object)[group])
        numerators.append(num[split][ward, group])
        denominators.append(den[split][ward, group])
    return pd.DataFrame(
        {
            "ward_code": np.concatenate(wards),
            "metric_id": definition.id,
            "split": np.concatenate(splits),
            "group_label": np.concatenate(labels),
            "numerator": np.concatenate(numerators),
            "denominator": np.concatenate(denominators),
        },
        columns=SPLIT_COLUMNS,
    )
