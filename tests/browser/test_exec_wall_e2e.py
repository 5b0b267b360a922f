"""The executive wall in Chromium at the screen sizes it is used on: 24 wards fit one 1920x1080 screen without
scrolling, nothing scrolls sideways or is cut by its container at 1920x1080, 1366x768 and 1024x768, and no
'None' or 'nan' reaches the page. The analyst mode scrolls inside its own box, never the page sideways.
Screenshots go to docs/screenshots/exec-<w>x<h>.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 768)]

# Table cells are checked whatever their overflow (a cell's text running past its edge overlaps its neighbour).
CUT = """() => Array.from(document.querySelectorAll(
  'table.xw-grid td, table.xw-grid th, .xw-top span, .xw-key, .ws-strip, table.ws-exec td, table.ws-exec th'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.className + ': ' + e.innerText.slice(0, 40))"""
FIT = """() => {
  const table = document.querySelector('table.xw-grid').getBoundingClientRect();
  const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
  return {sideways: document.scrollingElement.scrollWidth - innerWidth,
          tall: Math.max(document.scrollingElement.scrollHeight, main.scrollHeight) - innerHeight,
          bottom: table.bottom - innerHeight, right: table.right - innerWidth,
          rows: document.querySelectorAll('table.xw-grid tr[data-ward]').length,
          cellPx: parseFloat(getComputedStyle(document.querySelector('td.xw-v')).fontSize)}
}"""


def no_none_or_nan(page) -> None:
    text = page.inner_text("body")
    assert not re.search(r"\bNone\b|\bnan\b|\{\"", text)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_executive_wall_fits_the_screen_with_nothing_cut(running_app, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + "/exec", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="exec-wall"] td.xw-v', timeout=90_000)
    page.wait_for_timeout(1500)
    fit = page.evaluate(FIT)
    assert fit["sideways"] <= 0 and fit["right"] <= 0, fit
    assert fit["rows"] == 24
    if (width, height) == (1920, 1080):  # every ward and every total on one screen, read from two metres
        assert fit["tall"] <= 2 and fit["bottom"] <= 0, fit
        assert fit["cellPx"] >= 18, fit
    assert page.evaluate(CUT) == []
    no_none_or_nan(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"exec-{width}x{height}.png"))
    page.close()


def test_the_analyst_mode_scrolls_inside_its_own_box_at_1024(running_app, browser):
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(running_app.base_url + "/exec?mode=analyst", wait_until="domcontentloaded")
    page.wait_for_selector("table.ws-exec td", timeout=90_000)
    page.wait_for_timeout(2000)
    assert page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    box = page.evaluate(
        "() => { const w = document.querySelector('.ws-exec-wrap'); return [w.scrollWidth, w.clientWidth,"
        " getComputedStyle(w).overflowX]; }"
    )
    assert box[2] == "auto"  # the grid is wider than the screen: it scrolls in its box
    assert page.evaluate(CUT) == []
    no_none_or_nan(page)
    page.evaluate(  # the app scrolls inside its main box: bring the grid's heads just below the app's header
        "() => { document.querySelector('table.ws-exec').scrollIntoView({block: 'start'});"
        " (document.querySelector('[data-testid=\"stMain\"]') || document.scrollingElement).scrollBy(0, -90); }"
    )
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "exec-analyst-1024x768.png"))
    page.close()
