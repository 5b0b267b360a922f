"""A quarantine reason without the offending value: what the data status page may show to everyone.

Why this exists: a quarantined row's content, and the value quoted in its
reason, may identify a patient. ``metrics.extract.validate`` writes every reason
as ``column 'X': <value> <what must hold>`` (or ``column 'X': is required but empty``).
This keeps the column and what must hold and drops the value; a reason in any
other shape is counted as ``OTHER`` rather than shown. ``RULE_PHRASES`` lists
how each of validate's rules begins; tests/unit/test_quarantine_reasons.py
validates a bad row of every kind and pins this parser to what validate writes.
"""

from __future__ import annotations

import re

import pandas as pd

# How each rule's own words begin, as metrics.extract.validate and metrics.extract.convert write them.
RULE_PHRASES = (
    "is not a valid ",
    "must be ",
    "is not a known code",
    "is after the extract",
    "is required but empty",
    "duplicates an earlier row",
    "is not an encounter in",
)
_RULE_STARTS = re.compile(r"\s(?=(" + "|".join(re.escape(p) for p in RULE_PHRASES) + "))")
_COLUMN = re.compile(r"^column '([^']*)':\s?")
OTHER = "other problem (details for administrators)"
SUMMARY_COLUMNS = ["Table", "Reason", "Rows"]


def reason_without_value(reason: str) -> str:
    """ "column 'heart_rate': 900 must be between 20 and 300" -> "heart_rate must be between 20 and 300"."""
    text = str(reason)
    column = _COLUMN.match(text)
    if column is None:
        return OTHER
    rest = text[column.end() :]
    if rest.startswith("is required but empty"):
        return f"{column.group(1)} {rest}"
    splits = list(_RULE_STARTS.finditer(rest))
    if not splits:
        return OTHER
    # The last match: the rule's own words come after the value, so a value quoting them cannot leak.
    return f"{column.group(1)} {rest[splits[-1].end() :]}"


def reason_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Table, Reason, Rows: one line per distinct (table, value-free reason), most rows first."""
    if rows.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    frame = pd.DataFrame(
        {"Table": rows["table_name"].astype(str), "Reason": [reason_without_value(r) for r in rows["reason"]]}
    )
    counted = frame.groupby(["Table", "Reason"], as_index=False).size().rename(columns={"size": "Rows"})
    ordered = counted.sort_values(["Rows", "Table", "Reason"], ascending=[False, True, True])
    return ordered.reset_index(drop=True)[SUMMARY_COLUMNS]
