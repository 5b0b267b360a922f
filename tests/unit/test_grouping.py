"""Per-key text lists: distinct, sorted, joined; keys with nothing are absent."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rules.grouping import joined_per_key


def test_distinct_values_sorted_and_joined_per_key() -> None:
    keys = pd.Series(["E2", "E1", "E2", "E2", "E3"], name="encounter_id")
    values = pd.Series(["VTE", "FALLS", "FALLS", "VTE", None])
    got = joined_per_key(keys, values, "types")
    assert got.to_dict() == {"E1": "FALLS", "E2": "FALLS, VTE"}  # E3 has only a missing value: absent
    assert got.name == "types" and got.index.name == "encounter_id"


@settings(deadline=None)  # a shared CI machine can be slow; the property, not the speed, is under test
@given(st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3"]), st.sampled_from(["A", "B", "C", None])), max_size=40))
def test_the_same_as_a_join_per_group(pairs: list[tuple[str, str | None]]) -> None:
    frame = pd.DataFrame(pairs, columns=["k", "v"], dtype=object)
    expected = {
        k: ", ".join(sorted({v for kk, v in pairs if kk == k and v is not None}))
        for k in {k for k, v in pairs if v is not None}
    }
    assert joined_per_key(frame["k"], frame["v"], "x").to_dict() == expected
