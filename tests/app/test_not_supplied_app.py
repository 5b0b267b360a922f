"""In the real app (AppTest): a trust that does not supply an optional input reads "not supplied", never 0 %.

The second synthetic trust's extracts leave out the encounter column ``clinical_frailty_scale`` and the
incidents table. On /system its frailty measures and its falls rate read "not supplied" (the first trust's are
numbers, and the falls funnel says who is left out); on its own executive view the falls rate reads "not
supplied" for every ward and in the totals.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.synthetic.system import generate_system
from tests.app.conftest import APP, Store
from tests.system_builder import END, EXPORTED_AT

NOT_SUPPLIED = "not supplied"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Store]:
    """(the hub of both trusts, the second trust's own store)."""
    from metrics.config.load import load_config
    from metrics.federation.export import export_bundle
    from metrics.federation.importer import import_bundle
    from metrics.pipeline import refresh
    from metrics.store.database import ready_engine

    root = tmp_path_factory.mktemp("not_supplied_app")
    trusts = generate_system(root / "system", DEFAULT_CONFIG_DIR, trusts=2, days=2, end=END, fmt="csv")
    for folder in trusts[1].folders:
        encounters = pd.read_csv(folder / "encounters.csv", dtype=str, keep_default_na=False)
        encounters.drop(columns=["clinical_frailty_scale"]).to_csv(folder / "encounters.csv", index=False)
        (folder / "incidents.csv").unlink()
    hub_url = f"sqlite:///{root / 'hub.sqlite'}"
    for trust in trusts:
        url = f"sqlite:///{root / (trust.code + '.sqlite')}"
        cfg = load_config(trust.config)
        for folder in trust.folders:
            refresh(folder, cfg, ready_engine(url))
        bundle = export_bundle(ready_engine(url), cfg, root / trust.code, since=date(2026, 11, 1), now=EXPORTED_AT)
        import_bundle(ready_engine(hub_url), bundle.folder)
    return Store(hub_url, DEFAULT_CONFIG_DIR), Store(f"sqlite:///{root / 'RX2.sqlite'}", trusts[1].config)


def _run(monkeypatch: pytest.MonkeyPatch, store: Store, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(f"views/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, first_column: str, having: str) -> pd.DataFrame:
    for element in at.dataframe:
        value = element.value
        if len(value.columns) and value.columns[0] == first_column and having in value.columns:
            return value.set_index(first_column)
    raise AssertionError(f"no table {first_column}/{having}")


def test_the_system_view_says_not_supplied_for_frailty_and_falls_never_zero(monkeypatch, stores) -> None:
    hub, _ = stores
    at = _run(monkeypatch, hub, "system", metric="falls_per_1000_bed_days@", month=END.isoformat()[:7], level="trust")
    frailty = _frame(at, "Trust", "Patients 65 and over with a Clinical Frailty Scale score recorded")
    recorded = frailty["Patients 65 and over with a Clinical Frailty Scale score recorded"]
    assert recorded["RX2"] == NOT_SUPPLIED
    assert re.fullmatch(r"\d+% \(\d+ of \d+\)", recorded["RX1"])
    grid = _frame(at, "Unit", "Falls per 1,000 bed days")
    assert grid.loc["RX2", "Falls per 1,000 bed days"] == NOT_SUPPLIED
    assert grid.loc["RX2", "65+ with CFS recorded"] == NOT_SUPPLIED
    assert re.fullmatch(r"\d+\.\d|\* \(withheld\)", grid.loc["RX1", "Falls per 1,000 bed days"])  # two days: few
    assert "0%" not in set(grid.loc["RX2"])


def test_the_falls_funnel_leaves_out_the_trust_that_does_not_supply_incidents(monkeypatch, stores) -> None:
    hub, _ = stores
    from metrics.federation.hub_read import load_hub
    from metrics.store.database import ready_engine

    key = next(v.key for v in load_hub(ready_engine(hub.url)).variants if v.metric_id == "falls_per_1000_bed_days")
    at = _run(monkeypatch, hub, "system", metric=key, month=END.isoformat()[:7], level="ward")
    said = " ".join(c.value for c in [*at.caption, *at.info])
    assert "Not supplied by RX2" in said
    assert "Poisson" in str(at.get("plotly_chart")[0].proto.spec)  # a rate: exact Poisson limits
    assert "per 1,000 occupied bed days" in str(at.get("plotly_chart")[0].proto.spec)


def test_the_executive_view_says_not_supplied_for_the_falls_rate(monkeypatch, stores) -> None:
    _, trust = stores
    at = _run(monkeypatch, trust, "exec", mode="analyst")
    (grid,) = [e.value for e in at.html if 'class="ws-exec"' in e.value]
    heads = re.findall(r'<th class="ws-metric-head" data-metric="([^"]+)"', grid)
    column = heads.index("falls_per_1000_bed_days")
    rows = re.findall(r'<tr data-ward="[^"]+">(.*?)</tr>', grid, flags=re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in rows
    ]
    offset = len(cells[0]) - len(heads)
    assert len(rows) == len(trust.cfg.wards.wards)
    assert {c[offset + column] for c in cells} == {NOT_SUPPLIED}
