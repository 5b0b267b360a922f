"""Configuration errors name the file, the line, the item and the field, and all are reported at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metrics.config.load import load_config
from metrics.errors import ConfigError


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_shipped_configuration_is_valid(cfg):
    assert len(cfg.wards.wards) >= 24
    assert len({w.site for w in cfg.wards.wards}) >= 3
    assert {m.id for m in cfg.metrics} >= {
        "patients_on_ward",
        "missed_critical_doses_today",
        "aki",
        "sepsis",
        "obs_hourly_or_more",
    }


def test_yaml_syntax_error_names_file_and_line(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(path, "  - id: sepsis\n", "  - id: sepsis\n   bad: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    message = str(err.value)
    assert "metrics.yaml line" in message and "not valid YAML" in message


def test_unknown_metric_field_names_metric_field_and_line(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(path, "  - id: sepsis\n", "  - id: sepsis\n    colour: red\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    line = _line_of(path, "colour: red")
    assert re.search(
        rf"metrics.yaml line {line}: metric `sepsis`, field `colour`: Extra inputs are not permitted", str(err.value)
    )


def test_rag_thresholds_in_wrong_order_are_refused(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(
        path,
        "rag: {green_max: 0, amber_max: 1}\n    target: 0\n    audiences: [huddle, wall, executive]\n    group: "
        "medicines",
        "rag: {green_max: 5, amber_max: 1}\n    target: 0\n    audiences: [huddle, wall, executive]\n    group: "
        "medicines",
    )
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "metric `missed_critical_doses_today`" in str(err.value)
    assert "rag.green_max (5.0) must not exceed rag.amber_max (1.0)" in str(err.value)


def test_condition_naming_an_unknown_column_is_refused_before_any_data(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(path, "{column: sepsis_positive, eq: true}", "{column: sepsis_postive, eq: true}")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "metric `sepsis`: table 'encounters' has no column 'sepsis_postive'" in str(err.value)


def test_condition_leaf_with_two_operators_is_refused(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(path, "{column: news2_score, ge: 5}", "{column: news2_score, ge: 5, lt: 9}")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "needs exactly one operator" in str(err.value) and "metric `news2_5_or_more`" in str(err.value)


def test_unknown_table_lists_the_tables_there_are(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(path, "    table: critical_doses\n", "    table: doses\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "field `table`: unknown table 'doses'; use one of" in str(err.value)


def test_duplicate_metric_id_is_refused(config_dir):
    path = config_dir / "metrics.yaml"
    _edit(path, "  - id: c_difficile\n", "  - id: pressure_ulcers\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "metric `pressure_ulcers` is defined twice" in str(err.value)


def test_ward_with_unknown_site_names_ward_and_line(config_dir):
    path = config_dir / "wards.yaml"
    _edit(path, "site: SCH\n", "site: XYZ\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert re.search(r"wards.yaml line \d+: ward `S1`, field `site`: unknown site 'XYZ'", str(err.value))


def test_every_problem_is_reported_together(config_dir):
    _edit(config_dir / "metrics.yaml", "  - id: sepsis\n", "  - id: sepsis\n    colour: red\n")
    _edit(config_dir / "clinical.yaml", "grace_minutes: 15", "grace_minutes: -1")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert len(err.value.problems) == 2
    assert any("clinical.yaml line" in p and "grace_minutes" in p for p in err.value.problems)


def test_missing_file_is_named(config_dir):
    (config_dir / "wards.yaml").unlink()
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "wards.yaml: file not found" in str(err.value)


def test_a_short_label_is_what_the_wall_says_and_must_be_short(config_dir):
    from metrics.config.load import load_config

    cfg = load_config(config_dir)
    lrp = next(m for m in cfg.metrics if m.id == "least_restrictive_reviews_due")
    assert lrp.wall_label == lrp.short_label != lrp.label
    on_ward = next(m for m in cfg.metrics if m.id == "patients_on_ward")
    assert on_ward.short_label is None and on_ward.wall_label == on_ward.label
    path = config_dir / "metrics.yaml"
    path.write_text(
        path.read_text().replace(
            'short_label: "Least-restrictive reviews due"',
            'short_label: "Least-restrictive-practice reviews due in 24 hours"',
        )
    )
    with pytest.raises(ConfigError, match=r"least_restrictive_reviews_due.*short_label"):
        load_config(config_dir)
