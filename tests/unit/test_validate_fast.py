"""The fast paths of reading and validation give exactly what the general pandas paths give.

Each fast path (pyarrow kernels on pyarrow-backed text, a byte-level "already clean" check, Parquet's
typed booleans and dates, parsing or mapping each distinct value once, pyarrow membership) is compared
with the general path the code keeps for other inputs: the same values in an object column take it.
Values are drawn to hit the edges: Unicode spaces and digits, blanks, case, control bytes, gaps.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.config.models import AppConfig, SourcesFile
from metrics.extract.contract import TABLES_BY_NAME
from metrics.extract.reader import _map_codes, read_extract
from metrics.extract.convert import _OFFSET, _as_text, _has_offset, _parse_numbers
from metrics.extract.convert import convert_column as _convert
from metrics.extract.validate import _drop_orphans, _one_of, validate_extract
from tests.extract_builder import encounter, obs, write_extract

EXAMPLES = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 150)), deadline=None)

PIECES = [
    "a",
    "Z",
    "e9",
    "7A",
    "sepsis",
    "SEPSIS",
    "Yes",
    "no",
    "1",
    "0",
    "12.5",
    "-3",
    "1e2",
    "ß",
    "İ",
    "é",
    "٣",
    "１２",
    "_",
    "x y",
    "Z",
    "+01:00",
    "-0500",
    "z",
    "2026-11-20T10:00",
    " ",
    "\t",
    "\n",
    "\x1c",
    "\x00",
    "\x7f",
    "\u00a0",
    "\u2003",
    "\u3000",
    "",
]
texts = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
columns = st.lists(st.one_of(st.none(), texts), max_size=40)


def as_str(values: list[str | None]) -> pd.Series:
    """What read_csv(dtype=str) and Parquet give pandas 3 for text: pyarrow-backed strings."""
    return pd.Series(values, dtype="str")


def as_object(values: list[str | None]) -> pd.Series:
    """The same values as Python objects: the general path."""
    return pd.Series(values, dtype=object)


@EXAMPLES
@given(columns, st.sampled_from([None, "upper", "lower"]))
def test_text_fast_path_matches_general(values, case):
    pd.testing.assert_series_equal(_as_text(as_str(values), case), _as_text(as_object(values), case), check_exact=True)


@EXAMPLES
@given(columns)
def test_offsets_found_as_pandas_finds_them(values):
    text = _as_text(as_str(values))
    expected = text.str.contains(_OFFSET, na=False).to_numpy(dtype=bool)
    assert _has_offset(text).to_numpy(dtype=bool).tolist() == expected.tolist()
    assert [
        bool(v is not None and re.search(_OFFSET, v)) for v in text.astype(object).where(text.notna(), None)
    ] == expected.tolist()


numbers = st.lists(
    st.one_of(
        st.none(),
        texts,
        st.sampled_from(["5", "5.0", "07", "1e400", "-0", "9007199254740993", "NaN", "inf", ".5", "5.", "+4", "0x10"]),
    ),
    max_size=40,
)


@EXAMPLES
@given(numbers)
def test_numbers_parsed_once_per_value_as_pandas_parses_them_all(values):
    text = _as_text(as_str(values))
    expected = pd.to_numeric(text, errors="coerce").astype("float64")
    pd.testing.assert_series_equal(_parse_numbers(text), expected, check_exact=True, check_names=False)


words = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(
            [
                "true",
                "True",
                " YES ",
                "y",
                "1",
                "t",
                "false",
                "No",
                "n",
                "0",
                "F",
                "",
                " ",
                "maybe",
                "ｙｅｓ",
                "tRuE\u00a0",
            ]
        ),
    ),
    max_size=30,
)


@EXAMPLES
@given(words)
def test_boolean_text_fast_path_matches_general(values):
    col = TABLES_BY_NAME["observations"].column("on_oxygen")
    fast_typed, fast_bad = _convert(as_str(values), col)
    slow_typed, slow_bad = _convert(as_object(values), col)
    pd.testing.assert_series_equal(fast_typed, slow_typed, check_exact=True, check_names=False)
    assert fast_bad.to_numpy(dtype=bool).tolist() == slow_bad.to_numpy(dtype=bool).tolist()


@pytest.mark.parametrize("values", [[True, None, False, np.nan], [True, False], [np.True_, pd.NA, False], [None, None]])
def test_parquet_booleans_with_gaps_match_their_text(values):
    col = TABLES_BY_NAME["patient_feedback"].column("fft_positive")
    typed, bad = _convert(pd.Series(values, dtype=object), col)
    as_text = pd.Series(
        [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values],
        dtype=object,
    )
    expected, expected_bad = _convert(as_text, col)
    pd.testing.assert_series_equal(typed, expected, check_exact=True, check_names=False)
    assert not bad.any() and not expected_bad.any()


@pytest.mark.parametrize(
    "values",
    [
        [date(2026, 11, 25), None, date(1, 1, 1), date(9999, 12, 31)],
        [
            date(2026, 11, 25),
            datetime(2026, 11, 25, 23, 30),
        ],  # a datetime among dates: the general path, not the date fast path
        [None, None],
        [],
    ],
)
def test_parquet_dates_match_their_text(values):
    col = TABLES_BY_NAME["staffing"].column("shift_date")
    typed, bad = _convert(pd.Series(values, dtype=object), col)
    expected, expected_bad = _convert(pd.Series([None if v is None else str(v) for v in values], dtype=object), col)
    pd.testing.assert_series_equal(typed, expected, check_exact=True, check_names=False)
    assert bad.to_numpy(dtype=bool).tolist() == expected_bad.to_numpy(dtype=bool).tolist()


@EXAMPLES
@given(st.lists(st.one_of(st.none(), st.sampled_from(["7A", "7B", "ZZ9", "7a", "", "ward 7"])), max_size=30))
def test_membership_check_matches_isin(values):
    series = _as_text(as_str(values), "upper")
    allowed = ["7A", "7B", "8C"]
    assert _one_of(allowed)(series).tolist() == series.isin(allowed).tolist()
    assert _one_of(allowed)(series.dropna()).tolist() == series.dropna().isin(allowed).tolist()


def test_orphans_found_and_reported_as_before():
    frame = pd.DataFrame(
        {"encounter_id": pd.array(["E1", "E2", "E9", "E1", "E8"], dtype="string"), "source_row": [1, 2, 3, 4, 5]}
    )
    raw = pd.DataFrame(
        {"encounter_id": ["E1", "E2", " E9", "E1", "E8"], "note": ["a", None, "c", "d", "e"]}, dtype="str"
    )
    kept, records = _drop_orphans(frame, "observations", pd.Series(pd.array(["E1", "E2"], dtype="string")), raw)
    assert kept["encounter_id"].tolist() == ["E1", "E2", "E1"] and kept["source_row"].tolist() == [1, 2, 4]
    assert [(r["row_number"], r["reason"].split(":")[1].split(" is ")[0]) for r in records] == [
        (3, " 'E9'"),
        (5, " 'E8'"),
    ]
    assert json.loads(records[0]["raw"]) == {"encounter_id": " E9", "note": "c"}


LOOKUPS = [
    {"YES": True, "NO": False, "Y": True, "N": False},
    {"TRUE": "true", "FALSE": "false"},
    {"TRUE": 1, "FALSE": 0},
    {"7A": "7A", "XX": None},
    {},
]
SERIES = [
    pd.Series([True, False, True]),
    pd.Series([True, None, False], dtype=object),
    pd.Series(["Yes", "no", None, "y", "maybe", "7a", "xx"], dtype="str"),
    pd.Series(["Yes", "no", None, "y"], dtype=object),
    pd.Series([1, 0, 1], dtype="int64"),
    pd.Series([1.0, np.nan, -0.0, 0.0]),
    pd.Series([True, 1, "yes", None], dtype=object),
    pd.Series([], dtype="str"),
]


@pytest.mark.parametrize("lookup", LOOKUPS)
@pytest.mark.parametrize("series", SERIES)
def test_code_maps_worked_out_per_value_match_mapping_every_row(series, lookup):
    expected = series.astype("string").str.upper().astype(object).map(lookup)
    pd.testing.assert_series_equal(_map_codes(series, lookup), expected, check_exact=True)


def test_csv_and_parquet_extracts_validate_alike(tmp_path, cfg: AppConfig):
    """The same dirty rows as CSV, as all-text Parquet and as typed Parquet: the same valid rows and quarantine."""
    rows = {
        "encounters": [
            encounter("E1", " 7a "),
            encounter("E2", "ZZ9"),
            encounter("E3", "7B", admitted="2026-11-20 10:00"),
            encounter("E1"),
        ],
        "observations": [
            obs("E1", "2026-11-24T10:00:00Z", o2=" Yes "),
            obs("E2", "2026-11-24T11:00:00+00:00", hr=900),
            obs("E3", "2026-11-24T12:00", acvpu="c"),
            obs("E3", "2026-11-26T12:00:00Z", temp=36.5),
            obs("E9", "2026-11-24T10:00:00Z"),
        ],
        "staffing": [
            {
                "ward_code": "7a",
                "shift_date": "2026-11-24",
                "shift": " Day",
                "staff_group": "REGISTERED",
                "planned": "5",
                "actual": "4.5",
            }
        ],
    }
    csv = write_extract(tmp_path / "csv", "2026-11-25T08:00:00Z", rows)
    text_parquet = write_extract(tmp_path / "pq", "2026-11-25T08:00:00Z", rows, fmt="parquet")
    typed = tmp_path / "typed"
    typed.mkdir()
    (typed / "manifest.json").write_text((csv / "manifest.json").read_text())
    for name in TABLES_BY_NAME:
        frame = pd.read_csv(csv / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        if name == "staffing":
            frame["shift_date"] = pd.to_datetime(frame["shift_date"]).dt.date
            frame[["planned", "actual"]] = frame[["planned", "actual"]].astype(float)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), typed / f"{name}.parquet")
    sources = SourcesFile.model_validate(
        {"tables": {"observations": {"values": {"on_oxygen": {"Yes": True, "No": False}}}}}
    )
    results = [validate_extract(read_extract(folder, sources), cfg) for folder in (csv, text_parquet, typed)]
    first = results[0]
    assert first.quarantine["row_number"].tolist() == [2, 4, 2, 4, 5]
    assert first.tables["encounters"]["ward_code"].tolist() == ["7A", "7B"]
    assert first.tables["observations"]["consciousness"].tolist() == ["A", "C"]
    for other in results[1:]:
        pd.testing.assert_frame_equal(other.quarantine.drop(columns="raw"), first.quarantine.drop(columns="raw"))
        for name in ("encounters", "observations"):
            pd.testing.assert_frame_equal(other.tables[name], first.tables[name], check_exact=True)
