"""The executive grid worked out once per snapshot (metrics.board.exec_grid): every cell equal to the one-cell
lookup the boards use, standings and totals recomputed from their parts, and the wall's pages by site."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from dashboard.common.board import _tile_map, indexed_values, metrics_for
from metrics.board.exec_grid import WALL_ROWS, exec_grid, exec_pages
from metrics.board.standings import TRUST, ward_standings
from metrics.config.load import load_config
from metrics.config.models import AppConfig, Site
from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.database import ready_engine
from metrics.synthetic.trust import generate_trust

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[AppConfig, pd.DataFrame]:
    """One day of the synthetic trust, loaded through refresh: the config and the snapshot's ward values."""
    root = tmp_path_factory.mktemp("exec_grid")
    cfg = load_config(CONFIG)
    engine = ready_engine(f"sqlite:///{root / 'store.sqlite'}")
    (folder,) = generate_trust(
        root / "extracts",
        wards_yaml=CONFIG / "wards.yaml",
        clinical_yaml=CONFIG / "clinical.yaml",
        days=1,
        end=pd.Timestamp("2026-11-25").date(),
        fmt="parquet",
    )
    refresh(folder, cfg, engine)
    snapshot = queries.current_snapshot(engine)
    assert snapshot is not None
    return cfg, queries.ward_values(engine, snapshot.id)


def test_every_cell_equals_the_one_cell_lookup_on_the_sample_store(sample: tuple[AppConfig, pd.DataFrame]) -> None:
    cfg, values = sample
    definitions = metrics_for(cfg, "executive")
    indexed = indexed_values(values)
    grid = exec_grid(indexed, cfg.wards.wards, cfg.wards.sites, definitions)
    tiles = _tile_map(indexed)  # what Board.tile answers, one (ward, metric) at a time
    compared = 0
    for ward in cfg.wards.wards:
        for d in definitions:
            looked_up = tiles.get((ward.code.upper(), d.id))
            value = grid.values.at[ward.code, d.id]
            assert (None if pd.isna(value) else float(value)) == (None if looked_up is None else looked_up.value)
            assert grid.rags.at[ward.code, d.id] == (None if looked_up is None else looked_up.rag)
            for frame, part in ((grid.numerators, "numerator"), (grid.denominators, "denominator")):
                stored = frame.at[ward.code, d.id]
                assert (None if pd.isna(stored) else float(stored)) == getattr(looked_up, part, None)
            compared += 1
    assert compared == 24 * len(definitions)


def test_standings_equal_the_standings_rule_and_count_the_grids_own_rags(
    sample: tuple[AppConfig, pd.DataFrame],
) -> None:
    cfg, values = sample
    definitions = metrics_for(cfg, "executive")
    grid = exec_grid(indexed_values(values), cfg.wards.wards, cfg.wards.sites, definitions)
    pd.testing.assert_frame_equal(grid.standings, ward_standings(values, cfg.wards.wards, definitions))
    assert grid.standings["reds"].tolist() == (grid.rags == "red").sum(axis=1).tolist()
    assert grid.standings["ambers"].tolist() == (grid.rags == "amber").sum(axis=1).tolist()
    assert grid.standing_totals.loc[TRUST, "reds"] == int((grid.rags == "red").to_numpy().sum())


def test_totals_are_recomputed_from_their_parts_on_the_sample_store(sample: tuple[AppConfig, pd.DataFrame]) -> None:
    """A count is the sum of the wards' values; a ratio is the summed numerators over the summed denominators."""
    cfg, values = sample
    definitions = metrics_for(cfg, "executive")
    grid = exec_grid(indexed_values(values), cfg.wards.wards, cfg.wards.sites, definitions)
    site_of = {w.code: w.site for w in cfg.wards.wards}
    checked = 0
    for scope in grid.totals.index:
        wards = [c for c, s in site_of.items() if scope == TRUST or scope == f"site:{s}"]
        for d in definitions:
            rows = values[(values["metric_id"] == d.id) & values["ward_code"].isin(wards)]
            if d.ratio is not None:
                expected = rows["numerator"].sum() / rows["denominator"].sum()
            else:
                expected = rows["numerator"].fillna(rows["value"]).sum()
            assert math.isclose(grid.totals.at[scope, d.id], expected, rel_tol=1e-12), (scope, d.id)
            checked += 1
    assert checked == 4 * len(definitions)


SITES = (Site(code="A", name="Alpha"), Site(code="B", name="Beta"), Site(code="C", name="Empty"))


@pytest.mark.parametrize(
    ("wards_per_site", "expected"),
    [
        # (wards at A, at B) -> [(page title, wards on it)]: every ward and the totals on one page while they fit
        ((10, 14), [("Every ward", 24)]),
        ((10, 15), [("Every ward", 25)]),  # 25 wards + 2 site totals + trust = 28 rows: still one page
        ((11, 15), [("Alpha", 11), ("Beta", 15)]),  # 29 rows: page by site
        ((27, 1), [("Alpha (1 of 2)", 14), ("Alpha (2 of 2)", 13), ("Beta", 1)]),  # 26 a page at most, evenly cut
        ((250, 0), [(f"Alpha ({i} of 10)", 25) for i in range(1, 11)]),
    ],
)
def test_the_wall_pages_by_site_once_every_ward_no_longer_fits(
    wards_per_site: tuple[int, int], expected: list[tuple[str, int]]
) -> None:
    a, b = wards_per_site
    pairs = [(f"A{i}", "A") for i in range(a)] + [(f"B{i}", "B") for i in range(b)]
    pages = exec_pages(pairs, SITES)
    assert [(p.title, len(p.ward_codes)) for p in pages] == expected
    assert [c for p in pages for c in p.ward_codes] == [c for c, _ in pairs]  # every ward once, in order
    assert all(len(p.ward_codes) + len(p.scopes) <= WALL_ROWS for p in pages)
    if len(pages) > 1:
        assert all(p.scopes == (f"site:{p.ward_codes[0][0]}", TRUST) for p in pages)
    else:
        assert pages[0].scopes == (*(f"site:{s}" for s in "AB"[: 1 + (b > 0)]), TRUST)
