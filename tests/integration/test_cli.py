"""The command line as an integration engineer's scheduler runs it: real processes, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.extract_builder import write_extract
from tests.integration.test_refresh import NOW, small_world

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env_db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args, "--db", env_db, "--create-store"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_refresh_then_snapshot_json_carries_wards_and_derived_encounter_values(tmp_path, db_url):
    folder = write_extract(tmp_path / "x", NOW, small_world())
    loaded = run("refresh", str(folder), env_db=db_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded as snapshot" in loaded.stdout
    out = run("snapshot", "--format", "json", env_db=db_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["extracted_at"].startswith("2026-11-25T07:30:00")
    assert doc["wards"]["7A"]["metrics"]["patients_on_ward"] == {"value": 2.0, "rag": None}
    e1 = next(e for e in doc["encounters"] if e["encounter_id"] == "E1")
    assert e1["news2_score"] == 9 and e1["news2_monitoring"] == "continuous"
    assert e1["sepsis"]["positive"] is True and e1["sepsis"]["risk"] == "high"
    assert e1["sepsis"]["criteria"][0] == "suspected infection with NEWS2 9: high risk (NICE NG51)"
    # VTE from the extract, pressure ulcer and MUST due from admission with no row: three overdue
    assert e1["missed_critical_doses"] == 1 and e1["assessments_overdue"] == 3
    assert "aki_stage" in e1 and e1["aki_stage"] is None and e1["aki_reason"]


def test_rejected_extract_exits_2_with_the_file_named_and_no_traceback(tmp_path, db_url):
    folder = write_extract(tmp_path / "x", NOW, small_world())
    (folder / "encounters.csv").unlink()
    result = run("refresh", str(folder), env_db=db_url)
    assert result.returncode == 2
    assert "encounters.csv" in result.stderr and "Traceback" not in result.stderr


def test_check_config_exits_3_listing_problems_without_traceback(tmp_path):
    import shutil

    cfg = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg)
    (cfg / "wards.yaml").write_text((cfg / "wards.yaml").read_text().replace("beds: 32", "beds: -1", 1))
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "check-config", "--config", str(cfg)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3
    assert "wards.yaml line" in result.stderr and "ward `7A`, field `beds`" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_passes_on_the_shipped_configuration():
    result = subprocess.run([sys.executable, "-m", "metrics", "check-config"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_check_config_exits_3_naming_access_yaml_when_it_is_missing(tmp_path):
    """The dashboard refuses every page without access.yaml, so check-config must not call that folder OK."""
    import shutil

    cfg = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg)
    (cfg / "access.yaml").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "check-config", "--config", str(cfg)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3
    assert f"{cfg}/access.yaml: file not found" in result.stderr
    assert f"Copy the shipped {ROOT / 'config' / 'access.yaml'}" in result.stderr
    assert "OK" not in result.stdout and "Traceback" not in result.stderr
