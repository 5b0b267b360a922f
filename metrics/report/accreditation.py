"""The monthly board report's accreditation section: levels per site, the month's visits, overdue revisits, mismatches.

Why this exists: a board should read each ward's accreditation beside its
safety data, not in a separate spreadsheet. The section counts each site's
wards by level as at the month's end, lists the visits made in the month,
the revisits overdue at its end, and the mismatches between a level and the
live data (``metrics.accreditation.triangulation``; SPC concern up to the
month's end, today's cited metrics and barometer from the current snapshot).
A trust without config/accreditation.yaml gets no section. Aggregate only.
"""

from __future__ import annotations

import html
from datetime import date

from sqlalchemy import Engine

from metrics.accreditation.config import ACCREDITATION_FILE, accreditation_config_problems
from metrics.accreditation.evidence import latest_visits, triangulate
from metrics.accreditation.levels import is_overdue
from metrics.config.models import AppConfig
from metrics.huddle.config import huddle_config_problems
from metrics.store import accreditation as stored


def accreditation_section(engine: Engine, cfg: AppConfig, start: date, end: date) -> str:
    """The section as HTML ('' when the trust does not accredit); a broken file is said, not raised."""
    if not (cfg.directory / ACCREDITATION_FILE).exists():
        return ""
    acfg, problems = accreditation_config_problems(cfg.directory, cfg)
    parts = ["<h2>Ward accreditation</h2>"]
    if acfg is None:
        listed = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        return (
            parts[0] + f"<p class='stale'>accreditation.yaml has problems; no section this month.</p><ul>{listed}</ul>"
        )
    visits = stored.assessments(engine)
    visits = visits[visits["assessed_on"] <= end] if len(visits) else visits
    latest = latest_visits(visits)
    by_ward = {str(r.ward_code).upper(): r for r in latest.itertuples()}
    levels = list(reversed(acfg.level_codes()))
    head = "".join(f"<th>{html.escape(acfg.level_label(c))}</th>" for c in levels)
    parts.append(f"<p class='note'>Each ward's level from its latest visit up to {end:%d %B %Y}.</p>")
    parts.append(f"<table><thead><tr><th>Site</th>{head}<th>Not yet accredited</th></tr></thead><tbody>")
    for site in cfg.wards.sites:
        wards = [w.code.upper() for w in cfg.wards.wards if w.site == site.code]
        counts = [sum(1 for w in wards if w in by_ward and by_ward[w].level == c) for c in levels]
        parts.append(
            f"<tr><td>{html.escape(site.name)}</td>"
            + "".join(f"<td>{n}</td>" for n in counts)
            + f"<td>{sum(1 for w in wards if w not in by_ward)}</td></tr>"
        )
    parts.append("</tbody></table>")
    in_month = visits[(visits["assessed_on"] >= start)] if len(visits) else visits
    parts.append(f"<p>Visits in the month: <b>{len(in_month)}</b>.</p>")
    if len(in_month):
        parts.append(
            "<table><thead><tr><th>Ward</th><th>Visited</th><th>Level</th><th>Next visit due</th></tr></thead><tbody>"
        )
        for r in in_month.sort_values(["assessed_on", "ward_code"]).itertuples():
            parts.append(
                f"<tr><td>{html.escape(str(r.ward_code))}</td><td>{r.assessed_on:%d %b %Y}</td>"
                f"<td>{html.escape(acfg.level_label(r.level))}</td><td>{r.next_visit:%d %b %Y}</td></tr>"
            )
        parts.append("</tbody></table>")
    overdue = [r for r in by_ward.values() if is_overdue(r.next_visit, end)]
    parts.append(
        f"<p>Revisits overdue at the month's end: <b>{len(overdue)}</b>"
        + (
            ": " + ", ".join(html.escape(f"{r.ward_code} (due {r.next_visit:%d %b %Y})") for r in overdue)
            if overdue
            else ""
        )
        + ".</p>"
    )
    hcfg, _ = huddle_config_problems(cfg.directory, cfg, optional=True)
    found = triangulate(engine, cfg, acfg, end, hcfg).mismatches if len(visits) else []
    parts.append(f"<p>Mismatches between a ward's level and its live data: <b>{len(found)}</b>.</p>")
    if found:
        parts.append(
            "<ul>"
            + "".join(
                f"<li><b>{html.escape(m.ward_code)}</b>: {html.escape(m.headline)} ({html.escape(m.evidence)})</li>"
                for m in found
            )
            + "</ul>"
        )
    return "\n".join(parts)
