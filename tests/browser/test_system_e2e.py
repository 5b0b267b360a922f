"""The system view in Chromium: both trusts, a funnel plot with its limits, the planted outlier ward in the
outlier table and the equity panel, at the screen sizes an integrated care board uses. Screenshots go to
docs/screenshots/."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest

from metrics.config.models import DEFAULT_CONFIG_DIR
from tests.browser.conftest import ROOT, UNCOVERED, RunningApp, start_app
from tests.system_builder import build_system, hub_from

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 768)]


@pytest.fixture(scope="module")
def hub_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    root = tmp_path_factory.mktemp("system_browser")
    url = f"sqlite:///{root / 'hub.sqlite'}"
    hub_from(build_system(root), url)
    proc, base = start_app(url, DEFAULT_CONFIG_DIR)
    try:
        yield RunningApp(base, url, [])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_system_view_shows_both_trusts_the_funnel_limits_and_the_outlier(hub_app, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(hub_app.base_url + "/system", wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot .legendtext", timeout=120_000)
    page.wait_for_timeout(2000)  # the charts settle before reading and the screenshot
    text = page.inner_text("body")
    assert "RX1 · Synthetic Northshore Hospitals NHS Trust" in text
    assert "RX2 · Synthetic Eastdale University NHS Trust" in text
    legend = (
        page.locator(".js-plotly-plot").first.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)")
    )
    assert {"95% limit", "99.8% limit", "System value"} <= set(legend)
    outliers = page.locator("table").filter(has_text="below the limits")
    assert outliers.count() == 1
    assert "8D · Care of the Elderly" in outliers.inner_text()
    # the equity panel: each trust's groups (a withheld one says so) and the SII in plain words
    assert "Equity: proportion measures by deprivation, ethnic group, age band and sex" in text
    assert "Slope index of inequality (SII)" in text
    equity = page.locator("table.ws-equity-table")
    assert equity.count() == 2
    assert "suppressed" in equity.first.inner_text() + equity.last.inner_text()
    assert not re.search(r"\bNone\b|\bnan\b|\{\"", text)
    sideways = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"the system view scrolls sideways by {sideways}px at {width}x{height}"
    assert page.evaluate(UNCOVERED) is None, "the app's header is painted over the demo banner's top edge"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"system-{width}x{height}.png"), full_page=True)
    page.close()
