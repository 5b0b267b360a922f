"""A fingerprint of each block of a bundle's values (one trust's rows of one metric on one day, or over one month),
so that an import rewrites only the blocks that changed.

Why this exists: a trust sends the month to date every morning, so each bundle repeats, unchanged, most of what the
hub already holds: only the new day, the month's totals and the few cells that disclosure control's secondary
suppression now withholds differently change. Deleting and copying every row of the month again made one import
several seconds of PostgreSQL work. The hub keeps each block's fingerprint beside the values (``hub_value_blocks``),
in the same transaction as the rows, and an import leaves a block whose fingerprint it already holds as it is
(``metrics.store.hub.import_bundle``). A block is one metric's rows (every ward, site and the trust) of one day or
month, so a change to one metric's withheld cells rewrites that metric's rows only.

The fingerprint is 128 bits: two 64-bit hashes of every row (pandas' ``hash_pandas_object`` with two keys), each
summed over the block modulo 2**64 (a block never holds one row twice: the import refuses such a bundle). It finds
a change between two honest exports; it is not the bundle's integrity check, which is the manifest's sha256.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BLOCK_KEY = ["period", "day", "metric_id"]
HASHED = ["level", "unit_code", "value", "numerator", "denominator", "suppressed", "not_supplied"]
BLOCK_COLUMNS = [*BLOCK_KEY, "digest", "rows"]
_KEYS = ("ward-safety-hub1", "ward-safety-hub2")  # hash_pandas_object takes a 16-character key


def value_blocks(values: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``values``' blocks (period, day, metric_id, digest, rows) and each row's block number (its row in the
    first)."""
    parts = [pd.factorize(values[k], sort=True) for k in BLOCK_KEY]
    sizes = [max(len(uniques), 1) for _, uniques in parts]
    combined = np.zeros(len(values), dtype=np.int64)
    for codes, size in zip((c for c, _ in parts), sizes, strict=True):
        combined = combined * size + codes.astype(np.int64)
    keys, codes = np.unique(combined, return_inverse=True)
    codes = codes.reshape(-1)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0]) if len(order) else np.array([], dtype=np.int64)
    halves = []
    for key in _KEYS:
        hashed = pd.util.hash_pandas_object(values[HASHED], index=False, hash_key=key).to_numpy(dtype=np.uint64)
        with np.errstate(over="ignore"):
            halves.append(np.add.reduceat(hashed[order], starts) if len(order) else np.array([], dtype=np.uint64))
    columns: dict[str, object] = {}
    rest = keys
    for name, (_, uniques), size in reversed(list(zip(BLOCK_KEY, parts, sizes, strict=True))):
        columns[name] = np.asarray(uniques, dtype=object)[rest % size]
        rest = rest // size
    blocks = pd.DataFrame(
        {
            **{name: columns[name] for name in BLOCK_KEY},
            "digest": [f"{a:016x}{b:016x}" for a, b in zip(halves[0].tolist(), halves[1].tolist(), strict=True)],
            "rows": np.bincount(codes, minlength=len(keys)),
        },
        columns=BLOCK_COLUMNS,
    )
    return blocks, codes
