"""The condition language, leaf by leaf: what each operator matches, and that missing values never match."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

from metrics.evaluate.conditions import Condition, EvaluationContext, mask

NOW = pd.Timestamp("2026-11-25T07:30:00Z")
CTX = EvaluationContext(extracted_at=NOW, london_midnight=pd.Timestamp("2026-11-25T00:00:00Z"), london_date=NOW.date())
FRAME = pd.DataFrame(
    {
        "score": pd.array([0, 5, 7, None], dtype="Int64"),
        "code": pd.array(["sepsis", "C_DIFF", None, "FALL"], dtype="string"),
        "flag": pd.array([True, False, None, True], dtype="boolean"),
        "when": pd.to_datetime(
            ["2026-11-25T07:00:00Z", "2026-11-24T07:29:00Z", None, "2026-11-24T23:59:59Z"], utc=True
        ),
        "day": pd.to_datetime(["2026-11-25", "2026-11-24", None, "2026-11-25"]),
    }
)
parse = TypeAdapter(Condition).validate_python


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"column": "score", "ge": 5}, [False, True, True, False]),
        ({"column": "score", "lt": 5}, [True, False, False, False]),
        ({"column": "score", "eq": 0}, [True, False, False, False]),
        ({"column": "score", "ne": 0}, [False, True, True, False]),
        ({"column": "code", "eq": "SEPSIS"}, [True, False, False, False]),  # codes compare case-insensitively
        ({"column": "code", "in": ["c_diff", "fall"]}, [False, True, False, True]),
        ({"column": "code", "not_in": ["c_diff"]}, [True, False, False, True]),  # missing is not 'not in'
        ({"column": "code", "is_missing": True}, [False, False, True, False]),
        ({"column": "code", "is_missing": False}, [True, True, False, True]),
        ({"column": "flag", "eq": True}, [True, False, False, True]),
        ({"column": "when", "within": "24h"}, [True, False, False, True]),  # 07:29 yesterday is 24h01m ago
        (
            {"column": "when", "today": True},
            [True, False, False, False],
        ),  # 23:59:59 UTC is before London midnight (GMT)
        ({"column": "when", "before_extract": True}, [True, True, False, True]),
        ({"column": "day", "on_extract_date": True}, [True, False, False, True]),
        ({"all": [{"column": "score", "ge": 5}, {"column": "code", "eq": "c_diff"}]}, [False, True, False, False]),
        ({"any": [{"column": "score", "ge": 7}, {"column": "code", "eq": "fall"}]}, [False, False, True, True]),
        ({"not": {"column": "score", "ge": 5}}, [True, False, False, True]),
        ({"all": []}, [True, True, True, True]),
    ],
)
def test_condition_matches(condition, expected):
    assert mask(parse(condition), FRAME, CTX).tolist() == expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"column": "score"}, "needs exactly one operator"),
        ({"column": "score", "ge": 1, "le": 3}, "got ge, le"),
        ({"column": "when", "within": "yesterday"}, "a duration such as 90m, 24h or 7d is required"),
        ({"column": "score", "gt": "five"}, "valid number"),
    ],
)
def test_bad_condition_is_refused_with_reason(condition, message):
    with pytest.raises(ValidationError) as err:
        parse(condition)
    assert message in str(err.value)
