"""Unit: one describer names the item a config error points at, in every config file's own words."""

from __future__ import annotations

import pytest

from metrics.config.yaml_loader import CONFIG_ITEMS, ItemNames, describe_location

HUDDLE = ItemNames(words={"indicators": "indicator", "wards": "ward", "ratings": "rating"})
ACCESS = ItemNames(words={"groups": "group", "users": "user"}, keys={"groups": "group", "users": "user"})

METRICS_DATA = {"metrics": [{"id": "vte_outstanding"}, {"label": "no id"}], "shifts": [{"code": "day"}]}
WARDS_DATA = {"wards": [{"code": "7A"}]}
HUDDLE_DATA = {"indicators": [{"id": "falls"}, {"label": "no id"}], "wards": {"9A": {}}, "ratings": {}}
ACCESS_DATA = {"groups": [{"group": "ward-7a-staff"}, {"role": "matron"}], "users": [{"user": "a@b"}]}

CASES = [
    # data,        names,        location,                                        reads as
    (METRICS_DATA, CONFIG_ITEMS, ("metrics", 0, "rag", "green_max"), "metric `vte_outstanding`, field `rag.green_max`"),
    (
        METRICS_DATA,
        CONFIG_ITEMS,
        ("metrics", 0, "where", "all", 0, "leaf", "eq"),
        "metric `vte_outstanding`, field `where.0.eq`",
    ),
    (METRICS_DATA, CONFIG_ITEMS, ("metrics", 1, "id"), "metric #2, field `id`"),
    (METRICS_DATA, CONFIG_ITEMS, ("metrics", 0), "metric `vte_outstanding`"),
    (METRICS_DATA, CONFIG_ITEMS, ("shifts", 0, "label"), "shifts `day`, field `label`"),
    (WARDS_DATA, CONFIG_ITEMS, ("wards", 0, "beds"), "ward `7A`, field `beds`"),
    (WARDS_DATA, CONFIG_ITEMS, ("stale_after_hours",), "field `stale_after_hours`"),
    (HUDDLE_DATA, HUDDLE, ("indicators", 0, "rag", "green_max"), "indicator `falls`, field `rag.green_max`"),
    (HUDDLE_DATA, HUDDLE, ("indicators", 1, "id"), "indicator #2, field `id`"),
    (HUDDLE_DATA, HUDDLE, ("wards", "9A", "aim", "target"), "ward `9A`, field `aim.target`"),
    (HUDDLE_DATA, HUDDLE, ("ratings", "reliability", "hints"), "rating `reliability`, field `hints`"),
    (HUDDLE_DATA, HUDDLE, ("gauge", "green_min"), "field `gauge.green_min`"),
    (ACCESS_DATA, ACCESS, ("groups", 0, "role"), "group `ward-7a-staff`, field `role`"),
    (ACCESS_DATA, ACCESS, ("groups", 1, "wards"), "group #2, field `wards`"),
    (ACCESS_DATA, ACCESS, ("users", 0, "colour"), "user `a@b`, field `colour`"),
    (ACCESS_DATA, ACCESS, ("mode",), "field `mode`"),
    (ACCESS_DATA, ACCESS, (), "the file"),
    ({"controls": [{"kind": "design"}]}, ItemNames(words={}, whole="the hazard"), (), "the hazard"),
    ({"controls": [{"kind": "design"}]}, ItemNames(words={}), ("controls", 0, "tests"), "field `controls.0.tests`"),
]


@pytest.mark.parametrize("data, names, loc, expected", CASES)
def test_an_error_location_reads_as_the_item_and_field(data, names, loc, expected):
    assert describe_location(data, loc, names) == expected
