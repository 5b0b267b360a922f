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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from metrics.config import AppConfig
from metrics.contract import TABLES_BY_NAME, ColumnSpec, ColumnType, TableSpec
from metrics.extract_reader import RawExtract

UPPER_CODES = {"ward_code", "flag", "assessment_type", "consciousness", "sex", "incident_type"}
LOWER_CODES = {"outcome", "reason", "shift", "staff_group", "test", "harm_level", "kind"}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_OFFSET = re.compile(r"(?:Z|[+-][0-9][0-9]:?[0-9][0-9])$", re.IGNORECASE)  # ISO 8601 offsets are ASCII digits
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


def _arrow_strings(series: pd.Series) -> pyarrow.ChunkedArray | None:
    """The pyarrow strings behind a pyarrow-backed text column (pandas' default for text read from CSV or Parquet), else None.

    Only when ``astype("string")`` would also give pyarrow-backed strings, so that the fast paths below
    return exactly the dtype the general path does.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and pd.StringDtype().storage == "pyarrow":
        return series.array.__arrow_array__()
    return None


def _clean_strings(arr: pyarrow.ChunkedArray, case: str | None = None) -> pyarrow.ChunkedArray:
    """Strip, upper- or lower-case, and blank → null: what ``_as_text`` and the code casing do, in pyarrow (the same kernels pandas calls)."""
    arr = pc.utf8_trim_whitespace(arr)
    if case == "upper":
        arr = pc.utf8_upper(arr)
    elif case == "lower":
        arr = pc.utf8_lower(arr)
    empty = pc.equal(arr, "")
    if pc.any(empty).as_py():
        arr = pc.if_else(empty, pyarrow.scalar(None, arr.type), arr)
    return arr


def _as_text(series: pd.Series, case: str | None = None) -> pd.Series:
    """Text, stripped, blank as missing (and upper- or lower-cased if ``case`` says), as pandas' "string" dtype."""
    arr = _arrow_strings(series)
    if arr is not None:
        return pd.Series(pd.array(_clean_strings(arr, case), dtype=pd.StringDtype()), index=series.index, name=series.name)
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    if case == "upper":
        text = text.str.upper()
    elif case == "lower":
        text = text.str.lower()
    return text


def _only_types(series: pd.Series, types: tuple[type, ...]) -> bool:
    """True when an object column holds only values of exactly these types (None counts as missing) and at least one value."""
    if not pd.api.types.is_object_dtype(series.dtype) or not len(series):
        return False
    found = set(map(type, series.to_numpy()))
    return found <= {*types, type(None)} and found != {type(None)}


def parse_datetimes(series: pd.Series) -> pd.Series:
    """ISO 8601 text (or Parquet timestamps) → UTC. No offset means Europe/London; an ambiguous autumn hour is read as BST."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is None:
            return series.dt.tz_localize("Europe/London", ambiguous=np.ones(len(series), dtype=bool), nonexistent="shift_forward").dt.tz_convert("UTC")
        return series.dt.tz_convert("UTC")
    return _parse_datetime_text(_as_text(series))


def _has_offset(text: pd.Series) -> pd.Series:
    """Does each text end in a UTC offset (Z, +01:00, -0500)? ``text.str.contains(_OFFSET, na=False)``, in pyarrow for pyarrow-backed text.

    pandas matches a case-insensitive pattern row by row in Python; pyarrow's RE2 gives the same answers
    for this pattern (ASCII digits only). The text is stripped, so no value ends in a newline.
    """
    arr = _arrow_strings(text)
    if arr is None:
        return text.str.contains(_OFFSET, na=False)
    found = pc.match_substring_regex(arr, pattern=_OFFSET.pattern, ignore_case=True)
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=text.index)


def _iso8601(text: pd.Series, utc: bool = False, as_london_date: bool = False) -> pd.Series:
    """``pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce")``, but never an exception for one odd value.

    pandas refuses a whole column when a value carries a zone the others do not (an offset such as '+01'
    among local times): then each value is read on its own, and one that cannot be read as the column
    reads the rest is NaT, so that its row is quarantined rather than the refresh stopped. With
    ``as_london_date`` (a date column), a value with an offset is read as its London date.
    """
    try:
        return pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce")
    except (ValueError, OverflowError, TypeError):
        pass

    def one(value: object) -> pd.Timestamp:
        try:
            stamp = pd.to_datetime(value, format="ISO8601", utc=utc, errors="coerce")
        except (ValueError, OverflowError, TypeError):
            return pd.NaT
        if not utc and stamp is not pd.NaT and stamp.tzinfo is not None:
            return stamp.tz_convert("Europe/London").tz_localize(None) if as_london_date else pd.NaT
        return stamp

    values = [pd.NaT if v is None else one(v) for v in text.astype(object).where(text.notna(), None)]
    return pd.to_datetime(pd.Series(values, index=text.index, dtype=object), utc=utc)


def _parse_datetime_text(text: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    has_offset = _has_offset(text)
    if has_offset.any():
        result[has_offset] = _iso8601(text[has_offset], utc=True)
    naive = text.notna() & ~has_offset
    if naive.any():
        local = _iso8601(text[naive])
        result[naive] = local.dt.tz_localize(
            "Europe/London", ambiguous=np.ones(int(naive.sum()), dtype=bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
    return result


def _parse_numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce").astype("float64")``, parsing each distinct text once (a column of readings has few).

    pandas parses value by value and picks the result type from the set of values seen, so parsing the
    distinct values (with a missing one if there are gaps) gives every row what parsing them all would.
    """
    codes, uniques = pd.factorize(text)
    probe = pd.Series(uniques, dtype=text.dtype)
    if (codes < 0).any():
        probe = pd.concat([probe, pd.Series([pd.NA], dtype=text.dtype)], ignore_index=True)  # parsed last: codes of -1 pick it
    parsed = pd.to_numeric(probe, errors="coerce").astype("float64").to_numpy()
    return pd.Series(parsed[codes], index=text.index, name=text.name)


def _object_booleans(series: pd.Series) -> pyarrow.Array | None:
    """An object column of True, False and missing values (Parquet booleans with gaps, or after a value map) as pyarrow booleans, else None."""
    if not pd.api.types.is_object_dtype(series.dtype) or pd.api.types.infer_dtype(series, skipna=True) != "boolean":
        return None
    try:
        return pyarrow.array(series.to_numpy(), type=pyarrow.bool_(), from_pandas=True)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError):
        return None


def _convert(series: pd.Series, col: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """(typed series, mask of present values that could not be converted)."""
    if col.type is ColumnType.DATETIME:
        if pd.api.types.is_datetime64_any_dtype(series):
            typed = parse_datetimes(series)
            return typed, series.notna() & typed.isna()
        text = _as_text(series)
        typed = _parse_datetime_text(text)
        return typed, series.notna() & text.notna() & typed.isna()
    if col.type is ColumnType.DATE:
        if _only_types(series, (date,)):  # Parquet date32 as pandas reads it: datetime.date objects (never datetime)
            days = pyarrow.array(series.to_numpy(), type=pyarrow.date32(), from_pandas=True)
            typed = pd.Series(days.cast(pyarrow.timestamp("us")).to_numpy(zero_copy_only=False), index=series.index, name=series.name)
            return typed, pd.Series(False, index=series.index)
        text = _as_text(series) if not pd.api.types.is_datetime64_any_dtype(series) else series
        typed = _iso8601(text, as_london_date=True)
        if typed.dt.tz is not None:
            typed = typed.dt.tz_convert("Europe/London").dt.tz_localize(None)
        return typed.dt.normalize(), text.notna() & typed.isna()
    if col.type in (ColumnType.INTEGER, ColumnType.DECIMAL):
        if pd.api.types.is_numeric_dtype(series):
            raw = series
            numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        else:
            raw = _as_text(series)
            numbers = _parse_numbers(raw)
        bad = raw.notna() & numbers.isna()
        # inf, 1e400 and (for a count) anything past 2^53, where floats stop being whole numbers: bad values, not a crash
        limit = 2.0**53 if col.type is ColumnType.INTEGER else np.inf
        unusable = numbers.notna() & ~(numbers.abs() < limit)
        bad |= unusable
        numbers = numbers.mask(unusable)
        if col.type is ColumnType.INTEGER:
            fractional = numbers.notna() & (numbers != np.round(numbers))
            bad |= fractional
            numbers = numbers.mask(fractional)
            return numbers.round().astype("Int64"), bad
        return numbers, bad
    if col.type is ColumnType.BOOLEAN:
        if pd.api.types.is_bool_dtype(series):
            return series.astype("boolean"), pd.Series(False, index=series.index)
        flags = _object_booleans(series)
        if flags is not None:
            return pd.Series(pd.BooleanDtype().__from_arrow__(flags), index=series.index, name=series.name), pd.Series(False, index=series.index)
        arr = _arrow_strings(series)
        if arr is not None:
            words = _clean_strings(arr, "lower")
            true, false = pc.is_in(words, pyarrow.array(sorted(_TRUE))), pc.is_in(words, pyarrow.array(sorted(_FALSE)))
            flags = pc.if_else(true, True, pc.if_else(false, False, pyarrow.scalar(None, pyarrow.bool_())))
            typed = pd.Series(pd.BooleanDtype().__from_arrow__(flags), index=series.index, name=series.name)
            bad = pc.and_(pc.is_valid(words), pc.is_null(flags)).to_numpy(zero_copy_only=False)
            return typed, pd.Series(bad, index=series.index)
        text = _as_text(series, "lower")
        typed = pd.Series(pd.NA, index=series.index, dtype="boolean")
        typed[text.isin(list(_TRUE)).fillna(False)] = True
        typed[text.isin(list(_FALSE)).fillna(False)] = False
        return typed, text.notna() & typed.isna()
    case = "upper" if col.name in UPPER_CODES else "lower" if col.name in LOWER_CODES else None
    return _as_text(series, case), pd.Series(False, index=series.index)


def _one_of(allowed: list[str]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised pandera check function: is each value one of ``allowed``? (``Series.isin``, in one pyarrow ``is_in`` for pyarrow-backed text.)

    A function rather than ``pa.Check.isin``: pandera deep-copies a built-in check's value list with every
    column, and pandas' pyarrow ``isin`` rebuilds it through Python objects on every call.
    """
    value_set = pyarrow.array(allowed, type=pyarrow.large_string())

    def check(series: pd.Series) -> pd.Series:
        arr = _arrow_strings(series)
        if arr is None:
            return series.isin(allowed)
        values = value_set if arr.type == value_set.type else value_set.cast(arr.type)
        return pd.Series(pc.is_in(arr, value_set=values).to_numpy(zero_copy_only=False), index=series.index, name=series.name)

    return check


def _known_codes(cfg: AppConfig) -> dict[str, list[str]]:
    """The configured codes an extract's code columns must use."""
    return {
        "ward_code": sorted(cfg.ward_codes),
        "assessment_type": sorted(a.code.upper() for a in cfg.clinical.assessment_types),
        "flag": sorted(f.code.upper() for f in cfg.clinical.flag_codes),
    }


def _schema(spec: TableSpec, cfg: AppConfig, extracted_at: pd.Timestamp, known: dict[str, list[str]] | None = None) -> pa.DataFrameSchema:
    known = known if known is not None else _known_codes(cfg)
    columns = {}
    for col in spec.columns:
        checks = []
        if col.min_value is not None or col.max_value is not None:
            low = col.min_value if col.min_value is not None else -np.inf
            high = col.max_value if col.max_value is not None else np.inf
            checks.append(pa.Check.in_range(low, high, error=f"must be between {col.min_value:g} and {col.max_value:g}" if col.max_value is not None else f"must be at least {col.min_value:g}"))
        if col.allowed:
            allowed = [a.upper() if col.name in UPPER_CODES else a for a in col.allowed]
            checks.append(pa.Check(_one_of(allowed), error=f"must be one of {', '.join(allowed)}"))
        if col.name in known and spec.name != "staffing" or (col.name == "ward_code" and spec.name == "staffing"):
            hint = {"ward_code": "config/wards.yaml", "assessment_type": "config/clinical.yaml assessment_types", "flag": "config/clinical.yaml flag_codes"}[col.name]
            checks.append(pa.Check(_one_of(known[col.name]), error=f"is not a known code; add it to {hint} or correct the extract"))
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
    picked = raw.loc[rows]
    subset = picked.astype(object).where(picked.notna(), None)
    return {int(i): json.dumps({k: (str(v) if v is not None else None) for k, v in rec.items()}) for i, rec in zip(subset.index, subset.to_dict("records"), strict=True)}


def validate_table(
    spec: TableSpec, raw: pd.DataFrame, cfg: AppConfig, extracted_at: pd.Timestamp, known: dict[str, list[str]] | None = None
) -> tuple[pd.DataFrame, list[dict]]:
    """Typed frame of valid rows, and quarantine records (dicts with QUARANTINE_COLUMNS). ``known``: the configured codes, if already worked out."""
    columns: dict[str, object] = {}
    problems: dict[int, tuple[str, str]] = {}
    for col in spec.columns:
        converted, bad = _convert(raw[col.name], col)
        columns[col.name] = converted.array  # row for row with raw
        for idx in np.flatnonzero(bad.to_numpy(dtype=bool)):
            row = int(raw.index[idx])
            problems.setdefault(row, (col.name, f"column '{col.name}': {str(raw[col.name].iloc[idx])!r} is not a valid {col.type.value}"))
    columns["source_row"] = raw.index.to_numpy() + 1
    typed = pd.DataFrame(columns, index=raw.index, copy=False)  # one frame at once, not a column at a time
    try:
        # inplace: pandera checks the frame without first copying it (nothing here coerces or fills, so nothing is changed)
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
    bad_rows = sorted(problems)
    raw_json = _raw_json(raw, bad_rows) if bad_rows else {}
    records = [
        {"table_name": spec.name, "row_number": row + 1, "column_name": problems[row][0], "reason": problems[row][1], "raw": raw_json[row]}
        for row in bad_rows
    ]
    if not bad_rows:
        return typed.reset_index(drop=True), records
    return typed[~typed.index.isin(bad_rows)].reset_index(drop=True), records


def _isin(values: pd.Series, known: pd.Series) -> np.ndarray:
    """``values.isin(known)`` as a boolean array; for pyarrow-backed text, one pyarrow ``is_in`` (pandas would first build Python lists)."""
    arr, value_set = _arrow_strings(values), _arrow_strings(known)
    if arr is None or value_set is None:
        return values.isin(known).to_numpy(dtype=bool)
    value_set = value_set.combine_chunks()
    if value_set.type != arr.type:
        value_set = value_set.cast(arr.type)
    return pc.is_in(arr, value_set=value_set).to_numpy(zero_copy_only=False)


def _drop_orphans(frame: pd.DataFrame, table: str, known: pd.Series, raw: pd.DataFrame, key: str = "encounter_id") -> tuple[pd.DataFrame, list[dict]]:
    orphan = ~_isin(frame[key], known)
    if not orphan.any():
        return frame, []
    orphans = frame.loc[orphan, [key, "source_row"]]
    rows = [int(r) for r in orphans["source_row"]]
    raw_json = _raw_json(raw, [r - 1 for r in rows])
    records = [
        {
            "table_name": table, "row_number": row, "column_name": key,
            "reason": f"column '{key}': {value!r} is not an encounter in this extract's encounters (or that encounter row was quarantined)",
            "raw": raw_json[row - 1],
        }
        for value, row in zip(orphans[key].astype(object), rows, strict=True)
    ]
    return frame[~orphan].reset_index(drop=True), records


def validate_extract(raw: RawExtract, cfg: AppConfig) -> ValidatedExtract:
    """Validate every table of ``raw``; never raises for bad rows (they are quarantined)."""
    extracted_at = raw.extracted_at
    tables: dict[str, pd.DataFrame] = {}
    quarantine: list[dict] = []
    counts: dict[str, dict[str, int]] = {}
    known = _known_codes(cfg)
    for name, frame in raw.tables.items():
        spec = TABLES_BY_NAME[name]
        valid, records = validate_table(spec, frame, cfg, extracted_at, known)
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
