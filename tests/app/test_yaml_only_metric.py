"""A metric added in config/metrics.yaml alone appears on every view of its audiences, with no code change."""

from __future__ import annotations

from metrics.store import queries
from tests.app.conftest import all_html, tiles_in

LABEL = "Patients aged 90 or over"


def stored_value(store, ward: str) -> int:
    return int(store.values(ward)["patients_over_90"]["value"])


def test_the_yaml_only_metric_was_evaluated_into_the_store(extra_metric_store):
    values = queries.ward_values(extra_metric_store.engine, extra_metric_store.current().id)
    assert len(values[values["metric_id"] == "patients_over_90"]) == len(extra_metric_store.cfg.wards.wards)


def test_it_appears_on_the_huddle_board_with_its_value(run_view, extra_metric_store):
    at = run_view(extra_metric_store, ward="7A")
    assert LABEL in all_html(at)
    assert tiles_in(at)[("7A", "patients_over_90")]["value"] == str(stored_value(extra_metric_store, "7A"))


def test_it_appears_on_the_wall(run_view, extra_metric_store):
    at = run_view(extra_metric_store, "wall", wards="7B")
    assert LABEL in all_html(at)
    assert tiles_in(at)[("7B", "patients_over_90")]["value"] == str(stored_value(extra_metric_store, "7B"))


def test_it_appears_as_a_column_of_the_exec_grid(run_view, extra_metric_store):
    at = run_view(extra_metric_store, "exec", mode="analyst")
    html = all_html(at)
    assert f'data-metric="patients_over_90" title="{LABEL}: Patients on the ward aged 90 or over' in html
    assert f">{LABEL}</th>" in html
