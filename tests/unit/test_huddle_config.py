"""config/huddle.yaml and config/barometer.yaml: errors name the file, the line, the item and the field, all at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metrics.config.load import load_config
from metrics.errors import ConfigError
from metrics.huddle.config import RatingKind, load_huddle_config


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = 0 if after is None else next(i for i, line in enumerate(lines) if after in line)
    for number, line in enumerate(lines[start:], start + 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _problems(config_dir: Path, cfg=None) -> str:
    with pytest.raises(ConfigError) as err:
        load_huddle_config(config_dir, cfg)
    return str(err.value)


def test_the_shipped_files_are_valid(cfg, config_dir):
    loaded = load_huddle_config(config_dir, cfg)
    assert set(loaded.huddle.ratings) == set(RatingKind)
    assert loaded.scale("reliability").hints[1].startswith("Processes often fail")
    assert loaded.scale("reliability").hints[5] == "Processes are reliable every time"
    assert loaded.role_codes == ("nurse", "hca", "doctor", "ahp", "other")
    assert {"9A", "8C"} <= set(loaded.barometer.wards)
    domains = {i.domain.value for i in loaded.barometer.indicators}
    assert domains == {"harm", "positive", "culture"}


def test_a_missing_hint_names_the_rating_field_and_line(config_dir):
    path = config_dir / "huddle.yaml"
    _edit(path, '      4: "Processes work nearly every time"\n', "")
    message = _problems(config_dir)
    line = _line_of(path, "hints:")
    assert re.search(
        rf"huddle.yaml line {line}: rating `reliability`, field `hints`: hints must give exactly the scores 1, 2, 3, 4 "
        r"and 5 \(missing \[4\]\)",
        message,
    ), message


def test_an_unknown_field_in_an_indicator_names_it(config_dir):
    path = config_dir / "barometer.yaml"
    _edit(path, "  - id: falls\n", "  - id: falls\n    colour: red\n")
    message = _problems(config_dir)
    line = _line_of(path, "colour: red")
    assert f"barometer.yaml line {line}: indicator `falls`, field `colour`: Extra inputs are not permitted" in message


def test_thresholds_in_the_wrong_order_are_refused(config_dir):
    path = config_dir / "barometer.yaml"
    _edit(
        path,
        "    incident_types: [FALL]\n    window_days: 30\n    direction: lower_is_better\n    rag: {green_max: 1, "
        "amber_max: 3}",
        "    incident_types: [FALL]\n    window_days: 30\n    direction: lower_is_better\n    rag: {green_max: 5, "
        "amber_max: 3}",
    )
    message = _problems(config_dir)
    assert re.search(
        r"barometer.yaml line \d+: indicator `falls`: rag.green_max \(5\) must not exceed rag.amber_max \(3\)", message
    ), message


def test_a_non_epr_indicator_needs_direction_and_rag(config_dir):
    _edit(
        config_dir / "barometer.yaml",
        "    window_days: 90\n    direction: lower_is_better\n    rag: {green_max: 0, amber_max: 1}\n",
        "    window_days: 90\n",
    )
    assert (
        "indicator `c_diff_cases`: needs direction (lower_is_better or higher_is_better) and rag thresholds"
        in _problems(config_dir)
    )


def test_an_unknown_incident_type_lists_the_types(config_dir):
    _edit(
        config_dir / "barometer.yaml",
        "incident_types: [MEDICATION]\n    window_days: 30",
        "incident_types: [MEDICATON]\n    window_days: 30",
    )
    message = _problems(config_dir)
    assert (
        "indicator `medication_incidents`, field `incident_types.0`: Input should be 'FALL', 'PRESSURE_ULCER'"
        in message
    )


def test_a_ward_choosing_an_indicator_not_in_the_library(config_dir):
    path = config_dir / "barometer.yaml"
    _edit(path, "      - learning_reports\n", "      - learning_reprots\n")
    message = _problems(config_dir)
    line = _line_of(path, "learning_reprots")
    assert (
        f"barometer.yaml line {line}: ward `9A`: unknown indicator 'learning_reprots'; choose one of the library's ids"
        in message
    )


def test_an_aim_on_an_indicator_the_ward_did_not_choose(config_dir):
    path = config_dir / "barometer.yaml"
    _edit(path, "      indicator: days_since_pressure_ulcer\n", "      indicator: days_since_fall\n")
    message = _problems(config_dir)
    line = _line_of(path, "indicator: days_since_fall", after='"9A"')
    assert (
        f"barometer.yaml line {line}: ward `9A`, field `aim.indicator`: 'days_since_fall' is not one of this set's "
        "indicators"
        in message
    )


def test_a_ward_not_in_wards_yaml_and_an_unknown_metric_are_cross_file_problems(cfg, config_dir):
    path = config_dir / "barometer.yaml"
    _edit(path, '  "8C":  # Cardiology', '  "8Z":  # Cardiology')
    _edit(path, "    metric: falls_last_24h\n", "    metric: falls_last_week\n")
    message = _problems(config_dir, cfg)
    assert f"barometer.yaml line {_line_of(path, '8Z')}: ward `8Z` is not in wards.yaml" in message
    assert (
        f"barometer.yaml line {_line_of(path, 'falls_last_week')}: indicator `falls_last_24h`, field `metric`: "
        "'falls_last_week' is not a metric in metrics.yaml"
        in message
    )
    load_huddle_config(config_dir)  # without the rest of the config these cannot be checked: structure alone is fine


def test_every_problem_is_reported_together_and_load_config_reports_them_too(config_dir):
    huddle_path, barometer_path = config_dir / "huddle.yaml", config_dir / "barometer.yaml"
    _edit(huddle_path, "late_entry_days: 7", "late_entry_days: 90")
    _edit(barometer_path, "  green_min: 75\n  amber_min: 50", "  green_min: 50\n  amber_min: 75")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    problems = err.value.problems
    assert any(
        f"huddle.yaml line {_line_of(huddle_path, 'late_entry_days: 90')}: field `late_entry_days`: Input should be "
        "less than or equal to 31"
        in p
        for p in problems
    )
    assert any(
        f"barometer.yaml line {_line_of(barometer_path, 'gauge:')}: field `gauge`: amber_min (75) must not exceed "
        "green_min (50)"
        in p
        for p in problems
    )
    assert all(p.startswith(str(config_dir)) for p in problems)


def test_a_yaml_syntax_error_names_the_file_and_line(config_dir):
    _edit(config_dir / "barometer.yaml", "  - id: falls\n", "  - id: falls\n   bad: [unclosed\n")
    message = _problems(config_dir)
    assert re.search(r"barometer.yaml line \d+: not valid YAML", message), message


def test_without_the_files_the_board_still_loads_but_the_huddle_config_says_what_is_missing(config_dir):
    (config_dir / "huddle.yaml").unlink()
    (config_dir / "barometer.yaml").unlink()
    load_config(config_dir)
    message = _problems(config_dir)
    assert "huddle.yaml: file not found" in message and "barometer.yaml: file not found" in message
