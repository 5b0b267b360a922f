"""Data status, the status strip on every view, and how each view fails: empty store, broken config, rejected
refresh."""

from __future__ import annotations

import re

import pytest

from metrics.extract.reasons import OTHER, reason_summary, reason_without_value
from dashboard.common.disclosure import markdown_text, without_locations
from metrics.store import queries
from tests.app.conftest import all_html

VIEWS = ["huddle", "wall", "exec", "status"]


def strip_of(at) -> str:
    strips = re.findall(
        r'<div class="ws-strip[^"]*" data-testid="ws-status-strip" role="status">(.*?)</div>', all_html(at)
    )
    assert len(strips) == 1
    return re.sub(r"<[^>]+>", "", strips[0])


@pytest.mark.parametrize("page", VIEWS)
def test_every_view_has_the_one_line_status_strip(run_view, sample_store, page):
    strip = strip_of(run_view(sample_store, page))
    quarantined = sum(c["quarantined"] for c in sample_store.current().row_counts.values())
    assert "loaded " in strip and f"{quarantined} row" in strip and "quarantined" in strip
    assert "✓ Up to date" in strip
    if page != "wall":  # the wall shows 'Data as at' large in its own header instead
        assert re.search(r"Data as at \d\d:\d\d \w{3} \d{1,2} \w{3}", strip)


def test_the_status_page_shows_the_snapshot_and_rows_per_table(run_view, sample_store):
    at = run_view(sample_store, "status")
    snap = sample_store.current()
    frames = [t.value for t in at.table] + [d.value for d in at.dataframe]
    facts = next(f for f in frames if "Value" in f.columns)
    assert markdown_text(snap.source) in facts["Value"].tolist()  # st.table renders Markdown: shown literally
    counts = next(f for f in frames if "Rows read" in f.columns).set_index("Table")
    for name, c in snap.row_counts.items():
        table = markdown_text(name)  # 'lab\_results': st.table renders Markdown, so names are shown literally
        assert counts.loc[table, "Rows read"] == c["read"]
        assert counts.loc[table, "Rows used"] == c["used"]
        assert counts.loc[table, "Rows quarantined"] == c["quarantined"]
    attempts = next(f for f in frames if "Outcome" in f.columns)
    assert len(attempts) == 3 and set(attempts["Outcome"]) == {"✓ loaded"}


def test_quarantined_rows_are_shown_as_counts_and_reasons_without_their_content(run_view, sample_store):
    at = run_view(sample_store, "status")
    snap = sample_store.current()
    raw = queries.quarantine_rows(sample_store.engine, snap.id)
    assert len(raw) > 0, "the sample is expected to carry deliberate bad rows"
    reasons = next(t.value for t in at.table if "Reason" in t.value.columns)
    assert reasons["Rows"].sum() == len(raw)
    assert "raw" not in [c.lower() for c in reasons.columns]
    shown = " ".join(str(v) for d in [*at.table, *at.dataframe] for v in d.value.astype(str).to_numpy().ravel())
    for content in raw["raw"]:
        assert content not in shown
    assert "900" not in " ".join(reasons["Reason"]), "an offending value reached the status page"


def test_a_reason_loses_its_value_but_keeps_what_must_hold():
    assert (
        reason_without_value("column 'heart_rate': 900 must be between 20 and 300")
        == "heart_rate must be between 20 and 300"
    )
    assert reason_without_value("column 'encounter_id': 'E00012' is not an encounter in this extract's encounters") == (
        "encounter_id is not an encounter in this extract's encounters"
    )
    assert (
        reason_without_value("column 'note': 'Mr Smith must be seen' must be one of A, B") == "note must be one of A, B"
    )
    assert reason_without_value("something unexpected about 'Mr Smith'") == OTHER
    summary = reason_summary(
        __import__("pandas").DataFrame(
            {
                "table_name": ["obs", "obs"],
                "reason": [
                    "column 'hr': 900 must be between 20 and 300",
                    "column 'hr': 950 must be between 20 and 300",
                ],
            }
        )
    )
    assert summary.to_dict("records") == [{"Table": "obs", "Reason": "hr must be between 20 and 300", "Rows": 2}]


@pytest.mark.parametrize("page", ["huddle", "exec", "status"])
def test_stale_data_is_marked_on_every_view(run_view, stale_store, page):
    at = run_view(stale_store, page)
    assert "⚠ STALE" in strip_of(at)
    assert "DATA IS STALE: reflects" in all_html(at)


@pytest.mark.parametrize("page", ["huddle", "wall", "exec"])
def test_a_rejected_refresh_is_said_and_the_last_good_data_stays_marked_stale(run_view, rejected_store, page):
    at = run_view(rejected_store, page)
    strip = strip_of(at)
    assert "Latest refresh REJECTED" in strip and "showing the last good data" in strip
    assert "DATA IS STALE" in all_html(at)
    if page == "huddle":
        stored = rejected_store.values("7A")["patients_on_ward"]["value"]
        assert f'<div class="ws-tile-value">{int(stored)}</div>' in all_html(at)


def test_the_status_page_shows_the_rejected_extracts_message(run_view, rejected_store):
    at = run_view(rejected_store, "status")
    attempts = queries.refresh_attempts(rejected_store.engine)
    message = attempts.iloc[0]["message"]
    assert attempts.iloc[0]["status"] == "rejected"
    assert any("latest refresh was rejected" in e.value for e in at.error)
    assert any(c.value == without_locations(message) for c in at.code)  # ward staff: its folder's path taken out


@pytest.mark.parametrize("page", VIEWS)
def test_an_empty_store_is_said_plainly_with_the_command_that_fills_it(run_view, empty_store, page):
    at = run_view(empty_store, page)
    texts = [i.value for i in at.info]
    assert any("python -m metrics demo" in t for t in texts), texts
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", VIEWS)
def test_a_broken_config_shows_its_problems_not_a_traceback(run_view, sample_store, broken_config_dir, page):
    from tests.app.conftest import Store

    at = run_view(Store(sample_store.url, broken_config_dir), page)
    shown = " ".join(c.value for c in at.code)
    assert "metrics.yaml" in shown and "lable" in shown
    assert not at.exception
