"""The executive wall's Equity section: pick a proportion measure and a split; bars, the table and the SII."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.common.formatting import column_title
from metrics.equity.groups import SPLITS
from metrics.equity.sii import slope_index
from metrics.extract.contract import Identifying, TABLES
from metrics.store.models import EquitySplitValue
from tests.app.conftest import all_html

SENSITIVE = [c.name for t in TABLES for c in t.columns if c.identifying is Identifying.SENSITIVE]


def stored_totals(store, metric: str, split: str) -> dict[str, tuple[float, float]]:
    """The store's own rows summed by pandas: independent of the view's query."""
    with store.engine.connect() as conn:
        rows = pd.read_sql(
            select(EquitySplitValue).where(
                EquitySplitValue.snapshot_id == store.current().id,
                EquitySplitValue.metric_id == metric,
                EquitySplitValue.split == split,
            ),
            conn,
        )
    summed = rows.groupby("group_label")[["numerator", "denominator"]].sum()
    return {g: (r.numerator, r.denominator) for g, r in summed.iterrows()}


def equity_table(at) -> str:
    found = [e.value for e in at.html if "ws-equity-table" in e.value]
    assert len(found) == 1
    return found[0]


def table_rows(html: str) -> list[list[str]]:
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1])
    ]


@pytest.fixture(scope="module")
def equity_views(sample_store):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", sample_store.url)
    mp.setenv("WARD_DASHBOARD_CONFIG", str(sample_store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("views/exec.py")
    at.query_params["mode"] = "analyst"  # the equity lens is part of the analyst mode
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    views = {"deprivation": (all_html(at), equity_table(at), [m.value for m in at.markdown])}
    at.selectbox(key="equity_metric").set_value("news2_5_or_more").run()
    views["news2 deprivation"] = (all_html(at), equity_table(at), [m.value for m in at.markdown])
    at.selectbox(key="equity_split").set_value("ethnicity").run()
    views["news2 ethnicity"] = (all_html(at), equity_table(at), [m.value for m in at.markdown])
    options = at.selectbox(key="equity_metric").options
    mp.undo()
    return views, options


def test_the_measures_offered_are_the_proportion_measures_of_the_board(equity_views, sample_store):
    _, options = equity_views
    with sample_store.engine.connect() as conn:
        split = set(
            conn.execute(
                select(EquitySplitValue.metric_id).where(EquitySplitValue.snapshot_id == sample_store.current().id)
            ).scalars()
        )
    assert options == [m.label for m in sample_store.cfg.metrics if m.id in split]
    assert {"news2_5_or_more", "sepsis", "aki", "assessments_overdue"} <= split
    assert not [m for m in split if m.startswith(("staff_", "nurses_", "missed_critical"))]


def test_the_deprivation_split_shows_every_quintile_in_order_with_the_sii_of_the_stored_counts(
    equity_views, sample_store
):
    views, _ = equity_views
    _, table, markdown = views["news2 deprivation"]
    rows = table_rows(table)
    assert [r[0] for r in rows] == list(SPLITS["deprivation"][1])
    totals = stored_totals(sample_store, "news2_5_or_more", "deprivation")
    quintiles = SPLITS["deprivation"][1][:5]
    for row, group in zip(rows, quintiles):
        n, d = totals.get(group, (0, 0))
        if row[1] == "suppressed":
            assert row[3] == "suppressed" and row[2] in ("suppressed", f"{int(d):,}")
        else:
            assert not (1 <= n <= 7 or 1 <= d <= 7)
            assert row[1:] == [f"{int(n):,}", f"{int(d):,}", f"{n / d * 100:.1f}%"]
    sii = slope_index([totals.get(g, (0, 0))[0] for g in quintiles], [totals.get(g, (0, 0))[1] for g in quintiles])
    said = [m for m in markdown if m.startswith("Slope index of inequality:")]
    assert said == [
        f"Slope index of inequality: {sii.sii * 100:+.1f} percentage points (95% interval {sii.lower * 100:+.1f} to "
        f"{sii.upper * 100:+.1f}): the most deprived end minus the least deprived end of the line fitted across "
        "the quintiles, each weighted by its patients. Above zero: more common among the most deprived."
    ]


def test_no_count_from_1_to_7_is_shown_and_suppressed_groups_say_so(equity_views, sample_store):
    views, _ = equity_views
    _, table, _ = views["news2 ethnicity"]
    rows = table_rows(table)
    assert [r[0] for r in rows] == list(SPLITS["ethnicity"][1])
    shown = [int(c.replace(",", "")) for r in rows for c in r[1:3] if c != "suppressed"]
    assert not [c for c in shown if 1 <= c <= 7]
    totals = stored_totals(sample_store, "news2_5_or_more", "ethnicity")
    small = [g for g, (n, d) in totals.items() if 1 <= n <= 7 or 1 <= d <= 7]
    assert small, "the sample has small groups to suppress"
    for row in rows:
        if row[0] in small:
            assert row[1] == "suppressed" and row[3] == "suppressed"
    assert sum(r[1] == "suppressed" for r in rows) != 1  # never one alone: the total would give it away


def test_the_section_never_names_a_sensitive_column(equity_views):
    views, _ = equity_views
    for html, _, markdown in views.values():
        page = (html + "\n".join(markdown)).lower()
        for column in SENSITIVE:
            for word in (column, column_title(column).lower()):
                assert word not in page, word
