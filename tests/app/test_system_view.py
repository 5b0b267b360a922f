"""The system view in the real app (AppTest): a hub of two synthetic trusts, opened by the system role.

The hub is filled the way a deployment fills it (each trust refreshed, exported, the bundles imported; see
tests/system_builder.py). The first trust's ward 8D rarely records a frailty score: the planted outlier.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import access_gate
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.federation import hub_read
from metrics.store.database import ready_engine
from tests.app.conftest import APP, Store
from tests.system_builder import build_system, hub_from


@pytest.fixture(scope="module")
def hub_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    root = tmp_path_factory.mktemp("system_hub")
    url = f"sqlite:///{root / 'hub.sqlite'}"
    hub_from(build_system(root), url)
    return Store(url, DEFAULT_CONFIG_DIR)


def _table(at: AppTest, first_column: str, having: str):
    """The first table drawn whose first column is ``first_column`` and which has a column ``having``."""
    for frame in [*at.dataframe, *at.table]:
        value = frame.value
        if value.index.name == first_column:
            value = value.reset_index()
        if len(value.columns) and value.columns[0] == first_column and having in value.columns:
            return value
    raise AssertionError(f"no table {first_column}/{having}: {[list(f.value.columns)[:3] for f in at.dataframe]}")


def _open(monkeypatch: pytest.MonkeyPatch, store: Store, role: str | None = None, **params: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("views/system.py")
    for key, value in params.items():
        at.query_params[key] = value
    if role:
        at.session_state[access_gate.DEMO_ROLE] = role
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_system_role_sees_both_trusts_a_funnel_with_its_limits_and_the_planted_outlier(
    monkeypatch: pytest.MonkeyPatch, hub_store: Store
) -> None:
    at = _open(monkeypatch, hub_store)
    trusts = _table(at, "Trust", "Small numbers withheld")
    assert [t.split(" · ")[0] for t in trusts["Trust"]] == ["RX1", "RX2"]
    funnel = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace.get("name") for trace in funnel["data"]]
    assert {"95% limit", "99.8% limit", "System value", "Beyond 99.8 %"} <= set(names)
    assert (
        "additive random effects" in funnel["layout"]["title"]["text"]
        or "not adjusted" in funnel["layout"]["title"]["text"]
    )
    outliers = _table(at, "Trust", "Where")
    assert outliers["Unit"].tolist() == ["8D · Care of the Elderly"]
    assert outliers["Trust"].str.startswith("RX1").all()
    assert outliers["Where"].tolist() == ["below the limits"]
    assert any("not a league table" in c.value for c in at.caption)
    assert [s.value for s in at.subheader if s.value.startswith("SPC per trust")]
    frailty = _table(at, "Trust", "Patients 65 and over with a Clinical Frailty Scale score recorded")
    assert frailty["Trust"].tolist() == ["RX1", "RX2"]
    grid = _table(at, "Unit", "65+ with CFS recorded")
    assert grid["Unit"].tolist() == ["RX1", "RX2"]
    text = " ".join(str(v) for frame in (trusts, outliers, frailty, grid) for v in frame.to_numpy().ravel())
    assert "None" not in text and "nan" not in text


def test_the_trust_level_funnel_plots_one_point_per_trust(monkeypatch: pytest.MonkeyPatch, hub_store: Store) -> None:
    at = _open(monkeypatch, hub_store, level="trust")
    funnel = json.loads(at.get("plotly_chart")[0].proto.spec)
    points = [t for t in funnel["data"] if t.get("mode") == "markers"]
    assert sorted(t["text"] for t in points) == [
        ["Synthetic Eastdale University NHS Trust (demo data)"],
        ["Synthetic Northshore Hospitals NHS Trust (demo data)"],
    ]


@pytest.mark.parametrize("role", ["executive", "analyst", "ward_staff", "administrator"])
def test_other_roles_are_refused_the_system_view(monkeypatch: pytest.MonkeyPatch, hub_store: Store, role: str) -> None:
    at = _open(monkeypatch, hub_store, role=role)
    assert not at.get("plotly_chart") and not at.dataframe and not at.table
    texts = [e.value for e in at.error] + [h.value for h in at.html if 'data-testid="refusal"' in h.value]
    assert any("system view across trusts is not open to" in t for t in texts)


def test_an_empty_hub_says_how_bundles_arrive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _open(monkeypatch, Store(f"sqlite:///{tmp_path / 'empty.sqlite'}", DEFAULT_CONFIG_DIR))
    assert any("export-aggregate" in i.value and "import-aggregate" in i.value for i in at.info)


def test_the_equity_panel_shows_each_trusts_groups_suppressed_as_such_and_its_sii_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, hub_store: Store
) -> None:
    at = _open(monkeypatch, hub_store)
    assert [s.value for s in at.subheader if s.value.startswith("Equity: proportion measures")]
    aki = next(v for v in hub_read.load_hub(ready_engine(hub_store.url)).variants if v.metric_id == "aki")
    metric = at.selectbox(key="system_equity_metric")
    assert aki.title in metric.options
    metric.select(aki.key).run()
    at.selectbox(key="system_equity_split").select("deprivation").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Slope index of inequality (SII)" in m.value and "percentage points" in m.value for m in at.markdown)
    sii = _table(at, "Trust", "95 % interval")
    assert [t.split(" · ")[0] for t in sii["Trust"]] == ["RX1", "RX2"]
    for row in sii.itertuples():
        # either an SII with its interval, or the reason there is none: never a bare blank
        assert (row[2] != "" and " to " in row[3]) or "withheld" in row[4]
    groups = [h.value for h in at.html if "ws-equity-table" in h.value]
    assert len(groups) == 2  # one table per trust
    for table in groups:
        assert "Q1 most deprived (Core20)" in table and "Q5 least deprived" in table
        assert "Of (daily counts summed)" in table
    assert any("suppressed" in table for table in groups)  # a withheld group is shown as suppressed, never 0
    at.selectbox(key="system_equity_split").select("sex").run()
    assert not at.exception
    assert not _tables_with(at, "95 % interval")


def _tables_with(at: AppTest, column: str) -> list:
    return [f for f in at.table if column in f.value.columns]
