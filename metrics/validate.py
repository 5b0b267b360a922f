"""Validating an extract against the contract, row by row, before anything is stored.

Why this exists: one bad row must not stop a ward's board, and must not slip
through either. Each column is first converted to its contract type (a value
that cannot be converted is a bad row, with the value in the reason); then a
pandera schema, built from ``metrics.contract``, checks what the contract
requires (required values, ranges, allowed codes, unique keys, no time after
extracted_at, known wards and codes). Rows that fail are quarantined with
table, row number (1-based data row; the header is not counted), column and
reason, and the raw values as read; the rest are used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from metrics.config import AppConfig
from metrics.contract import TABLES_BY_NAME, ColumnSpec, ColumnType, TableSpec
from metrics.extract_reader import RawExtract

UPPER_CODES = {"ward_code", "flag", "assessment_type", "consciousness", "sex", "incident_type"}
LOWER_CODES = {"outcome", "reason", "shift", "staff_group", "test", "harm_level", "kind"}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
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


def _as_text(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def parse_datetimes(series: pd.Series) -> pd.Series:
    """ISO 8601 text (or Parquet timestamps) → UTC. No offset means Europe/London; an ambiguous autumn hour is read as BST."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is None:
            return series.dt.tz_localize("Europe/London", ambiguous=np.ones(len(series), dtype=bool), nonexistent="shift_forward").dt.tz_convert("UTC")
        return series.dt.tz_convert("UTC")
    text = _as_text(series)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    has_offset = text.str.contains(_OFFSET, na=False)
    if has_offset.any():
        result[has_offset] = pd.to_datetime(text[has_offset], format="ISO8601", utc=True, errors="coerce")
    naive = text.notna() & ~has_offset
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        result[naive] = local.dt.tz_localize(
            "Europe/London", ambiguous=np.ones(int(naive.sum()), dtype=bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
    return result


def _convert(series: pd.Series, col: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """(typed series, mask of present values that could not be converted)."""
    if col.type is ColumnType.DATETIME:
        typed = parse_datetimes(series)
        present = series.notna() & (_as_text(series).notna() if not pd.api.types.is_datetime64_any_dtype(series) else True)
        return typed, present & typed.isna()
    if col.type is ColumnType.DATE:
        text = _as_text(series) if not pd.api.types.is_datetime64_any_dtype(series) else series
        typed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if typed.dt.tz is not None:
            typed = typed.dt.tz_convert("Europe/London").dt.tz_localize(None)
        return typed.dt.normalize(), text.notna() & typed.isna()
    if col.type in (ColumnType.INTEGER, ColumnType.DECIMAL):
        raw = series if pd.api.types.is_numeric_dtype(series) else _as_text(series)
        numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad = raw.notna() & numbers.isna()
        if col.type is ColumnType.INTEGER:
            fractional = numbers.notna() & (numbers != np.round(numbers))
            bad |= fractional
            numbers = numbers.mask(fractional)
            return numbers.round().astype("Int64"), bad
        return numbers, bad
    if col.type is ColumnType.BOOLEAN:
        if pd.api.types.is_bool_dtype(series):
            return series.astype("boolean"), pd.Series(False, index=series.index)
        text = _as_text(series).str.lower()
        typed = pd.Series(pd.NA, index=series.index, dtype="boolean")
        typed[text.isin(list(_TRUE)).fillna(False)] = True
        typed[text.isin(list(_FALSE)).fillna(False)] = False
        return typed, text.notna() & typed.isna()
    text = _as_text(series)
    if col.name in UPPER_CODES:
        text = text.str.upper()
    elif col.name in LOWER_CODES:
        text = text.str.lower()
    return text, pd.Series(False, index=series.index)


def _schema(spec: TableSpec, cfg: AppConfig, extracted_at: pd.Timestamp) -> pa.DataFrameSchema:
    known = {
        "ward_code": sorted(cfg.ward_codes),
        "assessment_type": sorted(a.code.upper() for a in cfg.clinical.assessment_types),
        "flag": sorted(f.code.upper() for f in cfg.clinical.flag_codes),
    }
    columns = {}
    for col in spec.columns:
        checks = []
        if col.min_value is not None or col.max_value is not None:
            low = col.min_value if col.min_value is not None else -np.inf
            high = col.max_value if col.max_value is not None else np.inf
            checks.append(pa.Check.in_range(low, high, error=f"must be between {col.min_value:g} and {col.max_value:g}" if col.max_value is not None else f"must be at least {col.min_value:g}"))
        if col.allowed:
            allowed = [a.upper() if col.name in UPPER_CODES else a for a in col.allowed]
            checks.append(pa.Check.isin(allowed, error=f"must be one of {', '.join(allowed)}"))
        if col.name in known and spec.name != "staffing" or (col.name == "ward_code" and spec.name == "staffing"):
            hint = {"ward_code": "config/wards.yaml", "assessment_type": "config/clinical.yaml assessment_types", "flag": "config/clinical.yaml flag_codes"}[col.name]
            checks.append(pa.Check.isin(known[col.name], error=f"is not a known code; add it to {hint} or correct the extract"))
        if col.not_after_extract:
            # a date column is compared with the London date of extracted_at (dates are kept as naive midnights)
            limit = extracted_at.tz_convert("Europe/London").tz_localize(None).normalize() if col.type is ColumnType.DATE else extracted_at
            checks.append(pa.Check(lambda s, t=limit: s <= t, error="is after the extract's extracted_at (a time in the future)"))
        columns[col.name] = pa.Column(checks=checks, nullable=not col.required, unique=col.unique, required=True)
    return pa.DataFrameSchema(columns)


_PANDERA_REASONS = {
    "not_nullable": "is required but empty",
    "field_uniqueness": "duplicates an earlier row (must be unique)",
}


def _raw_json(raw: pd.DataFrame, rows: list[int]) -> dict[int, str]:
    subset = raw.loc[rows].astype(object).where(raw.loc[rows].notna(), None)
    return {int(i): json.dumps({k: (str(v) if v is not None else None) for k, v in rec.items()}) for i, rec in zip(subset.index, subset.to_dict("records"), strict=True)}


def validate_table(spec: TableSpec, raw: pd.DataFrame, cfg: AppConfig, extracted_at: pd.Timestamp) -> tuple[pd.DataFrame, list[dict]]:
    """Typed frame of valid rows, and quarantine records (dicts with QUARANTINE_COLUMNS)."""
    typed = pd.DataFrame(index=raw.index)
    problems: dict[int, tuple[str, str]] = {}
    for col in spec.columns:
        typed[col.name], bad = _convert(raw[col.name], col)
        for idx in np.flatnonzero(bad.to_numpy(dtype=bool)):
            row = int(raw.index[idx])
            problems.setdefault(row, (col.name, f"column '{col.name}': {str(raw[col.name].iloc[idx])!r} is not a valid {col.type.value}"))
    typed["source_row"] = raw.index.to_numpy() + 1
    try:
        _schema(spec, cfg, extracted_at).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                continue
            row = int(case.index)
            if case.check == "field_uniqueness":
                first = typed[case.column].duplicated(keep="first")
                if not bool(first.loc[row]):
                    continue
            reason = _PANDERA_REASONS.get(str(case.check), str(case.check))
            value = "" if case.check == "not_nullable" else f"{case.failure_case!r} "
            problems.setdefault(row, (str(case.column), f"column '{case.column}': {value}{reason}".replace("  ", " ")))
    bad_rows = sorted(problems)
    raw_json = _raw_json(raw, bad_rows) if bad_rows else {}
    records = [
        {"table_name": spec.name, "row_number": row + 1, "column_name": problems[row][0], "reason": problems[row][1], "raw": raw_json[row]}
        for row in bad_rows
    ]
    return typed.drop(index=bad_rows).reset_index(drop=True), records


def _drop_orphans(frame: pd.DataFrame, table: str, known: pd.Series, raw: pd.DataFrame, key: str = "encounter_id") -> tuple[pd.DataFrame, list[dict]]:
    orphan = ~frame[key].isin(known)
    if not orphan.any():
        return frame, []
    records = []
    for _, row in frame[orphan].iterrows():
        records.append({
            "table_name": table, "row_number": int(row["source_row"]), "column_name": key,
            "reason": f"column '{key}': {row[key]!r} is not an encounter in this extract's encounters (or that encounter row was quarantined)",
            "raw": _raw_json(raw, [int(row["source_row"]) - 1])[int(row["source_row"]) - 1],
        })
    return frame[~orphan].reset_index(drop=True), records


def validate_extract(raw: RawExtract, cfg: AppConfig) -> ValidatedExtract:
    """Validate every table of ``raw``; never raises for bad rows (they are quarantined)."""
    extracted_at = raw.extracted_at
    tables: dict[str, pd.DataFrame] = {}
    quarantine: list[dict] = []
    counts: dict[str, dict[str, int]] = {}
    for name, frame in raw.tables.items():
        spec = TABLES_BY_NAME[name]
        valid, records = validate_table(spec, frame, cfg, extracted_at)
        tables[name] = valid
        quarantine.extend(records)
        counts[name] = {"read": len(frame), "quarantined": len(records)}
    encounter_ids = tables["encounters"]["encounter_id"]
    for name in ("observations", "assessments", "medication_administrations", "patient_flags"):
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
    )
