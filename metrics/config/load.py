"""Loading and validating everything under config/.

Why this exists: a wrong file must stop start-up with every problem listed at
once, each naming the file, the line, the item and the field, never with a
traceback. Structure is checked first (pydantic, per file), then meaning
across files (``CROSS_CHECKS``: small functions that each return a list of
problems; a crash inside one is itself a reported problem).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metrics.access.config import access_config_problems
from metrics.accreditation.config import accreditation_config_problems
from metrics.config.models import (
    DEFAULT_CONFIG_DIR,
    AppConfig,
    ClinicalFile,
    DashboardFile,
    GatesFile,
    MetricsFile,
    SourcesFile,
    WardsFile,
)
from metrics.config.yaml_loader import line_of, load_yaml_model
from metrics.errors import ConfigError
from metrics.evaluate.derive import DERIVED_TABLE_COLUMNS
from metrics.extract.contract import TABLES_BY_NAME
from metrics.huddle.config import huddle_config_problems
from metrics.dimensions.config import dimensions_config_problems
from metrics.learning.config import learning_config_problems


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
            problems.append(
                f"{where}: ward `{ward.code}`, field `site`: unknown site {ward.site!r}; add it under `sites` or use "
                f"one of {sorted(sites)}."
            )
        if matrons and ward.matron not in matrons:
            problems.append(
                f"{where}: ward `{ward.code}`, field `matron`: unknown matron {ward.matron!r}; add it under `matrons`."
            )
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
            problems.append(
                f"metrics.yaml line {line}: metric `{metric.id}`: table {metric.table!r} has no column {col!r}."
            )
    return problems


def _check_huddle_and_barometer(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """huddle.yaml and barometer.yaml (optional here): their own problems, and their wards and metrics against the
    files above."""

    return huddle_config_problems(cfg.directory, cfg, optional=True)[1]


def _check_access(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """access.yaml (optional here, required by the dashboard): its own problems, and its wards, sites and matrons
    against wards.yaml."""

    return access_config_problems(cfg.directory, cfg, optional=True)[1]


def _check_learning_and_dimensions(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """learning.yaml and dimensions.yaml (optional here): their own problems, and dimensions' metrics against
    metrics.yaml.
    """
    learning = learning_config_problems(cfg.directory, optional=True)[1]
    dimensions = dimensions_config_problems(cfg.directory, [m.id for m in cfg.metrics], optional=True)[1]
    return learning + dimensions


def _check_gate_tables(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """gates.yaml's required tables must be tables of the extract contract."""
    known = set(TABLES_BY_NAME)
    line = line_of(raw.get("gates.yaml"), ("required_tables",))
    return [
        f"gates.yaml line {line}: field `required_tables`: unknown table {name!r}; use one of {sorted(known)}."
        for name in cfg.gates.required_tables
        if name not in known
    ]


def _check_accreditation(cfg: AppConfig, raw: dict[str, Any]) -> list[str]:
    """accreditation.yaml (optional): its own problems, its cited metrics against metrics.yaml, its action owner
    against huddle.yaml's roles."""
    huddle, _ = huddle_config_problems(cfg.directory, cfg, optional=True)
    roles = set(huddle.role_codes) if huddle is not None else None
    return accreditation_config_problems(cfg.directory, cfg, optional=True, huddle_roles=roles)[1]


CROSS_CHECKS: list[Callable[[AppConfig, dict[str, Any]], list[str]]] = [
    _check_ward_references,
    _check_metric_ids_unique,
    _check_metric_columns,
    _check_huddle_and_barometer,
    _check_access,
    _check_gate_tables,
    _check_accreditation,
    _check_learning_and_dimensions,
]


def load_config(directory: Path | str = DEFAULT_CONFIG_DIR) -> AppConfig:
    """Load and validate config/; raise ConfigError listing every problem found."""
    directory = Path(directory)
    problems: list[str] = []
    raw: dict[str, Any] = {}
    wards, raw["wards.yaml"] = load_yaml_model(directory / "wards.yaml", WardsFile, problems)
    clinical, raw["clinical.yaml"] = load_yaml_model(directory / "clinical.yaml", ClinicalFile, problems)
    sources, raw["sources.yaml"] = load_yaml_model(directory / "sources.yaml", SourcesFile, problems, optional=True)
    dashboard, raw["dashboard.yaml"] = load_yaml_model(
        directory / "dashboard.yaml", DashboardFile, problems, optional=True
    )
    metrics_file, raw["metrics.yaml"] = load_yaml_model(directory / "metrics.yaml", MetricsFile, problems)
    gates, raw["gates.yaml"] = load_yaml_model(directory / "gates.yaml", GatesFile, problems, optional=True)
    if problems:
        raise ConfigError([f"{directory}/{p}" if not p.startswith(str(directory)) else p for p in problems])
    assert wards and clinical and sources and dashboard and metrics_file and gates
    digest = hashlib.sha256()
    for name in sorted(p.name for p in directory.glob("*.yaml")):
        digest.update(name.encode() + (directory / name).read_bytes())
    cfg = AppConfig(
        directory, wards, clinical, sources, dashboard, metrics_file.metrics, digest.hexdigest()[:16], gates
    )
    for check in CROSS_CHECKS:
        try:
            problems.extend(check(cfg, raw))
        except Exception as exc:  # a crash inside a rule is itself a reported problem
            problems.append(f"internal check {check.__name__} failed: {exc!r}")
    if problems:
        raise ConfigError([f"{directory}/{p}" for p in problems])
    return cfg
