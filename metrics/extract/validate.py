"""Validating an extract against the contract, row by row, before anything is stored.

Why this exists: one bad row must not stop a ward's board, and must not slip
through either. Each column is first converted to its contract type by
``metrics.extract.convert`` (a value that cannot be converted is a bad row, with the
value in the reason); then a
pandera schema, built from ``metrics.extract.contract``, checks what the contract
requires (required values, ranges, allowed codes, unique keys, no time after
extracted_at, known wards and codes). Rows that fail are quarantined with
table, row number (1-based data row; the header is not counted), column and
reason, and the raw values as read; the rest are used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from metrics.config.models import AppConfig
from metrics.extract.contract import TABLES_BY_NAME, ColumnType, TableSpec
from metrics.extract.convert import UPPER_CODES, arrow_strings, convert_column
from metrics.extract.reader import RawExtract
from metrics.rules.clock import LONDON

QUARANTINE_COLUMNS = ["table_name", "row_number", "column_name", "reason", "raw"]


@dataclass(frozen=True)
class ValidatedExtract:
    """Typed frames holding only valid rows, and the quarantined rows with reasons."""

    extracted_at: pd.Timestamp
    source: str
    content_hash: str
    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    row_counts: dict[str, dict[str, int]]
    # per table read, the optional columns (``may_be_absent``) its file carried; one left out is "not supplied"
    supplied_columns: dict[str, list[str]] = field(default_factory=dict)


def _one_of(allowed: list[str]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised pandera check function: is each value one of ``allowed``? (``Series.isin``, in one pyarrow
    ``is_in`` for pyarrow-backed text.)

    A function rather than ``pa.Check.isin``: pandera deep-copies a built-in check's value list with every
    column, and pandas' pyarrow ``isin`` rebuilds it through Python objects on every call.
    """
    value_set = pyarrow.array(allowed, type=pyarrow.large_string())

    def check(series: pd.Series) -> pd.Series:
        return pd.Series(_arrow_isin(series, value_set, allowed), index=series.index, name=series.name)

    return check


def _known_codes(cfg: AppConfig) -> dict[str, list[str]]:
    """The configured codes an extract's code columns must use."""
    return {
        "ward_code": sorted(cfg.ward_codes),
        "assessment_type": sorted(a.code.upper() for a in cfg.clinical.assessment_types),
        "flag": sorted(f.code.upper() for f in cfg.clinical.flag_codes),
    }


def _schema(
    spec: TableSpec, cfg: AppConfig, extracted_at: pd.Timestamp, known: dict[str, list[str]] | None = None
) -> pa.DataFrameSchema:
    known = known if known is not None else _known_codes(cfg)
    columns = {}
    for col in spec.columns:
        checks = []
        if col.min_value is not None or col.max_value is not None:
            low = col.min_value if col.min_value is not None else -np.inf
            high = col.max_value if col.max_value is not None else np.inf
            checks.append(
                pa.Check.in_range(
                    low,
                    high,
                    error=f"must be between {col.min_value:g} and {col.max_value:g}"
                    if col.max_value is not None
                    else f"must be at least {col.min_value:g}",
                )
            )
        if col.allowed:
            allowed = [a.upper() if col.name in UPPER_CODES else a for a in col.allowed]
            checks.append(pa.Check(_one_of(allowed), error=f"must be one of {', '.join(allowed)}"))
        if col.name in known and spec.name != "staffing" or (col.name == "ward_code" and spec.name == "staffing"):
            hint = {
                "ward_code": "config/wards.yaml",
                "assessment_type": "config/clinical.yaml assessment_types",
                "flag": "config/clinical.yaml flag_codes",
            }[col.name]
            checks.append(
                pa.Check(
                    _one_of(known[col.name]), error=f"is not a known code; add it to {hint} or correct the extract"
                )
            )
        if col.max_length is not None:
            checks.append(
                pa.Check(
                    lambda s, n=col.max_length: s.str.len() <= n,
                    error=f"is longer than {col.max_length} characters",
                )
            )
        if col.not_after_extract:
            # a date column is compared with the London date of extracted_at (dates are kept as naive midnights)
            limit = (
                extracted_at.tz_convert(LONDON).tz_localize(None).normalize()
                if col.type is ColumnType.DATE
                else extracted_at
            )
            checks.append(
                pa.Check(lambda s, t=limit: s <= t, error="is after the extract's extracted_at (a time in the future)")
            )
        columns[col.name] = pa.Column(checks=checks, nullable=not col.required, unique=col.unique, required=True)
    return pa.DataFrameSchema(columns)


_PANDERA_REASONS = {
    "not_nullable": "is required but empty",
    "field_uniqueness": "duplicates an earlier row (must be unique)",
}


# (table, earlier column, later column): a row whose later time is before its earlier one is set aside
ORDERED_TIMES = (("encounters", "admitted_at", "discharged_at"),)


def _out_of_order(spec: TableSpec, typed: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """Rows whose times are in an impossible order (a discharge before its admission)."""
    found: dict[int, tuple[str, str]] = {}
    for table, first, then in ORDERED_TIMES:
        if spec.name != table:
            continue
        before = (typed[then] < typed[first]).fillna(False).to_numpy(dtype=bool)
        for row in typed.index[before]:
            found[int(row)] = (then, f"column '{then}': {typed.at[row, then]} is before {first} {typed.at[row, first]}")
    return found


def _raw_json(raw: pd.DataFrame, rows: list[int]) -> dict[int, str]:
    picked = raw.loc[rows]
    subset = picked.astype(object).where(picked.notna(), None)
    return {
        int(i): json.dumps({k: (str(v) if v is not None else None) for k, v in rec.items()})
        for i, rec in zip(subset.index, subset.to_dict("records"), strict=True)
    }


def validate_table(
    spec: TableSpec,
    raw: pd.DataFrame,
    cfg: AppConfig,
    extracted_at: pd.Timestamp,
    known: dict[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Typed frame of valid rows, and quarantine records (dicts with QUARANTINE_COLUMNS). ``known``: the configured
    codes, if already worked out."""
    columns: dict[str, object] = {}
    problems: dict[int, tuple[str, str]] = {}
    for col in spec.columns:
        converted, bad = convert_column(raw[col.name], col)
        columns[col.name] = converted.array  # row for row with raw
        for idx in np.flatnonzero(bad.to_numpy(dtype=bool)):
            row = int(raw.index[idx])
            problems.setdefault(
                row,
                (col.name, f"column '{col.name}': {str(raw[col.name].iloc[idx])!r} is not a valid {col.type.value}"),
            )
    columns["source_row"] = raw.index.to_numpy() + 1
    typed = pd.DataFrame(columns, index=raw.index, copy=False)  # one frame at once, not a column at a time
    try:
        # inplace: pandera checks the frame without first copying it (nothing here coerces or fills, so nothing is
        # changed)
        _schema(spec, cfg, extracted_at, known).validate(typed, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        repeats: dict[str, pd.Series] = {}
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                continue
            row = int(case.index)
            if case.check == "field_uniqueness":
                if case.column not in repeats:
                    repeats[case.column] = typed[case.column].duplicated(keep="first")
                if not bool(repeats[case.column].loc[row]):
                    continue
            reason = _PANDERA_REASONS.get(str(case.check), str(case.check))
            value = "" if case.check == "not_nullable" else f"{case.failure_case!r} "
            problems.setdefault(row, (str(case.column), f"column '{case.column}': {value}{reason}".replace("  ", " ")))
    for row, problem in _out_of_order(spec, typed).items():
        problems.setdefault(row, problem)
    bad_rows = sorted(problems)
    raw_json = _raw_json(raw, bad_rows) if bad_rows else {}
    records = [
        {
            "table_name": spec.name,
            "row_number": row + 1,
            "column_name": problems[row][0],
            "reason": problems[row][1],
            "raw": raw_json[row],
        }
        for row in bad_rows
    ]
    if not bad_rows:
        return typed.reset_index(drop=True), records
    return typed[~typed.index.isin(bad_rows)].reset_index(drop=True), records


def _arrow_isin(values: pd.Series, value_set: pyarrow.Array, fallback: object) -> np.ndarray:
    """``values.isin(fallback)`` as a boolean array; for pyarrow-backed text, one pyarrow ``is_in`` against
    ``value_set`` (the same values as pyarrow strings), where pandas would first build Python lists."""
    arr = arrow_strings(values)
    if arr is None:
        found: np.ndarray = values.isin(fallback).to_numpy(dtype=bool)
        return found
    if value_set.type != arr.type:
        value_set = value_set.cast(arr.type)
    in_set: np.ndarray = pc.is_in(arr, value_set=value_set).to_numpy(zero_copy_only=False)
    return in_set


def _isin(values: pd.Series, known: pd.Series) -> np.ndarray:
    """``values.isin(known)`` as a boolean array (see ``_arrow_isin``)."""
    known_arr = arrow_strings(known)
    if known_arr is None:
        found: np.ndarray = values.isin(known).to_numpy(dtype=bool)
        return found
    return _arrow_isin(values, known_arr.combine_chunks(), known)


def _drop_orphans(
    frame: pd.DataFrame, table: str, known: pd.Series, raw: pd.DataFrame, key: str = "encounter_id"
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    orphan = ~_isin(frame[key], known)
    if not orphan.any():
        return frame, []
    orphans = frame.loc[orphan, [key, "source_row"]]
    rows = [int(r) for r in orphans["source_row"]]
    raw_json = _raw_json(raw, [r - 1 for r in rows])
    records = [
        {
            "table_name": table,
            "row_number": row,
            "column_name": key,
            "reason": f"column '{key}': {value!r} is not an encounter in this extract's encounters (or that encounter "
            "row was quarantined)",
            "raw": raw_json[row - 1],
        }
        for value, row in zip(orphans[key].astype(object), rows, strict=True)
    ]
    return frame[~orphan].reset_index(drop=True), records


def validate_extract(raw: RawExtract, cfg: AppConfig) -> ValidatedExtract:
    """Validate every table of ``raw``; never raises for bad rows (they are quarantined)."""
    extracted_at = raw.extracted_at
    tables: dict[str, pd.DataFrame] = {}
    quarantine: list[dict[str, Any]] = []
    counts: dict[str, dict[str, int]] = {}
    known = _known_codes(cfg)
    for name, frame in raw.tables.items():
        spec = TABLES_BY_NAME[name]
        valid, records = validate_table(spec, frame, cfg, extracted_at, known)
        tables[name] = valid
        quarantine.extend(records)
        counts[name] = {"read": len(frame), "quarantined": len(records)}
    encounter_ids = tables["encounters"]["encounter_id"]
    for name in ("observations", "assessments", "medication_administrations", "patient_flags", "acuity", "falls_risk"):
        if name in tables:
            tables[name], records = _drop_orphans(tables[name], name, encounter_ids, raw.tables[name])
            quarantine.extend(records)
            counts[name]["quarantined"] += len(records)
    for name, c in counts.items():
        c["used"] = len(tables[name])
    return ValidatedExtract(
        extracted_at=extracted_at,
        source=raw.manifest.source,
        content_hash=raw.content_hash,
        tables=tables,
        quarantine=pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS),
        row_counts=counts,
        supplied_columns={
            name: [c.name for c in TABLES_BY_NAME[name].columns if c.may_be_absent and c.name not in absent]
            for name, absent in ((n, raw.absent_columns.get(n, ())) for n in raw.tables)
        },
    )
