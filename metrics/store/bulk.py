"""Bulk inserts of a snapshot's rows, inside the caller's transaction.

Why this exists: a region's refresh writes a few hundred thousand rows
(drill-down rows, per-encounter values, the Safety Barometer's counts).
SQLAlchemy's executemany builds and processes a parameter dictionary per row,
which at that size costs more than the database itself. Here each column is
converted once, as a whole, to plain Python values, then passed through the
column's own SQLAlchemy bind processor (so a stored value is exactly what an
ordinary insert would have stored: UTC datetimes, ISO dates, booleans), and
the rows go straight to the driver: ``executemany`` on SQLite, ``COPY`` on
PostgreSQL (psycopg). The driver cursor belongs to the caller's connection,
so the rows commit or roll back with the rest of the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Integer, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase


def column_values(series: pd.Series) -> list[Any]:
    """A column as plain Python values, missing (None, NaN, NaT, <NA>) as None."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        stamps = series.dt.tz_convert("UTC")
        return [None if pd.isna(v) else v.to_pydatetime() for v in stamps.astype(object).tolist()]
    if pd.api.types.is_float_dtype(series.dtype) and not isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        values = series.to_numpy(dtype="float64")
        missing = np.isnan(values)
        out: list[Any] = values.tolist()
        if missing.any():
            for i in np.flatnonzero(missing).tolist():
                out[i] = None
        return out
    missing = series.isna().to_numpy(dtype=bool)
    out = series.astype(object).tolist()  # tolist gives Python scalars (int, bool, str), not numpy ones
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
    return out


def _as_integers(series: pd.Series, where: str) -> pd.Series:
    """Whole numbers held as floats (a count that passed through a float column) as integers; COPY refuses '3.0' for an
    integer column."""
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series
    numbers = pd.to_numeric(series, errors="raise").astype("float64")
    fractional = numbers.notna() & (numbers != np.round(numbers))
    if fractional.any():
        raise ValueError(
            f"{where}: {numbers[fractional].iloc[0]!r} is not a whole number, but the column is an integer"
        )
    return numbers.astype("Int64")


def _processed(values: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    """The bind processor applied once per distinct value (a column of dates has a few hundred, not 200,000)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    done = [process(v) for v in uniques.tolist()] + [None]  # code -1 (missing) reads the last slot
    return [done[c] for c in codes.tolist()]


@contextmanager
def driver_cursor(conn: Connection) -> Iterator[Any]:
    """A cursor of the driver connection under ``conn`` (so in its transaction), closed afterwards."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def stored_values(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """``frame[columns]`` as rows of the values the driver is given (and, read back raw, gives): what is stored."""
    _, rows = _rows(conn, table, frame, columns, {})
    return list(rows)


def _rows(
    conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str], fixed: Mapping[str, Any]
) -> tuple[list[str], Iterable[tuple[Any, ...]]]:
    names = list(fixed) + columns
    n = len(frame)
    lists: list[list[Any]] = []
    for name in names:
        kind = table.c[name].type
        if name in fixed:
            values = [fixed[name]] * n
        else:
            series = frame[name]
            if isinstance(kind, Integer) and not isinstance(kind, Boolean):
                series = _as_integers(series, f"{table.name}.{name}")
            values = column_values(series)
        process = kind._cached_bind_processor(conn.dialect)  # noqa: SLF001 - SQLAlchemy's own per-type conversion
        if process is not None:
            values = _processed(values, process)
        lists.append(values)
    return names, zip(*lists, strict=True)


def bulk_insert(
    conn: Connection,
    model: type[DeclarativeBase],
    frame: pd.DataFrame,
    columns: list[str],
    fixed: Mapping[str, Any] | None = None,
) -> int:
    """Insert ``frame[columns]`` (plus the ``fixed`` values, e.g. the snapshot id, on every row) into ``model``'s
    table; return the row count."""
    if frame.empty:
        return 0
    table = cast(Table, model.__table__)
    names, rows = _rows(conn, table, frame, columns, fixed or {})
    quote = conn.dialect.identifier_preparer.quote
    target = f"{quote(table.name)} ({', '.join(quote(n) for n in names)})"
    error = conn.dialect.loaded_dbapi.Error
    statement = ""
    with driver_cursor(conn) as cursor:
        try:
            if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
                statement = f"COPY {target} FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(names))
                # Names come from the SQLAlchemy table; values are bound.
                statement = f"INSERT INTO {target} VALUES ({marks})"  # noqa: S608
                cursor.executemany(statement, list(rows))
        except (
            error
        ) as exc:  # raised as SQLAlchemy raises it (IntegrityError, DataError, ...), so callers see one kind of error
            raise DBAPIError.instance(statement, None, exc, error) from exc
    return len(frame)


def copy_frame(conn: Connection, model: type[DeclarativeBase], frame: pd.DataFrame, fixed: Mapping[str, Any]) -> int:
    """Insert ``frame`` (plain columns: text, numbers, booleans, dates) plus the ``fixed`` values into ``model``'s
    table.

    On PostgreSQL the whole frame is written once as CSV by pyarrow and streamed through ``COPY ... (FORMAT csv)``:
    a hub's bundle of hundreds of thousands of rows goes in without a Python call per row (a missing number is an
    unquoted empty field, which COPY reads as NULL; text is always quoted, so an empty text stays empty). Elsewhere
    it is ``bulk_insert``. Inside the caller's transaction either way.
    """
    if frame.empty:
        return 0
    if not (conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"):
        return bulk_insert(conn, model, frame, list(frame.columns), fixed)
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = cast(Table, model.__table__)
    full = frame.assign(**dict(fixed))
    names = list(full.columns)
    buffer = pa.BufferOutputStream()
    pa_csv.write_csv(
        pa.Table.from_pandas(full, preserve_index=False), buffer, pa_csv.WriteOptions(include_header=False)
    )
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN (FORMAT csv)"
    error = conn.dialect.loaded_dbapi.Error
    with driver_cursor(conn) as cursor:
        try:
            with cursor.copy(statement) as copy:
                copy.write(buffer.getvalue().to_pybytes())
        except error as exc:
            raise DBAPIError.instance(statement, None, exc, error) from exc
    return len(frame)
