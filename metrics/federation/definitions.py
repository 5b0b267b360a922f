"""What a metric counts, as a hash: two trusts whose hashes differ for a metric count different things.

Why this exists: a trust may edit config/metrics.yaml, so "falls" in one trust need not be "falls" in
another. The hub compares the hash of what is counted (the table, the conditions and the aggregate or
ratio), not of the label or the tile's place on a board, and never puts two definitions on one chart.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from metrics.evaluate.definitions import MetricDefinition, metric_as_dict

COUNTED_FIELDS = ("table", "where", "aggregate", "ratio")


def counted_part(definition: MetricDefinition) -> dict[str, Any]:
    """The fields that decide the number (and not how it is shown)."""
    whole = metric_as_dict(definition)
    return {k: whole[k] for k in COUNTED_FIELDS if k in whole}


def definition_hash(definition: MetricDefinition) -> str:
    """sha256 of the counted part as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(counted_part(definition), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def protected_parts(definition: MetricDefinition) -> tuple[bool, bool]:
    """Whether the numerator and the denominator fall under disclosure control: every part a metric has.

    Counts of rows, encounters and patients count people; so do most summed columns (falls, occupied bed days,
    patients expected or not scored, staff on shift, the midnight census). A sum of hours counts time, but a
    shortfall of three hours on one ward's shift points at a handful of shifts and staff, and one rule for every
    number is one a reader can check by eye: no numerator or denominator from 1 to the threshold leaves the trust.
    A count metric has no denominator.
    """
    return True, definition.ratio is not None
