"""Each view in headless Chromium at the size it is used: the tiles say what the store says, and the
wall and executive screens show nothing that identifies a patient. Screenshots are kept in var/screenshots/."""

from __future__ import annotations


import pandas as pd
import pytest

from metrics.config.load import load_config
from metrics.store import queries
from metrics.store.database import make_engine
from tests.browser.conftest import SCREENSHOTS
from tests.identity import identifying_values, identity_shown

pytestmark = pytest.mark.browser
WALL = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}


def open_page(browser, url: str, viewport: dict, ready: str):
    page = browser.new_page(viewport=viewport)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(ready, timeout=90_000)
    page.wait_for_timeout(1500)  # let late elements (charts) settle before reading and the screenshot
    return page


def identifiers(app) -> set[str]:
    """Every value of every column the contract marks as identifying a patient, in the loaded extracts."""
    found: set[str] = set()
    for folder in app.extracts:
        found |= identifying_values(folder)
    return found


def stored_value(app, ward: str, metric: str) -> float | None:
    engine = make_engine(app.db_url)
    snap = queries.current_snapshot(engine)
    frame = queries.ward_values(engine, snap.id)
    row = frame[(frame.ward_code == ward) & (frame.metric_id == metric)].iloc[0]
    return None if pd.isna(row["value"]) else float(row["value"])


def test_huddle_board_tiles_match_the_store_on_a_laptop(running_app, browser):
    page = open_page(browser, f"{running_app.base_url}/?ward=7A", LAPTOP, "[data-barometer]")
    page.evaluate(  # open the sections that start folded (those with nothing red or amber)
        """() => document.querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')
                 .forEach(s => s.click())"""
    )
    page.wait_for_selector('.ws-tile[data-metric="patients_on_ward"]', timeout=30_000)
    for metric in ("patients_on_ward", "missed_critical_doses_today", "aki", "sepsis", "obs_hourly_or_more"):
        shown = page.locator(f'[data-metric="{metric}"][data-ward="7A"] .ws-tile-value').first.inner_text().strip()
        assert shown == f"{stored_value(running_app, '7A', metric):g}", metric
    assert "Traceback" not in page.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "huddle-laptop.png"), full_page=True)
    page.close()


def test_wall_fits_a_1920_screen_and_shows_no_patient_identity(running_app, browser):
    page = open_page(
        browser, f"{running_app.base_url}/wall?wards=7A,7B,8C&rotate=30", WALL, '[data-metric="patients_on_ward"]'
    )
    text = page.inner_text("body")
    assert not identity_shown(text, identifiers(running_app))
    assert "Data as at" in text
    overflow = page.evaluate("() => document.scrollingElement.scrollHeight - window.innerHeight")
    assert overflow <= 2, f"the wall scrolls by {overflow}px at 1920x1080"
    numbers = page.evaluate(
        "() => Array.from(document.querySelectorAll('.wall-tile .ws-tile-value')).map(e => "
        "e.getBoundingClientRect().height)"
    )
    assert numbers and max(numbers) - min(numbers) <= 2, (
        f"a long label shrinks its tile's number: heights {sorted(set(numbers))}"
    )
    shown = page.locator('[data-metric="patients_on_ward"] .ws-tile-value').first.inner_text().strip()
    assert shown == f"{stored_value(running_app, '7A', 'patients_on_ward'):g}"
    page.screenshot(path=str(SCREENSHOTS / "wall-1920.png"))
    page.close()


def test_exec_wall_has_every_ward_and_no_patient_identity(running_app, browser):
    cfg = load_config()
    page = open_page(
        browser, f"{running_app.base_url}/exec?mode=analyst", WALL, "table.ws-exec"
    )  # the grid itself, not an earlier heading
    text = page.inner_text("body")
    for ward in cfg.wards.wards:
        assert ward.name in text or ward.code in text, ward.code
    assert not identity_shown(text, identifiers(running_app))
    page.screenshot(path=str(SCREENSHOTS / "exec-1920.png"), full_page=True)
    page.close()


def test_exec_grid_fits_a_laptop_without_scrolling_sideways(running_app, browser):
    page = open_page(browser, f"{running_app.base_url}/exec?mode=analyst", LAPTOP, "table.ws-exec")
    # The analyst's grid may scroll sideways inside its own box; the page itself never does.
    wide, shown = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= shown + 2, f"the page scrolls sideways by {wide - shown}px on a {LAPTOP['width']}px laptop"
    cut = page.evaluate(
        "() => Array.from(document.querySelectorAll('th.ws-metric-head')).filter(e => e.scrollHeight > e.clientHeight "
        "+ 1).map(e => e.textContent)"
    )
    assert not cut, f"column heads cut off: {cut}"
    page.screenshot(path=str(SCREENSHOTS / "exec-laptop.png"))
    page.close()


def test_status_page_reports_the_snapshot_and_quarantine(running_app, browser):
    engine = make_engine(running_app.db_url)
    snap = queries.current_snapshot(engine)
    page = open_page(browser, f"{running_app.base_url}/status", LAPTOP, "text=Quarantined")
    page.get_by_text(snap.source.split(" ")[0]).first.wait_for(
        timeout=60_000
    )  # the facts table may draw after the heading
    text = page.inner_text("body")
    assert "Traceback" not in text
    assert snap.source.split(" ")[0] in text
    page.screenshot(path=str(SCREENSHOTS / "status-laptop.png"), full_page=True)
    page.close()
