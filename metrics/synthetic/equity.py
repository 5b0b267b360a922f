"""Each synthetic patient's deprivation decile and ethnic category, so the equity lens has something to split.

Why this exists: the optional ``imd_decile`` and ``ethnic_category`` encounter columns need realistic values in
the sample. They are drawn per patient (a readmitted patient keeps them) from their own seeded stream, so adding
them changed no other byte of the sample.

The shares are rounded from published figures, for realism only, never for analysis: inpatients come more often
from deprived areas than the population does (NHS Digital, Hospital Episode Statistics by IMD decile), so decile 1
is drawn about twice as often as decile 10; the ethnic categories follow England's census 2021 shares of the broad
groups (Office for National Statistics), with about 6 % not stated (Z) and 2 % not known (99), as in hospital
records. A few per cent of patients have no decile (no fixed abode, an address outside England).
"""

from __future__ import annotations

import numpy as np

IMD_DECILE_WEIGHTS = np.array([13, 12, 11, 10.5, 10, 9.5, 9, 8.5, 8, 7.5])
NO_DECILE_SHARE = 0.03
ETHNIC_CATEGORY_WEIGHTS: dict[str, float] = {
    "A": 66.0,  # White British
    "B": 0.5,  # White Irish
    "C": 6.0,  # any other White background
    "D": 0.4,
    "E": 0.3,
    "F": 0.7,
    "G": 0.6,  # Mixed
    "H": 3.0,
    "J": 2.5,
    "K": 1.0,
    "L": 1.5,  # Asian or Asian British
    "M": 1.0,
    "N": 2.3,
    "P": 0.5,  # Black or Black British
    "R": 0.4,
    "S": 1.4,  # Other ethnic groups
    "Z": 6.0,  # not stated
    "99": 2.0,  # not known
}


def patient_equity(rng: np.random.Generator, n_patients: int) -> tuple[np.ndarray, np.ndarray]:
    """(IMD decile as a float array, NaN where not known; ETHNIC CATEGORY code per patient)."""
    decile = rng.choice(np.arange(1, 11), size=n_patients, p=IMD_DECILE_WEIGHTS / IMD_DECILE_WEIGHTS.sum())
    deciles = np.where(rng.random(n_patients) < NO_DECILE_SHARE, np.nan, decile.astype("float64"))
    codes = np.array(list(ETHNIC_CATEGORY_WEIGHTS), dtype=object)
    weights = np.array(list(ETHNIC_CATEGORY_WEIGHTS.values()))
    ethnic = rng.choice(codes, size=n_patients, p=weights / weights.sum())
    return deciles, ethnic
