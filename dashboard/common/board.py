"""What every view starts from: the live configuration, the current snapshot and how fresh it is.

Why this exists: each page opens the same way (config, store, current
snapshot, yesterday's snapshot, freshness) and must fail the same plain way
(a config problem, an empty store, an unreachable database) without a
traceback. ``open_board`` does that once; pages then only lay out tiles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from collections.abc import Callable
from functools import cached_property
from datetime import UTC, datetime
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.disclosure import markdown_text, without_locations
from metrics.board.freshness import Freshness, freshness
from metrics.config.models import AppConfig
from metrics.evaluate import optional_sources
from metrics.evaluate.definitions import MetricDefinition
from metrics.errors import ConfigError
from metrics.store.queries import SnapshotInfo

_LOG = logging.getLogger(__name__)
T = TypeVar("T")
FILL_COMMAND = "python -m metrics demo"
LOAD_COMMAND = "python -m metrics refresh EXTRACT_FOLDER"


def sort_key(cfg: AppConfig) -> dict[str, int]:
    """Board position of each group code (groups not in dashboard.yaml go last, in order of appearance)."""
    order = {g.code: i for i, g in enumerate(cfg.dashboard.groups)}
    for definition in cfg.metrics:
        order.setdefault(definition.group, len(order))
    return order


def group_label(cfg: AppConfig, code: str) -> str:
    for group in cfg.dashboard.groups:
        if group.code == code:
            return group.label
    return code.replace("_", " ").capitalize()


def metrics_for(cfg: AppConfig, audience: str) -> list[MetricDefinition]:
    """The definitions shown to an audience, in board order (group, then order)."""
    position = sort_key(cfg)
    chosen = [m for m in cfg.metrics if audience in {a.value for a in m.audiences}]
    return sorted(chosen, key=lambda m: (position[m.group], m.order))


def grouped(cfg: AppConfig, audience: str) -> list[tuple[str, str, list[MetricDefinition]]]:
    """(group code, group label, definitions) in board order, for one audience; empty groups left out."""
    out: list[tuple[str, str, list[MetricDefinition]]] = []
    for definition in metrics_for(cfg, audience):
        if not out or out[-1][0] != definition.group:
            out.append((definition.group, group_label(cfg, definition.group), []))
        out[-1][2].append(definition)
    return out


@dataclass(frozen=True)
class TileValue:
    value: float | None
    numerator: float | None
    denominator: float | None
    rag: str | None


@dataclass(frozen=True)
class Board:
    """The configuration and the current snapshot, as one view shows them."""

    cfg: AppConfig
    db_url: str
    snapshot: SnapshotInfo
    previous: SnapshotInfo | None
    freshness: Freshness
    values: pd.DataFrame
    previous_values: pd.DataFrame
    ward_code: str | None = None  # set when the board holds one ward's values only (a huddle board)

    def tile(self, ward_code: str, metric_id: str) -> TileValue | None:
        return self._tiles[0].get((ward_code.upper(), metric_id))

    def yesterday(self, ward_code: str, metric_id: str) -> TileValue | None:
        return self._tiles[1].get((ward_code.upper(), metric_id))

    @cached_property
    def _tiles(self) -> tuple[dict[tuple[str, str], TileValue], dict[tuple[str, str], TileValue]]:
        """Today's and yesterday's values by (ward, metric), built once per board from whole columns: a board
        asks for hundreds of tiles, and a frame lookup per tile was most of a huddle board's drawing time."""
        return _tile_map(self.values), _tile_map(self.previous_values)

    def not_supplied(self, definition: MetricDefinition) -> bool:
        """True when the tile reads an optional extract table or column the current snapshot's extract did not
        carry."""
        supplied = optional_sources.supplied_inputs(self.snapshot.row_counts, self.snapshot.supplied_columns)
        return optional_sources.not_supplied(definition, supplied)


def _tile_map(values: pd.DataFrame) -> dict[tuple[str, str], TileValue]:
    if values.empty:
        return {}

    def num(v: object) -> float | None:
        return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]

    columns = [values[c].tolist() for c in ("value", "numerator", "denominator", "rag")]
    return {
        key: TileValue(num(v), num(n), num(d), None if r is None or pd.isna(r) else str(r))
        for key, v, n, d, r in zip(values.index.tolist(), *columns, strict=True)
    }


def indexed_values(values: pd.DataFrame) -> pd.DataFrame:
    """ward_values indexed by (upper-case ward code, metric id), for lookups."""
    if values.empty:
        return values
    frame = values.assign(ward_code=values["ward_code"].str.upper())
    return frame.drop_duplicates(["ward_code", "metric_id"]).set_index(["ward_code", "metric_id"]).sort_index()


def safe_url(db_url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is shown by its scheme only
        return db_url.split(":", 1)[0]


def explain_store_unreachable(exc: SQLAlchemyError, db_url: str, show_location: bool = False) -> None:
    """'The store cannot be reached', plainly; where it is (the URL without its password) only for an administrator."""
    _LOG.error("the store cannot be reached (%s): %s", safe_url(db_url), exc)
    where = f" ({safe_url(db_url)})" if show_location else ""
    hint = (
        "Check DATABASE_URL and that the database is running."
        if show_location
        else "The dashboard's administrator has been told where to look: ask them if this lasts."
    )
    st.error(
        f"The store cannot be reached{markdown_text(where)}, so no data can be shown ({type(exc).__name__}). {hint}"
    )


def explain_config_problems(exc: ConfigError) -> None:
    """A broken configuration, its problems listed with paths cut to file names (nobody is known to be an administrator
    yet)."""
    st.error("The dashboard's configuration has problems, so nothing can be shown until they are fixed.")
    st.code(without_locations(str(exc)), language=None)
    st.caption("An administrator can check it with: python -m metrics check-config")


def load_config_or_explain() -> AppConfig | None:
    """The live config, or None after showing its ConfigError message (no traceback, no full path)."""
    try:
        return store_access.app_config()
    except ConfigError as exc:
        explain_config_problems(exc)
        return None


def panel_config_or_warn(load: Callable[[], T], warning: str) -> T | None:
    """A panel's configuration from ``load``, or None after ``warning`` followed by the problems: the panel is left
    out and the rest of the page still shows."""
    try:
        return load()
    except ConfigError as exc:
        st.warning(f"{warning}: {exc}")
        return None


def explain_empty_store() -> None:
    st.info(
        "The store holds no data yet: no extract has been loaded.\n\n"
        f"To fill it with synthetic demo data run `{FILL_COMMAND}`; to load a real extract run `{LOAD_COMMAND}`."
    )


def open_board(explain: bool = True, ward_code: str | None = None, with_yesterday: bool = True) -> Board | None:
    """Everything a view needs, or None after explaining plainly why there is nothing to show (quietly when ``explain``
    is false).

    With ``ward_code`` the board holds that ward's values only (a huddle board at a region of 600 wards reads
    its own ward's rows); without it, every ward's (the wall, the executive view). ``with_yesterday=False``: a
    view that never compares with yesterday (the executive wall) skips reading yesterday's values
    (``previous_values`` is then empty and ``yesterday`` answers None).
    """
    if explain:
        cfg = load_config_or_explain()
    else:
        try:
            cfg = store_access.app_config()
        except ConfigError:
            cfg = None
    if cfg is None:
        return None
    db_url = store_access.database_url()
    try:
        snapshot = store_access.current_snapshot(db_url)
        if snapshot is None:
            if explain:
                explain_empty_store()
            return None
        previous = store_access.previous_day_snapshot(db_url, snapshot.id)
        attempts = store_access.refresh_attempts(db_url)
        yesterday = previous if with_yesterday else None
        if ward_code is None:
            values = store_access.ward_values(db_url, snapshot.id)
            before = store_access.ward_values(db_url, yesterday.id) if yesterday else None
        else:
            values = store_access.one_ward_values(db_url, snapshot.id, ward_code.upper())
            before = store_access.one_ward_values(db_url, yesterday.id, ward_code.upper()) if yesterday else None
        previous_values = before if before is not None else pd.DataFrame(columns=values.columns)
    except SQLAlchemyError as exc:
        if explain:
            explain_store_unreachable(exc, db_url)
        return None
    fresh = freshness(
        snapshot.extracted_at, snapshot.loaded_at, attempts, cfg.dashboard.stale_after_minutes, datetime.now(UTC)
    )
    return Board(
        cfg, db_url, snapshot, previous, fresh, indexed_values(values), indexed_values(previous_values), ward_code
    )
