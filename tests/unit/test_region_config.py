"""The configuration written beside a synthetic region: it lists exactly the region's wards, repeats each
ward's own settings for its copies, never widens who may see what, and never writes over its source."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle.config import load_huddle_config
from metrics.synthetic.region_config import write_region_config

SHIPPED = sorted(p.name for p in DEFAULT_CONFIG_DIR.iterdir())
BASE_CODES = [w["code"] for w in yaml.safe_load((DEFAULT_CONFIG_DIR / "wards.yaml").read_text())["wards"]]


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_at_scale_1_the_region_config_is_a_byte_for_byte_copy(tmp_path: Path) -> None:
    out = write_region_config(DEFAULT_CONFIG_DIR, 1, tmp_path / "region")
    assert _bytes(out) == _bytes(DEFAULT_CONFIG_DIR)


def test_at_scale_3_wards_yaml_lists_every_copy_and_the_config_loads(tmp_path: Path) -> None:
    out = write_region_config(DEFAULT_CONFIG_DIR, 3, tmp_path / "region")
    cfg = load_config(out)
    codes = [w.code for w in cfg.wards.wards]
    assert codes == BASE_CODES + [f"{c}-K02" for c in BASE_CODES] + [f"{c}-K03" for c in BASE_CODES]
    shipped = load_config(DEFAULT_CONFIG_DIR)
    assert cfg.wards.sites == shipped.wards.sites and cfg.wards.matrons == shipped.wards.matrons
    copy = cfg.ward("9A-K03")
    original = cfg.ward("9A")
    assert copy is not None and original is not None
    assert (copy.name, copy.site, copy.specialty, copy.beds, copy.matron) == (
        f"{original.name} (3)",
        original.site,
        original.specialty,
        original.beds,
        original.matron,
    )


def test_every_file_without_a_ward_list_is_copied_unchanged(tmp_path: Path) -> None:
    out = write_region_config(DEFAULT_CONFIG_DIR, 2, tmp_path / "region")
    assert sorted(p.name for p in out.iterdir()) == SHIPPED
    source, written = _bytes(DEFAULT_CONFIG_DIR), _bytes(out)
    changed = sorted(name for name in SHIPPED if source[name] != written[name])
    assert changed == ["barometer.yaml", "wards.yaml"]  # dashboard.yaml ships no ward-scoped SPC rebase


def test_access_yaml_is_never_widened_to_the_copies(config_dir: Path, tmp_path: Path) -> None:
    access = config_dir / "access.yaml"
    scoped = 'groups:\n  - {group: g7a, role: ward_staff, wards: ["7A"]}'
    access.write_text(access.read_text().replace("groups: []", scoped))
    out = write_region_config(config_dir, 2, tmp_path / "region")
    assert (out / "access.yaml").read_bytes() == access.read_bytes()
    assert "7A-K02" not in (out / "access.yaml").read_text()


def test_a_ward_s_own_barometer_panel_is_repeated_for_each_copy(tmp_path: Path) -> None:
    out = write_region_config(DEFAULT_CONFIG_DIR, 3, tmp_path / "region")
    cfg = load_config(out)
    region = load_huddle_config(out, cfg).barometer
    shipped = load_huddle_config(DEFAULT_CONFIG_DIR, load_config(DEFAULT_CONFIG_DIR)).barometer
    assert list(region.wards) == ["9A", "8C", "9A-K02", "8C-K02", "9A-K03", "8C-K03"]
    for code in ("9A", "8C"):
        for copy in (code, f"{code}-K02", f"{code}-K03"):
            assert region.for_ward(copy) == (shipped.wards[code], True), copy
    assert region.for_ward("7A-K02") == (shipped.default, False)  # a ward without its own panel keeps the default
    assert region.default == shipped.default and region.indicators == shipped.indicators


def test_a_ward_scoped_spc_rebase_is_repeated_for_each_copy_and_a_trust_wide_one_is_not(
    config_dir: Path, tmp_path: Path
) -> None:
    dashboard = config_dir / "dashboard.yaml"
    dashboard.write_text(
        dashboard.read_text().replace(
            "spc_rebase: []",
            "spc_rebase:\n"
            '  - {metric: falls_last_24h, date: 2026-09-01, ward: "7a", reason: "new falls bundle"}\n'
            "  - {metric: falls_last_24h, date: 2026-10-01, reason: trust-wide audit}",
        )
    )
    out = write_region_config(config_dir, 3, tmp_path / "region")
    rebases = load_config(out).dashboard.spc_rebase
    assert [(r.ward, r.date.isoformat(), r.reason) for r in rebases] == [
        ("7a", "2026-09-01", "new falls bundle"),
        (None, "2026-10-01", "trust-wide audit"),
        ("7A-K02", "2026-09-01", "new falls bundle"),  # named as wards.yaml spells the ward
        ("7A-K03", "2026-09-01", "new falls bundle"),
    ]


def test_writing_over_or_inside_the_source_config_is_refused(config_dir: Path) -> None:
    before = _bytes(config_dir)
    for target in (config_dir, config_dir / "region"):
        with pytest.raises(ValueError) as info:
            write_region_config(config_dir, 2, target)
        assert str(info.value) == (
            f"{target}: the region's config would be written into the config it is copied from ({config_dir}); "
            "choose a folder outside it"
        )
    assert _bytes(config_dir) == before


def test_a_folder_without_wards_yaml_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        write_region_config(tmp_path / "nowhere", 2, tmp_path / "region")
    nowhere = tmp_path / "nowhere"
    assert str(info.value) == f"{nowhere}: no wards.yaml here; give the configuration folder the region copies"
    assert not (tmp_path / "region").exists()


def test_scale_below_1_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="^scale must be at least 1, got 0$"):
        write_region_config(DEFAULT_CONFIG_DIR, 0, tmp_path / "region")
