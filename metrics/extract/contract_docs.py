"""Renders docs/extract-contract.md from the contract declaration.

Why this exists: the documentation of the input must never drift from what
validation enforces. The page is generated from ``metrics.extract.contract``; a test
fails when the committed page differs (regenerate with
``python -m metrics.extract.contract_docs > docs/extract-contract.md``).
"""

from __future__ import annotations

from metrics.extract.contract import CONTRACT_VERSION, MANIFEST_FIELDS, TABLES, ColumnSpec, Identifying

INTRO = f"""# The EPR extract, contract version {CONTRACT_VERSION}

<!-- Generated from metrics/extract/contract.py by `python -m metrics.extract.contract_docs`; \
edit that file, not this one. -->

The dashboard reads one shape of data, whatever EPR a hospital runs. An
extract is a folder: a `manifest.json` and one file per table below, named
after the table (`encounters.csv` or `encounters.parquet`). CSV files are
UTF-8 with a header row; an empty cell is a missing value. Times are ISO 8601;
a time written without an offset is read as Europe/London local time (an
ambiguous hour on the autumn clock change is read as the first, BST,
occurrence). Codes are compared without regard to case.

If your EPR names files, columns or codes differently, map them in
`config/sources.yaml` (file stem, column renames, value maps such as
`Yes`/`No` to booleans): no code changes.

## Patient identity

A column marked **identifies a patient: never shown** links rows to one
patient or stay; it is used to join the tables and appears on no screen and
in no export. A column marked **identifies a patient: ward team only** is
shown to the ward's own team (its patient lists and printed huddle sheet) and
never on a wall or executive screen. A column marked
**sensitive: beside a patient for the ward team only** (deprivation decile, ethnic category) is treated the same
way beside a patient; elsewhere it is read only as counts per group, with small numbers suppressed.
The contract carries no NHS number, name or date of birth, and columns outside the contract are not read.

## What happens to bad data

* **The whole extract is refused** (exit code 2, nothing stored, the previous
  snapshot stays current and is marked stale when it ages) when the manifest
  is missing or unreadable, a required table's file is missing, a file cannot
  be parsed, or a required column is missing. The message names the file and
  says what to do.
* **A single row is quarantined** (stored with the table, its 1-based data
  row number, the column and the reason; the rest of the extract is used)
  when a required value is empty, a value has the wrong type, a number is out
  of range, a code is not allowed or not configured, a key is duplicated, a
  time lies after `extracted_at`, a ward is not in `config/wards.yaml`, or a
  row names an encounter that is not in `encounters`.

## manifest.json

| field | meaning |
|---|---|
"""


def _constraints(col: ColumnSpec) -> str:
    parts = []
    if col.allowed:
        parts.append("one of " + ", ".join(f"`{a.upper() if len(a) == 1 else a}`" for a in col.allowed))
    if col.min_value is not None and col.max_value is not None:
        parts.append(f"{col.min_value:g} to {col.max_value:g}")
    elif col.min_value is not None:
        parts.append(f"at least {col.min_value:g}")
    if col.not_after_extract:
        parts.append("not after extracted_at")
    if col.unique:
        parts.append("unique")
    if col.may_be_absent:
        parts.append("the column may be left out")
    if col.identifying is Identifying.KEY:
        parts.append("identifies a patient: never shown")
    elif col.identifying is Identifying.WARD_TEAM:
        parts.append("identifies a patient: ward team only")
    elif col.identifying is Identifying.SENSITIVE:
        parts.append("sensitive: beside a patient for the ward team only; elsewhere only as suppressed group counts")
    if col.max_length is not None:
        parts.append(f"at most {col.max_length} characters")
    return "; ".join(parts)


def render_contract_markdown() -> str:
    """The whole contract page as Markdown."""
    lines = [INTRO.rstrip("\n")]
    for name, meaning in MANIFEST_FIELDS.items():
        lines.append(f"| `{name}` | {meaning} |")
    for table in TABLES:
        lines.append("")
        lines.append(f"## {table.name}")
        lines.append("")
        lines.append(table.description + ("" if table.required_file else " Optional table."))
        lines.append("")
        lines.append("| column | type | required | constraints | meaning |")
        lines.append("|---|---|---|---|---|")
        for col in table.columns:
            lines.append(
                f"| `{col.name}` | {col.type.value} | {'yes' if col.required else 'no'} | {_constraints(col)} | "
                f"{col.description} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_contract_markdown(), end="")
