"""The audit log's detail column reads as fields, never as raw JSON."""

import pytest

from dashboard.admin.audit_log import _detail_text


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        (None, ""),
        ({}, ""),
        ({"reason": "Ward 8C is not one of your wards.", "action": "view_board"},
         "action: view_board; reason: Ward 8C is not one of your wards."),
        ({"wards": ["7A", "7B"], "label": "Ward 7 corridor", "expires_at": None},
         "label: Ward 7 corridor; wards: 7A, 7B"),
        ({"filters": {"from": "2026-11-01", "ward": None}}, "filters: from 2026-11-01"),
        ('{"rows": 12, "table_name": "observations"}', "rows: 12; table name: observations"),
        ("not json at all", "not json at all"),
    ],
)
def test_detail_is_shown_as_named_fields(detail, expected):
    text = _detail_text(detail)
    assert text == expected
    assert "{" not in text and '"' not in text
