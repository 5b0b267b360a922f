"""The views' one way to the store: every engine, read and write, and cached reads of the store and the configuration.

Why this exists: a hundred wall screens must not each re-query the store.
Everything a snapshot holds is immutable, so it is cached by
(database URL, snapshot id): the first screen to ask pays, every other screen
reads the cache until a new snapshot arrives. Only two small questions are
asked on a timer ("which snapshot is current?", "what did the last refresh
attempts say?"), each cached for a few seconds. The engine and the
configuration are resources, shared by every session.

No other module under dashboard/ makes an engine or names one: pages call the
functions here, which pass this module's shared engine to ``metrics`` (the
store's queries, the audit log, kiosk tokens, the huddle inputs), where every
SQL statement lives. tests/unit/test_layering.py holds the line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from metrics.access import demo_data, kiosk_tokens
from metrics.accreditation.config import AccreditationConfig, accreditation_config_problems
from metrics.errors import ConfigError
from metrics.huddle import inputs as huddle_inputs
from metrics.huddle.config import HuddleConfig, huddle_config_problems
from metrics.store import audit, audit_log, spc_history
from metrics.dimensions.config import DimensionsFile, load_dimensions_config
from metrics.learning import responses as learning_responses
from metrics.learning.config import LearningFile, load_learning_config
from metrics.store import equity as stored_equity
from metrics.store import huddle as stored_huddle
from metrics.store import accreditation as stored_accreditation
from metrics.store import barometer as stored_barometer
from metrics.config.models import DEFAULT_CONFIG_DIR, AppConfig
from metrics.config.load import load_config
from metrics.extract.reasons import reason_summary
from metrics.spc.xmr import SpcManyResult, SpcResult
from metrics.store import queries
from metrics.store.database import default_url, ready_engine

if TYPE_CHECKING:  # imported where used: the hub's and accreditation's modules load what only their views need
    from metrics.accreditation import assessments as accreditation_assessments
    from metrics.accreditation.evidence import Triangulated
    from metrics.equity.panel import EquityView
    from metrics.equity.sii import NoSlopeIndex
    from metrics.federation import hub_equity, hub_read

CONFIG_ENV = "WARD_DASHBOARD_CONFIG"
CURRENT_SNAPSHOT_TTL_SECONDS = 10


def database_url() -> str:
    """DATABASE_URL, else the embedded SQLite file."""
    return default_url()


def config_dir() -> Path:
    """WARD_DASHBOARD_CONFIG, else the repository's config/."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_DIR)


def config_signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the YAML files: a changed file is reloaded without a restart."""
    if not directory.is_dir():
        return ()
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(directory.glob("*.yaml")))


def _load_accreditation_config(directory: Path) -> AccreditationConfig:
    cfg = app_config()
    huddle, _ = huddle_config_problems(directory, cfg, optional=True)
    loaded, problems = accreditation_config_problems(
        str(directory), cfg, huddle_roles=set(huddle.role_codes) if huddle is not None else None
    )
    if problems or loaded is None:
        raise ConfigError([f"{directory}/{p}" for p in problems])
    return loaded


# Every configuration file the views read, by name: each is loaded once per change of the config folder's signature.
_CONFIG_LOADERS: dict[str, Callable[[Path], Any]] = {
    "app": load_config,
    "accreditation": _load_accreditation_config,
    "learning": load_learning_config,
    "dimensions": lambda directory: load_dimensions_config(directory, [m.id for m in app_config().metrics]),
}


@st.cache_resource(show_spinner=False, max_entries=8 * len(_CONFIG_LOADERS))
def _loaded_config(name: str, directory: str, signature: tuple) -> Any:
    return _CONFIG_LOADERS[name](Path(directory))


def _config_file(name: str) -> Any:
    """The configuration ``name`` from the live config folder, reloaded when a YAML file there changes; a broken one
    raises ConfigError and is never cached."""
    directory = config_dir()
    return _loaded_config(name, str(directory), config_signature(directory))


def app_config() -> AppConfig:
    """The live configuration; raises metrics.errors.ConfigError (never cached) when it is broken."""
    return cast(AppConfig, _config_file("app"))


@st.cache_resource(show_spinner=False, max_entries=8)
def engine_for(db_url: str) -> Engine:
    """One migrated engine per database URL, shared by every session."""
    return ready_engine(db_url)


@st.cache_data(ttl=CURRENT_SNAPSHOT_TTL_SECONDS, show_spinner=False, max_entries=16)
def current_snapshot(db_url: str) -> queries.SnapshotInfo | None:
    """The current snapshot (re-asked every few seconds so a new extract shows up by itself)."""
    return queries.current_snapshot(engine_for(db_url))


@st.cache_data(ttl=CURRENT_SNAPSHOT_TTL_SECONDS, show_spinner=False, max_entries=16)
def refresh_attempts(db_url: str, limit: int = 20) -> pd.DataFrame:
    """The latest refresh attempts, newest first (a rejected extract makes no snapshot, so this is on a timer too)."""
    return queries.refresh_attempts(engine_for(db_url), limit)


@st.cache_data(show_spinner=False, max_entries=256)
def snapshot_by_id(db_url: str, snapshot_id: int) -> queries.SnapshotInfo | None:
    return queries.snapshot_by_id(engine_for(db_url), snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def previous_day_snapshot(db_url: str, snapshot_id: int) -> queries.SnapshotInfo | None:
    """Yesterday's last snapshot for the given one: what 'since yesterday' compares with."""
    info = queries.snapshot_by_id(engine_for(db_url), snapshot_id)
    return None if info is None else queries.previous_day_snapshot(engine_for(db_url), info)


@st.cache_data(show_spinner=False, max_entries=64)
def ward_values(db_url: str, snapshot_id: int) -> pd.DataFrame:
    return queries.ward_values(engine_for(db_url), snapshot_id)


@st.cache_data(show_spinner=False, max_entries=2048)
def one_ward_values(db_url: str, snapshot_id: int, ward_code: str) -> pd.DataFrame:
    """One ward's values of a snapshot: a huddle board reads its ward's rows, not the region's (cached per snapshot)."""
    return queries.ward_values(engine_for(db_url), snapshot_id, [ward_code])


@st.cache_resource(show_spinner=False, max_entries=1024)
def _ward_drilldowns(db_url: str, snapshot_id: int, ward_code: str) -> dict[str, pd.DataFrame]:
    return queries.ward_drilldowns(engine_for(db_url), snapshot_id, ward_code)


@st.cache_data(show_spinner=False, max_entries=256)
def equity_split_totals(db_url: str, snapshot_id: int, metric_id: str, split: str) -> pd.DataFrame:
    """One proportion metric's numerator and denominator per group of one split, over every ward."""
    return stored_equity.split_totals(engine_for(db_url), snapshot_id, metric_id, split)


@st.cache_data(show_spinner=False, max_entries=64)
def equity_metric_ids(db_url: str, snapshot_id: int) -> list[str]:
    """The metrics the snapshot holds equity splits for."""
    return stored_equity.split_metric_ids(engine_for(db_url), snapshot_id)


def drilldown(db_url: str, snapshot_id: int, ward_code: str, metric_id: str) -> pd.DataFrame:
    """The patient list behind one tile (a copy: the cache is shared). A ward's lists are read in one query and
    cached by snapshot, as one resource, so a huddle board's many tiles do not each copy all of them."""
    lists = _ward_drilldowns(db_url, snapshot_id, ward_code)
    return lists[metric_id].copy() if metric_id in lists else pd.DataFrame()


@st.cache_data(show_spinner=False, max_entries=64)
def demo_refusal(db_url: str, snapshot_id: int, source: str | None) -> str | None:
    """Why demo mode must not show this snapshot, or None (``metrics.access.demo_data.demo_refusal``): decided once
    per snapshot (it never changes) from the identifiers that could be NHS numbers, not every identifier."""
    return demo_data.demo_refusal(source, queries.possible_nhs_numbers(engine_for(db_url), snapshot_id))


@st.cache_data(show_spinner=False, max_entries=64)
def quarantine_summary(db_url: str, snapshot_id: int) -> pd.DataFrame:
    return queries.quarantine_summary(engine_for(db_url), snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def quarantine_reasons(db_url: str, snapshot_id: int) -> pd.DataFrame:
    """Quarantined rows counted by table, column and reason with the offending value taken out (no row content leaves
    here)."""
    return reason_summary(queries.quarantine_rows(engine_for(db_url), snapshot_id))


@st.cache_data(show_spinner=False, max_entries=16)
def quarantine_rows(db_url: str, snapshot_id: int) -> pd.DataFrame:
    """Raw quarantined rows: may hold identifiers, administrators only."""
    return queries.quarantine_rows(engine_for(db_url), snapshot_id)


@st.cache_data(show_spinner=False, max_entries=512)
def daily_history(db_url: str, latest_snapshot_id: int, metric_id: str) -> pd.DataFrame:
    """A metric's daily history; keyed by the latest snapshot id so a new extract makes a new entry."""
    return queries.daily_history(engine_for(db_url), metric_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _spc_for_store(db_url: str, snapshot_id: int, config_fingerprint: str) -> SpcManyResult:
    return spc_history.spc_for_store(engine_for(db_url), app_config())


@st.cache_data(show_spinner=False, max_entries=1024)
def _spc_for_ward(db_url: str, snapshot_id: int, config_fingerprint: str, ward_code: str) -> SpcManyResult:
    return spc_history.spc_for_store(engine_for(db_url), app_config(), ward_codes=[ward_code])


def spc_for_ward(db_url: str, snapshot_id: int, ward_code: str) -> SpcManyResult:
    """One ward's own SPC series (its huddle board), cached like ``spc_for_store`` by snapshot and configuration:
    a region's every series is not computed to draw one ward."""
    return _spc_for_ward(db_url, snapshot_id, app_config().fingerprint, ward_code.upper())


def spc_for_store(db_url: str, snapshot_id: int) -> SpcManyResult:
    """SPC for every metric of every ward, site and the trust (``metrics.store.spc_history.spc_for_store``).

    Cached by (database URL, current snapshot id), and by the configuration's fingerprint so that a
    changed target or rebase date shows at once: computed once per extract however many screens ask.
    """
    return _spc_for_store(db_url, snapshot_id, app_config().fingerprint)


# ---- the system hub: aggregate bundles from every trust, cached until the next bundle is imported ------------

HUB_TTL_SECONDS = 30


@st.cache_data(ttl=HUB_TTL_SECONDS, show_spinner=False, max_entries=4)
def hub_generation(db_url: str) -> int:
    """The newest imported bundle's id (0: none yet); every hub read below is cached by it."""
    from metrics.store import hub

    return hub.generation(engine_for(db_url))


@st.cache_data(show_spinner=False, max_entries=4)
def system_hub(db_url: str, generation: int) -> hub_read.SystemHub:
    from metrics.federation import hub_read

    return hub_read.load_hub(engine_for(db_url))


@st.cache_data(show_spinner=False, max_entries=16)
def system_grid(
    db_url: str, generation: int, month: date, level: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from metrics.federation import hub_read

    return hub_read.grid(engine_for(db_url), system_hub(db_url, generation), month, level)


def _hub_variant(db_url: str, generation: int, variant_key: str) -> tuple[hub_read.SystemHub, hub_read.MetricVariant]:
    system = system_hub(db_url, generation)
    variant = system.variant(variant_key)
    assert variant is not None, variant_key
    return system, variant


@st.cache_data(show_spinner=False, max_entries=32)
def system_funnel(db_url: str, generation: int, variant_key: str, month: date, level: str) -> hub_read.FunnelData:
    from metrics.federation import hub_read

    system, variant = _hub_variant(db_url, generation, variant_key)
    return hub_read.funnel_units(engine_for(db_url), system, variant, month, level)


@st.cache_data(show_spinner=False, max_entries=16)
def system_breakdown(db_url: str, generation: int, variant_key: str, month: date, level: str) -> pd.DataFrame:
    from metrics.federation import hub_read

    system, variant = _hub_variant(db_url, generation, variant_key)
    return hub_read.breakdown(engine_for(db_url), system, variant, month, level)


@st.cache_data(show_spinner=False, max_entries=16)
def system_trust_spc(db_url: str, generation: int, variant_key: str) -> dict[str, SpcResult]:
    from metrics.federation import hub_read

    _, variant = _hub_variant(db_url, generation, variant_key)
    return hub_read.trust_spc(engine_for(db_url), variant)


@st.cache_data(show_spinner=False, max_entries=4)
def system_equity_contents(db_url: str, generation: int) -> hub_equity.HubEquity:
    """Which measures have equity splits on the hub, and for which months."""
    from metrics.federation import hub_equity

    return hub_equity.equity_contents(engine_for(db_url), system_hub(db_url, generation))


@st.cache_data(show_spinner=False, max_entries=32)
def system_equity(
    db_url: str, generation: int, variant_key: str, split: str, month: date
) -> dict[str, EquityView | NoSlopeIndex]:
    """Each trust's equity split of the variant for the month, as its bundle sent it (or why it has none)."""
    variant = system_hub(db_url, generation).variant(variant_key)
    assert variant is not None, variant_key
    from metrics.federation import hub_equity

    return hub_equity.trust_equity(engine_for(db_url), variant, split, month)


# ---- the audit log --------------------------------------------------------------------------------------------


def record_audit(actor: audit.Actor, event: str, **fields: Any) -> int:
    """One audit row (``metrics.store.audit.record``); raises SQLAlchemyError when the log cannot be written."""
    return audit.record(engine_for(database_url()), actor, event, **fields)


def audit_entries(since: datetime, limit: int) -> pd.DataFrame:
    """Audit rows since ``since``, at most ``limit`` (never cached: the log grows while you read it)."""
    return audit_log.audit_entries(engine_for(database_url()), since=since, limit=limit)


# ---- wall screens' kiosk tokens -------------------------------------------------------------------------------


def verify_kiosk_token(token: str | None) -> kiosk_tokens.TokenCheck:
    return kiosk_tokens.verify_token(engine_for(database_url()), token)


def create_kiosk_token(
    wards: Iterable[str], label: str, *, actor: audit.Actor, expires_at: datetime | None
) -> kiosk_tokens.IssuedToken:
    return kiosk_tokens.create_token(engine_for(database_url()), wards, label, actor=actor, expires_at=expires_at)


def list_kiosk_tokens() -> list[kiosk_tokens.TokenInfo]:
    return kiosk_tokens.list_tokens(engine_for(database_url()))


def revoke_kiosk_token(token_id: int, *, actor: audit.Actor) -> kiosk_tokens.TokenInfo:
    return kiosk_tokens.revoke_token(engine_for(database_url()), token_id, actor=actor)


# ---- the huddle's own inputs ----------------------------------------------------------------------------------

SUMMARY_TTL_SECONDS = 10


def record_huddle_rating(cfg: AppConfig, hcfg: HuddleConfig, **fields: Any) -> int:
    """A 1-5 rating, checked and audited (``metrics.huddle.inputs.record_rating``)."""
    return huddle_inputs.record_rating(engine_for(database_url()), cfg, hcfg, **fields)


def add_huddle_action(cfg: AppConfig, hcfg: HuddleConfig, **fields: Any) -> int:
    return huddle_inputs.add_action(engine_for(database_url()), cfg, hcfg, **fields)


def set_huddle_action_status(**fields: Any) -> Any:
    return huddle_inputs.set_action_status(engine_for(database_url()), **fields)


def huddle_ratings(ward_code: str, start: date, end: date) -> pd.DataFrame:
    """A ward's ratings from ``start`` to ``end`` (read on every run: two devices see each other's entries)."""
    return stored_huddle.ratings(engine_for(database_url()), ward_code, start, end)


def huddle_actions(ward_code: str, huddle_date: date) -> pd.DataFrame:
    return huddle_inputs.actions_for_huddle(engine_for(database_url()), ward_code, huddle_date)


def huddle_ratings_export(ward_code: str, start: date, end: date) -> pd.DataFrame:
    return huddle_inputs.ratings_export(engine_for(database_url()), ward_code, start, end)


def huddle_actions_export(ward_code: str) -> pd.DataFrame:
    return huddle_inputs.actions_export(engine_for(database_url()), ward_code)


@st.cache_data(ttl=SUMMARY_TTL_SECONDS, show_spinner=False, max_entries=256)
def huddle_summaries(
    db_url: str, ward_codes: tuple[str, ...], on: date, kind: str = "reliability"
) -> list[huddle_inputs.HuddleSummary]:
    """Today's huddle per ward (``kind``: which rating) for the wall, executive and huddle views, re-read every few
    seconds."""
    return huddle_inputs.huddle_summaries(engine_for(db_url), ward_codes, on, kind)


@st.cache_data(show_spinner=False, max_entries=256)
def barometer_snapshot_part(
    db_url: str, snapshot_id: int, ward_code: str, metric_ids: tuple[str, ...]
) -> stored_barometer.SnapshotPart:
    """The snapshot's share of a ward's Safety Barometer: immutable per snapshot, so cached by its id."""
    return stored_barometer.snapshot_part(engine_for(db_url), snapshot_id, ward_code, metric_ids)


# ---- ward accreditation ---------------------------------------------------------------------------------------


def accreditation_config() -> AccreditationConfig:
    """config/accreditation.yaml, validated; raises ConfigError (never cached) when it is missing or broken."""
    return cast(AccreditationConfig, _config_file("accreditation"))


def record_accreditation(
    cfg: AppConfig, acfg: AccreditationConfig, **fields: Any
) -> accreditation_assessments.Recorded:
    """One accreditation visit, checked, levelled and audited (``metrics.accreditation.assessments``)."""
    from metrics.accreditation import assessments as accreditation_assessments

    return accreditation_assessments.record_assessment(engine_for(database_url()), cfg, acfg, **fields)


@st.cache_data(ttl=SUMMARY_TTL_SECONDS, show_spinner=False, max_entries=64)
def accreditation_visits(db_url: str, ward_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Accreditation visits (of the listed wards), newest first per ward; re-read every few seconds."""
    return stored_accreditation.assessments(engine_for(db_url), ward_codes)


def accreditation_answers(assessment_id: int) -> pd.DataFrame:
    return stored_accreditation.answers(engine_for(database_url()), assessment_id)


def open_accreditation_actions(ward_code: str) -> pd.DataFrame:
    """A ward's open improvement actions from accreditation visits (read on every run)."""
    return stored_accreditation.open_accreditation_actions(engine_for(database_url()), ward_code)


@st.cache_data(ttl=SUMMARY_TTL_SECONDS, show_spinner=False, max_entries=16)
def _triangulated(db_url: str, snapshot_id: int, today: date, fingerprint: str) -> Triangulated:
    hcfg, _ = huddle_config_problems(config_dir(), app_config(), optional=True)
    spc = spc_for_store(db_url, snapshot_id)
    from metrics.accreditation.evidence import triangulate

    return triangulate(engine_for(db_url), app_config(), accreditation_config(), today, hcfg, spc)


def accreditation_triangulated(db_url: str, snapshot_id: int, today: date) -> Triangulated:
    """Every visited ward's level beside its live data (``metrics.accreditation.evidence.triangulate``), cached
    briefly."""
    return _triangulated(db_url, snapshot_id, today, app_config().fingerprint)


# ---- annotations and the improvement board (append-only, audited: metrics.improvement) ---------------------------


def add_chart_annotation(cfg: AppConfig, **fields: Any) -> int:
    """An annotation on a chart, checked and audited (``metrics.improvement.annotations.add_annotation``)."""
    from metrics.improvement import annotations

    return annotations.add_annotation(engine_for(database_url()), cfg, **fields)


def chart_annotations(metric_id: str, scope_key: str) -> pd.DataFrame:
    """The annotations of one chart (on_date, text, author), read on every run: two devices see each other's."""
    from metrics.improvement import annotations

    return annotations.annotations_for(engine_for(database_url()), metric_id, [spc_history.Scope.from_key(scope_key)])


def open_improvement_project(cfg: AppConfig, **fields: Any) -> int:
    from metrics.improvement import projects

    return projects.open_project(engine_for(database_url()), cfg, **fields)


def add_improvement_cycle(**fields: Any) -> int:
    from metrics.improvement import projects

    return projects.add_cycle(engine_for(database_url()), **fields)


def improvement_projects(ward_codes: Iterable[str]) -> pd.DataFrame:
    """The improvement projects of these wards, oldest first."""
    from metrics.store import improvement as stored_improvement

    return stored_improvement.projects(engine_for(database_url()), list(ward_codes))


def improvement_project_chart(cfg: AppConfig, project: dict[str, Any]) -> Any:
    """A project's chart (``metrics.improvement.projects.ProjectChart``): its measure for its ward, and its cycles."""
    from metrics.improvement import projects

    return projects.chart_for_project(engine_for(database_url()), cfg, project)


IMPROVEMENT_COUNTS_TTL_SECONDS = 60


@st.cache_data(ttl=IMPROVEMENT_COUNTS_TTL_SECONDS, show_spinner=False, max_entries=16)
def _improvement_board_counts(db_url: str, snapshot_id: int, config_fingerprint: str, today: date) -> Any:
    from metrics.improvement import projects

    return projects.board_counts(engine_for(db_url), app_config(), today)


def improvement_board_counts(snapshot_id: int, today: date) -> Any:
    """Active projects across every ward and how many show improvement (``BoardCounts``).

    A chart per active project takes about 70 ms (bench/bench_rare.py), so the count is kept for a minute per
    snapshot: a new project or cycle shows on the executive view within a minute.
    """
    return _improvement_board_counts(database_url(), snapshot_id, app_config().fingerprint, today)


# ---- learning responses and the five dimensions ---------------------------------------------------------------


def learning_config() -> LearningFile:
    """config/learning.yaml; raises ConfigError (never cached) when it is missing or broken."""
    return cast(LearningFile, _config_file("learning"))


def dimensions_config() -> DimensionsFile:
    """config/dimensions.yaml; raises ConfigError (never cached) when it is missing or broken."""
    return cast(DimensionsFile, _config_file("dimensions"))


def learning_status(snapshot_id: int, ward_codes: tuple[str, ...] | None, now: datetime) -> pd.DataFrame:
    """Harm incidents with their response's due date and status (read on every run: a response shows at once)."""
    return learning_responses.ward_status(
        engine_for(database_url()),
        snapshot_id,
        None if ward_codes is None else list(ward_codes),
        learning_config(),
        now,
    )


@st.cache_data(ttl=SUMMARY_TTL_SECONDS, show_spinner=False, max_entries=256)
def learning_status_all(
    db_url: str, snapshot_id: int, on: date, config_fingerprint: str, ward_codes: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Every ward's harm incidents and response status (or only ``ward_codes``': a huddle board reads its own ward's,
    not a region's), as of the end of ``on``, re-read every few seconds."""
    now = datetime.combine(on, datetime.max.time().replace(microsecond=0), learning_responses.LONDON)
    wards = None if ward_codes is None else list(ward_codes)
    return learning_responses.ward_status(engine_for(db_url), snapshot_id, wards, learning_config(), now)


def record_learning_response(**fields: Any) -> int:
    """A learning response, checked and audited (``metrics.learning.responses.record_response``)."""
    return learning_responses.record_response(engine_for(database_url()), app_config(), learning_config(), **fields)
