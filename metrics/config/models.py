"""The shape of each file under config/ (wards, clinical, sources, dashboard, metrics) and the loaded whole.

Why this exists: the dashboard is configured, not coded, per hospital. Each file's
structure is a strict pydantic model here; ``metrics.config.load`` reads the files
into these models and then checks their meaning across files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from metrics.config.strict import Strict as _Strict
from metrics.evaluate.definitions import MetricDefinition

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "config"


# ---- wards.yaml -------------------------------------------------------------------------------
class Site(_Strict):
    code: str
    name: str


class Matron(_Strict):
    code: str
    name: str


class Ward(_Strict):
    code: str
    name: str
    site: str
    specialty: str
    beds: int = Field(gt=0)
    matron: str
    # The early warning score the ward uses: NEWS2 (adults), MEOWS (maternity), PEWS (children).
    early_warning_score: str = Field(default="NEWS2", pattern="^(NEWS2|MEOWS|PEWS)$")


class WardsFile(_Strict):
    sites: tuple[Site, ...]
    matrons: tuple[Matron, ...] = ()
    wards: tuple[Ward, ...]


# ---- clinical.yaml ----------------------------------------------------------------------------
class Coded(_Strict):
    code: str
    label: str


class News2Settings(_Strict):
    overdue_after_minutes: dict[str, int]
    grace_minutes: int = Field(ge=0)
    minimum_age_years: int = Field(default=16, ge=0, le=18)
    pregnancy_flag: str = "PREGNANT"


class LactateRedFlag(_Strict):
    test: str = "lactate"
    at_least_mmol_l: float = Field(default=2.0, gt=0)
    within_hours: float = Field(default=24, gt=0)


class SepsisScreen(_Strict):
    sepsis_flags: tuple[str, ...]
    infection_flags: tuple[str, ...]
    red_flags: tuple[str, ...] = ()
    lactate: LactateRedFlag = LactateRedFlag()


class MissedDoses(_Strict):
    pending_missed_after_minutes: int = Field(ge=0)
    missed_reasons: tuple[str, ...]
    critical_medicines: dict[str, tuple[str, ...]]
    window_hours: float = Field(default=24.0, gt=0, le=168)
    huddle_times: tuple[time, ...] = ()
    time_critical_minutes: dict[str, int] = Field(default_factory=dict)
    critical_medicine_codes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    not_critical_when_named: tuple[str, ...] = ()


class FillRateRag(_Strict):
    green_at_least: float = Field(gt=0)
    amber_at_least: float = Field(gt=0)


class StaffingRedFlags(_Strict):
    fewer_registered_than: int = Field(default=2, ge=1)
    shortfall_hours_above: float = Field(default=8.0, gt=0)
    shortfall_fraction_above: float = Field(default=0.25, gt=0, lt=1)


class StaffingSettings(_Strict):
    unit: str = Field(pattern="^(headcount|hours)$")
    shift_hours: dict[str, float]
    fill_rate_rag: FillRateRag
    red_flags: StaffingRedFlags = StaffingRedFlags()


class AkiSettings(_Strict):
    current_result_within_hours: int = Field(default=72, gt=0)  # older than this: the stage stands, repeat due


class AssessmentDue(_Strict):
    due_within_hours_of_admission: float = Field(ge=0)
    reassess_every_hours: float | None = Field(default=None, gt=0)
    from_age_years: int = Field(default=0, ge=0, le=120)



class AcuitySettings(_Strict):
    """Safer Nursing Care Tool level multipliers: care hours one patient at each level needs over one shift."""

    multipliers: dict[str, float]
    status: str = Field(pattern="^(local|published)$")  # local: set by the trust; published: the tool's own figures

    @field_validator("multipliers")
    @classmethod
    def _every_level(cls, value: dict[str, float]) -> dict[str, float]:
        levels = ("0", "1a", "1b", "2", "3")
        given = {str(k).strip().lower(): float(v) for k, v in value.items()}
        if sorted(given) != sorted(levels):
            raise ValueError(f"give a multiplier for each level {', '.join(levels)}; got {', '.join(given) or 'none'}")
        if any(v < 0 for v in given.values()):
            raise ValueError("multipliers must not be negative")
        return given


class ClinicalFile(_Strict):
    assessment_types: tuple[Coded, ...]
    flag_codes: tuple[Coded, ...]
    news2: News2Settings
    sepsis_screen: SepsisScreen
    missed_doses: MissedDoses
    staffing: StaffingSettings
    aki: AkiSettings = AkiSettings()
    assessment_schedule: dict[str, AssessmentDue] = Field(default_factory=dict)
    acuity: AcuitySettings


# ---- sources.yaml -----------------------------------------------------------------------------
class TableMapping(_Strict):
    file: str | None = None
    columns: dict[str, str] = {}
    values: dict[str, dict[str, Any]] = {}


class SourcesFile(_Strict):
    tables: dict[str, TableMapping] = {}


# ---- dashboard.yaml ---------------------------------------------------------------------------
class SpcRebase(_Strict):
    """A change to practice after which a metric's SPC limits are recalculated (a new phase)."""

    metric: str
    date: date
    ward: str | None = None
    site: str | None = None
    reason: str = ""


class StoreSettings(_Strict):
    """How long the store keeps patient-level rows (``metrics.store.retention``); None keeps them forever."""

    keep_days: int | None = Field(default=None, ge=1, le=36500)


class SmallNumbers(_Strict):
    """Counts from 1 to ``suppress_up_to`` are shown as "suppressed" wherever patients are counted by group
    (``metrics.equity.suppression``): a small count in a small group can name a person."""

    suppress_up_to: int = Field(default=7, ge=1, le=100)


class DashboardFile(_Strict):
    trust_name: str = "Synthetic NHS Trust"
    # The trust's organisation code (an ODS code such as RXN): wards sit in sites, sites in this trust. Every
    # snapshot records it, and a system hub keys what a trust sends by it.
    trust_code: str = Field(default="SYN", pattern=r"^[A-Z0-9]{2,10}$")
    stale_after_minutes: int = Field(default=24 * 60 + 60, gt=0)
    wall_rotate_seconds: int = Field(default=30, ge=5)
    wall_refresh_seconds: int = Field(default=60, ge=5)
    # The wall's tiles (metric ids, in this order); empty: every metric whose audiences include wall.
    wall_tiles: tuple[str, ...] = ()
    groups: tuple[Coded, ...] = ()
    spc_rebase: tuple[SpcRebase, ...] = ()
    store: StoreSettings = StoreSettings()
    small_numbers: SmallNumbers = SmallNumbers()


# ---- gates.yaml -------------------------------------------------------------------------------
class GatesFile(_Strict):
    """When an extract is held back rather than made current, and the limits on reading and refreshing.

    Every setting has a default, so a configuration folder without gates.yaml still has every gate.
    """

    required_tables: tuple[str, ...] = ("encounters", "observations")
    max_drop_share: float = Field(default=0.5, gt=0, le=1)
    max_quarantined_share: float = Field(default=0.2, gt=0, le=1)
    max_ward_quarantined_share: float = Field(default=0.5, gt=0, le=1)
    min_rows_to_judge: int = Field(default=20, ge=1)
    max_future_minutes: int = Field(default=5, ge=0)
    max_file_megabytes: float = Field(default=2048, gt=0)
    refresh_timeout_minutes: int = Field(default=120, gt=0)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_megabytes * 1024 * 1024)


class MetricsFile(_Strict):
    metrics: tuple[MetricDefinition, ...]


@dataclass(frozen=True)
class AppConfig:
    """Every configuration file, validated, plus a hash that says which config made a snapshot."""

    directory: Path
    wards: WardsFile
    clinical: ClinicalFile
    sources: SourcesFile
    dashboard: DashboardFile
    metrics: tuple[MetricDefinition, ...]
    fingerprint: str
    gates: GatesFile = GatesFile()

    @property
    def ward_codes(self) -> set[str]:
        return {w.code.upper() for w in self.wards.wards}

    def ward(self, code: str) -> Ward | None:
        for ward in self.wards.wards:
            if ward.code.upper() == code.upper():
                return ward
        return None
