"""Statistical disclosure control of the counts a trust sends out: small numbers withheld, and totals kept
from giving them away.

Why this exists: a bundle leaves the trust, so its counts of patients (or doses, or anything counted per
person) must not let anyone single a patient out. NHS Digital's disclosure control for Hospital Episode
Statistics ("Disclosure control methodology for HES and ECDS", NHS Digital, September 2018; applied since to
its other secondary care data sets) withholds every count below national level from 1 to 7 inclusive,
shown as ``*``; zero is shown. Before that change the rule was 1 to 5 with secondary suppression, "checking
that other values within the data cannot be used to recalculate the original small numbers". Here the
threshold is a setting (``--suppress-up-to``, default ``DEFAULT_THRESHOLD`` = 7, the current NHS figure) and
secondary suppression is always applied, because a bundle carries totals beside the values they add up.

The table is additive: each ward-day count adds up to its ward's month, its site's day and the trust's day;
sites to the trust; days to months. Each such sum is a *line* (a total and its members). A line with exactly
one withheld cell would give that cell away by subtraction, so another cell of the line is withheld too:
the smallest positive published member, or the total if no member is positive. This repeats until every
line has none or at least two withheld cells (the usual hypercube-style heuristic; it is not an optimal
solution and never withholds less than the rule asks).

Every numerator and denominator is protected (``metrics.federation.definitions.protected_parts``): counts of
rows, encounters and patients, sums of columns that count people (patients expected, staff on shift, the census)
and, for one rule a reader can check by eye, sums of hours too. No number from 1 to the threshold in a
numerator or denominator leaves the trust.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 7
SOURCE = (
    "NHS Digital, Disclosure control methodology for Hospital Episode Statistics (HES) and Emergency Care "
    "Data Set (ECDS), September 2018: counts from 1 to 7 below national level are suppressed"
)


@dataclass(frozen=True)
class Line:
    """A sum the table publishes: the cell holding the total, and the key that groups its members.

    ``members`` and ``total`` are boolean masks over the cells; ``key`` gives each cell the line it belongs to
    (cells of the same metric and part with equal key columns are one line).
    """

    members: np.ndarray
    total: np.ndarray
    key: list[str]


def primary(counts: np.ndarray, protected: np.ndarray, threshold: int) -> np.ndarray:
    """Cells withheld by the rule itself: protected counts from 1 to ``threshold``."""
    with np.errstate(invalid="ignore"):
        return protected & (counts >= 1) & (counts <= threshold)


def _line_ids(cells: pd.DataFrame, line: Line) -> np.ndarray:
    """Each cell's line number in this family (-1 for cells outside it); total and members share a number."""
    inside = line.members | line.total
    ids = np.full(len(cells), -1, dtype=np.int64)
    if inside.any():
        codes, _ = pd.factorize(pd.MultiIndex.from_frame(cells.loc[inside, line.key]))
        ids[inside] = codes
    return ids


def secondary(cells: pd.DataFrame, withheld: np.ndarray, lines: list[Line], max_rounds: int = 50) -> np.ndarray:
    """Withhold more cells until no line has exactly one withheld cell; return the new mask.

    ``cells`` has a ``count`` column (NaN: no value, never chosen) and the key columns every ``Line`` names.
    """
    withheld = withheld.copy()
    count = cells["count"].to_numpy(dtype=float)
    known = ~np.isnan(count)
    families = [(_line_ids(cells, line), line) for line in lines]
    for _ in range(max_rounds):
        changed = False
        for ids, line in families:
            inside = ids >= 0
            if not inside.any():
                continue
            n_lines = int(ids.max()) + 1
            withheld_in_line = np.bincount(ids[inside & withheld], minlength=n_lines)
            needy = withheld_in_line == 1
            if not needy.any():
                continue
            needy_cell = inside & needy[np.maximum(ids, 0)]
            candidate = needy_cell & line.members & ~withheld & known & (count > 0)
            chosen = np.zeros(len(cells), bool)
            if candidate.any():
                order = np.flatnonzero(candidate)
                order = order[np.lexsort((count[order], ids[order]))]
                first = order[np.unique(ids[order], return_index=True)[1]]
                chosen[first] = True
            served = np.zeros(n_lines, bool)
            served[ids[chosen]] = True
            # a line with no positive member left: withhold its total instead
            fallback = needy_cell & line.total & ~withheld & known & ~served[np.maximum(ids, 0)]
            chosen |= fallback
            if chosen.any():
                withheld |= chosen
                changed = True
        if not changed:
            return withheld
    return withheld


def unsafe_lines(cells: pd.DataFrame, withheld: np.ndarray, lines: list[Line]) -> int:
    """How many lines still have exactly one withheld cell (a check for tests and the export: should be 0)."""
    unsafe = 0
    for line in lines:
        ids = _line_ids(cells, line)
        inside = ids >= 0
        if inside.any():
            unsafe += int((np.bincount(ids[inside & withheld], minlength=int(ids.max()) + 1) == 1).sum())
    return unsafe
