"""Triangulation on a stored history: a Gold ward whose harm metric shows special-cause concern is on the mismatch list.

The history is literal: wards 7A and 7B each have one patient every day from 1 to 12 November; 7A has a fall in
the 24 hours before each of the last four extracts, 7B none. Both wards' visits arrive in the audit app's extract
(the optional accreditation_assessments table): two visits at Silver, then a third at Gold, for each ward, so both
are Gold. Only 7A's live data disagrees.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from metrics.accreditation.config import load_accreditation_config
from metrics.accreditation.evidence import triangulate
from metrics.huddle.config import load_huddle_config
from metrics.pipeline import refresh
from metrics.report.accreditation import accreditation_section
from metrics.store import accreditation as stored
from metrics.store import queries
from metrics.store.database import ready_engine
from tests.extract_builder import encounter, obs, write_extract

FIRST = date(2026, 11, 1)
DAYS = 12
FALL_DAYS = 4  # the last four extracts each see a fall on 7A in the 24 hours before them
VISIT_DATES = ("2025-06-10", "2025-12-02", "2026-06-15")


def visits(acfg) -> list[dict]:
    rows = []
    for ward in ("7A", "7B"):
        for n, day in enumerate(VISIT_DATES, start=1):
            rows += [
                {
                    "visit_reference": f"AUD-{ward}-{n}",
                    "ward_code": ward,
                    "assessed_on": day,
                    "assessor": "Peer assessor",
                    "question": q.id,
                    "score": "1",
                    "finding": "",
                }
                for q in acfg.questions
            ]
    return rows


def extract(folder: Path, day: date, fall: bool, acfg) -> Path:
    stamp = f"{day.isoformat()}T07:30:00Z"
    tables = {
        "encounters": [
            encounter("E1", "7A", admitted="2026-10-30T10:00:00Z"),
            encounter("E2", "7B", admitted="2026-10-30T10:00:00Z", bed="B2"),
        ],
        "observations": [obs("E1", f"{day.isoformat()}T06:00:00Z"), obs("E2", f"{day.isoformat()}T06:00:00Z")],
        "patient_flags": (
            [{"encounter_id": "E1", "flag": "FALL", "raised_at": f"{day.isoformat()}T03:00:00Z", "cleared_at": ""}]
            if fall
            else []
        ),
        "accreditation_assessments": visits(acfg),
    }
    return write_extract(folder, stamp, tables)


@pytest.fixture
def history(db_url, cfg, tmp_path):
    engine = ready_engine(db_url)
    acfg = load_accreditation_config(cfg.directory, cfg)
    for i in range(DAYS):
        day = FIRST + timedelta(days=i)
        refresh(extract(tmp_path / day.isoformat(), day, i >= DAYS - FALL_DAYS, acfg), cfg, engine)
    return engine, acfg


def test_the_audit_apps_visits_are_loaded_once_and_levelled_in_order(history):
    engine, _ = history
    frame = stored.assessments(engine)
    assert len(frame) == 6  # twelve extracts carried the same six visits
    levels = {(w, d.isoformat()): lv for w, d, lv in zip(frame["ward_code"], frame["assessed_on"], frame["level"])}
    assert levels == {
        ("7A", "2025-06-10"): "silver",
        ("7A", "2025-12-02"): "silver",
        ("7A", "2026-06-15"): "gold",
        ("7B", "2025-06-10"): "silver",
        ("7B", "2025-12-02"): "silver",
        ("7B", "2026-06-15"): "gold",
    }
    assert set(frame["source"]) == {"extract"}
    messages = queries.refresh_attempts(engine)["message"].tolist()  # newest first
    assert messages[-1] == "0 row(s) quarantined; 6 accreditation visit(s) loaded"
    assert messages[0] == "0 row(s) quarantined; 0 accreditation visit(s) loaded, 6 already held"


def test_a_gold_ward_whose_falls_show_special_cause_concern_is_on_the_mismatch_list(history, cfg):
    engine, acfg = history
    today = FIRST + timedelta(days=DAYS - 1)
    result = triangulate(engine, cfg, acfg, today, load_huddle_config(cfg.directory, cfg))
    spc_mismatches = [(m.ward_code, m.level, m.kind) for m in result.mismatches if m.kind == "spc_concern"]
    assert spc_mismatches == [("7A", "gold", "spc_concern")]
    found = next(m for m in result.mismatches if m.kind == "spc_concern")
    assert found.headline == "Gold, yet Falls in the last 24 hours show special-cause concern on 4 days"
    assert found.evidence == ("harm metric: 4 day(s) of special-cause concern from 09 Nov 2026 to 12 Nov 2026")
    assert found.link == "/exec?metric=falls_last_24h&scope=ward%3A7A"
    assert result.evidence["7B"].concerns == {}


def test_the_monthly_board_report_carries_levels_per_site_visits_overdue_revisits_and_mismatches(history, cfg):
    engine, _ = history
    section = accreditation_section(engine, cfg, date(2026, 6, 1), date(2026, 6, 30))
    site = next(s for s in cfg.wards.sites if s.code == cfg.ward("7A").site)
    others = len([w for w in cfg.wards.wards if w.site == site.code]) - 2
    # Gold, Silver, Bronze, Support, not yet accredited: 7A and 7B Gold from 15 June, the site's other wards unvisited
    assert f"<tr><td>{site.name}</td><td>2</td><td>0</td><td>0</td><td>0</td><td>{others}</td></tr>" in section
    assert "Visits in the month: <b>2</b>." in section
    assert "Revisits overdue at the month's end: <b>0</b>." in section
    assert "Mismatches between a ward's level and its live data: <b>0</b>." in section  # the falls came in November
    november = accreditation_section(engine, cfg, date(2026, 11, 1), date(2026, 11, 30))
    assert "Mismatches between a ward's level and its live data: <b>1</b>." in november
    assert "<b>7A</b>: Gold, yet Falls in the last 24 hours show special-cause concern on 4 days" in november
