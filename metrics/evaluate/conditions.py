"""The small, safe condition language that metric definitions use.

Why this exists: a hospital adds a tile by writing YAML, so the filter that
decides which rows a metric counts must be data, not code. A condition is a
tree: ``all``/``any``/``not`` over leaves, and a leaf compares one column
with one operator. It is interpreted here into a boolean mask over a
DataFrame: never eval'd, never turned into SQL.

Leaf operators (exactly one per leaf)::

    {column: news2_score, ge: 5}            eq, ne, gt, ge, lt, le
    {column: flag, in: [SEPSIS, C_DIFF]}    in, not_in (codes compared case-insensitively)
    {column: completed_at, is_missing: true}   is_missing: true/false
    {column: raised_at, within: 24h}        time within the window before extracted_at
    {column: due_at, before_extract: true}  time strictly before extracted_at
    {column: scheduled_at, today: true}     from London midnight of extracted_at up to extracted_at
    {column: expected_discharge_date, on_extract_date: true}   date equals the London date of extracted_at
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from metrics.config.strict import Strict

Scalar = Union[bool, int, float, str, None]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d)\s*$")
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
OPERATORS = COMPARISONS + ("in", "not_in", "is_missing", "within", "before_extract", "today", "on_extract_date")


def parse_duration(text: str) -> timedelta:
    """'90m', '24h', '7d' → timedelta; anything else raises ValueError with the accepted forms."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"a duration such as 90m, 24h or 7d is required, got: {text!r}")
    amount, unit = float(match.group(1)), match.group(2)
    return {
        "m": timedelta(minutes=amount),
        "min": timedelta(minutes=amount),
        "h": timedelta(hours=amount),
        "d": timedelta(days=amount),
    }[unit]


class Leaf(Strict):
    """One comparison of one column."""

    model_config = ConfigDict(populate_by_name=True)

    column: str
    eq: Scalar = None
    ne: Scalar = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Scalar, ...] | None = None
    is_missing: bool | None = None
    within: str | None = None
    before_extract: bool | None = None
    today: bool | None = None
    on_extract_date: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [op for op in OPERATORS if op in data]
            if len(given) != 1:
                raise ValueError(
                    f"a condition on column {data.get('column')!r} needs exactly one operator of "
                    f"{', '.join(OPERATORS)}; got {', '.join(given) or 'none'}"
                )
        return data

    @field_validator("within")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @property
    def operator(self) -> str:
        for op in OPERATORS:
            field = "in_" if op == "in" else op
            if field in self.model_fields_set:
                return op
        raise AssertionError("validated leaf has no operator")

    def operand(self) -> Any:
        return getattr(self, "in_" if self.operator == "in" else self.operator)

    def columns(self) -> set[str]:
        return {self.column}


class All(Strict):
    """True where every sub-condition is true (an empty list is true)."""

    all: tuple["Condition", ...]

    def columns(self) -> set[str]:
        return set().union(*(c.columns() for c in self.all)) if self.all else set()


class AnyOf(Strict):
    """True where at least one sub-condition is true."""

    any: tuple["Condition", ...]

    def columns(self) -> set[str]:
        return set().union(*(c.columns() for c in self.any)) if self.any else set()


class Not(Strict):
    """True where the sub-condition is false (missing values count as false before negation)."""

    not_: "Condition" = Field(alias="not")

    def columns(self) -> set[str]:
        return self.not_.columns()


def _discriminate(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "leaf"
    if isinstance(value, All):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    if isinstance(value, Not):
        return "not"
    return "leaf"


from pydantic import Discriminator, Tag  # noqa: E402

Condition = Annotated[
    Union[
        Annotated[All, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
        Annotated[Leaf, Tag("leaf")],
    ],
    Discriminator(_discriminate),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class EvaluationContext(BaseModel):
    """What 'now' means for a condition: the extract's moment, and its London day."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    extracted_at: pd.Timestamp
    london_midnight: pd.Timestamp
    london_date: date


def _norm(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.upper()


def mask(condition: Any, frame: pd.DataFrame, ctx: EvaluationContext) -> np.ndarray:
    """Boolean numpy mask of the rows of ``frame`` where ``condition`` holds. Missing values never match."""
    if condition is None:
        return np.ones(len(frame), dtype=bool)
    if isinstance(condition, All):
        out = np.ones(len(frame), dtype=bool)
        for sub in condition.all:
            out &= mask(sub, frame, ctx)
        return out
    if isinstance(condition, AnyOf):
        out = np.zeros(len(frame), dtype=bool)
        for sub in condition.any:
            out |= mask(sub, frame, ctx)
        return out
    if isinstance(condition, Not):
        return ~mask(condition.not_, frame, ctx)
    return _leaf_mask(condition, frame, ctx)


def _leaf_mask(leaf: Leaf, frame: pd.DataFrame, ctx: EvaluationContext) -> np.ndarray:
    col = frame[leaf.column]
    op, operand = leaf.operator, leaf.operand()
    present: np.ndarray = col.notna().to_numpy(dtype=bool)
    if op == "is_missing":
        return ~present if operand else present
    if op in ("eq", "ne"):
        if operand is None:
            return ~present if op == "eq" else present
        equal: np.ndarray
        if isinstance(operand, str):
            equal = (_text(col) == operand.upper()).fillna(False).to_numpy(dtype=bool)
        else:
            equal = (col == operand).fillna(False).to_numpy(dtype=bool)
        return equal if op == "eq" else (present & ~equal)
    if op in ("in", "not_in"):
        values = [_norm(v) for v in operand]
        series = _text(col) if any(isinstance(v, str) for v in values) else col
        member: np.ndarray = series.isin(values).fillna(False).to_numpy(dtype=bool) & present
        return member if op == "in" else (present & ~member)
    if op in ("gt", "ge", "lt", "le"):
        numeric = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            result = {
                "gt": numeric > operand,
                "ge": numeric >= operand,
                "lt": numeric < operand,
                "le": numeric <= operand,
            }[op]
        return np.asarray(result & ~np.isnan(numeric), dtype=bool)
    times = col
    if op == "within":
        start = ctx.extracted_at - parse_duration(operand)
        result = (times >= start) & (times <= ctx.extracted_at)
    elif op == "before_extract":
        result = times < ctx.extracted_at
        result = result if operand else (times >= ctx.extracted_at)
    elif op == "today":
        result = (times >= ctx.london_midnight) & (times <= ctx.extracted_at)
    else:  # on_extract_date: date columns are tz-naive datetime64 at midnight
        result = col == pd.Timestamp(ctx.london_date)
        if not operand:
            result = ~result
    timed: np.ndarray = pd.Series(result, index=col.index).fillna(False).to_numpy(dtype=bool)
    when: np.ndarray = timed & present
    return when
