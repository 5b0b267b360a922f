"""The snapshot document (``python -m metrics snapshot --format json``) says whether the data is stale, by the
same rule the boards use (metrics.board.freshness), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from datetime import UTC, datetime, timedelta

import pytest

from metrics.cli.commands import snapshot_document
from metrics.errors import ExtractRejected
from metrics.pipeline import refresh
from metrics.report.board import render_board_report
from tests.extract_builder import write_extract
from tests.integration.test_refresh import NOW, small_world

EXTRACTED = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # NOW


def test_fresh_until_the_limit_then_stale(tmp_path, cfg, engine):
    refresh(write_extract(tmp_path / "x", NOW, small_world()), cfg, engine)
    limit = cfg.dashboard.stale_after_minutes
    at_limit = snapshot_document(engine, cfg, now=EXTRACTED + timedelta(minutes=limit))["freshness"]
    assert at_limit == {
        "is_stale": False,
        "age_minutes": float(limit),
        "too_old": False,
        "failed_status": None,
        "failed_at": None,
        "failed_message": None,
    }
    past = snapshot_document(engine, cfg, now=EXTRACTED + timedelta(minutes=limit + 1))["freshness"]
    assert past["is_stale"] is True and past["too_old"] is True and past["failed_status"] is None


def test_a_rejected_extract_after_the_snapshot_makes_it_stale_and_says_why(tmp_path, cfg, engine):
    refresh(write_extract(tmp_path / "good", NOW, small_world()), cfg, engine)
    bad = write_extract(tmp_path / "bad", NOW, small_world())
    (bad / "encounters.csv").unlink()
    with pytest.raises(ExtractRejected):
        refresh(bad, cfg, engine)
    fresh = snapshot_document(engine, cfg, now=EXTRACTED + timedelta(minutes=5))["freshness"]
    assert fresh["is_stale"] is True and fresh["too_old"] is False
    assert fresh["failed_status"] == "rejected" and "encounters" in fresh["failed_message"]


def test_the_board_report_says_when_the_data_is_stale_and_not_when_it_is_fresh(tmp_path, cfg, engine):
    refresh(write_extract(tmp_path / "x", NOW, small_world()), cfg, engine)
    limit = cfg.dashboard.stale_after_minutes
    # one measure's charts: the note is about the data's age, and drawing every measure twice costs two minutes
    one_measure = replace(cfg, metrics=tuple(m for m in cfg.metrics if m.id == "patients_on_ward"))
    fresh = render_board_report(engine, one_measure, "2026-11", now=EXTRACTED + timedelta(minutes=limit))
    assert "Data is stale" not in fresh
    stale = render_board_report(engine, one_measure, "2026-11", now=EXTRACTED + timedelta(hours=26))
    assert "<b>Data is stale:</b> the latest extract loaded was taken 25 Nov 2026 07:30 UTC, 26 hours before" in stale
