"""Spec: red, amber or green for a tile and for a barometer indicator, by the one rule in metrics.evaluate.rag.

A tile's thresholds (metrics.yaml ``rag``) and a barometer indicator's
(barometer.yaml ``rag``) are judged alike: the same value and thresholds give
the same colour on the huddle tiles, the wall and the barometer panel.
"""

from __future__ import annotations

import math

import pytest

from metrics.evaluate.definitions import Direction, Rag
from metrics.evaluate.rag import rag_of
from metrics.huddle.config import Thresholds

LOWER, HIGHER, NEUTRAL = Direction.LOWER, Direction.HIGHER, Direction.NEUTRAL

CASES = [
    # value,    direction, green, amber, rag        behaviour
    (0.0, LOWER, 0.0, 2.0, "green", "at green_max is green"),
    (0.5, LOWER, 0.0, 2.0, "amber", "just above green_max is amber"),
    (2.0, LOWER, 0.0, 2.0, "amber", "at amber_max is amber"),
    (2.01, LOWER, 0.0, 2.0, "red", "just above amber_max is red"),
    (0.95, HIGHER, 0.95, 0.9, "green", "at green_min is green"),
    (0.949, HIGHER, 0.95, 0.9, "amber", "just below green_min is amber"),
    (0.9, HIGHER, 0.95, 0.9, "amber", "at amber_min is amber"),
    (0.899, HIGHER, 0.95, 0.9, "red", "just below amber_min is red"),
    (None, LOWER, 0.0, 2.0, None, "no value: no colour"),
    (math.nan, HIGHER, 0.95, 0.9, None, "a ratio over zero patients (NaN): no colour"),
]


def _thresholds(kind: type, direction: Direction, green: float, amber: float) -> Rag | Thresholds:
    if direction is LOWER:
        return kind(green_max=green, amber_max=amber)
    return kind(green_min=green, amber_min=amber)


@pytest.mark.parametrize("kind", [Rag, Thresholds], ids=["tile", "barometer"])
@pytest.mark.parametrize("value, direction, green, amber, rag, behaviour", CASES)
def test_a_tile_and_a_barometer_indicator_get_the_same_rag_at_every_boundary(
    kind, value, direction, green, amber, rag, behaviour
):
    assert rag_of(value, direction, _thresholds(kind, direction, green, amber)) == rag, behaviour


def test_no_thresholds_or_a_neutral_direction_gives_no_rag():
    assert rag_of(3.0, LOWER, None) is None
    assert rag_of(3.0, NEUTRAL, Rag(green_max=0, amber_max=1)) is None
