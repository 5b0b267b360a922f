"""The executive view as a wall (/exec): one page of every ward × the wall's executive measures, read from two
metres; a region's wards page by site and turn with ?rotate=; an analyst mode that keeps every measure."""

from __future__ import annotations

import re
import shutil

import pytest

from dashboard.common.board import metrics_for
from dashboard.common.hyphenation import SOFT_HYPHEN
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.store import queries
from metrics.synthetic.region_config import write_region_config
from tests.app.conftest import Store, all_html, build_store, expected_value_text, latest_extract_day


def wall_metrics(store: Store) -> list:
    return [d for d in metrics_for(store.cfg, "executive") if "wall" in {a.value for a in d.audiences}]


def wall_table(at) -> str:
    found = [e.value for e in at.html if 'data-testid="exec-wall"' in e.value]
    assert len(found) == 1
    return found[0]


def cell_texts(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html)]


@pytest.fixture(scope="module")
def wall(sample_store: Store):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", sample_store.url)
    mp.setenv("WARD_DASHBOARD_CONFIG", str(sample_store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.switch_page("views/exec.py")
    at.run()
    mp.undo()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_wall_is_the_default_with_every_ward_and_the_totals_on_one_page(wall, sample_store):
    table = wall_table(wall)
    cfg = sample_store.cfg
    assert re.findall(r'<tr data-ward="([^"]+)">', table) == [w.code for w in cfg.wards.wards]
    assert re.findall(r'<tr class="xw-[a-z]+" data-scope="([^"]+)">', table) == [
        "site:RGH",
        "site:NVH",
        "site:SCH",
        "trust",
    ]
    assert wall.toggle(key="exec_analyst").value is False
    assert not wall.dataframe and not wall.get("plotly_chart")  # the SPC table and chart are the analyst's
    assert not [b for b in wall.selectbox if b.key == "exec_wall_page"], "one page: nothing to pick"


def test_the_wall_shows_the_executive_measures_chosen_for_wall_screens_with_horizontal_heads(wall, sample_store):
    table = wall_table(wall)
    heads = re.findall(r'<th data-metric="([^"]+)">([^<]+)</th>', table)
    assert [h for h, _ in heads] == [d.id for d in wall_metrics(sample_store)]
    assert len(heads) == len(wall_metrics(sample_store)) > 0
    assert [label.replace(SOFT_HYPHEN, "") for _, label in heads] == [d.wall_label for d in wall_metrics(sample_store)]
    assert "<th>Ward</th>" not in table and '<th class="xw-narrow">Ward</th>' in table


def test_each_cell_is_the_stored_value_with_its_rag_icon_and_class(wall, sample_store):
    table = wall_table(wall)
    definitions = wall_metrics(sample_store)
    icons = {"red": "●", "amber": "▲", "green": "✓"}
    checked = 0
    for ward in ("7A", "N3", "S7"):
        row = re.search(rf'<tr data-ward="{ward}">(.*?)</tr>', table).group(1)
        classes = re.findall(r'<td class="([^"]+)"', row)[3:]
        texts = cell_texts(row)[3:]
        stored = sample_store.values(ward)
        for d, text, cls in zip(definitions, texts, classes, strict=True):
            value = stored[d.id]
            expected = expected_value_text(d, value)
            rag = value["rag"] if isinstance(value["rag"], str) and d.rag is not None else None
            if expected == "–":
                assert (text, cls) == ("–", "xw-v xw-nodata"), d.id
            elif rag:
                assert (text, cls) == (f"{icons[rag]} {expected}", f"xw-v xw-{rag}"), d.id
            else:
                assert (text, cls) == (expected, "xw-v"), d.id
            checked += 1
    assert checked == 3 * len(definitions)


def test_reds_ambers_and_the_trust_total_are_counted_from_the_stored_values(wall, sample_store):
    table = wall_table(wall)
    ids = {d.id for d in wall_metrics(sample_store)}
    values = queries.ward_values(sample_store.engine, sample_store.current().id)
    values = values[values["metric_id"].isin(ids)]
    for ward in ("7A", "N1", "S3"):
        row = re.search(rf'<tr data-ward="{ward}">(.*?)</tr>', table).group(1)
        mine = values[values["ward_code"] == ward]
        assert cell_texts(row)[1:3] == [str((mine["rag"] == "red").sum()), str((mine["rag"] == "amber").sum())]
    trust = re.search(r'<tr class="xw-trust" data-scope="trust">(.*?)</tr>', table).group(1)
    texts = cell_texts(trust)
    assert texts[0] == "Trust total"
    assert texts[1:3] == [str((values["rag"] == "red").sum()), str((values["rag"] == "amber").sum())]
    on_ward = values[values["metric_id"] == "patients_on_ward"]["value"].sum()
    assert texts[3] == str(int(on_ward))  # the first measure: patients on ward, summed over every ward


def test_the_wall_has_a_key_and_never_says_none_or_nan(wall):
    html = all_html(wall)
    key = re.search(r'<div class="xw-key">(.*?)</div>', html).group(1)
    assert [re.sub(r"<[^>]+>", "", k) for k in re.findall(r"<span[^>]*>.*?</span>", key)] == [
        "● Red",
        "▲ Amber",
        "✓ Green",
        "– no value",
    ]
    text = re.sub(r"<[^>]+>", " ", html.split("</style>")[-1])
    assert not re.search(r"\bNone\b|\bnan\b", text)


@pytest.fixture
def open_exec(monkeypatch: pytest.MonkeyPatch):
    """Open /exec on a store with URL parameters (``page`` among them), kept pointed at the store for reruns."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    def run(store: Store, **params: str):
        monkeypatch.setenv("DATABASE_URL", store.url)
        monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
        at = AppTest.from_file(str(APP), default_timeout=90)
        at.switch_page("views/exec.py")
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def test_the_analyst_toggle_opens_every_measure_and_the_url_follows(open_exec, sample_store):
    wall = open_exec(sample_store)
    wall.toggle(key="exec_analyst").set_value(True).run()
    assert not wall.exception
    assert wall.query_params["mode"] == "analyst"
    grid = next(e.value for e in wall.html if 'class="ws-exec"' in e.value)
    heads = re.findall(r'<th class="ws-metric-head" data-metric="([^"]+)"', grid)
    assert len(heads) == len(metrics_for(sample_store.cfg, "executive"))
    huddles = next(t.value for t in wall.dataframe if "Feel safe (median, 1-5)" in t.value.columns)
    assert len(huddles) == 24
    assert set(huddles["Feel safe (median, 1-5)"]) <= {"–", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"}
    wall.toggle(key="exec_analyst").set_value(False).run()
    assert "mode" not in wall.query_params and wall_table(wall)


@pytest.fixture(scope="module")
def region_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two copies of every ward (48 wards, 20, 14 and 14 a site): more than one screen holds."""
    root = tmp_path_factory.mktemp("region")
    config_dir = write_region_config(DEFAULT_CONFIG_DIR, 2, root / "config")
    store = build_store(root, days=1, end=latest_extract_day(), config_dir=config_dir)
    shutil.rmtree(root / "extracts")
    return store


def test_a_region_pages_by_site_and_a_page_is_picked_by_the_url(open_exec, region_store):
    at = open_exec(region_store, page="2")
    box = at.selectbox(key="exec_wall_page")
    assert box.options == [
        "Riverside General Hospital (20 wards)",
        "Northvale Hospital (14 wards)",
        "St Cuthbert's Community Hospital (14 wards)",
    ]
    assert box.value == 1
    table = wall_table(at)
    nvh = [w.code for w in region_store.cfg.wards.wards if w.site == "NVH"]
    assert re.findall(r'<tr data-ward="([^"]+)">', table) == nvh
    assert re.findall(r'data-scope="([^"]+)"', table) == ["site:NVH", "trust"]
    assert "Northvale Hospital · Page 2 of 3" in table


def test_with_rotate_the_pages_turn_by_themselves(open_exec, region_store):
    at = open_exec(region_store, rotate="5")
    assert not [b for b in at.selectbox if b.key == "exec_wall_page"], "a turning wall has no box to pick a page"
    assert "Riverside General Hospital · Page 1 of 3, next every 5 s" in wall_table(at)
    index, since = at.session_state["exec_wall_turn"]
    at.session_state["exec_wall_turn"] = (index, since - 5)  # five seconds have passed
    at.run()
    assert "Northvale Hospital · Page 2 of 3, next every 5 s" in wall_table(at)


def test_the_html_holds_only_the_page_on_screen(open_exec, region_store):
    at = open_exec(region_store)
    table = wall_table(at)
    assert len(re.findall(r'<tr data-ward="', table)) == 20
    assert len(table.encode()) < 60_000
