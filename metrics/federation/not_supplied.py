"""Which of a trust's daily values were not supplied: the day's extract lacked an optional input the metric reads.

Why this exists: a bundle must tell the hub "not supplied" apart from zero and from "no data", or the system
view shows a trust that sends no Clinical Frailty Scale as one with no frail patients (missing optional data
read as zero harm). The store records each snapshot's optional inputs (``queries.supplied_per_day``); this
module marks each ward-day value whose metric reads one its day's snapshot lacked
(``metrics.evaluate.optional_sources``). The export then sums the marks: a month, site or trust is not
supplied when none of its days or wards were.
"""

from __future__ import annotations

import pandas as pd

from metrics.config.models import AppConfig
from metrics.evaluate import optional_sources


def not_supplied_rows(history: pd.DataFrame, cfg: AppConfig, supplied: pd.DataFrame | None) -> pd.Series:
    """Per history row, whether its day's snapshot lacked an optional input its metric reads.

    ``supplied`` is ``queries.supplied_per_day`` (None: every input supplied).
    """
    flags = pd.Series(False, index=history.index)
    if supplied is None or supplied.empty:
        return flags
    inputs = {
        pd.Timestamp(d): optional_sources.supplied_inputs(r, c)
        for d, r, c in zip(supplied["date"], supplied["row_counts"], supplied["supplied_columns"], strict=True)
    }
    for definition in cfg.metrics:
        if not optional_sources.inputs_of(definition):
            continue
        lacking = {d for d, have in inputs.items() if optional_sources.not_supplied(definition, have)}
        rows = history["metric_id"] == definition.id
        flags[rows] = pd.to_datetime(history.loc[rows, "date"]).isin(sorted(lacking))
    return flags
