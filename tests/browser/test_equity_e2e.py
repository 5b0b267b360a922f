"""The executive wall's Equity section in the real app at each screen size: bars, the group table and the SII,
nothing cut off, no 'None' or 'nan'. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 768)]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_equity_section_fits_the_screen(running_app, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + "/exec?mode=analyst", wait_until="domcontentloaded")
    page.wait_for_selector("table.ws-exec", timeout=90_000)
    table = page.locator("table.ws-equity-table").first
    table.scroll_into_view_if_needed(timeout=90_000)
    page.wait_for_selector(".js-plotly-plot .bars", timeout=60_000)
    page.wait_for_timeout(1500)
    section = table.inner_text()
    assert "Q1 most deprived (Core20)" in section and "Q5 least deprived" in section
    body = page.inner_text("body")
    assert "Slope index of inequality:" in body
    assert not re.search(r"\bNone\b|\bnan\b|\bNaN\b", body)
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width  # not cut off at the side
    page.locator("text=Slope index of inequality:").first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 120)")
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"exec-equity-{width}x{height}.png"))
    page.close()
