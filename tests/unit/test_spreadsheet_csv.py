"""Every CSV the app writes opens in a spreadsheet as data: text that would be a formula is prefixed with a quote."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from metrics.export.spreadsheet_csv import neutralise_cell, safe_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        # a cell a spreadsheet would run          -> written as text
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)*cmd", "'@SUM(1+1)*cmd"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # ordinary text                           -> unchanged
        ("Ward 7A", "Ward 7A"),
        ("a=b", "a=b"),
        ("", ""),
        ("'=already quoted", "'=already quoted"),
    ],
)
def test_a_text_cell_starting_like_a_formula_gets_a_leading_quote(cell, written):
    assert neutralise_cell(cell) == written


def test_numbers_stay_numbers_and_negative_numbers_are_not_quoted():
    frame = pd.DataFrame({"score": [-3, 7], "change": [-0.5, 1.25], "note": ["-3 on the ward", "fine"]})
    rows = list(csv.reader(io.StringIO(safe_csv(frame).decode("utf-8"))))
    assert rows == [["score", "change", "note"], ["-3", "-0.5", "'-3 on the ward"], ["7", "1.25", "fine"]]


def test_text_in_a_mixed_column_is_neutralised_and_its_numbers_are_not():
    frame = pd.DataFrame({"value": [-4, "=1+1", None]})
    rows = list(csv.reader(io.StringIO(safe_csv(frame).decode("utf-8"))))
    assert rows == [["value"], ["-4"], ["'=1+1"], [""]]


def test_a_header_that_starts_like_a_formula_is_neutralised():
    rows = list(csv.reader(io.StringIO(safe_csv(pd.DataFrame({"=cmd": ["x"]})).decode("utf-8"))))
    assert rows == [["'=cmd"], ["x"]]


def test_no_code_writes_csv_except_through_safe_csv():
    """Every export goes through the one neutraliser: ``to_csv`` appears only in its module."""
    callers = [
        str(path.relative_to(ROOT))
        for folder in ("dashboard", "metrics")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if re.search(r"\.to_csv\(", path.read_text(encoding="utf-8"))
    ]
    assert callers == ["metrics/export/spreadsheet_csv.py"]
