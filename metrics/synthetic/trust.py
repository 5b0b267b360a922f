"""A deterministic synthetic NHS trust: daily EPR extracts in the contract's shape.

Why this exists: the dashboard needs data a ward manager would recognise,
without a single real patient in it, for the demo, the tests and the
benchmarks. This module simulates a trust day by day (beds, admissions,
discharges, vital signs, bloods, risk assessments, the eMAR, rosters and EPR
flags) and writes one extract folder per day, exactly in the shape of
``metrics.extract.contract`` (column order is taken from ``TABLES``, never restated).

Everything is synthetic: patients are ``P0123456``, stays ``E00054321``, and
no name is ever generated. The same seed and arguments give byte-identical
files: all randomness comes from ``numpy.random.Generator(PCG64(seed))`` and
its spawned child streams, one per part of the simulation, so switching the
deliberate bad rows off leaves every other row unchanged.

How the trust behaves (each choice is deliberate, so the tiles have something
true to show):

* Beds: each ward keeps 85-100% of its funded beds occupied at 07:30 (a ward
  target drawn per ward, wobbling day to day). Patients keep their bed, their
  ``encounter_id`` and ``patient_id`` from admission to discharge, so a stay
  appears in every daily extract until the day after it ends. Lengths of stay
  are log-normal (median about 4 days, long tail, longer on elderly care,
  stroke and rehabilitation, short on the AMU). About 5% of admissions are
  readmissions of a patient discharged from the same ward in the last 30 days.
* Severity: each stay has a baseline and up to two deterioration episodes (one
  present on admission and resolving, one arising during the stay); vital
  signs, observation frequency, fever, confusion, oxygen, bloods, flags and
  antibiotics all follow the same severity curve.
* Wards differ consistently (a per-ward quality score drives late obs,
  outstanding assessments, missed doses, short shifts, falls and pressure
  ulcers), and two wards change part-way through the history (the 4th ward in
  wards.yaml improves, the 12th gets worse) so SPC charts have a real shift.
* Times are simulated on the London wall clock and written as ISO 8601 with
  the correct offset (+00:00 in GMT, +01:00 in BST), so autumn's repeated
  hour is never ambiguous. ``extracted_at`` is 07:30 London every day.

``generate_trust`` writes the history; ``generate_one`` the latest day only;
``write_scaled_wards_yaml`` the wards.yaml matching ``scale``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from metrics.extract.contract import TABLES, ColumnType, TableSpec

GENERATOR = "synthetic-trust-generator v1"
DEFAULT_SEED = 20261125
PROJECT_ROOT = Path(__file__).resolve().parents[2]

MINUTE, HOUR, DAY = 60, 3600, 86400
NA = np.iinfo(np.int64).min  # a missing time
NONE = np.array(None, dtype=object)  # a missing text cell
EXTRACT_MINUTE_OF_DAY = 7 * 60 + 30  # extracts reflect 07:30 London time
WARMUP_DAYS = 21  # simulated before the first extract so the wards are in a steady state
HISTORY_DAYS = 90  # the bed simulation always covers at least this many days before `end` (see generate_trust)
OBS_LOOKBACK_H = 48  # observation sets shown per stay
MEDS_LOOKBACK_H = 36  # eMAR window shown
MEDS_LOOKAHEAD_H = 1  # the next drug round, still pending
LAB_LOOKBACK_DAYS = 365
READMIT_WITHIN_DAYS = 30
READMIT_RATE = 0.05

# ----------------------------------------------------------------------------------------------
# Specialty profiles: length of stay, ages, observation routine, staffing ratios.
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    kind: str  # medical, surgical, elderly, rehab, critical, paeds, maternity
    los_days: float  # median length of stay
    age: tuple[float, float]  # mean, sd for adult wards
    acuity: float  # added to every stay's baseline severity
    obs_hours: tuple[float, ...]  # routine observation intervals the ward uses
    reg_ratio: tuple[float, float]  # patients per registered nurse, day and night
    unreg_ratio: tuple[float, float]


_MED = _Profile("medical", 4.5, (70, 15), 0.04, (4, 6, 6, 8, 12), (6, 8), (8, 10))
_PROFILES: dict[str, _Profile] = {
    "acute medicine": _Profile("medical", 1.6, (66, 19), 0.08, (4, 4, 6), (5, 7), (8, 10)),
    "respiratory": _Profile("medical", 5.0, (70, 13), 0.10, (4, 6, 6, 8), (6, 8), (8, 10)),
    "cardiology": _Profile("medical", 3.5, (70, 12), 0.05, (4, 6, 8, 12), (6, 8), (8, 10)),
    "elderly care": _Profile("elderly", 9.0, (84, 6), 0.06, (6, 8, 12), (7, 9), (6, 8)),
    "general surgery": _Profile("surgical", 3.5, (58, 18), 0.02, (4, 6, 8, 12), (6, 8), (8, 10)),
    "trauma and orthopaedics": _Profile("surgical", 5.0, (70, 19), 0.02, (4, 6, 8, 12), (6, 8), (7, 9)),
    "gastroenterology": _Profile("medical", 4.5, (58, 18), 0.04, (4, 6, 8, 12), (6, 8), (8, 10)),
    "stroke": _Profile("elderly", 8.0, (74, 12), 0.05, (4, 6, 8), (6, 8), (6, 8)),
    "critical care": _Profile("critical", 3.0, (60, 16), 0.25, (1,), (1, 1), (7, 14)),
    "paediatrics": _Profile("paeds", 1.5, (6, 5), 0.02, (4, 4, 6), (4, 5), (8, 10)),
    "general medicine": _MED,
    "urology": _Profile("surgical", 2.5, (66, 15), 0.02, (4, 6, 8, 12), (6, 8), (8, 10)),
    "renal medicine": _Profile("medical", 5.0, (63, 15), 0.08, (4, 6, 8), (6, 8), (8, 10)),
    "oncology": _Profile("medical", 5.0, (62, 14), 0.06, (4, 6, 8), (5, 7), (8, 10)),
    "rehabilitation": _Profile("rehab", 16.0, (79, 9), 0.00, (8, 12, 12), (7, 9), (6, 8)),
    "maternity": _Profile("maternity", 2.0, (31, 5.5), 0.00, (4, 6, 8), (5, 6), (8, 10)),
    "gynaecology": _Profile("surgical", 1.5, (48, 16), 0.00, (4, 6, 8, 12), (6, 8), (8, 10)),
    "diabetes and endocrinology": _Profile("medical", 4.0, (60, 18), 0.03, (4, 6, 8, 12), (6, 8), (8, 10)),
    "neurology": _Profile("medical", 5.0, (55, 18), 0.03, (4, 6, 8, 12), (6, 8), (8, 10)),
}

# ----------------------------------------------------------------------------------------------
# Medicines: (name as the eMAR shows it, drug-round hours, base probability, per-kind probability).
# Critical ones use names from config/clinical.yaml's critical medicines list.
# ----------------------------------------------------------------------------------------------
_ROUTINE_MEDS: tuple[tuple[str, tuple[int, ...], float, dict[str, float]], ...] = (
    ("paracetamol", (6, 12, 18, 22), 0.50, {"paeds": 0.55, "surgical": 0.75}),
    ("lansoprazole", (8,), 0.22, {"paeds": 0.02}),
    ("omeprazole", (8,), 0.12, {"paeds": 0.03}),
    ("senna", (22,), 0.22, {"paeds": 0.02, "elderly": 0.45, "rehab": 0.40}),
    ("laxido", (8, 18), 0.12, {"paeds": 0.05, "elderly": 0.25}),
    ("amlodipine", (8,), 0.18, {"paeds": 0.0, "maternity": 0.01}),
    ("ramipril", (8,), 0.12, {"paeds": 0.0, "maternity": 0.0}),
    ("atorvastatin", (22,), 0.28, {"paeds": 0.0, "maternity": 0.0}),
    ("bisoprolol", (8,), 0.18, {"paeds": 0.0, "maternity": 0.01}),
    ("furosemide", (8, 14), 0.10, {"paeds": 0.0, "maternity": 0.0}),
    ("metformin", (8, 18), 0.09, {"paeds": 0.0, "maternity": 0.02}),
    ("sertraline", (8,), 0.08, {"paeds": 0.01}),
    ("adcal-d3", (8, 18), 0.10, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.3}),
    ("ferrous sulfate", (8,), 0.06, {"maternity": 0.25, "paeds": 0.01}),
    ("enoxaparin", (18,), 0.50, {"paeds": 0.0, "surgical": 0.80, "maternity": 0.30, "critical": 0.2}),
    ("apixaban", (8, 18), 0.09, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.16}),
    ("prednisolone", (8,), 0.04, {"paeds": 0.04, "maternity": 0.0}),
    ("hydrocortisone", (8, 14), 0.01, {"critical": 0.08}),
    ("levetiracetam", (8, 22), 0.025, {"paeds": 0.03, "maternity": 0.0}),
    ("co-careldopa", (6, 12, 18, 22), 0.02, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.07, "rehab": 0.08}),
    ("salbutamol nebule", (6, 12, 18, 22), 0.04, {"paeds": 0.12, "maternity": 0.0}),
    ("digoxin", (8,), 0.03, {"paeds": 0.0, "maternity": 0.0, "elderly": 0.06}),
    ("tacrolimus", (6, 18), 0.005, {"paeds": 0.0, "maternity": 0.0}),
    ("morphine subcutaneous", (6, 12, 18, 22), 0.004, {"paeds": 0.0, "maternity": 0.0}),
)
# Specialty-specific extra probability for a few medicines (renal transplant, epilepsy, COPD, palliative care).
_SPECIALTY_MEDS: dict[str, dict[str, float]] = {
    "renal medicine": {"tacrolimus": 0.18, "furosemide": 0.3},
    "neurology": {"levetiracetam": 0.30, "co-careldopa": 0.12},
    "stroke": {"co-careldopa": 0.05},
    "respiratory": {"prednisolone": 0.30, "salbutamol nebule": 0.40},
    "oncology": {"morphine subcutaneous": 0.10, "dexamethasone": 0.20},
    "cardiology": {"apixaban": 0.25, "digoxin": 0.10, "furosemide": 0.30},
    "diabetes and endocrinology": {"hydrocortisone": 0.10, "metformin": 0.3},
}
_EXTRA_MEDS: dict[str, tuple[int, ...]] = {"dexamethasone": (8,)}
_ANTIBIOTICS: tuple[tuple[str, tuple[int, ...], float], ...] = (
    ("co-amoxiclav", (6, 14, 22), 0.42),
    ("tazocin", (6, 14, 22), 0.20),
    ("amoxicillin", (6, 14, 22), 0.12),
    ("clarithromycin", (6, 18), 0.10),
    ("metronidazole", (6, 14, 22), 0.06),
    ("gentamicin", (18,), 0.05),
    ("flucloxacillin", (6, 12, 18, 22), 0.05),
)
_INSULIN: tuple[tuple[str, tuple[int, ...]], ...] = (("novorapid", (8, 12, 18)), ("lantus", (22,)))
_CRITICAL_NAMES = {
    "enoxaparin",
    "apixaban",
    "prednisolone",
    "hydrocortisone",
    "levetiracetam",
    "co-careldopa",
    "salbutamol nebule",
    "digoxin",
    "tacrolimus",
    "morphine subcutaneous",
    "dexamethasone",
    "novorapid",
    "lantus",
} | {a[0] for a in _ANTIBIOTICS}

_EXCUSED_REASONS = ("patient_refused", "nil_by_mouth", "clinical_reason", "patient_absent")
_EXCUSED_P = (0.45, 0.20, 0.22, 0.13)
_MISSED_REASONS = ("unavailable", "no_reason", "")  # "" is a not_given dose with the reason left blank
_MISSED_P = (0.45, 0.30, 0.25)

# Assessment types: hours after admission they fall due, and who gets them.
_ASSESSMENT_RULES: dict[str, tuple[float, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "VTE": (14, lambda age, kind: age >= 16),
    "FALLS": (6, lambda age, kind: (age >= 65) | np.isin(kind, ["elderly", "rehab"])),
    "PRESSURE_ULCER": (6, lambda age, kind: np.ones(age.shape, bool)),
    "MUST": (24, lambda age, kind: np.ones(age.shape, bool)),
    "ALCOHOL": (24, lambda age, kind: age >= 16),
    "DELIRIUM": (12, lambda age, kind: age >= 65),
    "MOVING_HANDLING": (6, lambda age, kind: age >= 16),
    "BEDRAILS": (12, lambda age, kind: (age >= 65) | (kind == "critical")),
    "DEMENTIA": (24, lambda age, kind: age >= 75),
    "INFECTION": (6, lambda age, kind: np.ones(age.shape, bool)),
}
_WEEKLY_ASSESSMENTS = ("PRESSURE_ULCER", "FALLS", "MUST")

# ----------------------------------------------------------------------------------------------
# London wall clock <-> UTC, vectorised. UK rule: BST from 01:00 UTC on the last Sunday of March
# to 01:00 UTC on the last Sunday of October. Wall times in the spring gap are read as BST and
# the autumn repeated hour as GMT, so every simulated wall time maps to exactly one instant.
# ----------------------------------------------------------------------------------------------


def _epoch_days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


class _Clock:
    def __init__(self, first_year: int, last_year: int) -> None:
        edges = []
        for year in range(first_year, last_year + 1):
            for month in (3, 10):
                last = date(year, month, 31)
                last -= timedelta(days=(last.weekday() + 1) % 7)  # back to Sunday
                edges.append(_epoch_days(last) * DAY + HOUR)
        self.edges = np.array(edges, dtype=np.int64)

    def offset(self, t: np.ndarray) -> np.ndarray:
        """Seconds to add to UTC for London wall time (3600 in BST); also usable on wall times (see above)."""
        return np.where(np.searchsorted(self.edges, t, side="right") % 2 == 1, HOUR, 0).astype(np.int64)

    def to_utc(self, wall: np.ndarray) -> np.ndarray:
        wall = np.asarray(wall, dtype=np.int64)
        out = wall - self.offset(wall)
        return np.where(wall == NA, NA, out)

    def iso(self, utc: np.ndarray) -> np.ndarray:
        """ISO 8601 London wall time with its offset ('2026-10-25T01:30:00+00:00'); None where missing."""
        utc = np.asarray(utc, dtype=np.int64)
        missing = utc == NA
        safe = np.where(missing, 0, utc)
        off = self.offset(safe)
        text = np.datetime_as_string((safe + off).astype("datetime64[s]"), unit="s")
        text = np.strings.add(text, np.where(off > 0, "+01:00", "+00:00"))
        out = text.astype(object)
        out[missing] = None
        return out


# ----------------------------------------------------------------------------------------------
# Wards
# ----------------------------------------------------------------------------------------------


def _resolve(path: Path) -> Path:
    path = Path(path)
    if not path.exists() and not path.is_absolute() and (PROJECT_ROOT / path).exists():
        return PROJECT_ROOT / path
    return path


def _load_yaml(path: Path) -> dict[str, Any]:
    with open(_resolve(path), encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _scaled_ward_entries(wards_doc: dict[str, Any], scale: int) -> list[dict[str, Any]]:
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    wards = list(wards_doc.get("wards") or [])
    out = []
    for copy in range(1, scale + 1):
        for ward in wards:
            entry = dict(ward)
            if copy > 1:
                entry["code"] = f"{ward['code']}-K{copy:02d}"
                entry["name"] = f"{ward['name']} ({copy})"
            out.append(entry)
    return out


def write_scaled_wards_yaml(wards_yaml: Path, scale: int, out_path: Path) -> Path:
    """Write a wards.yaml with every ward repeated ``scale`` times (copy k's codes get '-Kkk'), as ``generate_trust(scale=...)`` uses."""
    doc = _load_yaml(wards_yaml)
    scaled = {key: value for key, value in doc.items() if key != "wards"}
    scaled["wards"] = _scaled_ward_entries(doc, scale)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Synthetic trust at scale {scale}: config/wards.yaml repeated {scale} time(s); copy k's codes end in -Kkk.\n"
        "# Written by metrics.synthetic.trust.write_scaled_wards_yaml; same fields as config/wards.yaml.\n"
    )
    out_path.write_text(header + yaml.safe_dump(scaled, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out_path


@dataclass(frozen=True)
class _Wards:
    code: np.ndarray  # object
    specialty: np.ndarray  # object
    kind: np.ndarray  # object
    beds: np.ndarray  # int64
    base: np.ndarray  # index in the unscaled list
    profile: tuple[_Profile, ...]
    bed_ward: np.ndarray  # per global bed: ward index
    bed_label: np.ndarray  # per global bed: 'B12' or 'SR3'
    bed_side_room: np.ndarray  # bool

    @property
    def n(self) -> int:
        return len(self.code)


def _wards(wards_yaml: Path, scale: int) -> _Wards:
    doc = _load_yaml(wards_yaml)
    base_count = len(doc.get("wards") or [])
    entries = _scaled_ward_entries(doc, scale)
    if not entries:
        raise ValueError(f"{wards_yaml}: no wards")
    profiles = tuple(_PROFILES.get(str(w.get("specialty", "")).strip().lower(), _MED) for w in entries)
    beds = np.array([int(w["beds"]) for w in entries], dtype=np.int64)
    bed_ward = np.repeat(np.arange(len(entries)), beds)
    labels, side = [], []
    for n, prof in zip(beds, profiles, strict=True):
        rooms = 0 if prof.kind == "critical" else max(1, int(round(n * 0.2)))
        labels += [f"B{i}" for i in range(1, n - rooms + 1)] + [f"SR{i}" for i in range(1, rooms + 1)]
        side += [False] * (n - rooms) + [True] * rooms
    return _Wards(
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


# ----------------------------------------------------------------------------------------------
# Small vectorised helpers
# ----------------------------------------------------------------------------------------------


def _rank_in_sorted_groups(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values of an already sorted array."""
    return np.arange(len(groups)) - np.searchsorted(groups, groups, side="left")


def _to_minute(t: np.ndarray) -> np.ndarray:
    return (np.asarray(t, dtype=np.int64) // MINUTE) * MINUTE


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, position within owner) for owners having counts[i] items each."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def _lognormal_median(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(np.log(median) + sigma * rng.standard_normal(np.shape(median)))


# ----------------------------------------------------------------------------------------------
# The simulation state
# ----------------------------------------------------------------------------------------------


@dataclass
class _World:
    wards: _Wards
    clock: _Clock
    days: list[date]  # simulated days; the last len(extract_days) are extracted
    extract_days: list[date]
    t_wall: np.ndarray  # 07:30 wall time of each simulated day
    quality: np.ndarray  # [ward, day]: higher is worse; drives late obs, missed doses, short shifts...
    # encounters
    e_ward: np.ndarray
    e_bed: np.ndarray
    e_pat: np.ndarray
    e_admit: np.ndarray  # wall seconds
    e_dis: np.ndarray  # wall seconds (planned; in the future for stays still open at the end)
    e_readmit: np.ndarray
    # patients
    p_age: np.ndarray
    p_sex: np.ndarray  # object
    # derived
    e_id: np.ndarray = field(default_factory=lambda: np.empty(0, object))  # 'E00054321', set by _identifiers
    p_id: np.ndarray = field(default_factory=lambda: np.empty(0, object))  # 'P0012345'

    def day_index(self, wall: np.ndarray) -> np.ndarray:
        day0 = _epoch_days(self.days[0])
        return np.clip(np.asarray(wall, dtype=np.int64) // DAY - day0, 0, len(self.days) - 1)

    def q(self, ward: np.ndarray, wall: np.ndarray) -> np.ndarray:
        return self.quality[ward, self.day_index(wall)]


def _quality(rng: np.random.Generator, wards: _Wards, n_days: int, change_day: int | None) -> np.ndarray:
    base = 0.8 * rng.standard_normal(wards.n)
    # a slowly wandering component, so good weeks and bad weeks happen
    walk = np.cumsum(0.06 * rng.standard_normal((wards.n, n_days)), axis=1)
    walk -= walk.mean(axis=1, keepdims=True)
    quality = base[:, None] + np.clip(walk, -0.5, 0.5)
    if change_day is not None:
        ramp = np.clip((np.arange(n_days) - change_day) / 10.0, 0.0, 1.0)
        quality[wards.base == 3 % max(1, wards.base.max() + 1)] -= 1.3 * ramp  # the 4th ward gets better
        if wards.base.max() >= 11:
            quality[wards.base == 11] += 1.3 * ramp  # the 12th ward gets worse
    return quality


def _ages(rng: np.random.Generator, profiles: list[_Profile]) -> np.ndarray:
    n = len(profiles)
    kind = np.array([p.kind for p in profiles], dtype=object)
    mu = np.array([p.age[0] for p in profiles], dtype=float)
    sd = np.array([p.age[1] for p in profiles], dtype=float)
    age = np.clip(mu + sd * rng.standard_normal(n), 18, 99)
    paeds = kind == "paeds"
    age = np.where(paeds, np.floor(17.99 * rng.beta(0.7, 1.4, n)), age)
    maternity = kind == "maternity"
    age = np.where(maternity, np.clip(mu + sd * rng.standard_normal(n), 18, 45), age)
    elderly = (kind == "elderly") & (mu >= 80)
    age = np.where(elderly, np.clip(75 + rng.gamma(2.0, 4.0, n), 75, 103), age)
    return np.floor(age).astype(np.int64)


def _sexes(rng: np.random.Generator, profiles: list[_Profile], specialties: list[str]) -> np.ndarray:
    n = len(profiles)
    u = rng.random(n)
    sex = np.where(u < 0.003, "U", np.where(u < 0.49, "M", "F")).astype(object)
    female_only = np.array(
        [p.kind == "maternity" or s.lower() == "gynaecology" for p, s in zip(profiles, specialties, strict=True)],
        dtype=bool,
    )
    sex[female_only] = "F"
    return sex


def _snap_discharge(rng: np.random.Generator, raw_wall: np.ndarray, not_before: np.ndarray) -> np.ndarray:
    """Move a planned discharge to a plausible time of day (mostly 11:00-18:00) on its date, after ``not_before``."""
    n = len(raw_wall)
    hour = np.clip(14.5 + 2.4 * rng.standard_normal(n), 9.0, 21.5)
    day = np.asarray(raw_wall, dtype=np.int64) // DAY
    out = _to_minute(day * DAY + (hour * HOUR).astype(np.int64))
    late = out <= not_before
    out = np.where(late, _to_minute((np.asarray(not_before) // DAY) * DAY + (hour * HOUR).astype(np.int64)), out)
    late = out <= not_before
    return np.where(late, out + DAY, out)


def _simulate_beds(
    rng: np.random.Generator,
    wards: _Wards,
    clock: _Clock,
    sim_days: list[date],
    extract_days: list[date],
    change_day: int | None,
) -> _World:
    n_days = len(sim_days)
    t_wall = np.array([_epoch_days(d) * DAY + EXTRACT_MINUTE_OF_DAY * MINUTE for d in sim_days], dtype=np.int64)
    quality = _quality(rng, wards, n_days + 2, change_day)
    n_beds = int(wards.beds.sum())
    cap = n_beds * (n_days + 1) + 16
    e_ward = np.empty(cap, np.int64)
    e_bed = np.empty(cap, np.int64)
    e_pat = np.empty(cap, np.int64)
    e_admit = np.empty(cap, np.int64)
    e_dis = np.empty(cap, np.int64)
    e_readmit = np.zeros(cap, bool)
    p_age = np.empty(cap, np.int64)
    p_sex = np.empty(cap, object)
    p_in = np.zeros(cap, bool)
    ne = npat = 0

    occupancy_mean = rng.uniform(0.88, 0.97, wards.n)
    los_median = np.array([p.los_days for p in wards.profile])
    los_factor = 1.2 * np.exp(
        0.12 * rng.standard_normal(wards.n)
    )  # the medians above are per specialty; whole-trust median about 4 days

    def targets() -> np.ndarray:
        occ = np.clip(occupancy_mean + 0.025 * rng.standard_normal(wards.n), 0.85, 1.0)
        return np.clip(
            np.round(wards.beds * occ).astype(np.int64), np.ceil(wards.beds * 0.85).astype(np.int64), wards.beds
        )

    def new_patients(ward_idx: np.ndarray) -> np.ndarray:
        nonlocal npat
        profs = [wards.profile[w] for w in ward_idx]
        ids = np.arange(npat, npat + len(ward_idx))
        p_age[ids] = _ages(rng, profs)
        p_sex[ids] = _sexes(rng, profs, [wards.specialty[w] for w in ward_idx])
        npat += len(ward_idx)
        return ids

    def add(
        ward_idx: np.ndarray, bed: np.ndarray, pat: np.ndarray, admit: np.ndarray, dis: np.ndarray, readmit: np.ndarray
    ) -> np.ndarray:
        nonlocal ne
        sl = slice(ne, ne + len(ward_idx))
        e_ward[sl], e_bed[sl], e_pat[sl], e_admit[sl], e_dis[sl], e_readmit[sl] = (
            ward_idx,
            bed,
            pat,
            admit,
            dis,
            readmit,
        )
        p_in[pat] = True
        ne += len(ward_idx)
        return np.arange(sl.start, sl.stop)

    # --- day 0: wards already at their target occupancy; stays began some time ago
    bed_occ = np.zeros(n_beds, bool)
    bed_free_since = np.full(n_beds, t_wall[0] - 2 * DAY, np.int64)
    target = targets()
    keys = rng.random(n_beds)
    order = np.lexsort((keys, wards.bed_ward))
    rank = _rank_in_sorted_groups(wards.bed_ward[order])
    beds0 = order[rank < target[wards.bed_ward[order]]]
    w0 = wards.bed_ward[beds0]
    los = _lognormal_median(rng, los_median[w0] * los_factor[w0], 0.85) * DAY
    elapsed = rng.random(len(beds0)) * los
    admit0 = _to_minute(t_wall[0] - elapsed.astype(np.int64) - rng.integers(0, 3 * HOUR, len(beds0)))
    dis0 = _snap_discharge(rng, admit0 + los.astype(np.int64), np.full(len(beds0), t_wall[0]))
    by_time = np.argsort(admit0, kind="stable")
    beds0, w0, admit0, dis0 = beds0[by_time], w0[by_time], admit0[by_time], dis0[by_time]
    cur = add(w0, beds0, new_patients(w0), admit0, dis0, np.zeros(len(beds0), bool))
    bed_occ[beds0] = True
    recent_discharges: list[np.ndarray] = []  # encounter indices discharged per day, last READMIT_WITHIN_DAYS days

    for i in range(1, n_days):
        t_prev, t_now = t_wall[i - 1], t_wall[i]
        leaving = e_dis[cur] <= t_now
        gone = cur[leaving]
        bed_occ[e_bed[gone]] = False
        bed_free_since[e_bed[gone]] = e_dis[gone]
        p_in[e_pat[gone]] = False
        recent_discharges = (recent_discharges + [gone])[-READMIT_WITHIN_DAYS:]
        cur = cur[~leaving]
        census = np.bincount(e_ward[cur], minlength=wards.n)
        n_adm = np.clip(targets() - census, 0, None)
        free = np.flatnonzero(~bed_occ)
        order = np.lexsort((rng.random(len(free)), bed_free_since[free], wards.bed_ward[free]))
        free = free[order]
        fw = wards.bed_ward[free]
        chosen = free[_rank_in_sorted_groups(fw) < n_adm[fw]]
        if len(chosen) == 0:
            continue
        cw = wards.bed_ward[chosen]
        lo = np.maximum(bed_free_since[chosen] + rng.integers(1 * HOUR, 4 * HOUR, len(chosen)), t_prev + 5 * MINUTE)
        hi = np.full(len(chosen), t_now - 10 * MINUTE)
        lo = np.minimum(lo, hi - 20 * MINUTE)
        admit = _to_minute(lo + ((hi - lo) * rng.random(len(chosen)) ** 0.8).astype(np.int64))
        # readmissions: patients discharged from the same ward in the last 30 days, not in hospital now
        pat = np.full(len(chosen), -1, np.int64)
        readmit = np.zeros(len(chosen), bool)
        pool = np.concatenate(recent_discharges) if recent_discharges else np.empty(0, np.int64)
        pool = pool[~p_in[e_pat[pool]]]
        if len(pool):
            _, first = np.unique(e_pat[pool], return_index=True)
            pool = pool[np.sort(first)]
            want = rng.binomial(np.bincount(cw, minlength=wards.n), READMIT_RATE)
            pw = e_ward[pool]
            pord = np.lexsort((rng.random(len(pool)), pw))
            pool, pw = pool[pord], pw[pord]
            picked = pool[_rank_in_sorted_groups(pw) < want[pw]]
            got = np.bincount(e_ward[picked], minlength=wards.n)
            take = _rank_in_sorted_groups(cw) < got[cw]  # chosen beds are sorted by ward already
            pat[take] = e_pat[picked]
            readmit[take] = True
        fresh = pat < 0
        pat[fresh] = new_patients(cw[fresh])
        los = _lognormal_median(rng, los_median[cw] * los_factor[cw], 0.85) * DAY
        dis = _snap_discharge(rng, admit + los.astype(np.int64), np.full(len(chosen), t_now))
        by_time = np.argsort(admit, kind="stable")
        new = add(cw[by_time], chosen[by_time], pat[by_time], admit[by_time], dis[by_time], readmit[by_time])
        bed_occ[chosen] = True
        cur = np.concatenate([cur, new])

    return _World(
        wards=wards,
        clock=clock,
        days=sim_days,
        extract_days=extract_days,
        t_wall=t_wall,
        quality=quality,
        e_ward=e_ward[:ne],
        e_bed=e_bed[:ne],
        e_pat=e_pat[:ne],
        e_admit=e_admit[:ne],
        e_dis=e_dis[:ne],
        e_readmit=e_readmit[:ne],
        p_age=p_age[:npat],
        p_sex=p_sex[:npat],
    )


def _identifiers(rng: np.random.Generator, world: _World) -> None:
    n_e, n_p = len(world.e_admit), len(world.p_age)
    order = np.argsort(world.e_admit, kind="stable")
    numbers = 54000 + np.cumsum(rng.integers(1, 4, n_e))
    e_num = np.empty(n_e, np.int64)
    e_num[order] = numbers
    world.e_id = np.array([f"E{n:08d}" for n in e_num], dtype=object)
    first_admit = np.full(n_p, np.iinfo(np.int64).max)
    np.minimum.at(first_admit, world.e_pat, world.e_admit)
    p_order = np.argsort(first_admit, kind="stable")
    p_numbers = 12000 + np.cumsum(rng.integers(1, 25, n_p))
    p_num = np.empty(n_p, np.int64)
    p_num[p_order] = p_numbers
    world.p_id = np.array([f"P{n:07d}" for n in p_num], dtype=object)


# ----------------------------------------------------------------------------------------------
# Severity: one curve per stay that vital signs, bloods, flags and antibiotics all follow.
# ----------------------------------------------------------------------------------------------


@dataclass
class _Severity:
    base: np.ndarray
    a1: np.ndarray  # admission episode amplitude (0 = none)
    pk1: np.ndarray  # hours from admission to its peak
    r1: np.ndarray  # hours from peak to resolved
    inf1: np.ndarray  # infection?
    a2: np.ndarray  # in-stay episode amplitude (0 = none)
    on2: np.ndarray  # wall time it starts
    ramp2: np.ndarray
    plat2: np.ndarray
    res2: np.ndarray
    inf2: np.ndarray
    copd: np.ndarray  # SpO2 scale 2
    admit: np.ndarray

    def at(self, e: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(severity, infection component) of stays ``e`` at wall times ``t``."""
        dt = (t - self.admit[e]) / HOUR
        pk, r = self.pk1[e], self.r1[e]
        f1 = np.where(dt < pk, 0.75 + 0.25 * dt / np.maximum(pk, 0.1), np.clip(1.0 - (dt - pk) / r, 0.0, 1.0))
        c1 = self.a1[e] * np.clip(f1, 0.0, 1.0)
        x = (t - self.on2[e]) / HOUR
        up = x / self.ramp2[e]
        down = (self.ramp2[e] + self.plat2[e] + self.res2[e] - x) / self.res2[e]
        c2 = self.a2[e] * np.clip(np.minimum(np.minimum(up, 1.0), down), 0.0, 1.0)
        return self.base[e] + c1 + c2, self.inf1[e] * c1 + self.inf2[e] * c2


def _severity(rng: np.random.Generator, world: _World) -> _Severity:
    n = len(world.e_admit)
    kind = world.wards.kind[world.e_ward]
    acuity = np.array([p.acuity for p in world.wards.profile])[world.e_ward]
    u = rng.random(n)
    base = np.where(
        u < 0.72, rng.uniform(0.0, 0.14, n), np.where(u < 0.93, rng.uniform(0.1, 0.26, n), rng.uniform(0.22, 0.36, n))
    )
    base = base + acuity
    base = np.where(np.isin(kind, ["maternity", "paeds", "rehab"]), base * 0.6, base)
    admit, dis = world.e_admit, world.e_dis
    stay_h = (dis - admit) / HOUR
    # episode present on admission, resolving over one to four days
    p1 = np.select(
        [kind == "medical", kind == "elderly", kind == "critical", kind == "surgical", kind == "paeds"],
        [0.38, 0.32, 0.6, 0.16, 0.25],
        0.08,
    )
    has1 = rng.random(n) < p1
    a1 = np.where(has1, rng.uniform(0.1, 0.62, n), 0.0)
    pk1 = rng.uniform(0.0, 8.0, n)
    r1 = np.minimum(rng.uniform(24, 96, n), np.maximum(stay_h - pk1 - 6, 6))
    inf1 = (rng.random(n) < 0.55).astype(float)
    # episode arising during the stay: more likely the longer the stay
    p2 = 1 - np.exp(-0.035 * stay_h / 24)
    p2 = np.where(
        kind == "critical", np.minimum(1, p2 * 2.5), np.where(np.isin(kind, ["maternity", "rehab"]), p2 * 0.4, p2)
    )
    ramp2, plat2, res2 = rng.uniform(6, 36, n), rng.uniform(2, 30, n), rng.uniform(24, 96, n)
    total = ramp2 + plat2 + res2
    avail = stay_h - 24
    has2 = (rng.random(n) < p2) & (avail >= 24)
    shrink = np.minimum(1.0, np.maximum(avail, 1) / total)
    ramp2, plat2, res2 = ramp2 * shrink, plat2 * shrink, res2 * shrink
    total = ramp2 + plat2 + res2
    on2 = admit + 12 * HOUR + (rng.random(n) * np.maximum(avail - total, 0) * HOUR).astype(np.int64)
    a2 = np.where(has2, 0.25 + 0.95 * rng.beta(1.3, 3.0, n), 0.0)
    inf2 = (rng.random(n) < 0.5).astype(float)
    age = world.p_age[world.e_pat]
    spec = world.wards.specialty[world.e_ward]
    copd = (age >= 45) & (
        rng.random(n)
        < np.where(spec == "respiratory", 0.12, np.where(np.isin(kind, ["medical", "elderly"]), 0.02, 0.004))
    )
    return _Severity(
        base,
        a1,
        pk1,
        np.maximum(r1, 1.0),
        inf1,
        a2,
        on2,
        np.maximum(ramp2, 0.5),
        plat2,
        np.maximum(res2, 0.5),
        inf2,
        copd,
        admit,
    )


# ----------------------------------------------------------------------------------------------
# Tables (global, over every stay that appears in any extract); times are wall seconds here.
# ----------------------------------------------------------------------------------------------


def _observations(
    rng: np.random.Generator, world: _World, sev: _Severity, stays: np.ndarray, t_from: int, t_to: int
) -> dict[str, np.ndarray]:
    admit, dis = world.e_admit[stays], world.e_dis[stays]
    start = np.where(
        admit >= t_from,
        admit + rng.integers(5, 45, len(stays)) * MINUTE,
        t_from + rng.integers(0, 8 * 60, len(stays)) * MINUTE,
    )
    end = np.minimum(dis, t_to)
    routine_sets = [world.wards.profile[w].obs_hours for w in world.e_ward[stays]]
    routine = np.array(
        [r[int(k * len(r))] for r, k in zip(routine_sets, rng.random(len(stays)), strict=True)], dtype=float
    )
    active = np.flatnonzero(start <= end)
    t = start[active]
    out_i, out_t = [], []
    while len(active):
        out_i.append(active)
        out_t.append(t)
        e = stays[active]
        s, _ = sev.at(e, t)
        n = len(active)
        interval = np.where(
            s >= 0.8,
            rng.uniform(0.5, 1.0, n),
            np.where(
                s >= 0.45,
                rng.uniform(0.8, 1.5, n),
                np.where(s >= 0.22, np.minimum(routine[active], rng.uniform(4.0, 6.0, n)), routine[active]),
            ),
        )
        interval *= rng.uniform(0.9, 1.1, n)
        p_late = np.clip(0.05 * np.exp(0.6 * world.q(world.e_ward[e], t)), 0.005, 0.35)
        late = rng.random(n) < p_late
        interval = np.where(
            late,
            np.where(interval < 2, interval * rng.uniform(1.5, 2.5, n), interval + rng.uniform(1.5, 5.0, n)),
            interval,
        )
        t = _to_minute(t + (interval * HOUR).astype(np.int64) + rng.integers(-5, 6, n) * MINUTE)
        keep = t <= end[active]
        active, t = active[keep], t[keep]
    idx = np.concatenate(out_i) if out_i else np.empty(0, np.int64)
    when = np.concatenate(out_t) if out_t else np.empty(0, np.int64)
    e = stays[idx]
    n = len(e)
    s, inf = sev.at(e, when)
    s = np.maximum(s, 0)
    # per-stay personal baselines
    hr_off = (8 * rng.standard_normal(len(stays)))[idx]
    sbp_off = (14 * rng.standard_normal(len(stays)))[idx]
    rr_off = rng.normal(0, 0.8, len(stays))[idx]
    age = world.p_age[world.e_pat[e]]
    child = age < 16
    rr = 15.5 + rr_off + 11 * s + 1.3 * rng.standard_normal(n) + np.where(child, 6 * (1 - age / 16), 0)
    hr = 76 + hr_off + 42 * s + 12 * inf + 7 * rng.standard_normal(n) + np.where(child, 40 * (1 - age / 16), 0)
    sbp = 128 + sbp_off - 34 * s + 11 * rng.standard_normal(n) - np.where(child, 25 * (1 - age / 16), 0)
    copd = sev.copd[e]
    spo2 = np.where(copd, 91 - 4 * s + 1.3 * rng.standard_normal(n), 97.2 - 7 * s + 1.1 * rng.standard_normal(n))
    p_o2 = 1 / (1 + np.exp(-(s - 0.62) / 0.1))
    on_o2 = (rng.random(n) < np.where(copd, np.maximum(p_o2, 0.35), p_o2)) | (
        world.wards.kind[world.e_ward[e]] == "critical"
    ) & (s > 0.45)
    spo2 = np.where(on_o2 & ~copd, spo2 + 2.0, spo2)
    temp = 36.75 + 0.3 * rng.standard_normal(n) + 2.0 * inf + 0.3 * (s - inf).clip(0)
    p_conf = np.clip((s - 0.75) * 1.1, 0, 0.8) + np.where(age >= 85, 0.02, 0)
    conf = rng.random(n) < p_conf
    v = conf & (s > 1.1) & (rng.random(n) < 0.35)
    acvpu = np.where(v, "V", np.where(conf, "C", "A")).astype(object)
    rr = np.clip(np.round(rr), 6, 45).astype(np.int64)
    hr = np.clip(np.round(hr), 35, 185).astype(np.int64)
    sbp = np.clip(np.round(sbp), 62, 230).astype(np.int64)
    spo2 = np.clip(np.round(spo2), 72, 100).astype(np.int64)
    temp = np.round(np.clip(temp, 34.5, 41.0), 1)
    # about 3% of sets miss one parameter
    incomplete = rng.random(n) < 0.03
    which = rng.choice(6, size=n, p=[0.15, 0.15, 0.2, 0.1, 0.3, 0.1])
    miss = {
        name: incomplete & (which == k)
        for k, name in enumerate(
            ["respiratory_rate", "spo2", "systolic_bp", "heart_rate", "temperature_c", "consciousness"]
        )
    }
    order = np.lexsort((when, e))
    return {
        "_e": e[order],
        "taken_at": when[order],
        "respiratory_rate": _masked(rr, miss["respiratory_rate"])[order],
        "spo2": _masked(spo2, miss["spo2"])[order],
        "spo2_scale": np.where(copd, 2, 1)[order],
        "on_oxygen": on_o2[order],
        "systolic_bp": _masked(sbp, miss["systolic_bp"])[order],
        "heart_rate": _masked(hr, miss["heart_rate"])[order],
        "consciousness": np.where(miss["consciousness"], NONE, acvpu)[order],
        "temperature_c": np.where(miss["temperature_c"], np.nan, temp)[order],
    }


def _masked(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Integers with NA_INT where missing (kept int64 for speed)."""
    return np.where(missing, NA, values)


def _labs(
    rng: np.random.Generator, world: _World, sev: _Severity, stays: np.ndarray, t_to: int
) -> dict[str, np.ndarray]:
    pats = np.unique(world.e_pat[stays])
    all_stays = np.flatnonzero(np.isin(world.e_pat, pats))  # earlier stays of these patients too
    n_p = len(world.p_age)
    age = world.p_age
    sex = world.p_sex
    # per patient baseline creatinine (umol/L)
    u = rng.standard_normal(n_p)
    base = np.where(sex == "M", 84.0, 67.0) * np.exp(0.17 * u) * np.where(age >= 75, 1.1, 1.0)
    base = np.where(age < 18, 25 + 3.2 * age, base) * np.where(age < 18, np.exp(0.1 * u), 1.0)
    ckd = (age >= 50) & (rng.random(n_p) < 0.09)
    base = np.where(ckd, base * rng.uniform(1.6, 3.6, n_p), base)
    has_history = rng.random(n_p) < np.where(age < 18, 0.35, np.where(age < 40, 0.75, 0.9))
    first_admit = np.full(n_p, np.iinfo(np.int64).max)
    np.minimum.at(first_admit, world.e_pat, world.e_admit)
    # AKI episodes per stay: 1.5x, 2x or 3x baseline, on admission or arising in hospital
    n_e = len(world.e_admit)
    kind = world.wards.kind[world.e_ward]
    spec = world.wards.specialty[world.e_ward]
    p_aki = np.select(
        [
            spec == "renal medicine",
            kind == "critical",
            kind == "elderly",
            np.isin(kind, ["maternity", "paeds", "rehab"]),
        ],
        [0.32, 0.32, 0.2, 0.02],
        0.15,
    )
    aki = rng.random(n_e) < p_aki
    stage = rng.choice(3, size=n_e, p=[0.62, 0.25, 0.13])
    ratio = np.array([1.5, 2.0, 3.0])[stage] * rng.uniform(1.04, 1.3, n_e)
    community = rng.random(n_e) < 0.6
    stay_h = (world.e_dis - world.e_admit) / HOUR
    rise = rng.uniform(24, 60, n_e) * HOUR
    plateau = rng.uniform(24, 96, n_e) * HOUR
    recover = rng.uniform(96, 240, n_e) * HOUR
    hospital_on = world.e_admit + (24 * HOUR + rng.random(n_e) * np.maximum(stay_h - 48, 0) * HOUR).astype(np.int64)
    aki_on = np.where(
        community, world.e_admit - rise.astype(np.int64) - (rng.random(n_e) * plateau).astype(np.int64), hospital_on
    )
    aki &= community | (stay_h >= 72)

    def factor(e: np.ndarray, t: np.ndarray) -> np.ndarray:
        x = (t - aki_on[e]).astype(float)
        up = x / rise[e]
        down = 1 - (x - rise[e] - plateau[e]) / recover[e]
        shape = np.clip(np.minimum(np.minimum(up, 1.0), down), 0.0, 1.0)
        return 1 + np.where(aki[e], ratio[e] - 1, 0) * shape

    sick = (sev.base + sev.a1 + sev.a2 > 0.45) | aki | (spec == "renal medicine") | (kind == "critical")
    p_daily = np.where(sick, 0.85, 0.3)
    # in-stay samples: one on admission, then morning bloods
    admit_sample = rng.random(len(all_stays)) < np.where(np.isin(kind[all_stays], ["paeds", "maternity"]), 0.6, 0.93)
    s_e = [all_stays[admit_sample]]
    s_t = [_to_minute(world.e_admit[all_stays[admit_sample]] + rng.integers(10, 100, int(admit_sample.sum())) * MINUTE)]
    d0 = world.e_admit[all_stays] // DAY + 1
    d1 = np.minimum(world.e_dis[all_stays], t_to) // DAY
    owner, k = _expand(np.maximum(d1 - d0 + 1, 0))
    e = all_stays[owner]
    t = _to_minute((d0[owner] + k) * DAY + 6 * HOUR + rng.integers(0, 100, len(owner)) * MINUTE)
    in_aki = aki[e] & (t >= aki_on[e] - DAY) & (t <= aki_on[e] + (rise[e] + plateau[e] + recover[e]).astype(np.int64))
    keep = (
        (t > world.e_admit[e] + 4 * HOUR)
        & (t < world.e_dis[e])
        & (t <= t_to)
        & (rng.random(len(e)) < np.where(in_aki, 0.95, p_daily[e]))
    )
    s_e.append(e[keep])
    s_t.append(t[keep])
    stay_e = np.concatenate(s_e)
    stay_t = np.concatenate(s_t)
    # history before the first admission: a few results a year from GP and clinics
    hp = pats[has_history[pats]]
    n_hist = 1 + rng.poisson(np.where(ckd[hp], 5.0, 2.2))
    owner, _ = _expand(n_hist)
    h_pat = hp[owner]
    h_t = _to_minute(
        first_admit[h_pat] // DAY * DAY
        - rng.integers(2, 365, len(owner)) * DAY
        + rng.integers(9 * 60, 16 * 60, len(owner)) * MINUTE
    )
    # creatinine values
    pat = np.concatenate([h_pat, world.e_pat[stay_e]])
    when = np.concatenate([h_t, stay_t])
    from_stay = np.concatenate([np.full(len(h_pat), -1), stay_e])
    n = len(pat)
    f = np.ones(n)
    st = from_stay >= 0
    f[st] = factor(from_stay[st], when[st])
    creat = base[pat] * f * np.exp(0.05 * rng.standard_normal(n))
    mgdl = rng.random(n) < np.where(st, 0.01, 0.07)
    value = np.where(mgdl, np.round(creat / 88.42, 2), np.round(creat))
    unit = np.where(mgdl, "mg/dL", "umol/L").astype(object)
    # potassium with every creatinine; CRP with most hospital samples and some clinic ones
    s_now = np.zeros(n)
    inf_now = np.zeros(n)
    if st.any():
        s_now[st], inf_now[st] = sev.at(from_stay[st], when[st])
    potassium = np.round(np.clip(4.2 + 0.35 * rng.standard_normal(n) + 0.5 * (f - 1), 2.6, 7.2), 1)
    with_crp = rng.random(n) < np.where(st, 0.65, 0.2)
    crp = np.round(
        np.clip(
            np.exp(1.3 + 0.8 * rng.standard_normal(n))
            + 160 * inf_now * rng.uniform(0.5, 1.5, n)
            + 20 * np.clip(s_now - inf_now, 0, None),
            1,
            420,
        )
    )
    pats_all = np.concatenate([pat, pat, pat[with_crp]])
    times = np.concatenate([when, when, when[with_crp]])
    test = np.concatenate(
        [np.full(n, "creatinine", object), np.full(n, "potassium", object), np.full(int(with_crp.sum()), "crp", object)]
    )
    values = np.concatenate([value, potassium, crp[with_crp]])
    units = np.concatenate([unit, np.full(n, "mmol/L", object), np.full(int(with_crp.sum()), "mg/L", object)])
    rank = np.concatenate([np.zeros(n), np.ones(n), np.full(int(with_crp.sum()), 2)])
    order = np.lexsort((rank, times, pats_all))
    return {
        "_p": pats_all[order],
        "collected_at": times[order],
        "test": test[order],
        "value": values[order],
        "unit": units[order],
    }


def _assessments(
    rng: np.random.Generator, world: _World, stays: np.ndarray, types: list[str], t_to: int
) -> dict[str, np.ndarray]:
    age = world.p_age[world.e_pat[stays]]
    kind = world.wards.kind[world.e_ward[stays]].astype(str)
    admit, dis = world.e_admit[stays], world.e_dis[stays]
    parts_e, parts_type, parts_due, parts_k = [], [], [], []
    for ti, code in enumerate(types):
        hours, who = _ASSESSMENT_RULES.get(code.upper(), (24, lambda a, k: np.ones(a.shape, bool)))
        mask = who(age, kind)
        idx = np.flatnonzero(mask)
        parts_e.append(idx)
        parts_type.append(np.full(len(idx), ti))
        parts_due.append(admit[idx] + int(hours * HOUR))
        parts_k.append(np.zeros(len(idx), np.int64))
        if code.upper() in _WEEKLY_ASSESSMENTS:
            weeks = np.clip((np.minimum(dis[idx], t_to + DAY) - admit[idx]) // (7 * DAY), 0, None)
            owner, k = _expand(weeks)
            parts_e.append(idx[owner])
            parts_type.append(np.full(len(owner), ti))
            parts_due.append(admit[idx[owner]] + (k + 1) * 7 * DAY)
            parts_k.append(k + 1)
    i = np.concatenate(parts_e)
    typ = np.concatenate(parts_type)
    due = _to_minute(np.concatenate(parts_due))
    repeat = np.concatenate(parts_k) > 0
    e = stays[i]
    n = len(i)
    q = world.q(world.e_ward[e], due)
    p_never = np.clip(0.02 * np.exp(0.8 * q), 0.003, 0.15)
    p_late = np.clip(0.2 * np.exp(0.8 * q), 0.04, 0.6)
    u = rng.random(n)
    start = np.where(repeat, due - 12 * HOUR, world.e_admit[e])
    on_time = start + (rng.uniform(0.3, 1.0, n) * (due - start)).astype(np.int64)
    late = due + (rng.exponential(18.0, n) * HOUR).astype(np.int64) + 10 * MINUTE
    forgotten = due + (rng.exponential(72.0, n) * HOUR).astype(np.int64) + HOUR  # found at a later audit, or never
    completed = _to_minute(np.where(u < p_never, forgotten, np.where(u < p_never + p_late, late, on_time)))
    completed = np.where(completed > world.e_dis[e], NA, completed)
    order = np.lexsort((due, typ, e))
    return {
        "_e": e[order],
        "assessment_type": np.array(types, dtype=object)[typ][order],
        "due_at": due[order],
        "completed_at": completed[order],
    }


def _medications(
    rng: np.random.Generator, world: _World, sev: _Severity, stays: np.ndarray, t_from: int, t_to: int
) -> dict[str, np.ndarray]:
    n_s = len(stays)
    kind = world.wards.kind[world.e_ward[stays]]
    spec = world.wards.specialty[world.e_ward[stays]]
    age = world.p_age[world.e_pat[stays]]
    admit, dis = world.e_admit[stays], world.e_dis[stays]
    names: list[str] = []
    slots: list[tuple[int, ...]] = []
    r_i, r_m, r_start, r_stop = [], [], [], []

    def add(idx: np.ndarray, name: str, hours: tuple[int, ...], start: np.ndarray, stop: np.ndarray) -> None:
        if name not in names:
            names.append(name)
            slots.append(hours)
        r_i.append(idx)
        r_m.append(np.full(len(idx), names.index(name)))
        r_start.append(start)
        r_stop.append(stop)

    prescribed_at = admit + rng.integers(1 * 60, 10 * 60, n_s) * MINUTE
    for name, hours, p, per_kind in _ROUTINE_MEDS:
        prob = np.array([per_kind.get(k, p) for k in kind])
        for sp, extra in _SPECIALTY_MEDS.items():
            if name in extra:
                prob = np.where(spec == sp, np.maximum(prob, extra[name]), prob)
        idx = np.flatnonzero(rng.random(n_s) < prob)
        add(idx, name, hours, prescribed_at[idx], dis[idx])
    for name, hours in _EXTRA_MEDS.items():
        prob = np.array([_SPECIALTY_MEDS.get(s, {}).get(name, 0.0) for s in spec])
        idx = np.flatnonzero(rng.random(n_s) < prob)
        add(idx, name, hours, prescribed_at[idx], dis[idx])
    # insulin for people with diabetes on insulin
    p_insulin = np.where(spec == "diabetes and endocrinology", 0.45, np.where(age >= 18, 0.07, 0.02))
    insulin = np.flatnonzero(rng.random(n_s) < p_insulin)
    for name, hours in _INSULIN:
        idx = insulin[rng.random(len(insulin)) < 0.8]
        add(idx, name, hours, prescribed_at[idx], dis[idx])
    # antibiotics: for infection episodes (course of 5-7 days), and some started on admission
    ab_p = np.array([a[2] for a in _ANTIBIOTICS])
    ab_p /= ab_p.sum()
    e = stays
    inf_start = np.where(sev.inf2[e] > 0, sev.on2[e] + (sev.ramp2[e] * 0.6 * HOUR).astype(np.int64), NA)
    inf_start = np.where((sev.a2[e] > 0) & (inf_start != NA), inf_start, NA)
    starts = [
        np.where((sev.a1[e] > 0) & (sev.inf1[e] > 0), prescribed_at, NA),
        inf_start,
        np.where(rng.random(n_s) < 0.08, prescribed_at, NA),
    ]
    for start in starts:
        idx = np.flatnonzero(start != NA)
        choice = rng.choice(len(_ANTIBIOTICS), size=len(idx), p=ab_p)
        course = rng.integers(5, 8, len(idx)) * DAY
        st = _to_minute(start[idx] + rng.integers(0, 4 * 60, len(idx)) * MINUTE)
        for k, (name, hours, _) in enumerate(_ANTIBIOTICS):
            sel = choice == k
            add(idx[sel], name, hours, st[sel], np.minimum(st[sel] + course[sel], dis[idx[sel]]))
    i = np.concatenate(r_i)
    med = np.concatenate(r_m)
    start = np.maximum(np.concatenate(r_start), t_from)
    stop = np.minimum(np.minimum(np.concatenate(r_stop), dis[i]), t_to)
    valid = stop > start
    i, med, start, stop = i[valid], med[valid], start[valid], stop[valid]
    # expand to doses: every drug-round hour of every day between start and stop
    slot_table = np.full((len(names), 4), -1, np.int64)
    n_slots = np.zeros(len(names), np.int64)
    for k, hours in enumerate(slots):
        slot_table[k, : len(hours)] = hours
        n_slots[k] = len(hours)
    d0 = start // DAY
    n_day = stop // DAY - d0 + 1
    owner, j = _expand(n_day * n_slots[med])
    m = med[owner]
    hour = slot_table[m, j % n_slots[m]]
    sched = (d0[owner] + j // n_slots[m]) * DAY + hour * HOUR
    keep = (sched >= start[owner]) & (sched <= stop[owner])
    owner, sched, m = owner[keep], sched[keep], m[keep]
    e = stays[i[owner]]
    n = len(e)
    critical = np.isin(np.array(names, dtype=object)[m], list(_CRITICAL_NAMES))
    q = world.q(world.e_ward[e], sched)
    early_round = (sched // HOUR) % 24 == 6  # pharmacy is shut overnight: the 06:00 round misses most
    p_missed = np.where(critical, np.where(early_round, 0.07, 0.008) * np.exp(0.6 * q), 0.012)
    surgical = world.wards.kind[world.e_ward[e]] == "surgical"
    p_excused = np.where(critical, 0.03, 0.055) + np.where(surgical, 0.02, 0.0)
    p_never_charted = 0.002
    u = rng.random(n)
    missed = u < p_missed
    excused = (u >= p_missed) & (u < p_missed + p_excused)
    uncharted = (u >= p_missed + p_excused) & (u < p_missed + p_excused + p_never_charted)
    given = ~(missed | excused | uncharted)
    reason_ex = rng.choice(len(_EXCUSED_REASONS), size=n, p=np.array(_EXCUSED_P) / sum(_EXCUSED_P))
    reason_ex = np.where(surgical & (rng.random(n) < 0.3), 1, reason_ex)  # nil by mouth before theatre
    reason_ms = rng.choice(len(_MISSED_REASONS), size=n, p=_MISSED_P)
    reason = np.where(
        excused,
        np.array(_EXCUSED_REASONS, dtype=object)[reason_ex],
        np.where(missed, np.array(_MISSED_REASONS, dtype=object)[reason_ms], NONE),
    )
    reason = np.where(reason == "", NONE, reason)
    delay = np.where(
        rng.random(n) < 0.85, np.clip(8 + 15 * rng.standard_normal(n), -30, 60), 30 + rng.exponential(50, n)
    )
    recorded = _to_minute(sched + (delay * MINUTE).astype(np.int64))
    recorded = np.where(given, recorded, np.where(uncharted, NA, _to_minute(sched + rng.integers(0, 60, n) * MINUTE)))
    outcome = np.where(given, "given", np.where(uncharted, "pending", "not_given")).astype(object)
    order = np.lexsort((m, sched, e))
    return {
        "_e": e[order],
        "medicine": np.array(names, dtype=object)[m][order],
        "scheduled_at": sched[order],
        "outcome": outcome[order],
        "_recorded": recorded[order],
        "reason": reason[order],
    }


def _staffing(rng: np.random.Generator, world: _World, first: date, last: date) -> dict[str, np.ndarray]:
    wards = world.wards
    days = np.arange(_epoch_days(first), _epoch_days(last) + 1)
    w, d, s, g = (a.ravel() for a in np.meshgrid(np.arange(wards.n), days, [0, 1], [0, 1], indexing="ij"))
    beds = wards.beds[w].astype(float)
    reg = np.array([p.reg_ratio for p in wards.profile])[w, s]
    unreg = np.array([p.unreg_ratio for p in wards.profile])[w, s]
    planned = np.where(g == 0, np.maximum(2, np.ceil(beds / reg)), np.maximum(1, np.ceil(beds / unreg)))
    q = world.q(w, d * DAY)
    u = rng.random(len(w))
    p1 = np.clip(0.13 * np.exp(0.6 * q) * np.where(s == 1, 1.3, 1.0), 0.02, 0.55)
    p2 = np.clip(0.035 * np.exp(0.8 * q), 0.003, 0.25)
    over = 0.04
    short = np.where(u < p2, 2, np.where(u < p2 + p1, 1, 0))
    extra = (u > 1 - over).astype(float)
    actual = np.maximum(planned - short + extra, 0)
    return {
        "ward_code": wards.code[w],
        "shift_date": d,
        "shift": np.where(s == 0, "day", "night").astype(object),
        "staff_group": np.where(g == 0, "registered", "unregistered").astype(object),
        "planned": planned,
        "actual": actual,
    }


def _flags(
    rng: np.random.Generator, world: _World, sev: _Severity, stays: np.ndarray, codes: set[str]
) -> dict[str, np.ndarray]:
    n = len(stays)
    e = stays
    admit, dis = world.e_admit[e], world.e_dis[e]
    stay = np.maximum(dis - admit, HOUR)
    age = world.p_age[world.e_pat[e]]
    kind = world.wards.kind[world.e_ward[e]]
    q = world.q(world.e_ward[e], admit)
    out_e, out_flag, out_r, out_c = [], [], [], []

    def flag(mask: np.ndarray, code: str, raised: np.ndarray, cleared: np.ndarray | None = None) -> None:
        raised = _to_minute(np.maximum(raised, admit + 5 * MINUTE))
        ok = mask & (raised < dis)
        cl = np.full(n, NA) if cleared is None else _to_minute(cleared)
        cl = np.where((cl != NA) & ((cl >= dis) | (cl <= raised)), NA, cl)
        out_e.append(e[ok])
        out_flag.append(np.full(int(ok.sum()), code, object))
        out_r.append(raised[ok])
        out_c.append(cl[ok])

    def hours(lo: float, hi: float) -> np.ndarray:
        return (rng.uniform(lo, hi, n) * HOUR).astype(np.int64)

    def during() -> np.ndarray:
        return admit + (rng.random(n) * stay).astype(np.int64)

    # infection and sepsis follow the severity curve's infection episodes
    inf1 = (sev.a1[e] > 0) & (sev.inf1[e] > 0)
    inf2 = (sev.a2[e] > 0) & (sev.inf2[e] > 0)
    t_inf = np.where(inf2 & ~inf1, sev.on2[e] + (sev.ramp2[e] * 0.4 * HOUR).astype(np.int64), admit + hours(0.3, 6))
    suspected = ((inf1 | inf2) & (rng.random(n) < 0.5)) | (rng.random(n) < 0.015)
    flag(suspected, "SUSPECTED_INFECTION", t_inf, np.where(rng.random(n) < 0.7, t_inf + hours(24, 96), NA))
    peak = np.maximum(np.where(inf1, sev.a1[e], 0), np.where(inf2, sev.a2[e], 0))
    t_peak = np.where(
        inf2 & ~inf1, sev.on2[e] + (sev.ramp2[e] * HOUR).astype(np.int64), admit + (sev.pk1[e] * HOUR).astype(np.int64)
    )
    flag(
        (peak >= 0.6) & (rng.random(n) < 0.55),
        "SEPSIS",
        t_peak - hours(0, 3),
        np.where(rng.random(n) < 0.5, t_peak + hours(36, 96), NA),
    )
    # infection control
    tested = rng.random(n) < np.where(np.isin(kind, ["medical", "elderly", "critical"]), 0.35, 0.12)
    result_at = admit + hours(4, 26)
    covid = tested & (rng.random(n) < 0.07)
    flag(tested, "COVID_TEST_PENDING", admit + hours(0.2, 2), result_at)
    flag(covid, "COVID_POSITIVE", result_at)
    mrsa = rng.random(n) < 0.015
    t_mrsa = admit + hours(24, 72)
    flag(mrsa, "MRSA", t_mrsa)
    cdiff = rng.random(n) < 0.004 * np.clip(stay / (5 * DAY), 0.3, 3)
    t_cdiff = during()
    flag(cdiff, "C_DIFF", t_cdiff)
    noro = rng.random(n) < 0.003
    t_noro = during()
    flag(noro, "NOROVIRUS", t_noro, t_noro + hours(48, 96))
    isolate_at = np.where(covid, result_at, np.where(cdiff, t_cdiff, np.where(noro, t_noro, t_mrsa)))
    isolate = covid | cdiff | noro | (mrsa & (rng.random(n) < 0.6)) | (rng.random(n) < 0.01)
    flag(isolate, "ISOLATION", np.where(covid | cdiff | noro | mrsa, isolate_at, during()))
    # harms, more often on the weaker wards and in older, longer stays
    risk = (
        np.exp(0.45 * q)
        * np.where(age >= 75, 1.8, np.where(age >= 60, 1.0, 0.35))
        * np.clip(stay / (6 * DAY), 0.4, 3.0)
    )
    on_admission = rng.random(n) < 0.55
    flag(rng.random(n) < 0.024 * risk, "PRESSURE_ULCER", np.where(on_admission, admit + hours(1, 12), during()))
    t_fall = during()
    flag(rng.random(n) < 0.03 * risk, "FALL", t_fall, np.where(rng.random(n) < 0.5, t_fall + hours(48, 96), NA))
    # discharge and pharmacy
    dis_hour = (dis % DAY) / HOUR
    flag((dis_hour < 11) & (rng.random(n) < 0.75), "GOLDEN_DISCHARGE", (dis // DAY - 1) * DAY + hours(14, 18))
    long_stay = stay > 6 * DAY
    fit_day = (dis - (stay * rng.uniform(0.2, 0.45, n)).astype(np.int64)) // DAY
    flag(
        long_stay & (rng.random(n) < np.where(np.isin(kind, ["elderly", "rehab"]), 0.7, 0.4)),
        "MEDICALLY_FIT",
        fit_day * DAY + hours(9, 17),
    )
    t_rec = admit + hours(0.1, 1)
    flag(
        rng.random(n) < 0.96,
        "MED_REC_OUTSTANDING",
        t_rec,
        np.where(rng.random(n) < 0.98, t_rec + (rng.lognormal(np.log(8), 0.7, n) * HOUR).astype(np.int64), NA),
    )
    t_presc = admit + hours(0.5, 3)
    flag(
        rng.random(n) < 0.9,
        "PRESCRIPTION_UNVERIFIED",
        t_presc,
        np.where(rng.random(n) < 0.975, t_presc + (rng.lognormal(np.log(5), 0.8, n) * HOUR).astype(np.int64), NA),
    )
    # capacity and restrictive practice
    confused = age >= 80
    dols = confused & (rng.random(n) < 0.2) & (stay > 2 * DAY)
    t_dols = admit + hours(24, 96)
    flag(dols, "DOLS", t_dols)
    enhanced = ((age >= 75) & (rng.random(n) < 0.1)) | (sev.a2[e] > 0.8) & (rng.random(n) < 0.5)
    t_enh = during()
    flag(enhanced, "ENHANCED_OBSERVATION", t_enh, np.where(rng.random(n) < 0.5, t_enh + hours(48, 168), NA))
    t_lrr = np.where(dols, t_dols, t_enh) + hours(20, 30)
    flag(
        (dols | enhanced) & (rng.random(n) < 0.7),
        "LEAST_RESTRICTIVE_REVIEW_DUE",
        t_lrr,
        np.where(rng.random(n) < 0.4, t_lrr + hours(2, 30), NA),
    )
    i = np.concatenate(out_e)
    fl = np.concatenate(out_flag)
    raised = np.concatenate(out_r)
    cleared = np.concatenate(out_c)
    keep = np.isin(fl, list(codes))
    i, fl, raised, cleared = i[keep], fl[keep], raised[keep], cleared[keep]
    order = np.lexsort((raised, i))
    return {"_e": i[order], "flag": fl[order], "raised_at": raised[order], "cleared_at": cleared[order]}


# ----------------------------------------------------------------------------------------------
# Outside the EPR: incidents, patient feedback and workforce figures (optional tables)
# ----------------------------------------------------------------------------------------------

INCIDENT_LOOKBACK_DAYS = 400  # each extract carries this much incident history ("days since the last fall")
FEEDBACK_LOOKBACK_DAYS = 200
WORKFORCE_MONTHS = 13

# Incidents per month on a 25-bed ward of an average ward quality, with multipliers per kind of ward.
_INCIDENT_RATES: dict[str, tuple[float, dict[str, float]]] = {
    "FALL": (2.0, {"elderly": 2.0, "rehab": 1.8, "surgical": 0.8, "critical": 0.2, "paeds": 0.2, "maternity": 0.1}),
    "PRESSURE_ULCER": (1.0, {"elderly": 1.8, "rehab": 1.5, "critical": 2.0, "paeds": 0.1, "maternity": 0.05}),
    "MEDICATION": (2.0, {"critical": 1.5, "paeds": 1.2}),
    "C_DIFF": (0.08, {"elderly": 2.0, "paeds": 0.2, "maternity": 0.1}),
    "OTHER": (2.5, {}),
    "GOOD_CATCH": (1.2, {}),
    "LEARNING": (0.8, {}),
}
_POSITIVE_REPORTS = ("GOOD_CATCH", "LEARNING")  # better wards report more of these, not fewer
_HARM = ("none", "low", "moderate", "severe", "death")
_HARM_P: dict[str, tuple[float, ...]] = {
    "FALL": (0.55, 0.33, 0.08, 0.035, 0.005),
    "MEDICATION": (0.72, 0.23, 0.045, 0.005, 0.0),
    "C_DIFF": (0.0, 0.6, 0.35, 0.05, 0.0),
    "OTHER": (0.6, 0.32, 0.07, 0.01, 0.0),
    "GOOD_CATCH": (1.0, 0.0, 0.0, 0.0, 0.0),
    "LEARNING": (1.0, 0.0, 0.0, 0.0, 0.0),
}
_PU_CATEGORY_P = (0.25, 0.5, 0.18, 0.07)  # categories 1-4; harm follows the category (1-2 low, 3 moderate, 4 severe)


def _non_epr_history(
    rng: np.random.Generator, world: _World, first_extract: date, end: date
) -> dict[str, dict[str, np.ndarray]]:
    """Every incident, feedback response and monthly workforce row of the whole period, per ward.

    Rates follow the same per-ward quality as the EPR harms (a weaker ward has more falls and pressure
    ulcers, fewer good-catch reports, a lower FFT score, more sickness), so the barometer agrees with the tiles.
    """
    wards = world.wards
    clock = world.clock
    first_day = _epoch_days(first_extract) - INCIDENT_LOOKBACK_DAYS
    days = np.arange(first_day, _epoch_days(end) + 1)
    w, d = (a.ravel() for a in np.meshgrid(np.arange(wards.n), days, indexing="ij"))
    q = world.q(w, d * DAY + 12 * HOUR)
    size = wards.beds[w] / 25.0

    # incidents: Poisson counts per ward, day and type; a random minute of the day; harm by type
    parts: dict[str, list[np.ndarray]] = {"w": [], "t": [], "type": [], "harm": [], "cat": []}
    for code, (per_month, by_kind) in _INCIDENT_RATES.items():
        mult = np.array([by_kind.get(k, 1.0) for k in wards.kind])[w]
        quality = np.exp(-0.3 * q) if code in _POSITIVE_REPORTS else np.exp(0.45 * q)
        n = rng.poisson(per_month / 30.4 * size * mult * quality)
        owner, _ = _expand(n)
        when = d[owner] * DAY + rng.integers(0, DAY // MINUTE, len(owner)) * MINUTE
        if code == "PRESSURE_ULCER":
            cat = rng.choice(4, size=len(owner), p=_PU_CATEGORY_P) + 1
            harm = np.where(cat <= 2, 1, np.where(cat == 3, 2, 3))
        else:
            cat = np.full(len(owner), NA)
            harm = rng.choice(len(_HARM), size=len(owner), p=np.array(_HARM_P[code]) / sum(_HARM_P[code]))
        parts["w"].append(w[owner])
        parts["t"].append(clock.to_utc(when))
        parts["type"].append(np.full(len(owner), code, object))
        parts["harm"].append(np.array(_HARM, dtype=object)[harm])
        parts["cat"].append(cat.astype(np.int64))
    iw, it = np.concatenate(parts["w"]), np.concatenate(parts["t"])
    order = np.lexsort((iw, it))
    incidents = {
        "incident_id": np.array([f"INC{n:07d}" for n in 310000 + np.arange(len(order))], dtype=object),
        "ward_code": wards.code[iw[order]],
        "occurred_at": it[order],
        "incident_type": np.concatenate(parts["type"])[order],
        "harm_level": np.concatenate(parts["harm"])[order],
        "pressure_ulcer_category": np.concatenate(parts["cat"])[order],
    }

    # feedback: FFT responses most days (one row each), now and then a compliment, rarely a complaint
    recent = d >= _epoch_days(first_extract) - FEEDBACK_LOOKBACK_DAYS
    fw, fd, fq, fsize = w[recent], d[recent], q[recent], size[recent]
    rows_w, rows_d, rows_kind, rows_pos = [], [], [], []
    for kind, lam in (
        ("fft", 1.2 + fsize),
        ("compliment", 0.12 * fsize * np.exp(-0.2 * fq)),
        ("complaint", 0.03 * np.exp(0.3 * fq)),
    ):
        owner, _ = _expand(rng.poisson(lam))
        rows_w.append(fw[owner])
        rows_d.append(fd[owner])
        rows_kind.append(np.full(len(owner), kind, object))
        if kind == "fft":
            p_good = np.clip(0.94 - 0.03 * fq[owner], 0.75, 0.99)
            rows_pos.append(np.array(rng.random(len(owner)) < p_good, dtype=object))
        else:
            rows_pos.append(np.full(len(owner), None, object))
    bw, bd = np.concatenate(rows_w), np.concatenate(rows_d)
    order = np.lexsort((bw, bd))
    feedback = {
        "ward_code": wards.code[bw[order]],
        "response_date": bd[order],
        "kind": np.concatenate(rows_kind)[order],
        "fft_positive": np.concatenate(rows_pos)[order],
    }

    # workforce: one row per ward and month; sickness is higher in winter
    start = date(first_extract.year, first_extract.month, 1)
    months = []
    for back in range(WORKFORCE_MONTHS + 1, 0, -1):
        year, month = divmod(start.year * 12 + start.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    cursor = start
    while cursor <= end:
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    m_day = np.array([_epoch_days(m) for m in months], dtype=np.int64)
    winter = np.array([m.month in (12, 1, 2) for m in months], dtype=float)
    mw, mi = (a.ravel() for a in np.meshgrid(np.arange(wards.n), np.arange(len(months)), indexing="ij"))
    mq = world.q(mw, m_day[mi] * DAY)
    sickness = np.clip(4.4 + 0.9 * mq + 1.2 * winter[mi] + 0.8 * rng.standard_normal(len(mw)), 0.5, 15)
    training = np.clip(92.0 - 2.5 * mq + 2.0 * rng.standard_normal(len(mw)), 60, 100)
    turnover = np.clip(11.0 + 2.0 * mq + 1.0 * rng.standard_normal(len(mw)), 2, 35)
    workforce = {
        "ward_code": wards.code[mw],
        "month": m_day[mi],
        "sickness_absence_pct": np.round(sickness, 1),
        "training_compliance_pct": np.round(training, 1),
        "turnover_pct": np.round(turnover, 1),
    }
    return {"incidents": incidents, "patient_feedback": feedback, "workforce": workforce}


def _non_epr_extract(history: dict[str, dict[str, np.ndarray]], t: int, today: int) -> dict[str, dict[str, np.ndarray]]:
    """What the extract at ``t`` (UTC seconds; London day ``today``) carries of the optional tables."""
    inc = history["incidents"]
    fb = history["patient_feedback"]
    wf = history["workforce"]
    this_month = _epoch_days((date(1970, 1, 1) + timedelta(days=int(today))).replace(day=1))
    months = np.unique(wf["month"][wf["month"] < this_month])[-WORKFORCE_MONTHS:]  # complete months only
    return {
        "incidents": _take(inc, (inc["occurred_at"] <= t) & (inc["occurred_at"] > t - INCIDENT_LOOKBACK_DAYS * DAY)),
        "patient_feedback": _take(
            fb, (fb["response_date"] < today) & (fb["response_date"] >= today - FEEDBACK_LOOKBACK_DAYS)
        ),
        "workforce": _take(wf, np.isin(wf["month"], months)),
    }


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------


def _csv_column(values: np.ndarray, ctype: ColumnType, clock: _Clock) -> np.ndarray:
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
    clock: _Clock,
    text_overrides: dict[str, dict[int, str]] | None = None,
) -> Path:
    names = list(spec.column_names)  # the contract's order
    if fmt == "csv":
        data = {c.name: _csv_column(columns[c.name], c.type, clock) for c in spec.columns}
        for col, rows in (text_overrides or {}).items():
            data[col] = data[col].astype(object)
            for row, text in rows.items():
                data[col][row] = text
            data[col] = data[col].astype(str)
        path = folder / f"{spec.name}.csv"
        path.write_bytes(_csv_bytes(names, [data[n] for n in names]))
    else:
        table = pa.Table.from_arrays([_arrow_column(columns[c.name], c.type) for c in spec.columns], names=names)
        path = folder / f"{spec.name}.parquet"
        pq.write_table(table, path, compression="zstd")
    stale = folder / f"{spec.name}.{'parquet' if fmt == 'csv' else 'csv'}"
    stale.unlink(missing_ok=True)  # a reader would prefer the other format's leftover
    return path


def _take(table: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in table.items()}


def _insert_after(table: dict[str, np.ndarray], row: int, new: dict[str, Any]) -> None:
    for k in table:
        value = new[k] if k in new else table[k][row]
        arr = table[k]
        table[k] = np.concatenate([arr[: row + 1], np.array([value], dtype=arr.dtype), arr[row + 1 :]])


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def generate_trust(
    out_dir: Path,
    *,
    wards_yaml: Path = Path("config/wards.yaml"),
    clinical_yaml: Path = Path("config/clinical.yaml"),
    days: int = 90,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    fmt: str = "csv",
    bad_rows: bool = True,
    non_epr: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Simulate the trust and write one extract folder per day (``out_dir/YYYY-MM-DD/``), the last on ``end`` (default today).

    Returns the folders in date order. Same arguments, same bytes. With ``bad_rows`` each extract carries a
    handful of deliberate contract breaches (a heart rate of 900, ward ``ZZ9``, an observation in the future,
    an assessment with no encounter_id, and in CSV a creatinine of ``abc``); every other row is unchanged.
    With ``non_epr`` (the default) each extract also carries the optional tables from outside the EPR
    (incidents, patient_feedback, workforce; see ``_non_epr_history``); without it they are left out, as
    for a hospital that does not supply them. Either way the EPR tables are byte-identical.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    end = end or date.today()
    out_dir = Path(out_dir)
    clinical = _load_yaml(clinical_yaml)
    assessment_types = [str(a["code"]) for a in clinical.get("assessment_types") or []]
    flag_codes = {str(f["code"]).upper() for f in clinical.get("flag_codes") or []}
    wards = _wards(wards_yaml, scale)
    span = max(days, HISTORY_DAYS)  # so the patients on a given day do not depend on how many days were asked for
    sim_days = [end - timedelta(days=span + WARMUP_DAYS - 1 - i) for i in range(span + WARMUP_DAYS)]
    extract_days = sim_days[-days:]
    clock = _Clock(sim_days[0].year - 3, end.year + 1)
    root = np.random.Generator(np.random.PCG64(seed))
    streams = root.spawn(10)
    change_day = WARMUP_DAYS + span // 2
    world = _simulate_beds(streams[0], wards, clock, sim_days, extract_days, change_day)
    _identifiers(streams[1], world)
    sev = _severity(streams[2], world)

    t_ext_wall = world.t_wall[-days:]
    t_ext = clock.to_utc(t_ext_wall)
    dis_utc = clock.to_utc(world.e_dis)
    admit_utc = clock.to_utc(world.e_admit)
    # every stay that appears in some extract
    in_any = np.zeros(len(world.e_admit), bool)
    for t in t_ext:
        in_any |= (admit_utc <= t) & (dis_utc > t - DAY)
    stays = np.flatnonzero(in_any)
    first_wall, last_wall = int(t_ext_wall[0]), int(t_ext_wall[-1])

    obs = _observations(streams[3], world, sev, stays, first_wall - (OBS_LOOKBACK_H + 36) * HOUR, last_wall)
    labs = _labs(streams[4], world, sev, stays, last_wall)
    assess = _assessments(streams[5], world, stays, assessment_types, last_wall)
    meds = _medications(
        streams[6],
        world,
        sev,
        stays,
        first_wall - (MEDS_LOOKBACK_H + 2) * HOUR,
        last_wall + (MEDS_LOOKAHEAD_H + 1) * HOUR,
    )
    staff = _staffing(streams[7], world, sim_days[WARMUP_DAYS - 1], end)
    flags = _flags(streams[8], world, sev, stays, flag_codes)
    # the optional tables draw from their own stream, so switching them off changes no other byte
    outside = (
        _non_epr_history(np.random.Generator(np.random.PCG64([seed, 11])), world, extract_days[0], end)
        if non_epr
        else None
    )
    for table, cols in (
        (obs, ("taken_at",)),
        (labs, ("collected_at",)),
        (assess, ("due_at", "completed_at")),
        (meds, ("scheduled_at", "_recorded")),
        (flags, ("raised_at", "cleared_at")),
    ):
        for col in cols:
            table[col] = clock.to_utc(table[col])
    edd = (
        world.e_admit
        + ((world.e_dis - world.e_admit) * np.exp(0.2 * streams[9].standard_normal(len(world.e_admit)))).astype(
            np.int64
        )
    ) // DAY
    edd = np.where(streams[9].random(len(edd)) < 0.1, NA, np.maximum(edd, world.e_admit // DAY))
    bed_order = np.lexsort((world.e_bed, world.e_ward))  # ward order, then bed
    rank_bed = np.empty(len(bed_order), np.int64)
    rank_bed[bed_order] = np.arange(len(bed_order))

    folders = []
    specs = {s.name: s for s in TABLES}
    for k, day in enumerate(extract_days):
        t = int(t_ext[k])
        folder = out_dir / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        in_extract = (admit_utc <= t) & (dis_utc > t - DAY)
        enc_idx = np.flatnonzero(in_extract)
        enc_idx = enc_idx[np.argsort(rank_bed[enc_idx], kind="stable")]
        pats = world.e_pat[enc_idx]
        encounters = {
            "encounter_id": world.e_id[enc_idx],
            "patient_id": world.p_id[pats],
            "ward_code": wards.code[world.e_ward[enc_idx]],
            "bed": wards.bed_label[world.e_bed[enc_idx]],
            "admitted_at": admit_utc[enc_idx],
            "discharged_at": np.where(dis_utc[enc_idx] <= t, dis_utc[enc_idx], NA),
            "expected_discharge_date": edd[enc_idx],
            "age_years": world.p_age[pats],
            "sex": world.p_sex[pats],
        }
        end_at = np.full(len(world.e_admit), NA)
        end_at[enc_idx] = np.minimum(dis_utc[enc_idx], t)
        o_end = end_at[obs["_e"]]
        observations = _take(
            obs, (o_end != NA) & (obs["taken_at"] <= o_end) & (obs["taken_at"] >= o_end - OBS_LOOKBACK_H * HOUR)
        )
        m_sel = (
            in_extract[meds["_e"]]
            & (meds["scheduled_at"] >= t - MEDS_LOOKBACK_H * HOUR)
            & (meds["scheduled_at"] <= t + MEDS_LOOKAHEAD_H * HOUR)
        )
        medication = _take(meds, m_sel)
        pending = (medication["_recorded"] == NA) | (medication["_recorded"] > t)
        medication["outcome"] = np.where(pending, "pending", medication["outcome"])
        medication["administered_at"] = np.where(
            pending | (medication["outcome"] != "given"), NA, medication["_recorded"]
        )
        medication["reason"] = np.where(pending, NONE, medication["reason"])
        assessments = _take(assess, in_extract[assess["_e"]] & (assess["due_at"] <= t + DAY))
        assessments["completed_at"] = np.where(assessments["completed_at"] > t, NA, assessments["completed_at"])
        patient_flags = _take(flags, in_extract[flags["_e"]] & (flags["raised_at"] <= t))
        patient_flags["cleared_at"] = np.where(patient_flags["cleared_at"] > t, NA, patient_flags["cleared_at"])
        wanted = np.zeros(len(world.p_age), bool)
        wanted[pats] = True
        lab_results = _take(
            labs,
            wanted[labs["_p"]] & (labs["collected_at"] <= t) & (labs["collected_at"] > t - LAB_LOOKBACK_DAYS * DAY),
        )
        today = _epoch_days(day)
        staffing = _take(staff, (staff["shift_date"] >= today - 1) & (staff["shift_date"] <= today))
        for table in (observations, medication, assessments, patient_flags):
            table["encounter_id"] = world.e_id[table["_e"]]
        lab_results["patient_id"] = world.p_id[lab_results["_p"]]
        tables = {
            "encounters": encounters,
            "observations": observations,
            "lab_results": lab_results,
            "assessments": assessments,
            "medication_administrations": medication,
            "staffing": staffing,
            "patient_flags": patient_flags,
        }
        overrides: dict[str, dict[str, dict[int, str]]] = {}
        if bad_rows:
            _add_bad_rows(np.random.Generator(np.random.PCG64([seed, 7, today])), tables, overrides, t, fmt)
        if outside is not None:
            tables.update(_non_epr_extract(outside, t, today))
        for spec in TABLES:
            if spec.name in tables:
                _write_table(folder, specs[spec.name], tables[spec.name], fmt, clock, overrides.get(spec.name))
            else:  # an optional table this extract does not supply: no leftover from an earlier run either
                for suffix in (".csv", ".parquet"):
                    (folder / f"{spec.name}{suffix}").unlink(missing_ok=True)
        manifest = {
            "extracted_at": str(clock.iso(np.array([t]))[0]),
            "source": f"{GENERATOR} seed={seed} scale={scale}",
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        folders.append(folder)
        if progress is not None:
            progress(k + 1, len(extract_days))
    return folders


def _add_bad_rows(
    rng: np.random.Generator,
    tables: dict[str, dict[str, np.ndarray]],
    overrides: dict[str, dict[str, dict[int, str]]],
    t: int,
    fmt: str,
) -> None:
    """A handful of deliberate contract breaches, each next to the ordinary row it was copied from."""
    obs = tables["observations"]
    if len(obs["taken_at"]):
        row = int(rng.integers(len(obs["taken_at"])))
        _insert_after(obs, row, {"heart_rate": 900, "taken_at": obs["taken_at"][row] + 3 * MINUTE})  # impossible value
        row = int(rng.integers(len(obs["taken_at"])))
        _insert_after(
            obs, row, {"taken_at": _to_minute(np.array([t + int(rng.integers(1, 6)) * HOUR]))[0]}
        )  # in the future
    enc = tables["encounters"]
    if len(enc["encounter_id"]):
        row = int(rng.integers(len(enc["encounter_id"])))
        number = int(rng.integers(0, 1_000_000))
        _insert_after(
            enc,
            row,
            {
                "encounter_id": f"E9{number:07d}",
                "patient_id": f"P99{number % 100000:05d}",
                "ward_code": "ZZ9",
                "bed": "B1",
                "discharged_at": NA,
            },
        )  # a ward nobody configured
    assess = tables["assessments"]
    if len(assess["due_at"]):
        row = int(rng.integers(len(assess["due_at"])))
        _insert_after(assess, row, {"encounter_id": None, "completed_at": NA})  # required key missing
    labs = tables["lab_results"]
    creat = np.flatnonzero(labs["test"] == "creatinine")
    if fmt == "csv" and len(creat):
        row = int(creat[rng.integers(len(creat))])
        _insert_after(labs, row, {})
        overrides["lab_results"] = {"value": {row + 1: "abc"}}  # not a number (CSV only: Parquet columns are typed)


def generate_one(
    out_dir: Path,
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    fmt: str = "parquet",
    wards_yaml: Path = Path("config/wards.yaml"),
    clinical_yaml: Path = Path("config/clinical.yaml"),
    bad_rows: bool = True,
) -> Path:
    """The latest extract only (``days=1``): the benchmark's input. Returns its folder."""
    return generate_trust(
        out_dir,
        wards_yaml=wards_yaml,
        clinical_yaml=clinical_yaml,
        days=1,
        scale=scale,
        seed=seed,
        end=end,
        fmt=fmt,
        bad_rows=bad_rows,
    )[0]
