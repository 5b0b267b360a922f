"""The shipped falls rate on the system view's funnel: Poisson limits, per 1,000 occupied bed days on the axis."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from metrics.evaluate.definitions import metric_as_dict
from metrics.federation.definitions import definition_hash, protected_parts
from metrics.federation.hub_read import funnel_kind, variants_of
from metrics.report.funnel_chart import funnel_figure
from metrics.stats.funnel import Adjustment, Kind, funnel


@pytest.fixture
def variant(cfg):
    m = next(m for m in cfg.metrics if m.id == "falls_per_1000_bed_days")
    definitions = pd.DataFrame(
        [
            {
                "trust_code": code,
                "metric_id": m.id,
                "definition_hash": definition_hash(m),
                "label": m.label,
                "is_ratio": True,
                "display": m.display,
                "direction": m.direction.value,
                "definition": json.dumps(metric_as_dict(m)),
            }
            for code in ("RX1", "RX2")
        ]
    )
    (only,) = variants_of(definitions)
    return only


# falls and occupied bed days in a month: 5 wards near 6 per 1,000, one at 20 per 1,000
UNITS = pd.DataFrame(
    {
        "trust_code": ["RX1"] * 3 + ["RX2"] * 3,
        "label": ["RX1 · 7A", "RX1 · 7B", "RX1 · 8D", "RX2 · 7A", "RX2 · 7B", "RX2 · 8D"],
        "numerator": [5.0, 4.0, 16.0, 6.0, 3.0, 5.0],
        "denominator": [800.0, 750.0, 800.0, 900.0, 600.0, 850.0],
    }
)


def test_the_shipped_rate_gets_poisson_limits_even_when_falls_never_exceed_bed_days(variant) -> None:
    assert (variant.display, variant.per, variant.unit) == ("rate", 1000, "per 1,000 occupied bed days")
    assert bool((UNITS["numerator"] <= UNITS["denominator"]).all())  # would pass for a proportion
    assert funnel_kind(variant, UNITS) is Kind.RATE


def test_the_limits_are_the_exact_poisson_quantiles_interpolated(variant) -> None:
    made = funnel(funnel_kind(variant, UNITS), UNITS["numerator"], UNITS["denominator"], Adjustment.NONE)
    target = UNITS["numerator"].sum() / UNITS["denominator"].sum()
    assert made.target == pytest.approx(target)
    for n in (200.0, 800.0, 3000.0):
        for level, (low_p, high_p) in {"95%": (0.025, 0.975), "99.8%": (0.001, 0.999)}.items():
            low, high = made.limits([n], level)
            for p, got in ((low_p, low[0]), (high_p, high[0])):
                dist = stats.poisson(n * target)
                r = dist.ppf(p)
                alpha = (dist.cdf(r) - p) / (dist.cdf(r) - dist.cdf(r - 1))
                assert got == pytest.approx(max(0.0, (r - alpha) / n)), (n, level, p)  # a rate is never below 0


def test_the_planted_ward_at_20_per_1000_is_beyond_the_998_limits_and_the_rest_are_not(variant) -> None:
    made = funnel(funnel_kind(variant, UNITS), UNITS["numerator"], UNITS["denominator"], Adjustment.NONE)
    assert made.beyond_998.tolist() == [False, False, True, False, False, False]


def test_the_chart_reads_per_1000_occupied_bed_days(variant) -> None:
    made = funnel(Kind.RATE, UNITS["numerator"], UNITS["denominator"], Adjustment.NONE)
    units = UNITS.assign(value=made.value, beyond_998=made.beyond_998)
    fig = funnel_figure(units, made, variant.label, False, {"RX1": "One", "RX2": "Two"}, per=1000, unit=variant.unit)
    assert fig.layout.yaxis.title.text == "per 1,000 occupied bed days"
    assert fig.layout.xaxis.title.text == "Denominator (occupied bed days in the month)"
    points = next(t for t in fig.data if t.name == "RX1 · One")
    assert np.allclose(points.y, [6.25, 4000 / 750, 20.0])
    assert "Poisson" in made.adjustment_label


def test_the_bundle_protects_falls_and_bed_days_as_counts_of_people_and_events(cfg) -> None:
    m = next(m for m in cfg.metrics if m.id == "falls_per_1000_bed_days")
    assert protected_parts(m) == (True, True)


@pytest.mark.parametrize(
    ("centre", "target", "said"),
    [
        (None, 12 / 400, "all units pooled"),  # the units' own pooled value
        ((0.05, "the trusts' totals"), 0.05, "the trusts' totals"),  # given, with where it came from
        ((0.0, "a quiet month"), 0.0, "a quiet month"),
    ],
)
def test_the_centre_line_is_pooled_unless_given_and_the_chart_says_which(centre, target, said) -> None:
    made = funnel(Kind.RATE, [0, 12, 0], [100, 200, 100], centre=centre)
    assert made.target == pytest.approx(target)
    assert f"({said})" in made.statement


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_a_centre_that_is_not_a_rate_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="target"):
        funnel(Kind.RATE, [1, 2], [100, 200], centre=(bad, "wrong"))


def test_a_proportion_centre_above_one_is_refused() -> None:
    with pytest.raises(ValueError, match="proportion up to 1"):
        funnel(Kind.PROPORTION, [1, 2], [100, 200], centre=(1.5, "wrong"))


@pytest.mark.parametrize(
    ("per", "unit", "said"),
    [
        (1, "", "Target 0.03 (all units pooled)"),
        (1000, "per 1,000 occupied bed days", "Target 30 per 1,000 occupied bed days (all units pooled)"),
        (100, "%", "Target 3 % (all units pooled)"),
    ],
)
def test_the_statement_reads_the_target_as_the_chart_does(per, unit, said) -> None:
    made = funnel(Kind.RATE, [0, 12, 0], [100, 200, 100])
    assert made.statement_per(per, unit).startswith(said + "; limits at 95 % and 99.8 %")
