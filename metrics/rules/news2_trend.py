"""A rising NEWS2: the last three complete sets each scoring higher than the one before.

Why this exists: a patient whose score has climbed from 1 to 3 to 4 is not yet at the urgent-response threshold
(5), so no other tile shows them, yet the climb is the early sign of deterioration the huddle is asked to look
for ("will care be safe later today?"). The Royal College of Physicians' NEWS2 report (RCP, December 2017,
section "the trend in NEWS2") asks that the trend of scores, not only the latest, inform the response; it sets no
numeric rule for a trend, so the rule below is this board's and is stated exactly.

Decisions:

* Only complete sets count (each scored by :func:`metrics.rules.news2.score_sets`); an incomplete set has no
  score and neither breaks nor extends a trend.
* Rising: the three newest complete sets, in time order, score strictly higher each time (s1 < s2 < s3). Two equal
  scores in a row are not rising. Fewer than three complete sets: not rising (``news2_trend`` still shows what
  there is).
* Sets taken after the extract's moment are ignored (the extract cannot see them yet).
* ``news2_trend`` shows the scores oldest first ("1 → 3 → 4") for the patient list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.rules.news2 import score_sets

TREND_COLUMNS = ["encounter_id", "news2_rising", "news2_trend"]
SETS_READ = 3


def is_rising(scores: list[int]) -> bool:
    """True when there are at least three scores and the last three (oldest first) rise strictly each time."""
    if len(scores) < SETS_READ:
        return False
    a, b, c = scores[-SETS_READ:]
    return a < b < c


def trend_text(scores: list[int]) -> str:
    """The last three scores, oldest first: '1 → 3 → 4'."""
    return " → ".join(str(s) for s in scores[-SETS_READ:])


def news2_trend_per_encounter(observations: pd.DataFrame, extracted_at: pd.Timestamp) -> pd.DataFrame:
    """One row per encounter with a complete set: ``news2_rising`` and ``news2_trend`` (TREND_COLUMNS)."""
    if observations.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    frame = observations.loc[observations["taken_at"] <= extracted_at]
    scored = score_sets(frame)
    complete = scored.complete
    sets = pd.DataFrame(
        {
            "encounter_id": frame["encounter_id"].to_numpy()[complete],
            "taken_at": frame["taken_at"].to_numpy()[complete],
            "score": scored.total[complete].astype(np.int64),
        }
    )
    if sets.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    ordered = sets.sort_values(["encounter_id", "taken_at"], kind="stable")
    back = ordered.groupby("encounter_id", sort=False).cumcount(ascending=False)  # 0: the newest set
    last = ordered[back < SETS_READ].assign(back=back[back < SETS_READ])
    wide = last.pivot(index="encounter_id", columns="back", values="score").reindex(columns=range(SETS_READ))
    newest, middle, oldest = (wide[k] for k in range(SETS_READ))
    rising = (oldest < middle) & (middle < newest)  # a missing set compares False: fewer than three is not rising
    text = newest.astype("Int64").astype("string")
    for earlier in (middle, oldest):
        text = (earlier.astype("Int64").astype("string") + " → " + text).fillna(text)
    return pd.DataFrame(
        {
            "encounter_id": wide.index.to_numpy(),
            "news2_rising": rising.to_numpy(dtype=bool),
            "news2_trend": text.to_numpy(dtype=object),
        }
    )
