"""Per ward, the five questions of safety answered by their measures, each with its value and SPC reading.

Why this exists: the Health Foundation's framework (Vincent, Burnett and
Carthey, 2013) asks whether care has been safe, is reliable, is safe today,
will be safe in the future, and whether we are responding and improving. The
board answers each with a few measures (config/dimensions.yaml): a metric's
latest value and its Making Data Count variation, read from the stored SPC
series (never recomputed from patient rows), and for learning the counts of
learning responses overdue and due and of recurring themes
(``metrics.learning.responses``). A ward with no measure for a question is
told so, never shown a blank.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.config.models import AppConfig
from metrics.dimensions.config import LEARNING_LABELS, DimensionsFile


@dataclass(frozen=True)
class Measure:
    """One measure of a ward: its latest value and SPC reading (None: no chart, e.g. a count of responses)."""

    id: str
    label: str
    value: float | None
    variation_icon: str | None
    has_spc: bool


@dataclass(frozen=True)
class DimensionAnswer:
    """One of the five questions for one ward, with the measures the ward has for it (may be none)."""

    code: str
    question: str
    measures: tuple[Measure, ...]
    note: str | None = None  # why there is no measure, when there is none


@dataclass(frozen=True)
class LearningCounts:
    """A ward's learning-response measures now: None when the incidents table is not supplied."""

    responses_overdue: int
    responses_due: int
    responses_recorded: int
    recurring_themes: int


def learning_counts(status: pd.DataFrame, themes: int) -> LearningCounts:
    """Counts from ``metrics.learning.responses.response_status`` for one ward and its number of recurring themes."""
    by = status["status"].value_counts() if len(status) else pd.Series(dtype=int)
    return LearningCounts(int(by.get("overdue", 0)), int(by.get("due", 0)), int(by.get("responded", 0)), int(themes))


def ward_dimensions(
    dims: DimensionsFile,
    app_cfg: AppConfig,
    spc_summary: pd.DataFrame,
    ward_code: str,
    learning: LearningCounts | None,
    learning_note: str = "incidents not supplied",
) -> list[DimensionAnswer]:
    """The five answers for ``ward_code``, in the file's order.

    ``spc_summary`` is ``SpcManyResult.summary`` indexed by series id ('ward:7A|aki'); a metric the ward has no
    stored series for is left out. ``learning`` None means the learning measures cannot be counted
    (``learning_note`` says why).
    """
    labels = {m.id: m.label for m in app_cfg.metrics}
    answers = []
    for dim in dims.dimensions:
        measures: list[Measure] = []
        for metric_id in dim.metrics:
            key = f"ward:{ward_code}|{metric_id}"
            if key not in spc_summary.index:
                continue
            row = spc_summary.loc[key]
            value = None if pd.isna(row["last_value"]) else float(row["last_value"])
            icon = None if pd.isna(row["upper_limit"]) else row["variation_icon"]
            measures.append(Measure(metric_id, labels.get(metric_id, metric_id), value, icon, True))
        if learning is not None:
            measures += [Measure(m, LEARNING_LABELS[m], float(getattr(learning, m)), None, False) for m in dim.learning]
        note = None
        if not measures:
            note = (
                f"No measure for this ward ({learning_note})"
                if dim.learning and learning is None and not dim.metrics
                else "No measure for this ward"
            )
        answers.append(DimensionAnswer(dim.code, dim.question, tuple(measures), note))
    return answers
