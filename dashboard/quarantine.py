"""Why rows were quarantined, said without the rows: counts by table, column and reason.

Why this exists: the data status page is for everyone, but a quarantined
row's content (and the value quoted in its reason) may identify a patient.
The validator writes reasons as ``column 'X': <value> <what must hold>``;
this keeps the column and what must hold, and drops the value. A reason in
any other shape is counted as "other problem" rather than shown.
"""

from __future__ import annotations

import re

import pandas as pd

# The part of a reason that says what must hold; everything before it (the offending value) is dropped.
_RULE_STARTS = re.compile(
    r"\s(?=(is not a valid |must be |is not a known code|is after the extract|is required but empty|duplicates an earlier row|is not an encounter in))"
)
_COLUMN = re.compile(r"^column '([^']*)':\s?")
OTHER = "other problem (details for administrators)"


def reason_without_value(reason: str) -> str:
    """ "column 'heart_rate': 900 must be between 20 and 300" -> "heart_rate must be between 20 and 300"."""
    text = str(reason)
    column = _COLUMN.match(text)
    if column is None:
        return OTHER
    rest = text[column.end() :]
    if rest.startswith(("is required but empty",)):
        return f"{column.group(1)} {rest}"
    splits = list(_RULE_STARTS.finditer(rest))
    if not splits:
        return OTHER
    # The last match: the rule's own words come after the value, so a value quoting them cannot leak.
    return f"{column.group(1)} {rest[splits[-1].end() :]}"


def reason_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Table, Reason, Rows: one line per distinct (table, value-free reason), most rows first."""
    columns = ["Table", "Reason", "Rows"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {"Table": rows["table_name"].astype(str), "Reason": [reason_without_value(r) for r in rows["reason"]]}
    )
    counted = frame.groupby(["Table", "Reason"], as_index=False).size().rename(columns={"size": "Rows"})
    return counted.sort_values(["Rows", "Table", "Reason"], ascending=[False, True, True]).reset_index(drop=True)[
        columns
    ]
