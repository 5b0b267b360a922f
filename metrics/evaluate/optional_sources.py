"""Which derived tables are built from an optional extract table, so a tile over one can say "not supplied".

Why this exists: a trust that does not send an optional table (acuity, expected admissions, falls risk)
must see "not supplied" on the tiles that count it, never a zero that reads as "no patients" or "no gap".
The engine gives such tiles no value; the views ask here whether that is because the table was absent
(the snapshot's ``row_counts`` lists only the tables the extract carried).
"""

from __future__ import annotations

from collections.abc import Mapping

# derived table a metric may count -> the optional extract table it is built from
OPTIONAL_SOURCES: Mapping[str, str] = {
    "acuity": "acuity",
    "bed_state": "expected_admissions",
    "falls_risk": "falls_risk",
}


def source_of(derived_table: str) -> str | None:
    """The optional extract table ``derived_table`` is built from, or None when it needs no optional table."""
    return OPTIONAL_SOURCES.get(derived_table)


def not_supplied(derived_table: str, supplied_tables: object) -> bool:
    """True when ``derived_table`` is built from an optional table that is not among ``supplied_tables``."""
    source = source_of(derived_table)
    if source is None:
        return False
    return source not in (supplied_tables or {})  # type: ignore[operator]
