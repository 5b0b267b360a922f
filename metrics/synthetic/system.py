"""A synthetic integrated care system: N trusts, each with its own configuration folder and daily extracts.

Why this exists: the system view compares trusts and their wards on funnel plots, and it must be shown
(and tested) on a system whose trusts differ the way real ones do:

* the first trust's wards record a Clinical Frailty Scale score about equally often, except one ward,
  ``OUTLIER_WARD``, that records it far less often and reports ``OUTLIER_FALLS`` times its expected falls: a
  true outlier, beyond the 99.8 % limits of the frailty funnel and of the falls rate's;
* the second trust's wards vary much more than chance allows (over-dispersion), so its funnel needs the
  over-dispersion adjustment before a ward is called an outlier;
* any further trust is typical, with its own seed.

Every trust is the shipped ward list under its own organisation code, trust name and site names, so the
same ward code (7A) appears in several trusts: the hub keys a ward by trust and code. Everything is
synthetic; see ``metrics.synthetic.trust``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import yaml

from metrics.synthetic.config_files import load_yaml
from metrics.synthetic.frailty import typical_recorded_share
from metrics.synthetic.region_config import write_region_config
from metrics.synthetic.trust import DEFAULT_SEED, generate_trust

# (organisation code, trust name, the place names its sites take in turn)
TRUSTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("RX1", "Synthetic Northshore Hospitals NHS Trust", ("Northshore General", "Fellside", "Harbour Community")),
    ("RX2", "Synthetic Eastdale University NHS Trust", ("Eastdale Royal", "Millbrook", "Ridgeway Community")),
    ("RX3", "Synthetic Westmere NHS Foundation Trust", ("Westmere Infirmary", "Lowfield", "Brookside Community")),
    ("RX4", "Synthetic Southmoor NHS Trust", ("Southmoor District", "Greywell", "Oakhurst Community")),
)
OUTLIER_WARD = "8D"  # in the first trust: records a frailty score for about a third of patients 65+, not 85 %
OUTLIER_SHARE = 0.30
OUTLIER_FALLS = 4.0  # the outlier ward's falls per occupied bed day, against its kind of ward elsewhere
DISPERSED_SPREAD = 0.15  # the second trust's wards: standard deviation of their recording share


@dataclass(frozen=True)
class TrustSample:
    """One synthetic trust of the system: its code and name, its extracts and the config that loads them."""

    code: str
    name: str
    extracts: Path
    config: Path
    folders: tuple[Path, ...]


def trust_identity(index: int) -> tuple[str, str, tuple[str, ...]]:
    """The code, name and site place names of the system's ``index``-th trust (0-based)."""
    if index < len(TRUSTS):
        return TRUSTS[index]
    code = f"RX{index + 1}"
    return code, f"Synthetic Trust {index + 1}", (f"Site {index + 1}A", f"Site {index + 1}B", f"Site {index + 1}C")


def recorded_shares(index: int, ward_codes: list[str], rng: np.random.Generator) -> np.ndarray:
    """Each ward's probability of recording a frailty score in the ``index``-th trust (see the module doc)."""
    if index == 1:
        spread: np.ndarray = np.clip(typical_recorded_share(rng, len(ward_codes), 0.80, DISPERSED_SPREAD), 0.35, 0.99)
        return spread
    share = typical_recorded_share(rng, len(ward_codes))
    if index == 0:
        share[[i for i, c in enumerate(ward_codes) if c.upper() == OUTLIER_WARD]] = OUTLIER_SHARE
    return share


def falls_multipliers(index: int, ward_codes: list[str]) -> np.ndarray:
    """Each ward's factor on its falls in the ``index``-th trust: ``OUTLIER_FALLS`` for the first trust's outlier."""
    factor = np.ones(len(ward_codes))
    if index == 0:
        factor[[i for i, c in enumerate(ward_codes) if c.upper() == OUTLIER_WARD]] = OUTLIER_FALLS
    return factor


def write_trust_config(config_dir: Path, out: Path, index: int, scale: int = 1) -> Path:
    """Write ``config_dir`` (its region at ``scale``) to ``out`` under the trust's code, name and site names."""
    code, name, places = trust_identity(index)
    write_region_config(config_dir, scale, out)
    dashboard = load_yaml(out / "dashboard.yaml") if (out / "dashboard.yaml").is_file() else {}
    dashboard.update({"trust_code": code, "trust_name": f"{name} (demo data)"})
    (out / "dashboard.yaml").write_text(yaml.safe_dump(dashboard, sort_keys=False, allow_unicode=True), "utf-8")
    wards = load_yaml(out / "wards.yaml")
    for i, site in enumerate(wards.get("sites") or []):
        site["name"] = places[i % len(places)] + ("" if i < len(places) else f" {i + 1}")
    (out / "wards.yaml").write_text(yaml.safe_dump(wards, sort_keys=False, allow_unicode=True), "utf-8")
    return out


def _for_trust(
    progress: Callable[[str, int, int], None] | None, code: str
) -> Callable[[int, int], None] | None:
    """The trust's own progress callback (day i of n), naming the trust."""
    if progress is None:
        return None

    def report(i: int, n: int) -> None:
        progress(code, i, n)

    return report


def generate_system(
    out_dir: Path,
    config_dir: Path,
    *,
    trusts: int,
    days: int,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    fmt: str = "parquet",
    progress: Callable[[str, int, int], None] | None = None,
) -> list[TrustSample]:
    """Write ``trusts`` trusts under ``out_dir/CODE/`` (daily extracts, and the matching ``config/``).

    ``scale`` repeats every ward of ``config_dir``'s wards.yaml in each trust, as ``generate-sample --scale``.
    """
    if trusts < 1:
        raise ValueError(f"trusts must be at least 1, got {trusts}")
    out: list[TrustSample] = []
    for index in range(trusts):
        code, name, _ = trust_identity(index)
        folder = Path(out_dir) / code
        config = write_trust_config(Path(config_dir), folder / "config", index, scale)
        codes = [str(w["code"]) for w in load_yaml(config / "wards.yaml").get("wards") or []]
        shares = recorded_shares(index, codes, np.random.Generator(np.random.PCG64([seed, 17, index])))
        folders = generate_trust(
            folder,
            wards_yaml=Path(config_dir) / "wards.yaml",
            clinical_yaml=config / "clinical.yaml",
            days=days,
            scale=scale,
            seed=seed + 1000 * index,
            end=end,
            fmt=fmt,
            cfs_recorded_share=shares,
            falls_multiplier=falls_multipliers(index, codes),
            progress=_for_trust(progress, code),
        )
        out.append(TrustSample(code, name, folder, config, tuple(folders)))
    return out
