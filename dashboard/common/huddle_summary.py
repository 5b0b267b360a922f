"""Today's huddle in one line per ward, for the wall screens and the executive wall (no names, no patients).

Why this exists: the wall and the executive views show what each ward's team
said at today's huddle (reliability counts and median, how many rated, open
actions) without drawing the huddle's own panel. Read through the store
gateway, re-read every few seconds.
"""

from __future__ import annotations

import pandas as pd

from dashboard.common import store_access
from metrics.huddle import inputs as huddle


def wall_huddle_summary(ward_code: str) -> dict:
    """Today's reliability ratings counted per score 1-5, their median, how many rated, and the open actions, for a
    wall screen."""
    today = huddle.london_today()
    summary = store_access.huddle_summaries(store_access.database_url(), (ward_code,), today)[0]
    return {
        "ward_code": ward_code,
        "date": today,
        "counts": dict(summary.counts),
        "median": summary.median,
        "rated": summary.rated,
        "open_actions": summary.open_actions,
    }


def exec_huddle_summary(ward_codes: list[str] | tuple[str, ...], kind: str = "reliability") -> pd.DataFrame:
    """One row per ward: ward_code, KIND_median and rated_today (today's ratings of ``kind``: 'reliability' or
    'feel_safe'), and open_actions."""
    today = huddle.london_today()
    rows = store_access.huddle_summaries(store_access.database_url(), tuple(ward_codes), today, kind)
    return pd.DataFrame(
        [
            {
                "ward_code": s.ward_code,
                f"{kind}_median": s.median,
                "rated_today": s.rated,
                "open_actions": s.open_actions,
            }
            for s in rows
        ],
        columns=["ward_code", f"{kind}_median", "rated_today", "open_actions"],
    )
