"""The trust's wards: specialty profiles, beds and side rooms, and the region a scale factor makes.

Why this exists: every other part of the simulation asks what kind of ward a patient is on (length of
stay, ages, observation routine, staffing ratios). The wards come from wards.yaml; ``scale`` repeats the
whole list (copy k's codes end in ``-Kkk``) to simulate a larger region for the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from metrics.synthetic.config_files import load_yaml

# Specialty profiles: length of stay, ages, observation routine, staffing ratios.
@dataclass(frozen=True)
class Profile:
    """How a specialty's ward behaves in the simulation."""

    kind: str  # medical, surgical, elderly, rehab, critical, paeds, maternity
    los_days: float  # median length of stay
    age: tuple[float, float]  # mean, sd for adult wards
    acuity: float  # added to every stay's baseline severity
    obs_hours: tuple[float, ...]  # routine observation intervals the ward uses
    reg_ratio: tuple[float, float]  # patients per registered nurse, day and night
    unreg_ratio: tuple[float, float]


DEFAULT_PROFILE = Profile("medical", 4.5, (70, 15), 0.04, (4, 6, 6, 8, 12), (6, 8), (8, 10))
PROFILES: dict[str, Profile] = {
    "acute medicine": Profile("medical", 1.6, (66, 19), 0.08, (4, 4, 6), (5, 7), (8, 10)),
    "respiratory": Profile("medical", 5.0, (70, 13), 0.10, (4, 6, 6, 8), (6, 8), (8, 10)),
    "cardiology": Profile("medical", 3.5, (70, 12), 0.05, (4, 6, 8, 12), (6, 8), (8, 10)),
    "elderly care": Profile("elderly", 9.0, (84, 6), 0.06, (6, 8, 12), (7, 9), (6, 8)),
    "general surgery": Profile("surgical", 3.5, (58, 18), 0.02, (4, 6, 8, 12), (6, 8), (8, 10)),
    "trauma and orthopaedics": Profile("surgical", 5.0, (70, 19), 0.02, (4, 6, 8, 12), (6, 8), (7, 9)),
    "gastroenterology": Profile("medical", 4.5, (58, 18), 0.04, (4, 6, 8, 12), (6, 8), (8, 10)),
    "stroke": Profile("elderly", 8.0, (74, 12), 0.05, (4, 6, 8), (6, 8), (6, 8)),
    "critical care": Profile("critical", 3.0, (60, 16), 0.25, (1,), (1, 1), (7, 14)),
    "paediatrics": Profile("paeds", 1.5, (6, 5), 0.02, (4, 4, 6), (4, 5), (8, 10)),
    "general medicine": DEFAULT_PROFILE,
    "urology": Profile("surgical", 2.5, (66, 15), 0.02, (4, 6, 8, 12), (6, 8), (8, 10)),
    "renal medicine": Profile("medical", 5.0, (63, 15), 0.08, (4, 6, 8), (6, 8), (8, 10)),
    "oncology": Profile("medical", 5.0, (62, 14), 0.06, (4, 6, 8), (5, 7), (8, 10)),
    "rehabilitation": Profile("rehab", 16.0, (79, 9), 0.00, (8, 12, 12), (7, 9), (6, 8)),
    "maternity": Profile("maternity", 2.0, (31, 5.5), 0.00, (4, 6, 8), (5, 6), (8, 10)),
    "gynaecology": Profile("surgical", 1.5, (48, 16), 0.00, (4, 6, 8, 12), (6, 8), (8, 10)),
    "diabetes and endocrinology": Profile("medical", 4.0, (60, 18), 0.03, (4, 6, 8, 12), (6, 8), (8, 10)),
    "neurology": Profile("medical", 5.0, (55, 18), 0.03, (4, 6, 8, 12), (6, 8), (8, 10)),
}


def copy_code(code: str, copy: int) -> str:
    """The code of copy ``copy`` (2, 3, ...) of a ward in a scaled region: ``7A`` -> ``7A-K02``."""
    return f"{code}-K{copy:02d}"


def scaled_ward_entries(wards_doc: dict[str, Any], scale: int) -> list[dict[str, Any]]:
    """The ``wards`` list repeated ``scale`` times; copy k (k >= 2) gets code ``CODE-Kkk`` and name ``Name (k)``."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    wards = list(wards_doc.get("wards") or [])
    out = []
    for copy in range(1, scale + 1):
        for ward in wards:
            entry = dict(ward)
            if copy > 1:
                entry["code"] = copy_code(ward["code"], copy)
                entry["name"] = f"{ward['name']} ({copy})"
            out.append(entry)
    return out


def write_scaled_wards_yaml(wards_yaml: Path, scale: int, out_path: Path) -> Path:
    """Write a wards.yaml with every ward repeated ``scale`` times (copy k's codes get '-Kkk'),
    as ``generate_trust(scale=...)`` uses."""
    doc = load_yaml(wards_yaml)
    scaled = {key: value for key, value in doc.items() if key != "wards"}
    scaled["wards"] = scaled_ward_entries(doc, scale)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Synthetic trust at scale {scale}: config/wards.yaml repeated {scale} time(s); copy k's codes end in -Kkk.\n"
        "# Written by metrics.synthetic.wards.write_scaled_wards_yaml; same fields as config/wards.yaml.\n"
    )
    out_path.write_text(header + yaml.safe_dump(scaled, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out_path


@dataclass(frozen=True)
class Wards:
    """The simulated wards as columns (one entry per ward), and every bed as columns (one entry per bed)."""

    code: np.ndarray  # object
    specialty: np.ndarray  # object
    kind: np.ndarray  # object
    beds: np.ndarray  # int64
    base: np.ndarray  # index in the unscaled list
    profile: tuple[Profile, ...]
    bed_ward: np.ndarray  # per global bed: ward index
    bed_label: np.ndarray  # per global bed: 'B12' or 'SR3'
    bed_side_room: np.ndarray  # bool

    @property
    def n(self) -> int:
        return len(self.code)


def load_wards(wards_yaml: Path, scale: int) -> Wards:
    """The wards of ``wards_yaml`` repeated ``scale`` times, each with its specialty profile and labelled beds."""
    doc = load_yaml(wards_yaml)
    base_count = len(doc.get("wards") or [])
    entries = scaled_ward_entries(doc, scale)
    if not entries:
        raise ValueError(f"{wards_yaml}: no wards")
    profiles = tuple(PROFILES.get(str(w.get("specialty", "")).strip().lower(), DEFAULT_PROFILE) for w in entries)
    beds = np.array([int(w["beds"]) for w in entries], dtype=np.int64)
    bed_ward = np.repeat(np.arange(len(entries)), beds)
    labels, side = [], []
    for n, prof in zip(beds, profiles, strict=True):
        rooms = 0 if prof.kind == "critical" else max(1, int(round(n * 0.2)))
        labels += [f"B{i}" for i in range(1, n - rooms + 1)] + [f"SR{i}" for i in range(1, rooms + 1)]
        side += [False] * (n - rooms) + [True] * rooms
    return Wards(
        code=np.array([str(w["code"]) for w in entries], dtype=object),
        specialty=np.array([str(w.get("specialty", "")) for w in entries], dtype=object),
        kind=np.array([p.kind for p in profiles], dtype=object),
        beds=beds,
        base=np.arange(len(entries)) % max(base_count, 1),
        profile=profiles,
        bed_ward=bed_ward,
        bed_label=np.array(labels, dtype=object),
        bed_side_room=np.array(side, dtype=bool),
    )

