"""Small vectorised helpers the simulation shares: ranks within groups, expansion to items, table slices.

Why this exists: every part of the synthetic trust works on whole numpy columns at once (a python loop
over 100,000 doses would take minutes); these are the few idioms they all use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metrics.synthetic.clock import NA


def rank_in_sorted_groups(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values of an already sorted array."""
    return np.arange(len(groups)) - np.searchsorted(groups, groups, side="left")


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, position within owner) for owners having counts[i] items each."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def lognormal_median(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    """Log-normal draws with the given medians and log-scale spread."""
    draws: np.ndarray = np.exp(np.log(median) + sigma * rng.standard_normal(np.shape(median)))
    return draws


def masked(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Integers with NA where missing (kept int64 for speed)."""
    return np.where(missing, NA, values)


def take(table: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of a table (a dict of equal-length columns) where ``mask`` holds."""
    return {k: v[mask] for k, v in table.items()}


def insert_after(table: dict[str, np.ndarray], row: int, new: dict[str, Any]) -> None:
    """Insert a copy of ``row`` just after it, with the values in ``new`` replaced (in place)."""
    for k in table:
        value = new[k] if k in new else table[k][row]
        arr = table[k]
        table[k] = np.concatenate([arr[: row + 1], np.array([value], dtype=arr.dtype), arr[row + 1 :]])



def in_order(order: np.ndarray, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every column of a simulated table with its rows put in ``order`` (sorted once, by the caller's keys)."""
    return {name: values[order] for name, values in columns.items()}
