"""config/accreditation.yaml: every problem named with its file, line, item and field, all at once, in check-config."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.accreditation.config import accreditation_config_problems, load_accreditation_config
from metrics.config.load import load_config
from metrics.errors import ConfigError

SMALL = """\
domains:
  - {code: safe, label: "Safe"}
  - {code: personal, label: "Personal"}
standards:
  - id: S1
    title: "Harm is prevented"
    questions:
      - {id: S1.1, domain: safe, text: "Obs on time.", weight: 2, critical: true, evidence: "metric:obs_overdue"}
      - {id: S1.2, domain: personal, text: "Dignity kept.", evidence: observation}
levels:
  - {code: bronze, label: "Bronze", min_domain_percent: 70, revisit_months: 6}
  - {code: gold, label: "Gold", min_domain_percent: 90, previous: {count: 2, at_least: bronze}, revisit_months: 12}
"""


def write(config_dir: Path, text: str) -> Path:
    (config_dir / "accreditation.yaml").write_text(text, encoding="utf-8")
    return config_dir


def problems(config_dir: Path, text: str, cfg) -> list[str]:
    return accreditation_config_problems(write(config_dir, text), cfg, huddle_roles={"nurse", "doctor"})[1]


def test_the_shipped_framework_has_five_domains_and_is_valid(cfg):
    acfg = load_accreditation_config(cfg.directory, cfg)
    assert [d.label for d in acfg.domains] == ["Safe", "Personal", "Effective", "Leadership", "Relationships"]
    assert {q.domain for q in acfg.questions} == {d.code for d in acfg.domains}
    assert acfg.level_codes() == ("support", "bronze", "silver", "gold")


def test_a_small_valid_file_loads(config_dir, cfg):
    assert problems(config_dir, SMALL, cfg) == []


CASES = [
    # what is changed                                             the problem, as the hospital reads it
    (
        ("evidence: observation}", "evidence: photograph}"),
        "accreditation.yaml line 9: standard `S1`, field `questions.1.evidence`: evidence must be observation, "
        "conversation, records or metric:<a metric id in metrics.yaml> (got 'photograph')",
    ),
    (
        ("metric:obs_overdue", "metric:obs_overdoo"),
        "accreditation.yaml line 8: question `S1.1`, field `evidence`: 'obs_overdoo' is not a metric in metrics.yaml.",
    ),
    (
        ("domain: personal,", "domain: persnal,"),
        "accreditation.yaml line 9: question `S1.2`, field `domain`: unknown domain 'persnal'; "
        "use one of safe, personal.",
    ),
    (
        ("weight: 2,", "weight: 0,"),
        "accreditation.yaml line 8: standard `S1`, field `questions.0.weight`: Input should be greater than 0 (got 0)",
    ),
    (
        ("id: S1.2,", "id: S1.1,"),
        "accreditation.yaml line 9: question `S1.1` is defined twice; question ids must be unique.",
    ),
    (
        ("at_least: bronze", "at_least: silver"),
        "accreditation.yaml line 12: level `gold`, field `previous.at_least`: unknown level 'silver'; "
        "use one of bronze, gold.",
    ),
    (
        ("min_domain_percent: 90", "min_domain_percent: 60"),
        "accreditation.yaml line 12: level `gold`, field `min_domain_percent`: levels are listed lowest first; "
        "60 is below `bronze`'s 70.",
    ),
    (
        ("revisit_months: 6}", "revisit_months: 6, revisit_weeks: 2}"),
        "accreditation.yaml line 11: level `bronze`, field `revisit_weeks`: Extra inputs are not permitted (got 2)",
    ),
]


@pytest.mark.parametrize(("change", "message"), CASES)
def test_each_problem_names_the_file_line_item_and_field(config_dir, cfg, change, message):
    old, new = change
    assert SMALL.count(old) == 1
    found = problems(config_dir, SMALL.replace(old, new), cfg)
    assert message in found, found


def test_a_domain_without_a_question_is_a_problem(config_dir, cfg):
    text = SMALL.replace(
        '  - {code: personal, label: "Personal"}\n',
        '  - {code: personal, label: "Personal"}\n  - {code: effective, label: "Effective"}\n',
    )
    assert "accreditation.yaml line 4: domain `effective` has no question; add one or remove it." in problems(
        config_dir, text, cfg
    )


def test_an_action_owner_that_is_not_a_huddle_role_is_a_problem(config_dir, cfg):
    found = problems(config_dir, SMALL + "action_owner_role: porter\n", cfg)
    assert found == [
        "accreditation.yaml line 13: field `action_owner_role`: 'porter' is not a role of huddle.yaml (doctor, nurse)."
    ]


def test_every_problem_is_listed_at_once_by_check_config(config_dir):
    text = SMALL.replace("metric:obs_overdue", "metric:nope").replace("domain: personal,", "domain: nowhere,")
    write(config_dir, text)
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    listed = [p for p in caught.value.problems if "accreditation.yaml" in p]
    assert len(listed) == 3, listed  # the metric, the domain, and the domain left without a question
    assert all(p.startswith(f"{config_dir}/accreditation.yaml line ") for p in listed)


def test_a_trust_without_the_file_passes_check_config(config_dir):
    (config_dir / "accreditation.yaml").unlink()
    assert load_config(config_dir).metrics
