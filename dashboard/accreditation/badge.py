"""The accreditation level badge, and the small panel a huddle or a wall shows of one ward's accreditation.

Why this exists: the level must read the same on the huddle, the wall and the
executive wall: its colour, an icon and its word (never colour alone), the
date of the visit and of the next one, and "overdue" when the next visit is
late. Text from config is escaped before it is drawn as HTML.
"""

from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd

from metrics.accreditation.config import AccreditationConfig
from metrics.accreditation.levels import is_overdue

ACCREDITATION_CSS = """
.acc-badge{display:inline-block;padding:1px 10px;border-radius:12px;color:#fff;font-weight:800;font-size:0.95rem;
  white-space:nowrap}
.acc-badge.acc-none{background:#fff;color:#4C6272;border:1px solid #AEB7BD;font-weight:600}
.acc-panel{background:#fff;border:1px solid #D8DDE0;border-left:6px solid #005EB8;border-radius:4px;padding:6px 10px;
  margin:4px 0 8px 0}
.acc-line{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;font-size:0.9rem;color:#212B32}
.acc-line b{font-size:1rem}
.acc-domains{display:flex;flex-wrap:wrap;gap:4px 10px;margin:4px 0 0 0;font-size:0.85rem;color:#212B32}
.acc-domain{border:1px solid #D8DDE0;border-radius:4px;padding:0 6px;white-space:nowrap}
.acc-domain.acc-low{border-color:#D5281B;background:#FDECEA}
.acc-overdue{color:#fff;background:#D5281B;border-radius:4px;padding:0 6px;font-weight:700}
.acc-actions{margin:4px 0 0 0;padding-left:18px;font-size:0.85rem;color:#212B32}
.wall-sumrow{display:flex;align-items:center;flex-wrap:wrap;gap:0.3vh 1.6vw}
.wall-sumrow .acc-wall{display:inline-flex;align-items:center;gap:0.6vw;white-space:nowrap;font-size:min(3vh,1.8vw);
  font-weight:800;line-height:1.1}
.wall-sumrow .acc-badge{font-size:inherit;padding:0 0.8vw;border-radius:2vh}
.wall-sumrow .acc-badge.acc-none{background:transparent;color:#D8DDE0;border-color:#768692}
.wall-sumrow .acc-overdue{font-size:0.75em}
"""
LEVEL_ICONS = {"gold": "★", "silver": "☆", "bronze": "◆", "support": "▲"}


def badge_html(acfg: AccreditationConfig, level: str | None) -> str:
    """The level as a badge (colour, icon and word); 'Not yet accredited' when the ward has had no visit."""
    if not level:
        return '<span class="acc-badge acc-none" data-level="">○ Not yet accredited</span>'
    icon = LEVEL_ICONS.get(level, "●")
    return (
        f'<span class="acc-badge" data-level="{escape(level)}" style="background:{acfg.level_colour(level)}">'
        f"{icon} {escape(acfg.level_label(level))}</span>"
    )


def next_visit_html(next_visit: date, today: date) -> str:
    text = f"next visit due {next_visit.day} {next_visit:%b %Y}"
    if is_overdue(next_visit, today):
        return f'<span class="acc-overdue" data-overdue="true">{escape(text)}: overdue</span>'
    return f'<span data-overdue="false">{escape(text)}</span>'


def domains_html(acfg: AccreditationConfig, domain_percent: dict[str, float | None], floor: float | None) -> str:
    """Each domain's score ('n/a' when nothing was applicable); a domain below the lowest level is marked."""
    cells = []
    for domain in acfg.domains:
        pct = domain_percent.get(domain.code)
        low = pct is not None and floor is not None and pct < floor
        shown = "n/a" if pct is None else f"{pct:g}%"
        cells.append(
            f'<span class="acc-domain{" acc-low" if low else ""}" data-domain="{escape(domain.code)}">'
            f"{escape(domain.label)} <b>{escape(shown)}</b></span>"
        )
    return f'<div class="acc-domains">{"".join(cells)}</div>'


def panel_html(
    acfg: AccreditationConfig, ward_code: str, latest: pd.Series | None, actions: pd.DataFrame, today: date
) -> str:
    """The huddle's accreditation panel: badge, visit dates, domain scores, open actions from the last visit."""
    head = f'<div class="acc-panel" data-accreditation="{escape(ward_code)}">'
    if latest is None:
        return (
            f'{head}<div class="acc-line"><b>Accreditation</b>{badge_html(acfg, None)}'
            "<span>No accreditation visit recorded for this ward yet.</span></div></div>"
        )
    visited: date = latest["assessed_on"]
    items = "".join(f"<li>#{int(row.id)} {escape(str(row.text))}</li>" for row in actions.itertuples())
    open_text = (
        f'<div data-accreditation-actions="{len(actions)}">Open actions from accreditation visits: {len(actions)}</div>'
        f'<ul class="acc-actions">{items}</ul>'
        if len(actions)
        else '<div data-accreditation-actions="0">No open actions from accreditation visits.</div>'
    )
    return (
        f'{head}<div class="acc-line"><b>Accreditation</b>{badge_html(acfg, str(latest["level"]))}'
        f"<span>visited {visited.day} {visited:%b %Y}</span>{next_visit_html(latest['next_visit'], today)}</div>"
        f"{domains_html(acfg, dict(latest['domain_percent'] or {}), acfg.file.levels[0].min_domain_percent)}"
        f"{open_text}</div>"
    )


def wall_badge_html(acfg: AccreditationConfig, ward_code: str, latest: pd.Series | None, today: date) -> str:
    """The wall's badge beside the RAG counts: the ward's level, and "revisit overdue" when it is (no names)."""
    level = None if latest is None else str(latest["level"])
    overdue = latest is not None and is_overdue(latest["next_visit"], today)
    late = ' <span class="acc-overdue" data-overdue="true">revisit overdue</span>' if overdue else ""
    return (
        f'<span class="acc-wall" data-accreditation="{escape(ward_code)}">'
        f"{badge_html(acfg, level)}{late}</span>"
    )
