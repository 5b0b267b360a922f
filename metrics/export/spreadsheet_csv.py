"""CSV that a spreadsheet opens as data, never as a formula.

Why this exists: the patient lists, huddle ratings and actions and the audit
log are exported as CSV and opened in Excel or LibreOffice. A cell whose text
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
the spreadsheet as a formula (``=HYPERLINK(...)`` sends a click to any
address; ``+cmd|...`` can run a command). Text from an extract, a ward name or
a huddle comment can start that way, so every CSV the app writes goes through
``safe_csv``, which neutralises such text cells the way OWASP's "CSV
Injection" guidance recommends: a single quote before the text, so the
spreadsheet shows it as text. Numbers stay numbers: a negative number is a
number column's value, not text, and is written unchanged.

Source: OWASP Foundation, "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, prefixed with a single quote; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised; numeric, boolean and date columns are left as they are."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        safe[column] = series.map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return safe


def safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV bytes (no index), every text cell and header neutralised for spreadsheets."""
    text: str = neutralise_formulas(frame).to_csv(index=False)
    return text.encode("utf-8")
