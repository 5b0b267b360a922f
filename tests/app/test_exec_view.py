"""The executive view's analyst mode (/exec?mode=analyst): every ward × executive metric, totals recomputed
from parts, wards in need, today's huddles, a trend. The wall mode is in test_exec_wall.py."""

from __future__ import annotations

import re

import pytest

from dashboard.common.formatting import column_title
from metrics.extract.contract import IDENTIFYING_COLUMNS
from metrics.store import queries
from tests.app.conftest import all_html, expected_value_text
from tests.identity import identifying_values, identity_shown, latest_extract


def exec_metrics(store):
    return [m for m in store.cfg.metrics if "executive" in {a.value for a in m.audiences}]


@pytest.fixture(scope="module")
def exec_view(sample_store):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", sample_store.url)
    mp.setenv("WARD_DASHBOARD_CONFIG", str(sample_store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.switch_page("views/exec.py")
    at.query_params["mode"] = "analyst"
    at.run()
    mp.undo()
    assert not at.exception, [e.value for e in at.exception]
    return at


def grid_html(at) -> str:
    found = [e.value for e in at.html if 'class="ws-exec"' in e.value]
    assert len(found) == 1
    return found[0]


def ward_rows(grid: str) -> list[str]:
    return re.findall(r'<tr data-ward="([^"]+)">', grid)


def cell_texts(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html)]


def test_the_grid_has_every_ward_once_grouped_by_site(exec_view, sample_store):
    grid = grid_html(exec_view)
    cfg = sample_store.cfg
    assert sorted(ward_rows(grid)) == sorted(w.code for w in cfg.wards.wards)
    sites = re.findall(r'<tr class="ws-site-row"><th colspan="\d+">([^<]+)</th>', grid)
    assert sites == [s.name.replace("'", "&#x27;") for s in cfg.wards.sites]


def test_the_grid_has_every_executive_metric_and_no_patient_columns(exec_view, sample_store):
    grid = grid_html(exec_view)
    heads = re.findall(r'<th class="ws-metric-head" data-metric="([^"]+)"', grid)
    group_position = {g.code: i for i, g in enumerate(sample_store.cfg.dashboard.groups)}
    board_order = sorted(exec_metrics(sample_store), key=lambda m: (group_position[m.group], m.order))
    assert heads == [m.id for m in board_order]
    html = all_html(exec_view)
    page = html.lower()
    for column in sorted(IDENTIFYING_COLUMNS):
        for word in (column, column_title(column).lower()):
            assert f">{word}<" not in page and f"{word}</th>" not in page, word
    values = identifying_values(latest_extract(sample_store.url))
    assert values and not identity_shown(html, values)
    assert not exec_view.expander and not exec_view.get("popover")
    # The tables: huddles, the SPC summary (measures by scope) and accreditation by ward and site, never a patient.
    assert [list(t.value.columns) for t in exec_view.dataframe] == [
        [
            "Site",
            "Ward",
            "Feel safe (median, 1-5)",
            "Rated safety",
            "Reliability (median, 1-5)",
            "Rated reliability",
            "Open huddle actions",
        ],
        ["Measure", "Scope", "Latest", "Target", "Variation", "Assurance"],
        ["Site", "Ward", "Level", "Last visit", "Next visit due", "Overdue"],
        ["Site", "Gold", "Silver", "Bronze", "Support", "Not yet accredited"],
    ]


def test_each_ward_cell_shows_the_stored_value_with_its_rag_icon(exec_view, sample_store):
    grid = grid_html(exec_view)
    metrics = exec_metrics(sample_store)
    heads = re.findall(r'<th class="ws-metric-head" data-metric="([^"]+)"', grid)
    row = re.search(r'<tr data-ward="9A">(.*?)</tr>', grid).group(1)
    cells = cell_texts(row)[3:]  # ward, reds, ambers
    stored = sample_store.values("9A")
    icons = {"red": "●", "amber": "▲", "green": "✓"}
    by_id = {m.id: m for m in metrics}
    for metric_id, text in zip(heads, cells, strict=True):
        row_value = stored[metric_id]
        expected = expected_value_text(by_id[metric_id], row_value)
        if isinstance(row_value["rag"], str):
            expected = f"{icons[row_value['rag']]} {expected}"
        assert text == expected, metric_id


def test_reds_and_ambers_are_counted_per_ward(exec_view, sample_store):
    grid = grid_html(exec_view)
    ids = {m.id for m in exec_metrics(sample_store)}
    for ward in ("7A", "N1", "S3"):
        row = re.search(rf'<tr data-ward="{ward}">(.*?)</tr>', grid).group(1)
        _, reds, ambers = cell_texts(row)[:3]
        stored = [r for m, r in sample_store.values(ward).items() if m in ids]
        assert int(reds) == sum(r["rag"] == "red" for r in stored)
        assert int(ambers) == sum(r["rag"] == "amber" for r in stored)


def test_trust_totals_sum_counts_and_recompute_ratios_from_their_parts(exec_view, sample_store):
    grid = grid_html(exec_view)
    heads = re.findall(r'<th class="ws-metric-head" data-metric="([^"]+)"', grid)
    total_row = re.search(r'<tr class="ws-trust">(.*?)</tr>', grid).group(1)
    totals = dict(zip(heads, cell_texts(total_row)[3:], strict=True))
    values = queries.ward_values(sample_store.engine, sample_store.current().id)
    by_id = {m.id: m for m in exec_metrics(sample_store)}
    ratios_checked = 0
    for metric_id, shown in totals.items():
        rows = values[values["metric_id"] == metric_id]
        if by_id[metric_id].ratio is not None:
            total = rows["numerator"].sum() / rows["denominator"].sum() * (by_id[metric_id].per or 1)
            expected = (
                f"{round(total * 100)}%" if by_id[metric_id].display in ("percent", "staffing") else f"{total:.1f}"
            )
            ratios_checked += 1
        else:
            expected = str(int(rows["value"].sum()))
        assert shown == expected, metric_id
    assert ratios_checked >= 4


def test_site_totals_cover_only_that_sites_wards(exec_view, sample_store):
    grid = grid_html(exec_view)
    heads = re.findall(r'<th class="ws-metric-head" data-metric="([^"]+)"', grid)
    site_row = re.search(r'<tr class="ws-total"><td class="ws-ward">NVH total</td>(.*?)</tr>', grid).group(1)
    shown = dict(zip(heads, cell_texts(site_row)[2:], strict=True))
    nvh = [w.code for w in sample_store.cfg.wards.wards if w.site == "NVH"]
    values = queries.ward_values(sample_store.engine, sample_store.current().id)
    rows = values[(values["metric_id"] == "patients_on_ward") & values["ward_code"].isin(nvh)]
    assert shown["patients_on_ward"] == str(int(rows["value"].sum()))


def test_sorting_by_reds_puts_the_reddest_ward_first_within_each_site(run_view, sample_store):
    at = run_view(sample_store, "exec", mode="analyst", sort="reds")
    assert at.radio[0].value == "reds"
    grid = grid_html(at)
    for site_block in re.split(r'<tr class="ws-site-row">', grid)[1:]:
        reds = [int(cell_texts(r)[1]) for r in re.findall(r'<tr data-ward="[^"]+">(.*?)</tr>', site_block)]
        assert reds == sorted(reds, reverse=True)


def test_the_wards_most_in_need_of_support_have_the_most_reds(exec_view, sample_store):
    ids = {m.id for m in exec_metrics(sample_store)}
    values = queries.ward_values(sample_store.engine, sample_store.current().id)
    values = values[values["metric_id"].isin(ids)]
    reds = values[values["rag"] == "red"].groupby("ward_code").size()
    html = all_html(exec_view)
    first = re.search(r'<div class="ws-support-card" data-ward="([^"]+)"', html).group(1)
    assert reds.get(first, 0) == reds.max()


def test_a_trend_is_drawn_for_the_chosen_metric_and_scope(run_view, sample_store):
    at = run_view(sample_store, "exec", mode="analyst", metric="staff_fill_rate_overall", scope="site:NVH")
    assert at.selectbox(key="exec_metric").value == "staff_fill_rate_overall"
    assert at.selectbox(key="exec_scope").value == "site:NVH"
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the trend, and the equity section's bars by group
    trend = [c for c in charts if "Nursing fill rate, all shifts: Site: Northvale Hospital" in c.proto.spec]
    assert len(trend) == 1


def test_no_tile_or_patient_list_on_the_exec_view(exec_view):
    assert "ws-tile" not in all_html(exec_view).replace(".ws-tile", "")
    assert not exec_view.get("download_button")
