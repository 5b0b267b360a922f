"""SPC on the boards: every stored series' icons, the Making Data Count summary table, a series' chart.

Why this exists: the executive view lists every measure for the trust, each
site and each ward with its latest value and its variation and assurance
icons (Making Data Count), and opens a row's XmR chart; the huddle board and
the wall show a tile's variation icon (and the huddle board its last 30 days).
All of them read one cached computation of every series
(``store_access.spc_for_store``, once per snapshot), never the store per tile.
Values stay in stored units there; a ratio is drawn as a percentage here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.board import Board
from dashboard.common.formatting import is_percent, value_text
from metrics.spc.target_cap import capped_variation_icon
from metrics.evaluate.definitions import MetricDefinition
from metrics.spc.xmr import SpcManyResult, SpcResult
from metrics.report.spc_chart import sparkline_img_html, variation_icon_label, variation_icon_short
from metrics.store.spc_history import IMPROVEMENT, Scope

if TYPE_CHECKING:  # pandas builds a Styler (and imports jinja2) only when the analyst's table is styled
    from pandas.io.formats.style import Styler

SPARKLINE_DAYS = 30
SCALED_COLUMNS = ("value", "mean", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma")

LEVELS = {"all": "Trust, sites and wards", "trust": "Trust only", "site": "Sites only", "ward": "Wards only"}
VARIATION_FILTERS = {
    "all": "Any variation",
    "concern": "Special cause concern only",
    "improvement": "Special cause improvement only",
    "special": "Any special cause",
    "common": "Common cause only",
}
_FILTER_ICONS = {
    "concern": {"concern_high", "concern_low"},
    "improvement": {"improvement_high", "improvement_low"},
    "special": {"concern_high", "concern_low", "improvement_high", "improvement_low", "neutral_high", "neutral_low"},
    "common": {"common_cause"},
}


@dataclass(frozen=True)
class StoredSpc:
    """Every stored series' chart and icons, looked up by scope key ('trust', 'site:RGH', 'ward:7A') and metric."""

    result: SpcManyResult
    _summary: pd.DataFrame = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_summary", self.result.summary.set_index("series_id"))

    @staticmethod
    def key(scope: str, metric_id: str) -> str:
        return f"{scope}|{metric_id}"

    def summary(self, scope: str, metric_id: str) -> pd.Series | None:
        sid = self.key(scope, metric_id)
        return self._summary.loc[sid] if sid in self._summary.index else None

    def variation_icon(self, scope: str, metric_id: str) -> str | None:
        row = self.summary(scope, metric_id)
        return None if row is None else row["variation_icon"]

    def tile_icon(self, scope: str, metric_id: str) -> tuple[str | None, bool]:
        """(variation icon, trial limits?) for a tile: no icon until the last phase has limits (two observed days)."""
        row = self.summary(scope, metric_id)
        if row is None or pd.isna(row["upper_limit"]):
            return None, False
        target = None if pd.isna(row["target"]) else float(row["target"])
        last = None if pd.isna(row["last_value"]) else float(row["last_value"])
        icon = capped_variation_icon(row["variation_icon"], str(row["improvement"]), target, last)
        return icon, bool(row["trial_limits"])

    def chart(self, scope: str, definition: MetricDefinition) -> SpcResult | None:
        """One series as an ``SpcResult`` ready to draw: a ratio (and its target) as a percentage."""
        row = self.summary(scope, definition.id)
        if row is None:
            return None
        points = self.result.points
        points = (
            points[points["series_id"] == self.key(scope, definition.id)]
            .drop(columns="series_id")
            .reset_index(drop=True)
        )
        target = definition.target
        if is_percent(definition):
            points = points.assign(**{c: points[c] * 100 for c in SCALED_COLUMNS})
            target = None if target is None else target * 100
        return SpcResult(
            points, IMPROVEMENT[definition.direction], target, row["variation_icon"], row["assurance_icon"]
        )


def stored_spc(board: Board) -> StoredSpc | None:
    """The SPC of every stored series for the board's snapshot (cached), or None if the store cannot give it;
    a one-ward board's (a huddle board) holds that ward's series only."""
    try:
        if board.ward_code is not None:
            return StoredSpc(store_access.spc_for_ward(board.db_url, board.snapshot.id, board.ward_code))
        return StoredSpc(store_access.spc_for_store(board.db_url, board.snapshot.id))
    except SQLAlchemyError:
        return None


# ---------------------------------------------------------------- the Making Data Count summary table


def scope_options(board: Board) -> dict[str, str]:
    """'trust', 'site:CODE', 'ward:CODE' with their labels, in board order."""
    options = {"trust": f"Trust: {board.cfg.dashboard.trust_name}"}
    options.update({f"site:{s.code}": f"Site: {s.name}" for s in board.cfg.wards.sites})
    options.update({f"ward:{w.code}": f"Ward: {w.code} {w.name}" for w in board.cfg.wards.wards})
    return options


def unit_of(definition: MetricDefinition) -> str:
    return "%" if is_percent(definition) else definition.unit


def table_scope_labels(board: Board) -> dict[str, str]:
    """Shorter scope names for the summary table: 'Trust', the site's name, '7A Acute Medical Unit'."""
    labels = {"trust": "Trust"}
    labels.update({f"site:{s.code}": s.name for s in board.cfg.wards.sites})
    labels.update({f"ward:{w.code}": f"{w.code} {w.name}" for w in board.cfg.wards.wards})
    return labels


TABLE_COLUMNS = ["Measure", "Scope", "Latest", "Target", "Variation", "Assurance"]
# The table's shorter words for the assurance icons (Making Data Count's own: passing, failing, hit and miss).
ASSURANCE_TABLE_TEXT = {
    "consistent_pass": "✔ Consistently passes",
    "consistent_fail": "✘ Consistently fails",
    "inconsistent": "↕ Hit and miss",
    None: "– No target",
}


def variation_table_text(icon: str | None) -> str:
    """The variation label without its gloss: '● Common cause', '▲ Concern (high)'."""
    return variation_icon_label(icon).split(":")[0]


def summary_table(
    board: Board, spc: StoredSpc, definitions: list[MetricDefinition], scopes: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per measure × scope (the trust, each site, each ward; or only ``scopes``), in board order.

    Shown columns (``TABLE_COLUMNS``): Measure, Scope, Latest (a number in stored units, so that it
    sorts as a number), Target (as a tile would show it), Variation and Assurance (symbol and words).
    Then, for display, filtering and selection: latest_text (the latest value as a tile shows it,
    with its day when that is not the latest day), metric_id, scope, level, site, variation_icon.
    """
    labels = table_scope_labels(board)
    if scopes is not None:
        wanted = set(scopes)
        labels = {key: label for key, label in labels.items() if key in wanted}
    site_of = {f"ward:{w.code}": w.site for w in board.cfg.wards.wards}
    site_of.update({f"site:{s.code}": s.code for s in board.cfg.wards.sites})
    level_of = {key: key.partition(":")[0] for key in labels}
    found = spc.result.summary.set_index("series_id")
    newest = found["last_date"].max() if len(found) else None
    rows = []
    for scope, scope_label in labels.items():  # board order: the trust, each site, each ward; each by measure
        for d in definitions:
            sid = StoredSpc.key(scope, d.id)
            rec = found.loc[sid] if sid in found.index else None  # no row at all: nothing stored yet for this scope
            latest = None if rec is None or pd.isna(rec["last_value"]) else float(rec["last_value"])
            latest_text = value_text(d, latest)
            if latest is not None and rec["last_date"] < newest:
                latest_text += f" ({rec['last_date'].day} {rec['last_date']:%b})"
            icon = None if rec is None else rec["variation_icon"]
            rows.append(
                {
                    "Measure": d.label,
                    "Scope": scope_label,
                    "Latest": latest,
                    "Target": "–" if d.target is None else value_text(d, d.target),
                    "Variation": variation_table_text(icon),
                    "Assurance": ASSURANCE_TABLE_TEXT[None if rec is None else rec["assurance_icon"]],
                    "latest_text": latest_text,
                    "metric_id": d.id,
                    "scope": scope,
                    "level": level_of[scope],
                    "site": site_of.get(scope, ""),
                    "variation_icon": icon,
                }
            )
    columns = [*TABLE_COLUMNS, "latest_text", "metric_id", "scope", "level", "site", "variation_icon"]
    table = pd.DataFrame(rows, columns=columns)
    table["Latest"] = table["Latest"].astype(float)
    return table


def styled_table(shown: pd.DataFrame, definitions: list[MetricDefinition]) -> Styler:
    """The shown columns, with Latest kept as a number (so it sorts as one) but read as a tile reads it."""
    by_id = {d.id: d for d in definitions}
    frame = shown[TABLE_COLUMNS]
    styler = frame.style
    for metric_id, rows in shown.groupby("metric_id", sort=False).groups.items():
        definition = by_id[metric_id]
        styler = styler.format(
            lambda v, d=definition: value_text(d, None if pd.isna(v) else v),
            subset=pd.IndexSlice[list(rows), ["Latest"]],
        )
    dated = shown.index[shown["latest_text"].str.endswith(")")]
    for row in dated:  # a series whose latest point is older than the latest day says which day
        styler = styler.format(
            lambda _v, text=shown.at[row, "latest_text"]: text, subset=pd.IndexSlice[[row], ["Latest"]]
        )
    return styler


def filter_table(
    table: pd.DataFrame, site: str = "all", level: str = "all", variation: str = "all", metric: str = "all"
) -> pd.DataFrame:
    """The rows for a site (its own row and its wards'), a scope level, a kind of variation and a measure."""
    keep = pd.Series(True, index=table.index)
    if site != "all":
        keep &= table["site"] == site
    if level != "all":
        keep &= table["level"] == level
    if variation != "all":
        keep &= table["variation_icon"].isin(_FILTER_ICONS[variation])
    if metric != "all":
        keep &= table["metric_id"] == metric
    return table[keep].reset_index(drop=True)


# ---------------------------------------------------------------- a tile's icon and sparkline

_CHIP_KIND = {
    "common_cause": "common",
    "improvement_high": "improvement",
    "improvement_low": "improvement",
    "concern_high": "concern",
    "concern_low": "concern",
    "neutral_high": "neutral",
    "neutral_low": "neutral",
}


def variation_chip_html(icon: str | None, trial: bool = False) -> str:
    """The variation icon on a tile: an arrow and a word in an outlined chip (outlined, so it never reads as a RAG
    badge).

    Without an icon (no history, or too little for limits) it says "no history yet". ``trial``: the limits
    rest on fewer than 13 days, which the chip's dashed edge and its hover text say.
    """
    if icon is None:
        return '<span class="ws-spc ws-spc-none" title="Too few stored days for SPC limits">no history yet</span>'
    note = " (trial limits: fewer than 13 days)" if trial else ""
    trial_class = " ws-spc-trial" if trial else ""
    return (
        f'<span class="ws-spc ws-spc-{_CHIP_KIND.get(icon, "common")}{trial_class}" data-variation="{escape(icon)}" '
        'title="SPC over the stored daily history: '
        f'{escape(variation_icon_label(icon))}{note}">{escape(variation_icon_short(icon))}</span>'
    )


def tile_chip_html(spc: StoredSpc | None, ward_code: str, definition: MetricDefinition) -> str:
    """A ward tile's variation chip ("" when SPC is unavailable altogether)."""
    if spc is None:
        return ""
    icon, trial = spc.tile_icon(Scope("ward", ward_code).key, definition.id)
    return variation_chip_html(icon, trial)


def tile_trend_html(
    spc: StoredSpc | None, ward_code: str, definition: MetricDefinition, sparkline: bool = True
) -> str:
    """Under a huddle tile: the last 30 days as an SPC sparkline, and the variation icon in words.

    ``sparkline`` false (a folded section, whose tiles nobody sees yet): the variation icon in words only; the
    chart is drawn when the section is opened, so a board's first run does not draw charts for folded tiles."""
    if spc is None:
        return ""
    scope = Scope("ward", ward_code).key
    icon, _ = spc.tile_icon(scope, definition.id)
    if not sparkline and icon is not None:
        chip = tile_chip_html(spc, ward_code, definition)
        return f'<div class="ws-tile-spc"><div class="ws-spc-line">{chip}</div></div>'
    chart = spc.chart(scope, definition) if icon is not None else None
    svg = (
        ""
        if chart is None
        else sparkline_img_html(chart, days=SPARKLINE_DAYS, label=f"{definition.label}, last {SPARKLINE_DAYS} days")
    )
    if not svg:  # fewer than two days stored: nothing to draw or judge yet
        return f'<div class="ws-tile-spc">{variation_chip_html(None)}</div>'
    return (
        f'<div class="ws-tile-spc">{svg}<div class="ws-spc-line"><span>{SPARKLINE_DAYS} days</span>'
        f"{tile_chip_html(spc, ward_code, definition)}</div></div>"
    )


def sparkline_key_html() -> str:
    """One line that says how to read the sparklines and the variation words, shown once above the tiles."""
    return (
        '<div class="ws-spc-key">Under each tile, its last 30 days (SPC): '
        '<b style="color:#005EB8">◆ improvement</b> · <b style="color:#8A4B00">■ concern</b> · '
        '<b style="color:#330072">▲▼ unusual</b> · <b style="color:#768692">● usual</b> · dashed: process limits · '
        f"ringed: the latest day, whose signal reads {variation_chip_html('concern_high')} "
        f"{variation_chip_html('improvement_low')} {variation_chip_html('common_cause')}</div>"
    )
