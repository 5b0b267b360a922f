"""The huddle board and the wall at every screen size they are used on: nothing scrolls sideways, no text is
cut by its container or overlaps another piece, and no 'None', 'nan' or raw JSON reaches the page. A fresh store
shows no stale banner. Screenshots go to docs/screenshots/ (look at them: a test sees boxes, not legibility)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import ROOT, UNCOVERED

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"

SIZES = {
    "huddle": [(1920, 1080), (1366, 768), (1024, 768)],
    "wall": [(1920, 1080), (1366, 768), (1280, 720), (1024, 768), (3840, 2160)],
}
CASES = [(view, w, h) for view, sizes in SIZES.items() for w, h in sizes]
URLS = {"huddle": "/?ward=7A", "wall": "/wall?wards=7A,7B,8C&rotate=30"}
# Drawn last: the huddle's Safety Barometer (in the inputs, after every section), the wall's tiles.
READY = {"huddle": "[data-barometer]", "wall": '.wall-tile[data-metric="patients_on_ward"]'}
UNFOLD = """() => { const shut = Array.from(document.querySelectorAll(
  '[data-testid="stExpander"] details:not([open]) > summary'));
  shut.forEach(s => s.click()); return shut.length; }"""

# Text cut by its own box: wider (or taller) than the box shows, where the box hides what overflows.
CUT_BY_OWN_BOX = """() => Array.from(document.querySelectorAll(
  '.ws-tile-label, .ws-tile-value, .ws-badge, .ws-spc, .ws-change, .wall-ward, .wall-summary, .wall-foot span,'
  + ' .ws-strip, .wall-asat, .ws-group, .ws-ward-head h2, button p, .ws-attention, .ws-today, summary p'))
  .filter(e => e.checkVisibility() && getComputedStyle(e).overflow !== 'visible'
               && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
  .map(e => e.className + ': ' + e.innerText.slice(0, 40))"""

# Text cut by a container that hides its overflow (a tile, a button, the wall): any piece of text whose box
# reaches outside the box of the nearest ancestor that clips.
CUT_BY_CONTAINER = """() => {
  const cut = [];
  const clips = e => { const s = getComputedStyle(e); return /hidden|clip/.test(s.overflowX + ' ' + s.overflowY); };
  const scrolls = e => { const s = getComputedStyle(e); return /auto|scroll/.test(s.overflowX + ' ' + s.overflowY); };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || !n.parentElement || !n.parentElement.checkVisibility()) continue;
    const el = n.parentElement;
    if (el.closest('[data-testid="stSidebar"], [aria-hidden="true"], script, style')) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let box = el.parentElement;
    while (box && box !== document.body && !clips(box) && !scrolls(box)) box = box.parentElement;
    if (!box || box === document.body || scrolls(box)) continue;  // a scrolling box shows the rest on a scroll
    const b = box.getBoundingClientRect();
    if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)
      cut.push(el.className + ': ' + n.textContent.trim().slice(0, 40));
  }
  return cut;
}"""

# Pieces of the board drawn over one another (a tile over the staffing grid, a gauge over a button).
OVERLAPS = """() => {
  const parts = Array.from(document.querySelectorAll(
    '.ws-tile, table.ws-staff-grid, table.ws-compact, [data-testid="stButton"], [data-testid="stDownloadButton"],'
    + ' [data-testid="stExpander"] > details > summary, .ws-attention, .ws-today, .ws-ward-head'))
    .filter(e => e.checkVisibility()).map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && r.height > 0);
  const hits = [];
  for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
    const [a, ra] = parts[i], [b, rb] = parts[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 2 && h > 2) hits.push(a.className + ' / ' + b.className);
  }
  return hits;
}"""

SCROLLER = """() => { const m = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
  return [document.scrollingElement.scrollWidth - window.innerWidth, m.scrollWidth - m.clientWidth,
          Math.max(document.scrollingElement.scrollHeight, m.scrollHeight) - window.innerHeight]; }"""


def _bottom_of(page, selector: str) -> float:
    """The lowest edge of what ``selector`` matches, in page coordinates as first drawn (before any scroll)."""
    return page.evaluate(
        f"() => Math.max(...Array.from(document.querySelectorAll('{selector}')).map(e => "
        "e.getBoundingClientRect().bottom))"
    )


@pytest.mark.parametrize(("view", "width", "height"), CASES, ids=[f"{v}-{w}x{h}" for v, w, h in CASES])
def test_the_view_fits_the_screen_without_cut_text(running_app, browser, view, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + URLS[view], wait_until="domcontentloaded")
    page.wait_for_selector(READY[view], timeout=90_000)
    page.wait_for_timeout(2000)  # late elements (charts) settle before reading and the screenshot
    sideways, main_sideways, tall = page.evaluate(SCROLLER)
    assert sideways <= 0 and main_sideways <= 0, f"{view} scrolls sideways at {width}x{height}"
    assert page.evaluate(CUT_BY_OWN_BOX) == []
    assert page.evaluate(CUT_BY_CONTAINER) == []
    assert page.evaluate(OVERLAPS) == []
    text = page.inner_text("body")
    assert not re.search(r"\bNone\b|\bnan\b|\bNaN\b|\{\"|\[\{", text)
    assert page.locator('[data-testid="ws-stale-banner"]').count() == 0, "a fresh store shows a stale banner"
    if view == "wall":
        assert tall <= 2, f"the wall scrolls by {tall}px at {width}x{height}"
    else:  # the huddle: what needs attention, today's ratings and open actions show before any scroll
        assert _bottom_of(page, '[data-testid="huddle-attention"], [data-testid="huddle-today"]') <= height
        assert page.evaluate(UNCOVERED) is None, "the app's header is drawn over the first line"
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.count() == 0 or sidebar.get_attribute("data-collapsed") == "true", "the sidebar starts open"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{view}-{width}x{height}.png"))
    if view == "huddle":  # every folded section opened: its tiles, staffing grid and buttons fit too
        assert page.evaluate(UNFOLD) > 0
        page.wait_for_selector('.ws-tile[data-metric="patients_on_ward"]', timeout=30_000)
        try:  # the sections open with an animation (slow on a busy machine): boxes are compared once it has ended
            page.wait_for_function(
                f"() => ({OVERLAPS})().length + ({CUT_BY_CONTAINER})().length === 0", timeout=30_000, polling=500
            )
        except PlaywrightTimeout:
            pass  # a lasting overlap is reported, with its pieces, below
        assert page.evaluate(OVERLAPS) == []
        assert page.evaluate(CUT_BY_OWN_BOX) == []
        assert page.evaluate(CUT_BY_CONTAINER) == []
        assert max(page.evaluate(SCROLLER)[:2]) <= 0, "the unfolded board scrolls sideways"
    page.close()
