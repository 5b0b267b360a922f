"""Writing one extract folder: a CSV or Parquet file per table in the contract's column order, and its manifest.

Why this exists: the generator must write exactly what a trust's EPR export would, in the shape of
``metrics.extract.contract`` (column order is taken from ``TABLES``, never restated), with times as
ISO 8601 London wall time with its offset in CSV and UTC timestamps in Parquet.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from metrics.extract.contract import TABLES, ColumnType, TableSpec
from metrics.synthetic.clock import NA, LondonClock



def _csv_column(values: np.ndarray, ctype: ColumnType, clock: LondonClock) -> np.ndarray:
    """The column as CSV cell text (a numpy unicode array; '' where missing)."""
    if ctype is ColumnType.DATETIME:
        missing = values == NA
        return np.where(missing, "", clock.iso(np.where(missing, 0, values)).astype(str))
    if ctype is ColumnType.DATE:
        missing = values == NA
        return np.where(missing, "", np.datetime_as_string(np.where(missing, 0, values).astype("datetime64[D]")))
    if ctype is ColumnType.INTEGER:
        return np.where(values == NA, "", values.astype(str))
    if ctype is ColumnType.DECIMAL:
        values = values.astype(float)
        missing = np.isnan(values)
        safe = np.where(missing, 0.0, values)
        whole = safe == np.round(safe)
        return np.where(missing, "", np.where(whole, np.round(safe).astype(np.int64).astype(str), safe.astype(str)))
    if ctype is ColumnType.BOOLEAN:
        if values.dtype == object:  # True / False / None (missing)
            return np.array(["" if v is None else ("true" if v else "false") for v in values], dtype=str)
        return np.where(values.astype(bool), "true", "false")
    present = np.array([v is not None for v in values], dtype=bool)
    return np.where(present, values, "").astype(str)


def _csv_quote(text: np.ndarray) -> np.ndarray:
    """RFC 4180 quoting, only for the cells that need it."""
    needs = (np.strings.find(text, ",") >= 0) | (np.strings.find(text, '"') >= 0) | (np.strings.find(text, "\n") >= 0)
    if not needs.any():
        return text
    quoted = np.strings.add(np.strings.add('"', np.strings.replace(text, '"', '""')), '"')
    return np.where(needs, quoted, text)


def _csv_bytes(names: list[str], columns: list[np.ndarray]) -> bytes:
    lines = _csv_quote(columns[0])
    for column in columns[1:]:
        lines = np.strings.add(np.strings.add(lines, ","), _csv_quote(column))
    body = "\n".join(lines.tolist())
    return (",".join(names) + "\n" + body + ("\n" if len(lines) else "")).encode("utf-8")


def _arrow_column(values: np.ndarray, ctype: ColumnType) -> pa.Array:
    if ctype is ColumnType.DATETIME:
        missing = values == NA
        return pa.array(np.where(missing, 0, values) * 1_000_000, type=pa.timestamp("us", tz="UTC"), mask=missing)
    if ctype is ColumnType.DATE:
        missing = values == NA
        return pa.array(np.where(missing, 0, values).astype(np.int32), type=pa.date32(), mask=missing)
    if ctype is ColumnType.INTEGER:
        return pa.array(values, type=pa.int64(), mask=values == NA)
    if ctype is ColumnType.DECIMAL:
        values = values.astype(float)
        return pa.array(values, type=pa.float64(), mask=np.isnan(values))
    if ctype is ColumnType.BOOLEAN:
        if values.dtype == object:
            return pa.array(list(values), type=pa.bool_())  # None is a missing value
        return pa.array(values.astype(bool), type=pa.bool_())
    return pa.array(values, type=pa.string())


def _write_table(
    folder: Path,
    spec: TableSpec,
    columns: dict[str, np.ndarray],
    fmt: str,
    clock: LondonClock,
    text_overrides: dict[str, dict[int, str]] | None = None,
) -> Path:
    """One table's file; in CSV, ``text_overrides`` puts literal text in given cells (a value no type can hold)."""
    specs = [c for c in spec.columns if c.name in columns or not c.may_be_absent]  # optional columns may be left out
    names = [c.name for c in specs]  # the contract's order
    if fmt == "csv":
        data = {c.name: _csv_column(columns[c.name], c.type, clock) for c in specs}
        for col, rows in (text_overrides or {}).items():
            data[col] = data[col].astype(object)
            for row, text in rows.items():
                data[col][row] = text
            data[col] = data[col].astype(str)
        path = folder / f"{spec.name}.csv"
        path.write_bytes(_csv_bytes(names, [data[n] for n in names]))
    else:
        table = pa.Table.from_arrays([_arrow_column(columns[c.name], c.type) for c in specs], names=names)
        path = folder / f"{spec.name}.parquet"
        pq.write_table(table, path, compression="zstd")
    stale = folder / f"{spec.name}.{'parquet' if fmt == 'csv' else 'csv'}"
    stale.unlink(missing_ok=True)  # a reader would prefer the other format's leftover
    return path




def write_extract_folder(
    folder: Path,
    tables: dict[str, dict[str, np.ndarray]],
    fmt: str,
    clock: LondonClock,
    overrides: dict[str, dict[str, dict[int, str]]],
    manifest: dict[str, str],
) -> Path:
    """Write every table of ``tables`` and ``manifest.json`` into ``folder``; a contract table not in ``tables``
    (an optional one this extract does not supply) is removed, so no leftover from an earlier run remains."""
    folder.mkdir(parents=True, exist_ok=True)
    for spec in TABLES:
        if spec.name in tables:
            _write_table(folder, spec, tables[spec.name], fmt, clock, overrides.get(spec.name))
        else:
            for suffix in (".csv", ".parquet"):
                (folder / f"{spec.name}{suffix}").unlink(missing_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return folder
