"""``import-aggregate``: load a trust's bundle into the system hub, or refuse it whole.

Why this exists: a hub that half-loads a bundle, loads a damaged one, reads a format it does not know or lets
an old bundle overwrite a newer one would show a system that never existed. Every check runs before anything
is written, the load is one transaction (``metrics.store.hub.import_bundle``), and a refusal names the file
and what to do, exits 4 and leaves the hub as it was:

* a file changed after export (sha256 against the manifest, and the manifest against manifest.sha256);
* a bundle format or extract contract version this hub does not know (formats 1, without equity splits, and 2,
  with ``equity.csv``, are read);
* a bundle exported before the newest one already held for the trust (a re-import of the very same bundle
  is reported as already held and changes nothing);
* a values table that breaks the bundle's own rules (unknown level, period, metric or ward; a number that is
  not a number; a value given twice for the same unit, period, day and metric), or an equity table that does
  (``metrics.federation.equity_bundle.read_equity``: among them, a count the disclosure rule withholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from metrics.extract.contract import CONTRACT_VERSION
from metrics.federation.bundle import (
    DEFINITIONS_FILE,
    EQUITY_FILE,
    FORMAT_FILES,
    LEVELS,
    PERIODS,
    VALUE_COLUMNS,
    VALUE_COLUMNS_BEFORE_NOT_SUPPLIED,
    VALUES_FILE,
    WARD_COLUMNS,
    WARDS_FILE,
    BundleRefused,
    VerifiedBundle,
    coerce_columns,
    verify,
)
from metrics.federation.equity_bundle import EQUITY_COLUMNS, read_equity
from metrics.store import hub

SUPPORTED_CONTRACT_VERSIONS = frozenset({CONTRACT_VERSION})
DEFINITION_COLUMNS = ["metric_id", "definition_hash", "label", "is_ratio", "display", "direction", "definition"]


@dataclass(frozen=True)
class ImportResult:
    trust_code: str
    status: str  # loaded | already held
    rows: int
    first_day: date
    last_day: date


def _when(text: Any, folder: Path, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError as exc:
        raise BundleRefused(f"{folder / 'manifest.json'}: bundle refused: `{field}` is not a time ({text!r}).") from exc
    if value.tzinfo is None:
        raise BundleRefused(f"{folder / 'manifest.json'}: bundle refused: `{field}` has no time zone ({text!r}).")
    return value


def _header(bundle: VerifiedBundle) -> dict[str, Any]:
    """The manifest's fields as HubBundle columns, after checking the format and contract versions."""
    m, where = bundle.manifest, bundle.folder / "manifest.json"
    if m.get("bundle_format") not in FORMAT_FILES:  # ``verify`` refused it already; kept for a direct caller
        raise BundleRefused(f"{where}: bundle refused: bundle format {m.get('bundle_format')!r} is unknown.")
    if m.get("contract_version") not in SUPPORTED_CONTRACT_VERSIONS:
        raise BundleRefused(
            f"{where}: bundle refused: unknown extract contract version {m.get('contract_version')!r} (this hub knows "
            f"{', '.join(str(v) for v in sorted(SUPPORTED_CONTRACT_VERSIONS))}); its metrics may not mean what the "
            "hub's "
            "do. Upgrade the hub first. Nothing was loaded."
        )
    try:
        control = m["disclosure_control"]
        return {
            "trust_code": str(m["trust_code"]),
            "trust_name": str(m["trust_name"]),
            "exported_at": _when(m["exported_at"], bundle.folder, "exported_at"),
            "first_day": date.fromisoformat(m["first_day"]),
            "last_day": date.fromisoformat(m["last_day"]),
            "contract_version": int(m["contract_version"]),
            "bundle_format": int(m["bundle_format"]),
            "config_fingerprint": str(m["config_fingerprint"]),
            "suppression_threshold": int(control["suppressed_up_to"]),
            "manifest_sha256": bundle.manifest_sha256,
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleRefused(
            f"{where}: bundle refused: the manifest lacks or garbles {exc}. Nothing was loaded."
        ) from exc


def _tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """values, wards and definitions, read and checked against the bundle's rules."""
    wards = pd.read_csv(folder / WARDS_FILE, dtype=str, keep_default_na=False)
    if list(wards.columns) != WARD_COLUMNS:
        raise BundleRefused(f"{folder / WARDS_FILE}: bundle refused: columns must be {WARD_COLUMNS}.")
    definitions = pd.read_json(folder / DEFINITIONS_FILE, orient="records", dtype=False)
    if sorted(definitions.columns) != sorted(DEFINITION_COLUMNS):
        raise BundleRefused(f"{folder / DEFINITIONS_FILE}: bundle refused: each entry needs {DEFINITION_COLUMNS}.")
    values = pd.read_csv(
        folder / VALUES_FILE,
        dtype={"level": str, "unit_code": str, "period": str, "day": str, "metric_id": str},
        keep_default_na=False,
        na_values={"value": [""], "numerator": [""], "denominator": [""]},
    )
    if list(values.columns) == VALUE_COLUMNS_BEFORE_NOT_SUPPLIED:
        values["not_supplied"] = "False"
    if list(values.columns) != VALUE_COLUMNS:
        raise BundleRefused(f"{folder / VALUES_FILE}: bundle refused: columns must be {VALUE_COLUMNS}.")
    problems = []
    for column, allowed in (
        ("level", set(LEVELS)),
        ("period", set(PERIODS)),
        ("metric_id", set(definitions["metric_id"])),
    ):
        bad = ~values[column].isin(allowed)
        if bad.any():
            row = int(bad.idxmax()) + 2
            problems.append(f"row {row}: `{column}` {values.loc[bad.idxmax(), column]!r} is not one of the bundle's")
    ward_rows = values["level"] == "ward"
    unknown_ward = ward_rows & ~values["unit_code"].isin(set(wards["ward_code"]))
    if unknown_ward.any():
        problems.append(
            f"row {int(unknown_ward.idxmax()) + 2}: ward {values.loc[unknown_ward.idxmax(), 'unit_code']!r} "
            "is not in wards.csv"
        )
    repeated = values.duplicated(["level", "unit_code", "period", "day", "metric_id"])
    if repeated.any():
        row = int(repeated.idxmax())
        problems.append(
            f"row {row + 2}: {values.loc[row, 'metric_id']!r} of {values.loc[row, 'level']} "
            f"{values.loc[row, 'unit_code']!r} for {values.loc[row, 'period']} {values.loc[row, 'day']} is repeated"
        )
    coerce_columns(
        values, ("value", "numerator", "denominator"), ("suppressed", "not_supplied"), "day", "%Y-%m-%d", problems
    )
    if problems:
        raise BundleRefused(f"{folder / VALUES_FILE}: bundle refused: {'; '.join(problems[:5])}. Nothing was loaded.")
    definitions["is_ratio"] = definitions["is_ratio"].astype(bool)
    return values, wards, definitions[DEFINITION_COLUMNS]


def import_bundle(engine: Engine, folder: Path, now: datetime | None = None) -> ImportResult:
    """Verify ``folder`` and load it into the hub in one transaction, or raise BundleRefused and load nothing."""
    bundle = verify(Path(folder))
    header = _header(bundle)
    values, wards, definitions = _tables(bundle.folder)
    if EQUITY_FILE in FORMAT_FILES[header["bundle_format"]]:
        equity = read_equity(bundle.folder, set(definitions["metric_id"]), header["suppression_threshold"])
    else:  # a bundle from an exporter older than the equity splits: the trust has none on the hub
        equity = pd.DataFrame(columns=EQUITY_COLUMNS)
    trust = header["trust_code"]
    already: list[bool] = []

    def check_latest(held: dict[str, Any] | None) -> None:
        if held is None:
            return
        if held["manifest_sha256"] == header["manifest_sha256"]:
            already.append(True)
            raise _AlreadyHeld
        held_at = held["exported_at"]
        if held_at.tzinfo is None:
            held_at = held_at.replace(tzinfo=UTC)
        if header["exported_at"] <= held_at:
            raise BundleRefused(
                f"{bundle.folder}: bundle refused: it was exported at {header['exported_at'].isoformat()}, before the "
                f"bundle the hub already holds for {trust} (exported {held_at.isoformat()}); an older bundle never "
                "replaces a newer one. Nothing was loaded."
            )

    try:
        hub.import_bundle(engine, header, values, wards, definitions, equity, now or datetime.now(UTC), check_latest)
    except _AlreadyHeld:
        return ImportResult(trust, "already held", 0, header["first_day"], header["last_day"])
    return ImportResult(trust, "loaded", len(values), header["first_day"], header["last_day"])


class _AlreadyHeld(Exception):
    """The very bundle is already held: the transaction rolls back and nothing changes."""
