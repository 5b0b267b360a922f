"""Loading and validating everything under config/.

Why this exists: the dashboard is configured, not coded, per hospital: wards,
clinical settings, the column mapping of their EPR, and the metric tiles. A
wrong file must stop start-up with every problem listed at once, each naming
the file, the line, the item and the field, never with a traceback.
Structure is checked first (pydantic, per file), then meaning across files
(``CROSS_CHECKS``: small functions that each return a list of problems).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metrics.definitions import MetricDefinition
from metrics.errors import ConfigError
from metrics.yaml_loader import YamlSyntaxError, line_of, load_yaml

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class SepsisCriterionModel(_Strict):
    id: str
    label: str
    flags_any: tuple[str, ...]
    news2_at_least: int | None = Field(default=None, ge=0, le=20)
    or_single_parameter_3: bool = False


class SepsisScreen(_Strict):
    criteria: tuple[SepsisCriterionModel, ...]


class MissedDoses(_Strict):
    pending_missed_after_minutes: int = Field(ge=0)
    missed_reasons: tuple[str, ...]
    critical_medicines: dict[str, tuple[str, ...]]


class FillRateRag(_Strict):
    green_at_least: float = Field(gt=0)
    amber_at_least: float = Field(gt=0)


class StaffingSettings(_Strict):
    unit: str = Field(pattern="^(headcount|hours)$")
    shift_hours: dict[str, float]
    fill_rate_rag: FillRateRag


class AkiSettings(_Strict):
    current_result_within_hours: int = Field(default=72, gt=0)


class ClinicalFile(_Strict):
    assessment_types: tuple[Coded, ...]
    flag_codes: tuple[Coded, ...]
    news2: News2Settings
    sepsis_screen: SepsisScreen
    missed_doses: MissedDoses
    staffing: StaffingSettings
    aki: AkiSettings = AkiSettings()


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


class DashboardFile(_Strict):
    trust_name: str = "Synthetic NHS Trust"
    stale_after_minutes: int = Field(default=24 * 60 + 60, gt=0)
    wall_rotate_seconds: int = Field(default=30, ge=5)
    wall_refresh_seconds: int = Field(default=60, ge=5)
    groups: tuple[Coded, ...] = ()
    spc_rebase: tuple[SpcRebase, ...] = ()


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

    @property
    def ward_codes(self) -> set[str]:
        return {w.code.upper() for w in self.wards.wards}

    def ward(self, code: str) -> Ward | None:
        for ward in self.wards.wards:
            if ward.code.upper() == code.upper():
                return ward
        return None


M = TypeVar("M", bound=BaseModel)


def _describe_loc(data: Any, loc: tuple[Any, ...]) -> str:
    """'metric `vte_outstanding`, field `rag.green_max`' for a path into metrics.yaml, or the dotted path elsewhere."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
        items = data.get(loc[0])
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            ident = items[loc[1]].get("id") or items[loc[1]].get("code")
            if ident is not None:
                kind = {"metrics": "metric", "wards": "ward", "sites": "site", "matrons": "matron"}.get(str(loc[0]), str(loc[0]))
                rest = ".".join(p for p in parts[2:] if not p.startswith("function-") and p not in ("all", "any", "leaf", "not"))
                return f"{kind} `{ident}`" + (f", field `{rest}`" if rest else "")
    return "field `" + ".".join(parts) + "`"


def load_yaml_model(
    path: Path,
    model: type[M],
    problems: list[str],
    optional: bool = False,
    describe: Callable[[Any, tuple[Any, ...]], str] = _describe_loc,
    clean_loc: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda loc: loc,
) -> tuple[M | None, Any]:
    """Load one YAML file into ``model``; append each problem as 'file line N: item, field: message (got value)'.

    Shared by every config file (wards, clinical, metrics, huddle, barometer, access) so all speak alike.
    ``describe`` names the item a location points at; ``clean_loc`` drops pydantic's union tags.
    """
    if optional and not path.exists():
        return model(), None  # type: ignore[call-arg]
    try:
        data = load_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(str(exc))
        return None, None
    if data is None:
        data = {}
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        for err in exc.errors():
            loc = clean_loc(tuple(err["loc"]))
            line = line_of(data, loc)
            where = f"{path.name} line {line}" if line else path.name
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {describe(data, loc)}: {message} (got {err.get('input')!r:.80})")
        return None, data


# ---- cross-file checks: each returns problems, never raises -------------------------------------
def _check_ward_references(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    problems = []
    sites = {s.code for s in cfg.wards.sites}
    matrons = {m.code for m in cfg.wards.matrons}
    seen: set[str] = set()
    for i, ward in enumerate(cfg.wards.wards):
        line = line_of(raw.get("wards.yaml"), ("wards", i))
        where = f"wards.yaml line {line}"
        if ward.code.upper() in seen:
            problems.append(f"{where}: ward `{ward.code}` is listed twice; ward codes must be unique.")
        seen.add(ward.code.upper())
        if ward.site not in sites:
            problems.append(f"{where}: ward `{ward.code}`, field `site`: unknown site {ward.site!r}; add it under `sites` or use one of {sorted(sites)}.")
        if matrons and ward.matron not in matrons:
            problems.append(f"{where}: ward `{ward.code}`, field `matron`: unknown matron {ward.matron!r}; add it under `matrons`.")
    return problems


def _check_metric_ids_unique(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    problems, seen = [], set()
    for i, metric in enumerate(cfg.metrics):
        if metric.id in seen:
            line = line_of(raw.get("metrics.yaml"), ("metrics", i))
            problems.append(f"metrics.yaml line {line}: metric `{metric.id}` is defined twice; ids must be unique.")
        seen.add(metric.id)
    return problems


def _check_metric_columns(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    from metrics.derive import DERIVED_TABLE_COLUMNS  # local: derive imports config types

    problems = []
    for i, metric in enumerate(cfg.metrics):
        line = line_of(raw.get("metrics.yaml"), ("metrics", i))
        columns = DERIVED_TABLE_COLUMNS(cfg).get(metric.table)
        if columns is None:
            problems.append(
                f"metrics.yaml line {line}: metric `{metric.id}`, field `table`: unknown table {metric.table!r}; "
                f"use one of {sorted(DERIVED_TABLE_COLUMNS(cfg))}."
            )
            continue
        wanted = metric.referenced_columns() | set(metric.drilldown.columns if metric.drilldown else ())
        if metric.drilldown:
            wanted |= {c for c in (metric.drilldown.urgency, metric.drilldown.duration) if c}
        for col in sorted(wanted - set(columns)):
            problems.append(f"metrics.yaml line {line}: metric `{metric.id}`: table {metric.table!r} has no column {col!r}.")
    return problems


def _check_huddle_and_barometer(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """huddle.yaml and barometer.yaml (optional here): their own problems, and their wards and metrics against the files above."""
    from metrics.huddle_config import huddle_config_problems  # local: it imports this module's types

    return huddle_config_problems(cfg.directory, cfg, optional=True)[1]


def _check_access(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """access.yaml (optional here, required by the dashboard): its own problems, and its wards, sites and matrons against wards.yaml."""
    from metrics.access_config import access_config_problems  # local: it imports this module's types

    return access_config_problems(cfg.directory, cfg, optional=True)[1]


CROSS_CHECKS: list[Callable[[AppConfig, dict[str, Any]], list[str]]] = [
    _check_ward_references,
    _check_metric_ids_unique,
    _check_metric_columns,
    _check_huddle_and_barometer,
    _check_access,
]


def load_config(directory: Path | str = DEFAULT_CONFIG_DIR) -> AppConfig:
    """Load and validate config/; raise ConfigError listing every problem found."""
    directory = Path(directory)
    problems: list[str] = []
    raw: dict[str, Any] = {}
    wards, raw["wards.yaml"] = load_yaml_model(directory / "wards.yaml", WardsFile, problems)
    clinical, raw["clinical.yaml"] = load_yaml_model(directory / "clinical.yaml", ClinicalFile, problems)
    sources, raw["sources.yaml"] = load_yaml_model(directory / "sources.yaml", SourcesFile, problems, optional=True)
    dashboard, raw["dashboard.yaml"] = load_yaml_model(directory / "dashboard.yaml", DashboardFile, problems, optional=True)
    metrics_file, raw["metrics.yaml"] = load_yaml_model(directory / "metrics.yaml", MetricsFile, problems)
    if problems:
        raise ConfigError([f"{directory}/{p}" if not p.startswith(str(directory)) else p for p in problems])
    assert wards and clinical and sources and dashboard and metrics_file
    digest = hashlib.sha256()
    for name in sorted(p.name for p in directory.glob("*.yaml")):
        digest.update(name.encode() + (directory / name).read_bytes())
    cfg = AppConfig(directory, wards, clinical, sources, dashboard, metrics_file.metrics, digest.hexdigest()[:16])
    for check in CROSS_CHECKS:
        try:
            problems.extend(check(cfg, raw))
        except Exception as exc:  # a crash inside a rule is itself a reported problem
            problems.append(f"internal check {check.__name__} failed: {exc!r}")
    if problems:
        raise ConfigError([f"{directory}/{p}" for p in problems])
    return cfg
