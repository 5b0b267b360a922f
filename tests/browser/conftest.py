"""The real app, started as a user would start it, and Debian's Chromium driven by Playwright.

Why this exists: AppTest proves the script; only a browser proves what a matron
sees across a room. The app runs with `streamlit run` on a free local port,
pointed at a store built from the synthetic sample; Chromium is the Debian
package (/usr/bin/chromium), never a browser download.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.config.load import load_config
from metrics.pipeline import refresh
from metrics.synthetic.trust import generate_trust
from metrics.store.database import make_engine, migrate
from tests.app.conftest import latest_extract_day

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "var" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class RunningApp:
    base_url: str
    db_url: str
    extracts: list[Path]


def start_app(
    db_url: str, config_dir: Path, extra_env: dict[str, str] | None = None, cwd: Path = ROOT
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run dashboard/app.py` and wait until it answers its health check."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "WARD_DASHBOARD_CONFIG": str(config_dir), **(extra_env or {})}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:  # noqa: S310 - local test server
                if resp.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


@pytest.fixture(scope="session")
def running_app(tmp_path_factory) -> Iterator[RunningApp]:
    """The app on a store of 3 daily synthetic extracts ending today (so the data is fresh)."""
    base = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{base / 'store.sqlite'}"
    engine = make_engine(db_url)
    migrate(engine)
    cfg = load_config(DEFAULT_CONFIG_DIR)
    today = latest_extract_day()  # before 07:30 today's extract would be in the future, so held
    folders = generate_trust(base / "extracts", days=3, end=today, fmt="parquet")
    for folder in folders:
        refresh(folder, cfg, engine)
    proc, url = start_app(db_url, DEFAULT_CONFIG_DIR)
    try:
        yield RunningApp(url, db_url, folders)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# The demo banner is not under the app's header: what the eye meets just inside its top edge is the banner itself,
# or (named) whatever covers it.
UNCOVERED = """() => { const b = document.querySelector('[data-testid="demo-banner"]');
  const r = b.getBoundingClientRect();
  const e = document.elementFromPoint(r.left + r.width / 2, r.top + 2);
  return e && (b.contains(e) || e.contains(b)) ? null : (e ? e.outerHTML.slice(0, 80) : 'nothing'); }"""
