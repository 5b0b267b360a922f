"""The app tests' world: small stores built once per session from the synthetic sample, and a way to run a view.

Each store is an SQLite file in a temporary folder, filled the one way data
enters the store (``metrics.pipeline.refresh`` over ``metrics.synthetic.trust``
extracts). The app is pointed at a store and a config folder through
DATABASE_URL and WARD_DASHBOARD_CONFIG, exactly as a deployment would.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.config.models import DEFAULT_CONFIG_DIR, AppConfig
from metrics.config.load import load_config
from metrics.errors import ExtractRejected
from metrics.pipeline import refresh
from metrics.synthetic.trust import generate_trust
from metrics.store import queries
from metrics.store.database import ready_engine

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"

EXTRA_METRIC_YAML = """
  - id: patients_over_90
    label: "Patients aged 90 or over"
    description: "Patients on the ward aged 90 or over (a metric defined only in this test's YAML)."
    table: encounters
    where: {all: [{column: on_ward, eq: true}, {column: age_years, ge: 90}]}
    aggregate: {kind: rows}
    unit: patients
    direction: neutral
    audiences: [huddle, wall, executive]
    group: ward
    order: 60
    drilldown: {columns: [bed, age_years]}
"""


@dataclass(frozen=True)
class Store:
    """A filled (or empty) store and the config folder it was built with."""

    url: str
    config_dir: Path

    @property
    def cfg(self) -> AppConfig:
        return load_config(self.config_dir)

    @property
    def engine(self):
        return ready_engine(self.url)

    def current(self) -> queries.SnapshotInfo:
        snap = queries.current_snapshot(self.engine)
        assert snap is not None
        return snap

    def values(self, ward: str) -> dict[str, pd.Series]:
        """metric_id -> stored row (value, numerator, denominator, rag) for one ward in the current snapshot."""
        frame = queries.ward_values(self.engine, self.current().id)
        frame = frame[frame["ward_code"] == ward.upper()]
        return {row.metric_id: row for _, row in frame.iterrows()}


def latest_extract_day() -> date:
    """The last day whose synthetic extract (stamped 07:30 London) is not in the future of the clock.

    An extract stamped later than the clock is held, never current; before 07:30 the latest genuine one is yesterday's.
    """
    now = datetime.now(ZoneInfo("Europe/London"))
    return now.date() if (now.hour, now.minute) >= (7, 30) else now.date() - timedelta(days=1)


def build_store(root: Path, *, days: int, end: date, config_dir: Path = DEFAULT_CONFIG_DIR) -> Store:
    cfg = load_config(config_dir)
    url = f"sqlite:///{root / 'store.sqlite'}"
    engine = ready_engine(url)
    folders = generate_trust(
        root / "extracts",
        wards_yaml=config_dir / "wards.yaml",
        clinical_yaml=config_dir / "clinical.yaml",
        days=days,
        end=end,
        fmt="csv",
    )
    for folder in folders:
        refresh(folder, cfg, engine)
    return Store(url, Path(config_dir))


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Three days of the synthetic trust ending today: fresh data with a yesterday to compare with."""
    return build_store(tmp_path_factory.mktemp("sample"), days=3, end=latest_extract_day())


@pytest.fixture(scope="session")
def stale_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two days of data ending five days ago: older than stale_after_minutes."""
    return build_store(tmp_path_factory.mktemp("stale"), days=2, end=latest_extract_day() - timedelta(days=5))


@pytest.fixture(scope="session")
def rejected_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One good day, then a refresh attempt rejected (a folder with no manifest): the last good snapshot stays
    current."""
    root = tmp_path_factory.mktemp("rejected")
    store = build_store(root, days=1, end=latest_extract_day())
    broken = root / "broken_extract"
    broken.mkdir()
    (broken / "encounters.csv").write_text("not,a,contract\n")
    with pytest.raises(ExtractRejected):
        refresh(broken, store.cfg, store.engine)
    return store


@pytest.fixture(scope="session")
def extra_metric_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A config copy with one metric added in YAML only (patients_over_90), and a store built with it."""
    root = tmp_path_factory.mktemp("extra")
    config_dir = root / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    with (config_dir / "metrics.yaml").open("a", encoding="utf-8") as fh:
        fh.write(EXTRA_METRIC_YAML)
    return build_store(root, days=2, end=latest_extract_day(), config_dir=config_dir)


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'store.sqlite'}", DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="session")
def broken_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config copy whose metrics.yaml has a misspelt field."""
    config_dir = tmp_path_factory.mktemp("broken") / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    text = (config_dir / "metrics.yaml").read_text(encoding="utf-8")
    (config_dir / "metrics.yaml").write_text(
        text.replace('label: "Patients on ward"', 'lable: "Patients on ward"', 1), encoding="utf-8"
    )
    return config_dir


@pytest.fixture
def run_view(monkeypatch: pytest.MonkeyPatch):
    """Run one view of the real app against a store: run_view(store, "wall", wards="7A,7B")."""

    def run(store: Store, page: str = "huddle", session: dict | None = None, **params: str) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", store.url)
        monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
        at = AppTest.from_file(str(APP), default_timeout=90)
        if page != "huddle":
            at.switch_page(f"views/{page}.py")
        for key, value in params.items():
            at.query_params[key] = value
        for key, value in (session or {}).items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


# ---- reading what a view drew -------------------------------------------------------------------


class _TileParser(HTMLParser):
    """Collects, per element carrying data-metric, its text and the text of its value element."""

    VALUE_CLASSES = ("ws-tile-value", "ws-staff-count")

    def __init__(self) -> None:
        super().__init__()
        self.tiles: dict[tuple[str, str], dict[str, str]] = {}
        self._stack: list[tuple[str, tuple[str, str] | None, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "img", "hr", "input"):
            return
        a = dict(attrs)
        key = (a.get("data-ward") or "", a["data-metric"]) if a.get("data-metric") and a.get("data-ward") else None
        if key:
            self.tiles.setdefault(key, {"text": "", "value": ""})
        classes = (a.get("class") or "").split()
        is_value = any(c in classes for c in self.VALUE_CLASSES)
        self._stack.append((tag, key, is_value))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, _, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        keys = [k for _, k, _ in self._stack if k]
        if not keys:
            return
        tile = self.tiles[keys[-1]]
        tile["text"] += data
        if any(v for _, _, v in self._stack):
            tile["value"] += data


def tiles_in(at: AppTest) -> dict[tuple[str, str], dict[str, str]]:
    """(ward, metric_id) -> {'text', 'value'} for every tile, table row and staffing cell the view drew."""
    parser = _TileParser()
    for element in at.html:
        parser.feed(element.value)
    return {
        k: {"text": re.sub(r"\s+", " ", v["text"]).strip(), "value": v["value"].strip()}
        for k, v in parser.tiles.items()
    }


def all_html(at: AppTest) -> str:
    return "\n".join(e.value for e in at.html)


def expected_value_text(definition, row) -> str:
    """How a stored value must read on a tile, written out independently of the app's formatter."""
    value = row["value"]

    def count(v: float) -> str:
        return "–" if pd.isna(v) else str(int(v)) if float(v).is_integer() else f"{float(v):.1f}"

    if definition.display == "actual_planned":  # nurses on shift: '4 (5)'
        return f"{count(row['numerator'])} ({count(row['denominator'])})"
    if pd.isna(value):
        return "–"
    if definition.display in ("percent", "staffing"):
        return f"{round(float(value) * 100)}%"
    if definition.display == "rate":  # falls per 1,000 occupied bed days: '5.3'
        return f"{float(value) * definition.per:.1f}"
    return str(int(value)) if float(value).is_integer() else f"{float(value):.1f}"
