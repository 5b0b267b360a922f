"""Unit: config/learning.yaml and config/dimensions.yaml are refused with every problem, naming file, line and field;
and the five questions say when a ward has no measure for one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.dimensions.config import load_dimensions_config
from metrics.dimensions.panel import LearningCounts, ward_dimensions
from metrics.errors import ConfigError
from metrics.learning.config import load_learning_config


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def test_the_shipped_files_load():
    assert len(load_learning_config(DEFAULT_CONFIG_DIR).harm_incidents) == 3
    assert [d.code for d in load_dimensions_config(DEFAULT_CONFIG_DIR).dimensions] == [
        "past_harm",
        "reliability",
        "safe_today",
        "safe_future",
        "learning",
    ]


def test_learning_yaml_problems_name_the_file_the_line_and_the_field_all_at_once(copied: Path):
    path = copied / "learning.yaml"
    replace(path, "respond_within_days: 5", "respond_within_days: 0")
    replace(path, "incident_type: MEDICATION", "incident_type: SLIP")
    replace(path, "{code: team, label:", "{code: staffing, label:")
    with pytest.raises(ConfigError) as err:
        load_config(copied)
    text = str(err.value)
    assert (
        f"learning.yaml line {line_of(path, 'respond_within_days: 0')}: harm incident `PRESSURE_ULCER`, field `respond_within_days`"  # noqa: E501
        in text
    )
    assert (
        f"learning.yaml line {line_of(path, 'incident_type: SLIP')}: harm incident `SLIP`, field `incident_type`: incident_type must be one of FALL, PRESSURE_ULCER, MEDICATION"  # noqa: E501
        in text
    )
    assert "field `contributory_factors`: factor codes must be unique; listed twice: staffing" in text


def test_a_learning_yaml_key_the_dashboard_does_not_know_is_refused(copied: Path):
    path = copied / "learning.yaml"
    replace(path, "lookback_days: 90", "lookback_dayz: 90")
    with pytest.raises(ConfigError) as err:
        load_learning_config(copied)
    assert (
        f"learning.yaml line {line_of(path, 'lookback_dayz')}: field `lookback_dayz`: Extra inputs are not permitted"
        in str(err.value)
    )


def test_a_dimension_naming_a_metric_not_in_metrics_yaml_is_refused_with_its_line(copied: Path):
    path = copied / "dimensions.yaml"
    replace(path, "metrics: [falls_last_24h,", "metrics: [falls_last_week,")
    with pytest.raises(ConfigError) as err:
        load_config(copied)
    assert (
        f"dimensions.yaml line {line_of(path, 'falls_last_week')}: dimension `past_harm`, field `metrics`: "
        "unknown metric 'falls_last_week'; use an id from metrics.yaml." in str(err.value)
    )


def test_dimensions_yaml_must_give_each_of_the_five_questions_once(copied: Path):
    replace(copied / "dimensions.yaml", "code: safe_future", "code: safe_today")
    with pytest.raises(ConfigError) as err:
        load_dimensions_config(copied)
    assert "give each of past_harm, reliability, safe_today, safe_future, learning exactly once" in str(err.value)


def summary_row(value: float | None, icon: str | None, upper: float | None) -> dict:
    return {"last_value": value, "variation_icon": icon, "upper_limit": upper}


def test_each_question_lists_the_wards_measures_and_says_so_when_the_ward_has_none(cfg):
    dims = load_dimensions_config(DEFAULT_CONFIG_DIR)
    summary = pd.DataFrame.from_dict(
        {
            "ward:7A|falls_last_24h": summary_row(1.0, "concern_high", 0.9),
            "ward:7A|obs_overdue": summary_row(3.0, "common_cause", 6.0),
            "ward:7A|news2_5_or_more": summary_row(2.0, "common_cause", None),  # one day: no limits yet, no icon
            "ward:7B|falls_last_24h": summary_row(0.0, "common_cause", 1.0),
        },
        orient="index",
    )
    answers = {a.code: a for a in ward_dimensions(dims, cfg, summary, "7A", LearningCounts(2, 1, 4, 1))}
    assert [(m.id, m.value, m.variation_icon) for m in answers["past_harm"].measures] == [
        ("falls_last_24h", 1.0, "concern_high")
    ]
    assert [(m.id, m.variation_icon) for m in answers["safe_today"].measures] == [("news2_5_or_more", None)]
    assert answers["safe_future"].measures == () and answers["safe_future"].note == "No measure for this ward"
    assert [(m.id, m.value) for m in answers["learning"].measures] == [
        ("responses_overdue", 2.0),
        ("responses_due", 1.0),
        ("recurring_themes", 1.0),
    ]
    without_incidents = {a.code: a for a in ward_dimensions(dims, cfg, summary, "7A", None)}
    assert without_incidents["learning"].note == "No measure for this ward (incidents not supplied)"
