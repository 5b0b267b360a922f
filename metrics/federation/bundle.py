"""The aggregate bundle's files, its manifest and the checks a hub makes before it believes one.

Why this exists: a bundle travels from a trust to a hub by whatever route the system uses (SFTP, NHS MESH, a
shared folder), and the hub must refuse one that was altered or cut short on the way, or that it cannot read
correctly. A bundle is a folder of plain files: ``values.csv`` (per ward, site and trust, per day and per
month, every metric's value with its numerator and denominator), ``wards.csv`` (wards and their sites),
``definitions.json`` (each metric's definition and its hash), ``equity.csv`` (each proportion metric's
trust-month parts per deprivation quintile, ethnic group, age band and sex: ``metrics.federation.equity_bundle``),
``manifest.json`` (who, when, which days, the contract version, the config fingerprint, the disclosure rule and
every file's sha256) and ``manifest.sha256`` (the manifest's own sha256). CSV is chosen over a compressed format
so that anyone can read, and search, exactly what left the trust.

Bundle formats: 1 has no ``equity.csv``; 2 (written now) adds it. A hub reads both (a trust whose exporter is
older simply has no equity splits on the hub); a hub that knows only format 1 refuses a format 2 bundle, saying
so, rather than load it without its splits. The manifest's ``bundle_format`` decides which files must be present,
and every one of them is covered by the manifest's checksums.

The checksums find a file changed or truncated in transit; they do not prove who wrote the bundle, which is
the transport's job (MESH and SFTP authenticate the sender).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from metrics.errors import UserFacingError

BUNDLE_FORMAT = 2
VALUES_FILE = "values.csv"
WARDS_FILE = "wards.csv"
DEFINITIONS_FILE = "definitions.json"
EQUITY_FILE = "equity.csv"
MANIFEST_FILE = "manifest.json"
MANIFEST_HASH_FILE = "manifest.sha256"
# the data files of each bundle format this code reads; DATA_FILES are the ones it writes
FORMAT_FILES: dict[int, tuple[str, ...]] = {
    1: (VALUES_FILE, WARDS_FILE, DEFINITIONS_FILE),
    2: (VALUES_FILE, WARDS_FILE, DEFINITIONS_FILE, EQUITY_FILE),
}
DATA_FILES = FORMAT_FILES[BUNDLE_FORMAT]
VALUE_COLUMNS = [
    *("level", "unit_code", "period", "day", "metric_id"),
    *("value", "numerator", "denominator", "suppressed", "not_supplied"),
]
# not_supplied (True: the trust's extract lacked an optional input the metric reads) came after the first bundles of
# this format; a bundle without the column is read as supplying every value it sends
VALUE_COLUMNS_BEFORE_NOT_SUPPLIED = VALUE_COLUMNS[:-1]
WARD_COLUMNS = ["ward_code", "ward_name", "site_code", "site_name"]
LEVELS = ("ward", "site", "trust")
PERIODS = ("day", "month")


class BundleRefused(UserFacingError):
    """A bundle the hub will not load; nothing of it is stored. Exit 4, as for an extract held back."""

    exit_code = 4


def first_row(bad: pd.Series) -> int:
    """The CSV line number (the header is line 1) of the first True in ``bad``."""
    return int(bad.to_numpy().nonzero()[0][0]) + 2


def coerce_columns(
    frame: pd.DataFrame,
    numbers: tuple[str, ...],
    flags: tuple[str, ...],
    date_column: str,
    date_format: str,
    problems: list[str],
) -> None:
    """Turn a bundle table's ``numbers`` to floats, its ``flags`` (True or False) to booleans and ``date_column`` to
    dates, in place, adding to ``problems`` (naming the row) what is not what the bundle's rules say it is."""
    for column in numbers:
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = converted.isna() & frame[column].notna()
        if bad.any():
            problems.append(f"row {first_row(bad)}: `{column}` is not a number")
        frame[column] = converted.astype(float)
    for flag in flags:
        said = frame[flag].astype(str).str.lower()
        if not said.isin({"true", "false"}).all():
            problems.append(f"`{flag}` must be True or False")
        frame[flag] = said == "true"
    try:
        frame[date_column] = pd.to_datetime(frame[date_column], format=date_format).dt.date
    except ValueError:
        shown = date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
        problems.append(f"`{date_column}` must be {shown}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> str:
    """Write manifest.json (with the sha256 of every data file of its ``bundle_format`` added) and manifest.sha256;
    return the manifest's hash."""
    names = FORMAT_FILES.get(manifest.get("bundle_format", BUNDLE_FORMAT), DATA_FILES)
    manifest = {**manifest, "files": {name: sha256_of(folder / name) for name in names}}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (folder / MANIFEST_FILE).write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (folder / MANIFEST_HASH_FILE).write_text(f"{digest}  {MANIFEST_FILE}\n", encoding="utf-8")
    return digest


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle whose every byte matched its manifest: the folder, the manifest and the manifest's hash."""

    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str


def _refuse_if_irregular(folder: Path, names: Any) -> None:
    for name in sorted(names):
        if (folder / name).is_symlink() or not (folder / name).is_file():
            raise BundleRefused(f"{folder / name}: bundle refused: not a regular file; nothing was loaded.")


def verify(folder: Path) -> VerifiedBundle:
    """Check the bundle's files against its manifest; raise BundleRefused naming the first file that differs.

    The manifest is checked first (against manifest.sha256), because its ``bundle_format`` says which data files
    the bundle must hold: exactly those, each matching its sha256.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleRefused(f"{folder}: not a bundle folder (export-aggregate writes one)")
    present = {p.name for p in folder.iterdir()}
    if missing := sorted({MANIFEST_FILE, MANIFEST_HASH_FILE} - present):
        raise BundleRefused(f"{folder}: bundle refused: missing {', '.join(missing)}; nothing was loaded.")
    _refuse_if_irregular(folder, (MANIFEST_FILE, MANIFEST_HASH_FILE))
    stated = (folder / MANIFEST_HASH_FILE).read_text(encoding="utf-8", errors="replace").split()
    actual = sha256_of(folder / MANIFEST_FILE)
    if not stated or stated[0] != actual:
        raise BundleRefused(
            f"{folder / MANIFEST_FILE}: bundle refused: checksum mismatch (the manifest was changed or damaged after "
            "export); nothing was loaded. Ask the trust to export it again."
        )
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused(f"{folder / MANIFEST_FILE}: bundle refused: not readable JSON ({exc})") from exc
    bundle_format = manifest.get("bundle_format") if isinstance(manifest, dict) else None
    if bundle_format not in FORMAT_FILES:
        raise BundleRefused(
            f"{folder / MANIFEST_FILE}: bundle refused: bundle format {bundle_format!r} is not one this hub reads "
            f"({', '.join(str(f) for f in sorted(FORMAT_FILES))}); upgrade the hub or export with the hub's "
            "version. Nothing was loaded."
        )
    data_files = FORMAT_FILES[bundle_format]
    expected = {MANIFEST_FILE, MANIFEST_HASH_FILE, *data_files}
    if missing := sorted(expected - present):
        raise BundleRefused(f"{folder}: bundle refused: missing {', '.join(missing)}; nothing was loaded.")
    if extra := sorted(present - expected):
        raise BundleRefused(
            f"{folder}: bundle refused: unexpected file(s) {', '.join(extra)} (a format {bundle_format} bundle holds "
            f"only {', '.join(sorted(expected))}); nothing was loaded."
        )
    _refuse_if_irregular(folder, data_files)
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != set(data_files):
        raise BundleRefused(f"{folder / MANIFEST_FILE}: bundle refused: the manifest does not list {data_files}.")
    for name in data_files:
        if sha256_of(folder / name) != files[name]:
            raise BundleRefused(
                f"{folder / name}: bundle refused: checksum mismatch (the file was changed or damaged after export); "
                "nothing was loaded. Ask the trust to export it again."
            )
    return VerifiedBundle(folder, manifest, actual)
