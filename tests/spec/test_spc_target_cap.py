"""Spec: past its target, a special-cause signal is unusual, not an improvement (the tile's SPC word).

A clinician checks the table: direction of improvement, the target, the latest value and the XmR icon, and
what the tile must say. Fill rates are fractions: 1.00 is 100 % of the planned hours.
"""

import pytest

from metrics.report.spc_chart import variation_icon_short
from metrics.spc.target_cap import capped_variation_icon

NAN = float("nan")

CASES = [
    # improvement  target  latest  XmR icon              tile says
    ("increase",   1.00,   1.25,   "improvement_high",   "↑ unusually high"),  # 125 % fill: more than planned
    ("increase",   1.00,   1.01,   "improvement_high",   "↑ unusually high"),  # just past the target
    ("increase",   1.00,   1.00,   "improvement_high",   "↑ improving"),  # at the target: still improving
    ("increase",   1.00,   0.97,   "improvement_high",   "↑ improving"),  # below the target
    ("increase",   None,   1.25,   "improvement_high",   "↑ improving"),  # no target: better without limit
    ("increase",   NAN,    1.25,   "improvement_high",   "↑ improving"),  # no target stored
    ("increase",   1.00,   1.25,   "concern_low",        "↓ concern"),  # concerns are never softened
    ("increase",   1.00,   1.25,   "common_cause",       "↔ stable"),
    ("decrease",   0.05,   0.02,   "improvement_low",    "↓ unusually low"),  # below a floor target
    ("decrease",   0.05,   0.05,   "improvement_low",    "↓ improving"),
    ("decrease",   0.05,   0.02,   "concern_high",       "↑ concern"),
    ("neutral",    1.00,   1.25,   "neutral_high",       "↑ unusually high"),
]


@pytest.mark.parametrize(("improvement", "target", "latest", "icon", "says"), CASES)
def test_the_tile_word_follows_the_metrics_direction_and_target(improvement, target, latest, icon, says):
    assert variation_icon_short(capped_variation_icon(icon, improvement, target, latest)) == says


def test_no_icon_stays_no_icon():
    assert capped_variation_icon(None, "increase", 1.0, 1.25) is None
