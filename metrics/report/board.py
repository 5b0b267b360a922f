"""The monthly board report: the Making Data Count summary and one SPC chart per measure, per site.

Why this exists: a trust board reads its safety data as SPC charts with
variation and assurance icons, not as a table of this month's numbers. This
writes one self-contained HTML file (plotly.js inlined once, no network) for
``python -m metrics report --month YYYY-MM``: the trust and each site, each
with its summary table (latest value, variation icon, assurance icon) and its
charts, drawn over the stored daily history up to the month's end, then the
ward accreditation section (``metrics.report.accreditation``). No
patient-level data is read.

PDF: no well-kept library here renders plotly's JavaScript charts to PDF
without a browser download, so the HTML is print-styled instead (A4, one
chart per row); a browser's "Print to PDF" gives the PDF.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import plotly.io as pio
from sqlalchemy import Engine

from metrics.board.freshness import freshness
from metrics.config.models import AppConfig
from metrics.evaluate.definitions import Audience
from metrics.errors import UserFacingError
from metrics.spc.xmr import spc
from metrics.report.accreditation import accreditation_section
from metrics.improvement.annotations import annotations_for
from metrics.report.chart_annotations import annotate_figure
from metrics.report.spc_chart import assurance_icon_label, spc_figure, variation_icon_label
from metrics.store.spc_history import IMPROVEMENT, Scope, daily_series, rebase_dates
from metrics.store import queries

CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; color: #212b32; margin: 0 auto; max-width: 1100px; }
h1 { color: #005eb8; } h2 { border-bottom: 3px solid #005eb8; padding-bottom: 4px; page-break-before: always; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 16px; }
th, td { border: 1px solid #d8dde0; padding: 4px 6px; text-align: left; }
th { background: #f0f4f5; }
.stale { border-left: 8px solid #d5281b; background: #fff3c4; padding: 6px 10px; }
.chart { page-break-inside: avoid; margin-bottom: 12px; }
.note { color: #4c6272; font-size: 12px; }
"""


def _month_bounds(month: str) -> tuple[date, date]:
    try:
        start = datetime.strptime(month, "%Y-%m").date()
    except ValueError as exc:
        raise UserFacingError(f"--month must look like 2026-11, got {month!r}.") from exc
    end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    return start, end


def _fmt(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "no data"
    return f"{value:.1%}" if unit == "fill rate" else f"{value:g}"


def render_board_report(engine: Engine, cfg: AppConfig, month: str, now: datetime | None = None) -> str:
    """The whole report as one HTML document, generated at ``now`` (default: the clock)."""
    generated = now or datetime.now(timezone.utc)
    start, end = _month_bounds(month)
    metrics = sorted((m for m in cfg.metrics if Audience.EXECUTIVE in m.audiences), key=lambda m: (m.group, m.order))
    scopes = [Scope("trust", None)] + [Scope("site", s.code) for s in cfg.wards.sites]
    site_names = {s.code: s.name for s in cfg.wards.sites}
    histories = {m.id: queries.daily_history(engine, m.id) for m in metrics}
    if all(h.empty for h in histories.values()):
        raise UserFacingError("The store holds no history yet; load extracts first (python -m metrics refresh FOLDER).")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Safety board report "
        f"{html.escape(month)}</title><style>{CSS}</style></head><body>"
    ]
    parts.append(f"<h1>{html.escape(cfg.dashboard.trust_name)}: ward safety board report, {start:%B %Y}</h1>")
    parts.append(
        "<p class='note'>Statistical process control in the NHS England Making Data Count style (XmR charts, "
        "NHSRplotthedots rules: see docs/spc.md). One point per day: the latest extract of that day. Site and trust "
        f"figures sum counts and recompute ratios from their parts. Generated {generated:%d %b %Y %H:%M} UTC.</p>"
    )
    parts.append(_stale_note(engine, cfg, generated))
    first_chart = True
    for scope in scopes:
        title = (
            cfg.dashboard.trust_name if scope.kind == "trust" else site_names.get(scope.code or "", scope.code or "")
        )
        rows, charts = [], []
        for m in metrics:
            series = daily_series(engine, cfg, m.id, scope, histories[m.id])
            if series.empty:
                continue
            series = series[series["date"].dt.date <= end]
            if series["value"].notna().sum() == 0:
                continue
            result = spc(
                series["date"].dt.date,
                series["value"],
                IMPROVEMENT[m.direction],
                m.target,
                rebase_dates(cfg, m.id, scope),
            )
            in_month = series[(series["date"].dt.date >= start) & series["value"].notna()]
            latest = float(in_month["value"].iloc[-1]) if len(in_month) else None
            rows.append(
                f"<tr><td>{html.escape(m.label)}</td><td>{_fmt(latest, m.unit)}</td><td>{html.escape(m.unit)}</td>"
                f"<td>{'' if m.target is None else _fmt(m.target, m.unit)}</td>"
                f"<td>{html.escape(variation_icon_label(result.variation_icon))}</td>"
                f"<td>{html.escape(assurance_icon_label(result.assurance_icon))}</td></tr>"
            )
            fig = spc_figure(result, f"{m.label}: {title}", m.unit, m.target)
            notes = annotations_for(engine, m.id, [scope])
            annotate_figure(fig, notes[notes["on_date"] <= end])
            fig.update_layout(width=1000, height=320)
            charts.append(
                "<div class='chart'>"
                + pio.to_html(fig, full_html=False, include_plotlyjs="inline" if first_chart else False)
                + "</div>"
            )
            first_chart = False
        parts.append(f"<h2>{html.escape(title)}</h2>")
        if not rows:
            parts.append("<p>No stored history for this scope up to the end of the month.</p>")
            continue
        parts.append(
            "<table><thead><tr><th>Measure</th><th>Latest in "
            "month</th><th>Unit</th><th>Target</th><th>Variation</th><th>Assurance</th></tr></thead><tbody>"
        )
        parts.extend(rows)
        parts.append("</tbody></table>")
        parts.extend(charts)
    parts.append(accreditation_section(engine, cfg, start, end))
    parts.append("</body></html>")
    return "\n".join(parts)


def _stale_note(engine: Engine, cfg: AppConfig, now: datetime) -> str:
    """A warning when the store's current snapshot is stale at ``now`` (``metrics.board.freshness``); else nothing."""
    current = queries.current_snapshot(engine)
    if current is None:
        return ""
    fresh = freshness(
        current.extracted_at,
        current.loaded_at,
        queries.refresh_attempts(engine),
        cfg.dashboard.stale_after_minutes,
        now,
    )
    if not fresh.is_stale:
        return ""
    failed = f" The latest refresh was {html.escape(fresh.failed_status)}." if fresh.failed_status else ""
    return (
        "<p class='stale'><b>Data is stale:</b> the latest extract loaded was taken "
        f"{current.extracted_at:%d %b %Y %H:%M} UTC, "
        f"{fresh.age.total_seconds() / 3600:.0f} hours before this report was generated.{failed}</p>"
    )


def write_board_report(engine: Engine, cfg: AppConfig, month: str, out: Path) -> Path:
    """Render and write the report; return its path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_board_report(engine, cfg, month), encoding="utf-8")
    return out
