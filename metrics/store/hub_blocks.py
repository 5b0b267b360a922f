"""A fingerprint of each block of a bundle's values (one trust's rows of one day, or of one month), so that an
import rewrites only the blocks that changed.

Why this exists: a trust sends the month to date every morning, so each bundle repeats, unchanged, the days the hub
already holds; only the new day and the month's totals differ. Deleting and copying every row of the month again
made one import several seconds of PostgreSQL work. The hub keeps each block's fingerprint beside the values
(``hub_value_blocks``), in the same transaction as the rows, and an import leaves a block whose fingerprint it
already holds as it is (``metrics.store.hub.import_bundle``).

The fingerprint is 128 bits: two 64-bit hashes of every row (pandas' ``hash_pandas_object`` with two keys), each
summed over the block modulo 2**64 (a block never holds one row twice: the import refuses such a bundle). It finds
a change between two honest exports; it is not the bundle's integrity check, which is the manifest's sha256.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BLOCK_KEY = ["period", "day"]
HASHED = ["level", "unit_code", "metric_id", "value", "numerator", "denominator", "suppressed"]
BLOCK_COLUMNS = ["period", "day", "digest", "rows"]
_KEYS = ("ward-safety-hub1", "ward-safety-hub2")  # hash_pandas_object takes a 16-character key


def value_blocks(values: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``values``' blocks (period, day, digest, rows) and each row's block number (its position in the first)."""
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(values[BLOCK_KEY]), sort=True)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0]) if len(order) else np.array([], dtype=np.int64)
    halves = []
    for key in _KEYS:
        hashed = pd.util.hash_pandas_object(values[HASHED], index=False, hash_key=key).to_numpy(dtype=np.uint64)
        with np.errstate(over="ignore"):
            halves.append(np.add.reduceat(hashed[order], starts) if len(order) else np.array([], dtype=np.uint64))
    digest = [f"{a:016x}{b:016x}" for a, b in zip(halves[0].tolist(), halves[1].tolist(), strict=True)]
    blocks = pd.DataFrame(
        {
            "period": uniques.get_level_values(0),
            "day": uniques.get_level_values(1),
            "digest": digest,
            "rows": np.bincount(codes, minlength=len(uniques)),
        },
        columns=BLOCK_COLUMNS,
    )
    return blocks, codes
