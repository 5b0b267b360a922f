"""Text from config and data is escaped wherever it is drawn as HTML: a name is shown, never run."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.app.conftest import Store, all_html

EVIL_WARD = '<img src=x onerror="alert(1)"> Acute & Medical'
EVIL_LABEL = "Patients on ward <script>alert(2)</script>"


@pytest.fixture(scope="module")
def hostile_config(sample_store, tmp_path_factory) -> Store:
    """The sample store read with a config whose ward name and tile label carry markup."""
    config_dir = tmp_path_factory.mktemp("hostile") / "config"
    shutil.copytree(sample_store.config_dir, config_dir)
    wards = (config_dir / "wards.yaml").read_text(encoding="utf-8")
    (config_dir / "wards.yaml").write_text(
        wards.replace('name: "Acute Medical Unit"', f"name: '{EVIL_WARD}'", 1), encoding="utf-8"
    )
    metrics = (config_dir / "metrics.yaml").read_text(encoding="utf-8")
    (config_dir / "metrics.yaml").write_text(
        metrics.replace('label: "Patients on ward"', f'label: "{EVIL_LABEL}"', 1), encoding="utf-8"
    )
    return Store(sample_store.url, config_dir)


@pytest.mark.parametrize("page, params", [("huddle", {"ward": "7A"}), ("wall", {"wards": "7A"}), ("exec", {})])
def test_markup_in_config_is_escaped(run_view, hostile_config, page, params):
    html = all_html(run_view(hostile_config, page, **params))
    assert "<img src=x" not in html and "<script" not in html  # the board's own images (SPC sparklines) are data URIs
    assert all(
        img.startswith('<img class="ws-spark" src="data:image/svg+xml;base64,')
        for img in re.findall(r"<img[^>]*>", html)
    )
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Acute &amp; Medical" in html
