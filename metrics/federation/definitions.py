"""What a metric counts, as a hash: two trusts whose hashes differ for a metric count different things.

Why this exists: a trust may edit config/metrics.yaml, so "falls" in one trust need not be "falls" in
another. The hub compares the hash of what is counted (the table, the conditions and the aggregate or
ratio), not of the label or the tile's place on a board, and never puts two definitions on one chart.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from metrics.evaluate.definitions import Aggregate, MetricDefinition, metric_as_dict
from metrics.evaluate.ward_days import COUNT_COLUMNS

COUNTED_FIELDS = ("table", "where", "aggregate", "ratio")
PROTECTED_KINDS = frozenset({"rows", "distinct_encounters", "distinct_patients"})


def counted_part(definition: MetricDefinition) -> dict[str, Any]:
    """The fields that decide the number (and not how it is shown)."""
    whole = metric_as_dict(definition)
    return {k: whole[k] for k in COUNTED_FIELDS if k in whole}


def definition_hash(definition: MetricDefinition) -> str:
    """sha256 of the counted part as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(counted_part(definition), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def counts_individuals(part: Aggregate) -> bool:
    """A count of people or events: rows, distinct stays or patients, or a sum of a column that counts them (falls,
    occupied bed days)."""
    return part.kind in PROTECTED_KINDS or (part.kind == "sum" and part.column in COUNT_COLUMNS)


def protected_parts(definition: MetricDefinition) -> tuple[bool, bool]:
    """Whether the numerator and the denominator count individuals (and so fall under disclosure control)."""
    if definition.ratio is None:
        assert definition.aggregate is not None
        return counts_individuals(definition.aggregate), False
    return counts_individuals(definition.ratio.numerator), counts_individuals(definition.ratio.denominator)
