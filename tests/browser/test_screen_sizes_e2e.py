"""The huddle board and the wall at every screen size they are used on: nothing scrolls sideways, no text is
cut by its container, and no 'None', 'nan' or raw JSON reaches the page. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"

SIZES = {
    "huddle": [(1920, 1080), (1366, 768), (1024, 768)],
    "wall": [(1920, 1080), (1366, 768), (1280, 720), (1024, 768), (3840, 2160)],
}
CASES = [(view, w, h) for view, sizes in SIZES.items() for w, h in sizes]
URLS = {"huddle": "/?ward=7A", "wall": "/wall?wards=7A,7B,8C&rotate=30"}
READY = {"huddle": '[data-metric="patients_on_ward"]', "wall": '.wall-tile[data-metric="patients_on_ward"]'}

CUT_TEXT = """() => Array.from(document.querySelectorAll(
  '.ws-tile-label, .ws-tile-value, .ws-badge, .ws-spc, .ws-change, .wall-ward, .wall-summary, .wall-foot span,'
  + ' .ws-strip, .wall-asat, .ws-group, .ws-ward-head h2, button p'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
               && getComputedStyle(e).overflow !== 'visible')
  .map(e => e.className + ': ' + e.innerText.slice(0, 40))"""


@pytest.mark.parametrize(("view", "width", "height"), CASES, ids=[f"{v}-{w}x{h}" for v, w, h in CASES])
def test_the_view_fits_the_screen_without_cut_text(running_app, browser, view, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + URLS[view], wait_until="domcontentloaded")
    page.wait_for_selector(READY[view], timeout=90_000)
    page.wait_for_timeout(2000)  # late elements (charts) settle before reading and the screenshot
    sideways = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"{view} scrolls sideways by {sideways}px at {width}x{height}"
    assert page.evaluate(CUT_TEXT) == []
    text = page.inner_text("body")
    assert not re.search(r"\bNone\b|\bnan\b|\{\"", text)
    if view == "wall":
        tall = page.evaluate("() => document.scrollingElement.scrollHeight - window.innerHeight")
        assert tall <= 2, f"the wall scrolls by {tall}px at {width}x{height}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{view}-{width}x{height}.png"), full_page=view == "huddle")
    page.close()
