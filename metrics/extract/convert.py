"""Converting an extract's columns to their contract types: text, datetimes, dates, numbers, booleans.

Why this exists: every value arrives as text (CSV) or as whatever the sender's
Parquet writer chose; the contract (``metrics.extract.contract``) says what each column
is. Conversion is where a bad value is first found: ``convert_column`` returns
the typed column and a mask of values that were present but could not be
read, and ``metrics.extract.validate`` quarantines those rows. Times without an offset
are Europe/London (an ambiguous autumn hour is read as BST); codes are
upper- or lower-cased as the contract's code lists are. pyarrow does the work
where pandas would loop in Python (text cleaning, offset detection); the
general pandas path is kept for anything else and the fast paths are tested
against it (tests/unit/test_validate_fast.py).
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from metrics.extract.contract import ColumnSpec, ColumnType
from metrics.rules.clock import LONDON

UPPER_CODES = {"ward_code", "flag", "assessment_type", "consciousness", "sex", "incident_type", "ethnic_category"}
LOWER_CODES = {"outcome", "reason", "shift", "staff_group", "test", "harm_level", "kind", "snct_level", "risk_level"}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_OFFSET = re.compile(r"(?:Z|[+-][0-9][0-9]:?[0-9][0-9])$", re.IGNORECASE)  # ISO 8601 offsets are ASCII digits


def arrow_strings(series: pd.Series) -> pyarrow.ChunkedArray | None:
    """The pyarrow strings behind a pyarrow-backed text column (pandas' default for text read from CSV or Parquet),
    else None.

    Only when ``astype("string")`` would also give pyarrow-backed strings, so that the fast paths below
    return exactly the dtype the general path does.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and pd.StringDtype().storage == "pyarrow":
        return series.array.__arrow_array__()
    return None


def _clean_strings(arr: pyarrow.ChunkedArray, case: str | None = None) -> pyarrow.ChunkedArray:
    """Strip, upper- or lower-case, and blank → null: what ``_as_text`` and the code casing do, in pyarrow (the same
    kernels pandas calls)."""
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
    arr = arrow_strings(series)
    if arr is not None:
        return pd.Series(
            pd.array(_clean_strings(arr, case), dtype=pd.StringDtype()), index=series.index, name=series.name
        )
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    if case == "upper":
        text = text.str.upper()
    elif case == "lower":
        text = text.str.lower()
    return text


def _only_types(series: pd.Series, types: tuple[type, ...]) -> bool:
    """True when an object column holds only values of exactly these types (None counts as missing) and at least one
    value."""
    if not pd.api.types.is_object_dtype(series.dtype) or not len(series):
        return False
    found = set(map(type, series.to_numpy()))
    return found <= {*types, type(None)} and found != {type(None)}


_EARLIEST, _LATEST = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")  # inside nanosecond timestamps


def _bounded(parsed: pd.Series) -> pd.Series:
    """Times outside 1678-2261 (9999-12-31, 0001-01-01) as missing, in nanoseconds: one such row is set aside.

    pandas reads them at a coarser resolution and would fail the whole column when it meets nanosecond ones.
    """
    zone = parsed.dt.tz
    naive = parsed.dt.tz_convert("UTC").dt.tz_localize(None) if zone is not None else parsed
    inside = (naive >= _EARLIEST) & (naive <= _LATEST)
    kept = parsed.where(inside)
    return kept.dt.as_unit("ns")


def parse_datetimes(series: pd.Series) -> pd.Series:
    """ISO 8601 text (or Parquet timestamps) → UTC. No offset means Europe/London; an ambiguous autumn hour is read as
    BST."""
    if pd.api.types.is_datetime64_any_dtype(series):
        series = _bounded(series)
        if series.dt.tz is None:
            return series.dt.tz_localize(
                LONDON, ambiguous=np.ones(len(series), dtype=bool), nonexistent="shift_forward"
            ).dt.tz_convert("UTC")
        return series.dt.tz_convert("UTC")
    return _parse_datetime_text(_as_text(series))


def _has_offset(text: pd.Series) -> pd.Series:
    """Does each text end in a UTC offset (Z, +01:00, -0500)? ``text.str.contains(_OFFSET, na=False)``, in pyarrow for
    pyarrow-backed text.

    pandas matches a case-insensitive pattern row by row in Python; pyarrow's RE2 gives the same answers
    for this pattern (ASCII digits only). The text is stripped, so no value ends in a newline.
    """
    arr = arrow_strings(text)
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
        return _bounded(pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce"))
    except (ValueError, OverflowError, TypeError):
        pass

    def one(value: object) -> pd.Timestamp:
        try:
            stamp = pd.to_datetime(value, format="ISO8601", utc=utc, errors="coerce")
        except (ValueError, OverflowError, TypeError):
            return pd.NaT
        if not utc and stamp is not pd.NaT and stamp.tzinfo is not None:
            return stamp.tz_convert(LONDON).tz_localize(None) if as_london_date else pd.NaT
        return stamp

    values = [pd.NaT if v is None else one(v) for v in text.astype(object).where(text.notna(), None)]
    values = [
        v if v is pd.NaT or _EARLIEST.tz_localize(v.tzinfo) <= v <= _LATEST.tz_localize(v.tzinfo) else pd.NaT
        for v in values
    ]
    return _bounded(pd.to_datetime(pd.Series(values, index=text.index, dtype=object), utc=utc))


def _parse_datetime_text(text: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    has_offset = _has_offset(text)
    if has_offset.any():
        result[has_offset] = _iso8601(text[has_offset], utc=True)
    naive = text.notna() & ~has_offset
    if naive.any():
        local = _iso8601(text[naive])
        result[naive] = local.dt.tz_localize(
            LONDON, ambiguous=np.ones(int(naive.sum()), dtype=bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
    return result


def _parse_numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce").astype("float64")``, parsing each distinct text once (a column of
    readings has few).

    pandas parses value by value and picks the result type from the set of values seen, so parsing the
    distinct values (with a missing one if there are gaps) gives every row what parsing them all would.
    """
    codes, uniques = pd.factorize(text)
    probe = pd.Series(uniques, dtype=text.dtype)
    if (codes < 0).any():
        probe = pd.concat(
            [probe, pd.Series([pd.NA], dtype=text.dtype)], ignore_index=True
        )  # parsed last: codes of -1 pick it
    parsed = pd.to_numeric(probe, errors="coerce").astype("float64").to_numpy()
    return pd.Series(parsed[codes], index=text.index, name=text.name)


def _object_booleans(series: pd.Series) -> pyarrow.Array | None:
    """An object column of True, False and missing values (Parquet booleans with gaps, or after a value map) as pyarrow
    booleans, else None."""
    if not pd.api.types.is_object_dtype(series.dtype) or pd.api.types.infer_dtype(series, skipna=True) != "boolean":
        return None
    try:
        return pyarrow.array(series.to_numpy(), type=pyarrow.bool_(), from_pandas=True)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError):
        return None


def convert_column(series: pd.Series, col: ColumnSpec) -> tuple[pd.Series, pd.Series]:
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
            typed = pd.Series(
                days.cast(pyarrow.timestamp("us")).to_numpy(zero_copy_only=False), index=series.index, name=series.name
            )
            kept = _bounded(typed)  # 0001-01-01 or 9999-12-31: that row set aside, as the same date as text is
            return kept, typed.notna() & kept.isna()
        text = _as_text(series) if not pd.api.types.is_datetime64_any_dtype(series) else series
        typed = _iso8601(text, as_london_date=True)
        if typed.dt.tz is not None:
            typed = typed.dt.tz_convert(LONDON).dt.tz_localize(None)
        return typed.dt.normalize(), text.notna() & typed.isna()
    if col.type in (ColumnType.INTEGER, ColumnType.DECIMAL):
        if pd.api.types.is_numeric_dtype(series):
            raw = series
            numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        else:
            raw = _as_text(series)
            numbers = _parse_numbers(raw)
        bad = raw.notna() & numbers.isna()
        # inf, 1e400 and (for a count) anything past 2^53, where floats stop being whole numbers: bad values, not a
        # crash
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
            return pd.Series(pd.BooleanDtype().__from_arrow__(flags), index=series.index, name=series.name), pd.Series(
                False, index=series.index
            )
        arr = arrow_strings(series)
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
