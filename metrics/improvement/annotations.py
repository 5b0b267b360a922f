"""Annotations on SPC charts: a date, a short text and who wrote it, drawn on the chart.

Why this exists: a chart's special cause means more when the chart says what happened then ("new falls bundle
from today", "ward moved to 8C"). Any SPC chart can carry them; a chart is named by its series id
(``metrics.store.spc_history.series_id``: 'ward:7A|falls', 'site:RGH|aki', 'trust|aki'). Annotations are only ever
added, each with its audit row (``metrics.store.improvement``), so two devices annotating at once both keep theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from metrics.config.models import AppConfig
from metrics.entry_fields import EntryRefused, entered_by, one_line_text, utc_moment
from metrics.errors import UserFacingError
from metrics.rules.clock import london_date
from metrics.store import improvement as stored
from metrics.store.audit import Actor
from metrics.store.spc_history import Scope, series_id

TEXT_MAX_CHARS = 200
EARLIEST = date(2000, 1, 1)


class EntryError(EntryRefused):
    """An entry refused before it reached the store; ``problems`` are (field, message) pairs, all of them."""


def past_date(field: str, value: Any, today: date, problems: list[tuple[str, str]], what: str) -> date | None:
    """A date from 2000 up to today; a problem otherwise."""
    if isinstance(value, datetime) or not isinstance(value, date):
        problems.append((field, f"{what} must be a date, got {str(value)[:30]!r}"))
        return None
    if value > today:
        problems.append((field, f"{what} {value.isoformat()} is in the future; today is {today.isoformat()}"))
        return None
    if value < EARLIEST:
        problems.append((field, f"{what} {value.isoformat()} is before {EARLIEST.isoformat()}"))
        return None
    return value


def chart_key(metric_id: str, scope: Scope) -> str:
    """The key an annotation names its chart by: the stored series' id (a ward's code upper-case, as wards match)."""
    if scope.kind == "ward" and scope.code:
        scope = Scope("ward", scope.code.upper())
    return series_id(metric_id, scope)


def add_annotation(
    engine: Engine,
    app_cfg: AppConfig,
    *,
    metric_id: str,
    scope: Scope,
    on_date: date,
    text: str,
    actor: Actor,
    now: datetime | None = None,
) -> int:
    """Check and store one annotation of the chart of ``metric_id`` for ``scope``, with its audit row; return its id."""
    moment = utc_moment(now)
    problems: list[tuple[str, str]] = []
    if metric_id not in {m.id for m in app_cfg.metrics}:
        problems.append(("metric_id", f"metric {metric_id[:40]!r} is not in config/metrics.yaml"))
    try:
        scope.ward_codes(app_cfg)
    except UserFacingError as exc:
        problems.append(("scope", str(exc)))
    row = {
        "chart_key": chart_key(metric_id, scope),
        "ward_code": scope.code.upper() if scope.kind == "ward" and scope.code else None,
        "on_date": past_date("on_date", on_date, london_date(moment), problems, "the annotation's date"),
        "text": one_line_text("text", text, TEXT_MAX_CHARS, problems, what="the annotation", required=True),
        **entered_by(actor, moment),
    }
    if problems:
        raise EntryError(problems)
    return stored.insert_annotation(engine, row, actor, moment)


def annotations_for(engine: Engine, metric_id: str, scopes: Iterable[Scope]) -> pd.DataFrame:
    """The annotations of one metric's charts for these scopes: on_date, text, author (oldest first)."""
    frame = stored.chart_annotations(engine, [chart_key(metric_id, s) for s in scopes])
    return frame[["on_date", "text", "author"]].reset_index(drop=True)
