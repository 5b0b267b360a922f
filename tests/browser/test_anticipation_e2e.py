"""The reference board's nurses on shift, the risks for later today and tomorrow, and the 'how safe do we feel' chart
in the real app at each huddle screen size: nothing cut off, no 'None' or 'nan'. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

import pytest

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle import inputs as huddle
from metrics.huddle.config import load_huddle_config
from metrics.store.audit import Actor
from metrics.store.database import make_engine
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 768)]
PARTS = {
    "nurses-on-shift": '[data-metric="nurses_registered_day"]',
    "anticipation": '[data-metric="next_shift_care_hours_short"]',
    "feel-safe": "text=How safe do we feel? The last 90 days as an SPC chart",
}


@pytest.fixture(scope="module")
def rated_7b(running_app) -> None:
    """Twelve days of 'how safe do we feel' answers on 7B (none today, so no other test's counts change)."""
    engine = make_engine(running_app.db_url)
    cfg, hcfg = load_config(DEFAULT_CONFIG_DIR), load_huddle_config(DEFAULT_CONFIG_DIR)
    today = huddle.london_today()
    for back in range(1, 13):
        moment = datetime.combine(today - timedelta(days=back), time(9, 0), tzinfo=timezone.utc)
        for score in (3, 4, 4 + back % 2):
            huddle.record_rating(
                engine, cfg, hcfg, ward_code="7B", score=score, kind="feel_safe", actor=Actor("device-e2e"), now=moment
            )
    engine.dispose()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_new_parts_of_the_huddle_board_fit_the_screen(running_app, browser, rated_7b, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + "/?ward=7B", wait_until="domcontentloaded")
    page.wait_for_selector("[data-barometer]", timeout=90_000)
    page.evaluate(  # open the sections that start folded (those with nothing red or amber)
        """() => document.querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')
                 .forEach(s => s.click())"""
    )
    page.wait_for_selector('[data-metric="patients_on_ward"]', timeout=90_000)
    page.wait_for_timeout(2000)
    text = page.inner_text("body")
    assert not re.search(r"\bNone\b|\bnan\b|\{\"", text)
    assert "not supplied" not in text  # the synthetic trust supplies every optional table
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, selector in PARTS.items():
        element = page.locator(selector).first
        element.scroll_into_view_if_needed(timeout=60_000)
        if name == "feel-safe":
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"huddle-{name}-{width}x{height}.png"))
    page.close()
