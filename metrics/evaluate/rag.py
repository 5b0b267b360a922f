"""Red, amber or green: the one rule that judges a value against its thresholds.

Why this exists: a tile from config/metrics.yaml and a Safety Barometer
indicator from config/barometer.yaml are judged by the same rule, so a ward
reads the same colour for the same value wherever it is shown. Lower is
better: green at or below ``green_max``, amber at or below ``amber_max``, else
red. Higher is better: green at or above ``green_min``, amber at or above
``amber_min``, else red. No value, no thresholds, or a neutral direction: no
RAG (None), never a guessed colour.
"""

from __future__ import annotations

import math
from typing import Protocol

from metrics.evaluate.definitions import Direction


class RagThresholds(Protocol):
    """Anything carrying the four thresholds (a metric's ``Rag``, a barometer indicator's ``Thresholds``)."""

    @property
    def green_max(self) -> float | None: ...

    @property
    def amber_max(self) -> float | None: ...

    @property
    def green_min(self) -> float | None: ...

    @property
    def amber_min(self) -> float | None: ...


def rag_of(value: float | None, direction: Direction, thresholds: RagThresholds | None) -> str | None:
    """'green', 'amber', 'red', or None without a value, thresholds or a direction that has one."""
    if value is None or thresholds is None or math.isnan(value):
        return None
    if direction is Direction.LOWER and thresholds.green_max is not None and thresholds.amber_max is not None:
        return "green" if value <= thresholds.green_max else "amber" if value <= thresholds.amber_max else "red"
    if direction is Direction.HIGHER and thresholds.green_min is not None and thresholds.amber_min is not None:
        return "green" if value >= thresholds.green_min else "amber" if value >= thresholds.amber_min else "red"
    return None
