"""A larger synthetic region loads as README says: ``generate-sample --scale N`` writes the extracts and the
matching configuration, and the refresh it prints quarantines the deliberate bad rows only."""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml

from metrics.cli.main import main
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.store import queries
from metrics.store.database import ready_engine

BASE_CODES = [w["code"] for w in yaml.safe_load((DEFAULT_CONFIG_DIR / "wards.yaml").read_text())["wards"]]
# Each CSV extract carries five deliberate breaches (see metrics.synthetic.bad_rows), nothing else.
DELIBERATE = [
    ("assessments", "encounter_id"),
    ("encounters", "ward_code"),
    ("lab_results", "value"),
    ("observations", "heart_rate"),
    ("observations", "taken_at"),
]


def test_a_scale_2_region_loads_with_the_config_written_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "region"
    generate = ["generate-sample", "--scale", "2", "--days", "2", "--end", "2026-11-25", "--fmt", "csv"]
    assert main([*generate, "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] == f"  python -m metrics refresh {out} --config {out / 'config'}"
    refresh_args = shlex.split(printed[-1])[3:]  # the command as printed, after "python -m metrics"

    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert main([*refresh_args, "--db", db]) == 0
    engine = ready_engine(db)
    loaded = queries.snapshots(engine)
    assert len(loaded) == 2
    region_codes = BASE_CODES + [f"{c}-K02" for c in BASE_CODES]
    for snapshot_id in loaded["id"]:
        summary = queries.quarantine_summary(engine, int(snapshot_id))
        assert sorted(zip(summary["table_name"], summary["column_name"], summary["rows"])) == [
            (table, column, 1) for table, column in DELIBERATE
        ]
        values = queries.ward_values(engine, int(snapshot_id))
        patients = values[values["metric_id"] == "patients_on_ward"].set_index("ward_code")["value"]
        assert sorted(patients.index) == sorted(c.upper() for c in region_codes)
        assert (patients > 0).all(), patients[patients <= 0].to_dict()
    current = queries.current_snapshot(engine)
    assert current is not None and pd.Timestamp(current.extracted_at).date().isoformat() == "2026-11-25"


def test_the_region_config_can_be_written_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, config_out = tmp_path / "region", tmp_path / "region-config"
    argv = ["generate-sample", "--scale", "2", "--days", "1", "--end", "2026-11-25", "--out", str(out)]
    assert main([*argv, "--config-out", str(config_out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"  python -m metrics refresh {out} --config {config_out}"
    codes = [w["code"] for w in yaml.safe_load((config_out / "wards.yaml").read_text())["wards"]]
    assert codes == BASE_CODES + [f"{c}-K02" for c in BASE_CODES]
    assert not (out / "config").exists()


def test_a_config_out_inside_the_source_config_is_refused_before_anything_is_written(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "region"
    argv = ["generate-sample", "--config", str(config_dir), "--scale", "2", "--days", "1", "--out", str(out)]
    assert main([*argv, "--config-out", str(config_dir)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"generate-sample: {config_dir}: the region's config would be written into the config it is copied from "
        f"({config_dir}); choose a folder outside it"
    )
    assert not out.exists()
