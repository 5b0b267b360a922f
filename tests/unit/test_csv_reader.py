"""The CSV reader gives exactly what pandas' read_csv(dtype=str) gives, whatever the text; pandas decides the odd
files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.errors import ExtractRejected
from metrics.extract.reader import _read_table_file, read_csv_text

PIECES = [
    "a",
    "7A",
    "x y",
    " lead",
    "trail ",
    ",",
    '"',
    "'",
    "\n",
    "\r\n",
    "é",
    "µmol/L",
    "٣",
    "\t",
    "NA",
    "null",
    "N/A",
    "-",
    "0",
    "1.5",
    "",
]
cells = st.lists(st.sampled_from(PIECES), max_size=3).map("".join)


def pandas_read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(cells, min_size=n, max_size=n), min_size=1, max_size=12)),
    st.booleans(),
    st.booleans(),
)
def test_same_frame_as_pandas_for_any_text(tmp_path_factory, rows, bom, crlf):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow([f"col{i}" for i in range(len(rows[0]))])
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    pd.testing.assert_frame_equal(read_csv_text(path), pandas_read(path), check_exact=True)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1\n2,3\n",  # a short row: pandas fills it, pyarrow refuses; pandas decides
        "a,a\n1,2\n",  # a repeated header: pandas renames it
        "a,b\n",  # no data rows
        "a,b\n1,2\n\n3,4\n",  # a blank line between rows
        'a,b\n"1\n2",3\n',  # a newline inside quotes
    ],
    ids=["short_row", "repeated_header", "header_only", "blank_line", "newline_in_quotes"],
)
def test_odd_files_read_as_pandas_reads_them(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    pd.testing.assert_frame_equal(read_csv_text(path), pandas_read(path), check_exact=True)


@pytest.mark.parametrize(
    "text", ["a,b\n1,2\n1,2,3\n", "a,b\n1,2,3\n4,5,6\n"], ids=["one_long_row", "every_row_one_value_too_many"]
)
def test_a_long_row_and_bad_bytes_still_get_the_clear_rejection(tmp_path, text):
    long_row = tmp_path / "encounters.csv"
    long_row.write_text(text, encoding="utf-8")
    with pytest.raises(
        ExtractRejected, match="encounters.csv.*cannot be parsed"
    ):  # never a silent shift of every value by one column
        _read_table_file(long_row)
    latin = tmp_path / "observations.csv"
    latin.write_bytes("a,b\nµ,2\n".encode("latin-1"))
    with pytest.raises(ExtractRejected, match="observations.csv.*not UTF-8"):
        _read_table_file(latin)
