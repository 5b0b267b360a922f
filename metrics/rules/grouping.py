"""Text lists per key ('FALLS, VTE'), built from sorted arrays.

Why this exists: a board lists, per encounter, its outstanding assessment
types and its active flags. ``groupby(...).agg(", ".join)`` calls back into
Python once per group through pandas' machinery (about 15 µs a group, a
quarter of a second for a region); here the distinct (key, value) pairs are
sorted once and each key's slice is joined directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def joined_per_key(keys: pd.Series, values: pd.Series, name: str, sep: str = ", ") -> pd.Series:
    """The distinct non-missing values of each key, sorted and joined by ``sep``; indexed by key (sorted), named
    ``name``.

    Keys with no non-missing value are absent from the result.
    """
    pairs = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()}).dropna().drop_duplicates()
    if pairs.empty:
        return pd.Series([], index=pd.Index([], dtype=keys.dtype, name=keys.name), dtype=object, name=name)
    pairs = pairs.astype({"value": str}).sort_values(["key", "value"], kind="stable")
    key_array = pairs["key"].to_numpy()
    text = pairs["value"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, key_array[1:] != key_array[:-1]])
    ends = np.r_[starts[1:], len(key_array)]
    joined = [sep.join(text[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return pd.Series(joined, index=pd.Index(key_array[starts], name=keys.name), dtype=object, name=name)


def counts_with_text(counts: pd.DataFrame, text: pd.Series, whole_numbers: Sequence[str]) -> pd.DataFrame:
    """``counts`` (indexed by key) with the text list ``text`` beside it, the key back as a column.

    A key with no text gets None (not NaN), and the ``whole_numbers`` columns are int64: what each rule's
    per-encounter table holds.
    """
    out = counts.join(text, how="left").reset_index()
    name = text.name
    out[name] = out[name].astype(object).where(out[name].notna(), None)
    for column in whole_numbers:
        out[column] = out[column].astype("int64")
    return out
