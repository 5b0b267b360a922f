"""Reading an EPR extract folder into one DataFrame per canonical table.

Why this exists: hospitals deliver CSV or Parquet with their own file and
column names. This module finds each table's file, applies the hospital's
mapping from config/sources.yaml (file stems, column renames, code value
maps) and returns the canonical table names and columns, as text where the
file is text. Structural faults (no manifest, a required file missing or
unreadable, a required column missing) reject the whole extract with a
message that names the file and the fix. Reads are bounded and confined: a
file larger than the configured limit, a link that leads outside the extract
folder, or anything that is not a regular file is refused by name, so a table
linked to /dev/urandom cannot exhaust memory. Nothing is chosen silently: a
table given both as .csv and .parquet, or a column named twice, rejects the
extract. Row-level checks are not done here: that is ``metrics.extract.validate``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import stat
from dataclasses import dataclass, field
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
    # per table read, the optional columns (``may_be_absent``) its file did not carry: filled as empty, not supplied
    absent_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def extracted_at(self) -> pd.Timestamp:
        return pd.Timestamp(self.manifest.extracted_at).tz_convert("UTC")


MANIFEST_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_BYTES = 2 * 1024**3


def checked_file(folder: Path, path: Path, max_bytes: int) -> Path:
    """``path`` if it is a regular file inside ``folder`` (after following links) no larger than ``max_bytes``."""
    try:
        resolved = path.resolve(strict=True)
        inside = resolved.is_relative_to(folder.resolve(strict=True))
        info = resolved.stat()
    except (OSError, RuntimeError) as exc:
        raise ExtractRejected(
            str(path), f"cannot be opened ({exc.__class__.__name__})", "Check the file exists and can be read."
        ) from exc
    if not inside:
        raise ExtractRejected(
            str(path),
            f"is a link to {resolved}, outside the extract folder",
            "Copy the file into the extract folder; links outside it are not followed.",
        )
    if not stat.S_ISREG(info.st_mode):
        raise ExtractRejected(
            str(path), "is not a regular file (a folder, device or pipe)", "Replace it with the file itself."
        )
    if info.st_size > max_bytes:
        raise ExtractRejected(
            str(path),
            f"is {info.st_size:,} bytes, more than the limit of {max_bytes:,}",
            "Check the export is the right one; raise max_file_megabytes in config/gates.yaml if it is.",
        )
    return resolved


def read_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ExtractRejected(
            str(folder),
            "no such folder",
            "Give the path of the extract folder that holds manifest.json and one file per table.",
        )
    if not path.exists() and not path.is_symlink():
        raise ExtractRejected(
            str(path), "manifest.json is missing", "Every extract needs a manifest.json with extracted_at and source."
        )
    checked_file(folder, path, MANIFEST_MAX_BYTES)
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError as exc:
        raise ExtractRejected(
            str(path), f"not UTF-8 text (byte {exc.start})", "Save the manifest as UTF-8 JSON."
        ) from exc
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
    found = [folder / f"{stem}{suffix}" for suffix in (".parquet", ".csv")]
    found = [p for p in found if p.exists() or p.is_symlink()]
    if len(found) > 1:
        raise ExtractRejected(
            str(folder / f"{stem}.*"),
            f"the table is given twice, as {found[0].name} and {found[1].name}",
            "Keep one file per table: remove the one that is not meant to be read.",
        )
    return found[0] if found else None


def _no_repeated_columns(path: Path, names: list[str]) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ExtractRejected(
            str(path),
            f"column(s) {', '.join(repeated)} appear more than once",
            "Give each column once (after the renames in config/sources.yaml); which copy is meant cannot be guessed.",
        )


def _csv_header(path: Path) -> list[str] | None:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), None)


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV file with every column as text and blanks as missing: what ``pd.read_csv(dtype=str, na_values=[""])``
    gives.

    pyarrow's multithreaded reader does the work (a region's CSV extract in a tenth of the time); a file it
    would not read exactly as pandas does (a ragged row, bytes that are not UTF-8, a repeated or missing
    header, no data rows, a single column, where pandas drops a line of white space as blank) goes to
    pandas, whose answer, or error message, stands.
    """
    try:
        names = _csv_header(path)
        if names is not None and len(names) > 1 and len(set(names)) == len(names):
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
            table = pq.read_table(path)
            _no_repeated_columns(path, table.column_names)
            return table.to_pandas()
        _no_repeated_columns(path, _csv_header(path) or [])
        return read_csv_text(path)
    except ExtractRejected:
        raise
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
    """True when values that pandas counts as equal always read as the same text (so a map can be worked out per
    distinct value).

    Not for floats (0.0 and -0.0 are equal) nor for mixed Python objects (True == 1).
    """
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return True
    return pd.api.types.is_object_dtype(dtype) and set(map(type, series.to_numpy())) <= {str, bool, type(None)}


def _map_codes(series: pd.Series, lookup: dict[str, Any]) -> pd.Series:
    """Each value's upper-cased text looked up in ``lookup`` (missing where it is not there): codes compared
    case-insensitively.

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


def read_extract(
    folder: Path | str,
    sources: SourcesFile,
    tables: tuple[TableSpec, ...] = TABLES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawExtract:
    """Read every table of the extract at ``folder``; raise ExtractRejected on a structural fault.

    ``max_bytes`` bounds each table file (config/gates.yaml max_file_megabytes).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    digest = hashlib.sha256((folder / "manifest.json").read_bytes())
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    absent: dict[str, tuple[str, ...]] = {}
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
        real = checked_file(folder, path, max_bytes)
        digest.update(path.name.encode() + real.read_bytes())
        frame = _apply_mapping(_read_table_file(path), spec, sources)
        _no_repeated_columns(path, [str(c) for c in frame.columns])
        absent[spec.name] = tuple(c.name for c in spec.columns if c.may_be_absent and c.name not in frame.columns)
        for name in absent[spec.name]:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="object")
        missing = [c.name for c in spec.columns if c.name not in frame.columns]
        if missing:
            raise ExtractRejected(
                str(path),
                f"missing column(s) {', '.join(missing)}",
                f"Add them, or map your column names to them in config/sources.yaml under tables.{spec.name}.columns.",
            )
        frames[spec.name] = frame[list(spec.column_names)].reset_index(drop=True)
        files[spec.name] = path
    return RawExtract(folder, manifest, frames, files, digest.hexdigest(), absent)
