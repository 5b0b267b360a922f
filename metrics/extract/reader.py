"""Reading an EPR extract folder into one DataFrame per canonical table.

Why this exists: hospitals deliver CSV or Parquet with their own file and
column names. This module finds each table's file, applies the hospital's
mapping from config/sources.yaml (file stems, column renames, code value
maps) and returns the canonical table names and columns, as text where the
file is text. Structural faults (no manifest, a required file missing or
unreadable, a required column missing) reject the whole extract with a
message that names the file and the fix. Row-level checks are not done here:
that is ``metrics.extract.validate``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from pandas.api.extensions import take
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from metrics.config.models import SourcesFile
from metrics.extract.contract import TABLES, TableSpec
from metrics.errors import ExtractRejected
from metrics.rules.clock import LONDON



class Manifest(BaseModel):
    """manifest.json: the moment the extract reflects and where it came from."""

    model_config = ConfigDict(extra="allow", frozen=True)
    extracted_at: datetime
    source: str

    @field_validator("extracted_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:  # the contract: no offset means Europe/London
            value = value.replace(tzinfo=LONDON)
        return value


@dataclass(frozen=True)
class RawExtract:
    """What was read: the manifest, each table's frame (canonical names), its file, and a content hash."""

    folder: Path
    manifest: Manifest
    tables: dict[str, pd.DataFrame]
    files: dict[str, Path]
    content_hash: str

    @property
    def extracted_at(self) -> pd.Timestamp:
        return pd.Timestamp(self.manifest.extracted_at).tz_convert("UTC")


def read_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ExtractRejected(
            str(folder),
            "no such folder",
            "Give the path of the extract folder that holds manifest.json and one file per table.",
        )
    if not path.exists():
        raise ExtractRejected(
            str(path), "manifest.json is missing", "Every extract needs a manifest.json with extracted_at and source."
        )
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ExtractRejected(
            str(path), f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", "Fix the JSON syntax."
        ) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ExtractRejected(
            str(path), f"field `{field}`: {err['msg']}", "extracted_at must be an ISO 8601 date-time and source a text."
        ) from exc


def _find_file(folder: Path, stem: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def _csv_header(path: Path) -> list[str] | None:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), None)


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV file with every column as text and blanks as missing: what ``pd.read_csv(dtype=str, na_values=[""])`` gives.

    pyarrow's multithreaded reader does the work (a region's CSV extract in a tenth of the time); a file it
    would not read exactly as pandas does (a ragged row, bytes that are not UTF-8, a repeated or missing
    header, no data rows, a single column, where pandas drops a line of white space as blank) goes to
    pandas, whose answer, or error message, stands.
    """
    try:
        names = _csv_header(path)
        if len(names) > 1 and len(set(names)) == len(names):
            table = pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            if (
                table.num_rows
                and table.column_names == names
                and all(pa.types.is_string(t) for t in table.schema.types)
            ):
                return table.to_pandas()
    except (pa.ArrowException, OSError, UnicodeDecodeError, csv.Error):
        pass
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    if not isinstance(
        frame.index, pd.RangeIndex
    ):  # pandas took a first column as the index: the rows have one value more than the header
        raise ValueError(
            "the data rows have more values than the header has column names (an unquoted comma in a value?)"
        )
    return frame


def _read_table_file(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pq.read_table(path).to_pandas()
        return read_csv_text(path)
    except UnicodeDecodeError as exc:
        raise ExtractRejected(str(path), f"not UTF-8 text (byte {exc.start})", "Save the file as UTF-8 CSV.") from exc
    except Exception as exc:  # pyarrow and the CSV parser raise many types; all mean 'cannot be parsed'
        raise ExtractRejected(
            str(path),
            f"cannot be parsed: {str(exc).splitlines()[0][:200]}",
            "Re-export the file; check it is complete and in the format its name says.",
        ) from exc


def _apply_mapping(frame: pd.DataFrame, spec: TableSpec, sources: SourcesFile) -> pd.DataFrame:
    mapping = sources.tables.get(spec.name)
    if mapping is None:
        return frame
    if mapping.columns:
        frame = frame.rename(columns=mapping.columns)
    for column, values in mapping.values.items():
        if column in frame.columns:
            lookup = {str(k).upper(): v for k, v in values.items()}
            original = frame[column].astype(object)
            mapped = _map_codes(frame[column], lookup)
            frame[column] = mapped.where(mapped.notna(), original)
    return frame


def _one_text_per_value(series: pd.Series) -> bool:
    """True when values that pandas counts as equal always read as the same text (so a map can be worked out per distinct value).

    Not for floats (0.0 and -0.0 are equal) nor for mixed Python objects (True == 1).
    """
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return True
    return pd.api.types.is_object_dtype(dtype) and set(map(type, series.to_numpy())) <= {str, bool, type(None)}


def _map_codes(series: pd.Series, lookup: dict[str, Any]) -> pd.Series:
    """Each value's upper-cased text looked up in ``lookup`` (missing where it is not there): codes compared case-insensitively.

    Worked out once per distinct value and spread back (a column of codes has few), which gives what mapping
    every row would, dtype included.
    """
    if not _one_text_per_value(series):
        return series.astype("string").str.upper().astype(object).map(lookup)
    codes, uniques = pd.factorize(series)
    per_value = pd.Series(uniques).astype("string").str.upper().astype(object).map(lookup)
    values = per_value.to_numpy() if isinstance(per_value.dtype, np.dtype) else per_value.array
    return pd.Series(
        take(values, codes, allow_fill=True), index=series.index, name=series.name, copy=False
    )  # built as Series.map builds its result


def read_extract(folder: Path | str, sources: SourcesFile, tables: tuple[TableSpec, ...] = TABLES) -> RawExtract:
    """Read every table of the extract at ``folder``; raise ExtractRejected on a structural fault."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    digest = hashlib.sha256((folder / "manifest.json").read_bytes())
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for spec in tables:
        mapping = sources.tables.get(spec.name)
        stem = mapping.file if mapping and mapping.file else spec.name
        path = _find_file(folder, stem)
        if path is None:
            if spec.required_file:
                raise ExtractRejected(
                    str(folder / f"{stem}.csv"),
                    f"required table `{spec.name}` is missing (looked for {stem}.csv and {stem}.parquet)",
                    f"Add the file, or map its name in config/sources.yaml under tables.{spec.name}.file.",
                )
            continue
        digest.update(path.name.encode() + path.read_bytes())
        frame = _apply_mapping(_read_table_file(path), spec, sources)
        for col in spec.columns:
            if col.may_be_absent and col.name not in frame.columns:
                frame[col.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
        missing = [c.name for c in spec.columns if c.name not in frame.columns]
        if missing:
            raise ExtractRejected(
                str(path),
                f"missing column(s) {', '.join(missing)}",
                f"Add them, or map your column names to them in config/sources.yaml under tables.{spec.name}.columns.",
            )
        frames[spec.name] = frame[list(spec.column_names)].reset_index(drop=True)
        files[spec.name] = path
    return RawExtract(folder, manifest, frames, files, digest.hexdigest())
