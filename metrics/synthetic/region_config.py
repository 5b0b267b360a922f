"""The configuration folder that matches a synthetic region, so its extracts load without quarantine.

Why this exists: ``generate_trust(scale=N)`` repeats every ward of wards.yaml N times (copy k's codes end
in ``-Kkk``). A refresh checks each row's ward against wards.yaml, so loading that region with the
shipped config would quarantine nearly every row. This module writes a complete config folder: every
file of the source config copied, wards.yaml listing the region's wards, and the per-ward settings of
the other files (barometer.yaml's ``wards``, dashboard.yaml's ward-scoped ``spc_rebase``) repeated for
each ward's copies, since copy k of a ward is simulated like the ward itself.

access.yaml is copied unchanged: who may see which wards is a trust's decision, never generated. A
role scoped by site or matron covers the copies anyway (they keep their site and matron).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from metrics.synthetic.config_files import load_yaml
from metrics.synthetic.wards import copy_code, write_scaled_wards_yaml

WARDS_FILE = "wards.yaml"
BAROMETER_FILE = "barometer.yaml"
DASHBOARD_FILE = "dashboard.yaml"


def write_region_config(config_dir: Path, scale: int, out_dir: Path) -> Path:
    """Write into ``out_dir`` the config folder matching ``generate_trust(scale=scale)`` run from ``config_dir``.

    At scale 1 every file is a byte-for-byte copy. Returns ``out_dir``. Refuses to write over ``config_dir``.
    """
    config_dir, out_dir = Path(config_dir), Path(out_dir)
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    if not (config_dir / WARDS_FILE).is_file():
        raise ValueError(f"{config_dir}: no {WARDS_FILE} here; give the configuration folder the region copies")
    if out_dir.resolve() == config_dir.resolve() or out_dir.resolve().is_relative_to(config_dir.resolve()):
        raise ValueError(
            f"{out_dir}: the region's config would be written into the config it is copied from ({config_dir}); "
            "choose a folder outside it"
        )
    shutil.copytree(config_dir, out_dir, dirs_exist_ok=True)
    if scale == 1:
        return out_dir
    codes = [str(w["code"]) for w in load_yaml(config_dir / WARDS_FILE).get("wards") or []]
    write_scaled_wards_yaml(config_dir / WARDS_FILE, scale, out_dir / WARDS_FILE)
    _rewrite(config_dir / BAROMETER_FILE, out_dir / BAROMETER_FILE, lambda doc: _barometer(doc, codes, scale))
    _rewrite(config_dir / DASHBOARD_FILE, out_dir / DASHBOARD_FILE, lambda doc: _dashboard(doc, codes, scale))
    return out_dir


def _canonical(code: str, codes: list[str]) -> str | None:
    """The ward's code as wards.yaml spells it (codes compare case-insensitively), or None if it is not there."""
    return next((c for c in codes if c.upper() == code.upper()), None)


def _barometer(doc: dict[str, Any], codes: list[str], scale: int) -> bool:
    """Give every copy of a ward listed under ``wards`` the ward's own indicators and aim. True if changed."""
    wards = doc.get("wards")
    if not isinstance(wards, dict) or not wards:
        return False
    region = dict(wards)
    for copy in range(2, scale + 1):
        for code, setup in wards.items():
            ward = _canonical(str(code), codes)
            if ward is not None:
                region[copy_code(ward, copy)] = setup
    doc["wards"] = region
    return True


def _dashboard(doc: dict[str, Any], codes: list[str], scale: int) -> bool:
    """Repeat every ward-scoped ``spc_rebase`` entry for the ward's copies. True if changed."""
    rebases = doc.get("spc_rebase")
    if not isinstance(rebases, list):
        return False
    scoped = [r for r in rebases if isinstance(r, dict) and r.get("ward") and _canonical(str(r["ward"]), codes)]
    if not scoped:
        return False
    copies = []
    for copy in range(2, scale + 1):
        for entry in scoped:
            ward = _canonical(str(entry["ward"]), codes)
            assert ward is not None  # filtered above
            copies.append({**entry, "ward": copy_code(ward, copy)})
    doc["spc_rebase"] = rebases + copies
    return True


def _rewrite(source: Path, target: Path, change: Callable[[dict[str, Any]], bool]) -> None:
    """Rewrite ``target`` from ``source`` if ``change`` (which edits the parsed document) changed it."""
    if not source.is_file():
        return
    doc = load_yaml(source)
    if not change(doc):
        return
    header = (
        f"# {source.name} for a synthetic region, written by metrics.synthetic.region_config.write_region_config:\n"
        f"# {source}\n"
        "# with its per-ward settings repeated for each ward's copies (copy k's codes end in -Kkk).\n"
    )
    target.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
