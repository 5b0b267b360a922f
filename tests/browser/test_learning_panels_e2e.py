"""The learning panel and the five questions in real Chromium at the screen sizes they are used on: nothing
scrolls sideways, no text is cut by its box, no 'None' or 'nan'. Each panel's screenshot goes to docs/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.learning.config import load_learning_config
from metrics.learning.responses import london_date, record_response, ward_status
from metrics.store import queries
from metrics.store.audit import Actor
from metrics.store.database import make_engine
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 768)]
CUT = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
          && getComputedStyle(e).overflow !== 'visible')
  .map(e => e.className + ': ' + e.innerText.slice(0, 40))"""
PANEL_TEXT = ".dm-q h4, .dm-q li span, .ln-count, table.ln-list td, .ln-themes"


@pytest.fixture(scope="module")
def two_responses(running_app) -> None:
    """Two of 7A's harm incidents answered, both naming staffing: the panel shows responses and a recurring theme."""
    engine = make_engine(running_app.db_url)
    cfg, lcfg = load_config(DEFAULT_CONFIG_DIR), load_learning_config(DEFAULT_CONFIG_DIR)
    now = datetime.now(timezone.utc)
    snapshot = queries.current_snapshot(engine)
    status = ward_status(engine, snapshot.id, ["7A"], lcfg, now)
    for incident, kind in zip(status["incident_id"].tolist()[:2], ("swarm_huddle", "after_action_review"), strict=True):
        record_response(
            engine, cfg, lcfg, snapshot_id=snapshot.id, ward_code="7A", incident_id=incident, kind=kind,
            held_on=london_date(now), factors=["staffing", "communication"], actor=Actor("device-e2e"), now=now,
        )  # fmt: skip
    engine.dispose()


def check_panel(page, selector: str) -> None:
    page.wait_for_selector(selector, timeout=90_000)
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate(CUT, PANEL_TEXT) == []
    assert not re.search(r"\bNone\b|\bnan\b", page.locator(selector).first.inner_text())


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_huddle_panels_fit_the_screen_and_are_photographed(running_app, browser, two_responses, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + "/?ward=7A", wait_until="domcontentloaded")
    check_panel(page, '.dm-panel[data-ward="7A"]')
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator('.dm-panel[data-ward="7A"]').screenshot(path=str(SHOTS / f"dimensions-huddle-{width}x{height}.png"))
    check_panel(page, "table.ln-list")
    assert page.locator('.ln-count[data-count="responded"] b').inner_text() == "2"
    assert "Staffing levels and skill mix (2 responses)" in page.locator(".ln-themes").inner_text()
    learning = page.locator(".st-key-learning_panel")
    learning.screenshot(path=str(SHOTS / f"learning-huddle-{width}x{height}.png"))
    page.close()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_executive_five_questions_fit_the_screen_and_are_photographed(running_app, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + "/exec?mode=analyst", wait_until="domcontentloaded")
    check_panel(page, '.dm-panel[data-ward="7A"]')
    page.get_by_text("The five questions of safety, ward by ward").evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"dimensions-exec-{width}x{height}.png"))  # the section's first wards
    page.close()
