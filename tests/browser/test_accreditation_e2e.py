"""Ward accreditation in Chromium: the assessor's form at every screen size it is used on, with nothing cut off and
no 'None' or 'nan'. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 768)]

CUT_TEXT = """() => Array.from(document.querySelectorAll('.acc-badge, .acc-domain, .acc-line span, button p'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
               && getComputedStyle(e).overflow !== 'visible')
  .map(e => e.className + ': ' + e.innerText.slice(0, 40))"""


def check_page(page, width: int, height: int) -> None:
    sideways = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"scrolls sideways by {sideways}px at {width}x{height}"
    assert page.evaluate(CUT_TEXT) == []
    assert not re.search(r"\bNone\b|\bnan\b|\{\"", page.inner_text("body"))


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_assessors_form_fits_the_screen(running_app, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(running_app.base_url + "/accreditation?ward=7A", wait_until="domcontentloaded")
    page.wait_for_selector('[data-accreditation="7A"] .acc-badge', timeout=90_000)
    page.get_by_text("Record a visit").wait_for(timeout=90_000)
    page.wait_for_timeout(1500)
    check_page(page, width, height)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"accreditation-form-{width}x{height}.png"))
    page.close()
