"""The executive wall's grid, worked out once per snapshot: every ward's value and RAG for every measure,
ward standings, site and trust totals, and the pages a wall screen turns through.

Why this exists: at region scale (600 wards, about 40 measures) the executive wall must redraw in well under
a second. Looking each cell up one by one (a pandas ``.loc`` per ward and measure, 24,000 of them per redraw)
and copying the values frame per site cost seconds. Here everything is whole-frame work done once per
snapshot: one pivot each for values and RAGs, the standings and totals of ``metrics.board.standings``
(counts summed, ratios recomputed from summed numerators and denominators, never averaged), and the wards'
pages. The dashboard caches the result by snapshot id and draws only the page on screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from numpy.typing import NDArray

from metrics.board.standings import TRUST, site_scope, standing_totals, totals, ward_standings
from metrics.config.models import Site, Ward
from metrics.evaluate.definitions import MetricDefinition

# A 1920x1080 wall holds this many table rows (wards plus total rows) at a size read from two metres.
WALL_ROWS = 28


@dataclass(frozen=True)
class ExecPage:
    """One screenful of the executive wall: a title, its wards (config order) and the total rows under them."""

    title: str
    ward_codes: tuple[str, ...]
    scopes: tuple[str, ...]  # total rows under the wards: 'site:CODE' for each site shown, then 'trust'


@dataclass(frozen=True)
class ExecGrid:
    """Every ward × measure of one snapshot, with standings and totals. Frames are indexed by configured ward
    code (config order) or by scope ('site:CODE', 'trust'), with one column per measure id (``metric_ids``)."""

    metric_ids: tuple[str, ...]
    values: pd.DataFrame  # ward code × metric id: the stored value (NaN: no value)
    numerators: pd.DataFrame  # ward code × metric id: the stored numerator (NaN: none)
    denominators: pd.DataFrame  # ward code × metric id: the stored denominator (NaN: none)
    rags: pd.DataFrame  # ward code × metric id: 'red', 'amber', 'green' or None
    standings: pd.DataFrame  # ward code: reds, ambers, red_labels, amber_labels
    standing_totals: pd.DataFrame  # scope: reds, ambers
    totals: pd.DataFrame  # scope × metric id: the total (NaN: no ward has a value)
    site_of: pd.Series  # ward code: site code

    def pages(self, sites: Sequence[Site], rows: int = WALL_ROWS) -> list[ExecPage]:
        """The wall's screens (``exec_pages``) for these wards."""
        return exec_pages(list(self.site_of.items()), sites, rows)

    def page_cells(self, ward_codes: Sequence[str], metric_ids: Sequence[str]) -> PageCells:
        """The cells of one page (rows ``ward_codes``, columns ``metric_ids``) as arrays, so that a redraw indexes
        them by position instead of looking each one up."""
        codes, ids = list(ward_codes), list(metric_ids)
        return PageCells(
            values=self.values.loc[codes, ids].to_numpy(),
            numerators=self.numerators.loc[codes, ids].to_numpy(),
            denominators=self.denominators.loc[codes, ids].to_numpy(),
            rags=self.rags.loc[codes, ids].to_numpy(),
            counts=self.standings.loc[codes, ["reds", "ambers"]].to_numpy(),
        )


@dataclass(frozen=True)
class PageCells:
    """One page's wards × measures, row i the page's i-th ward and column j its j-th measure."""

    values: NDArray[Any]
    numerators: NDArray[Any]
    denominators: NDArray[Any]
    rags: NDArray[Any]  # 'red', 'amber', 'green' or None
    counts: NDArray[Any]  # per ward: reds, ambers


def group_runs(definitions: Sequence[MetricDefinition]) -> list[tuple[str, int]]:
    """The measures' groups in order, each with how many measures in a row it spans: one head per run."""
    groups: list[tuple[str, int]] = []
    for d in definitions:
        if groups and groups[-1][0] == d.group:
            groups[-1] = (d.group, groups[-1][1] + 1)
        else:
            groups.append((d.group, 1))
    return groups


def _pivot(frame: pd.DataFrame, column: str, codes: pd.Index, metric_ids: list[str]) -> pd.DataFrame:
    table = frame.pivot(index="ward_code", columns="metric_id", values=column)
    return table.reindex(index=codes.str.upper(), columns=metric_ids).set_axis(codes, axis=0)


def exec_grid(
    values: pd.DataFrame, wards: Sequence[Ward], sites: Sequence[Site], definitions: Sequence[MetricDefinition]
) -> ExecGrid:
    """The grid of a snapshot's ward values (``ward_code``, ``metric_id``, ``value``, ``numerator``,
    ``denominator``, ``rag``; as columns or as the index), for ``wards`` and the measures ``definitions``."""
    ids = [d.id for d in definitions]
    codes = pd.Index([w.code for w in wards], name="ward_code")
    frame = values.reset_index() if "ward_code" not in values.columns else values
    frame = frame[frame["metric_id"].isin(ids)]
    frame = frame.assign(ward_code=frame["ward_code"].astype(str).str.upper()).drop_duplicates(
        ["ward_code", "metric_id"]
    )
    grid_values = _pivot(frame, "value", codes, ids).astype("float64")
    rags = _pivot(frame.assign(rag=frame["rag"].astype(object)), "rag", codes, ids).astype(object)
    rags = rags.where(rags.isin(["red", "amber", "green"]), None)
    standings = ward_standings(frame, wards, definitions)
    return ExecGrid(
        metric_ids=tuple(ids),
        values=grid_values,
        numerators=_pivot(frame, "numerator", codes, ids).astype("float64"),
        denominators=_pivot(frame, "denominator", codes, ids).astype("float64"),
        rags=rags,
        standings=standings,
        standing_totals=standing_totals(standings, wards, sites),
        totals=totals(frame, wards, sites, definitions),
        site_of=pd.Series([w.site for w in wards], index=codes, name="site"),
    )


def _chunks(codes: list[str], size: int) -> list[list[str]]:
    """``codes`` cut into the fewest pieces of at most ``size``, as even as possible, order kept."""
    pieces = max(1, math.ceil(len(codes) / size))
    base, extra = divmod(len(codes), pieces)
    out: list[list[str]] = []
    start = 0
    for i in range(pieces):
        end = start + base + (1 if i < extra else 0)
        out.append(codes[start:end])
        start = end
    return out


def exec_pages(ward_sites: Sequence[tuple[str, str]], sites: Sequence[Site], rows: int = WALL_ROWS) -> list[ExecPage]:
    """The wall's screens for (ward code, site code) pairs in config order.

    When every ward, a total row per site and the trust's total fit in ``rows``, one page holds them all.
    Otherwise the wards go page by site: each site's wards cut evenly into pages of at most ``rows - 2``
    (under them the site's total and the trust's), titled 'Site name' or 'Site name (2 of 3)'.
    """
    by_site: dict[str, list[str]] = {}
    for code, site_code in ward_sites:
        by_site.setdefault(site_code, []).append(code)
    ordered = [s for s in sites if s.code in by_site]
    if len(ward_sites) + len(ordered) + 1 <= rows:
        every = tuple(code for s in ordered for code in by_site[s.code])
        return [ExecPage("Every ward", every, (*(site_scope(s.code) for s in ordered), TRUST))]
    pages: list[ExecPage] = []
    for site in ordered:
        chunks = _chunks(by_site[site.code], max(1, rows - 2))
        for i, chunk in enumerate(chunks, 1):
            title = site.name if len(chunks) == 1 else f"{site.name} ({i} of {len(chunks)})"
            pages.append(ExecPage(title, tuple(chunk), (site_scope(site.code), TRUST)))
    return pages
