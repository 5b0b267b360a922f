"""Past its target, 'more' is not 'better': the variation icon a tile shows for a metric with a target.

Why this exists: the XmR rules (NHS England, Making Data Count; NHSRplotthedots) call a run of high points an
improvement for any higher-is-better measure. A staffing fill rate of 125 % is a special cause, but more staff
than planned is not an improvement to celebrate: it is unusual, and it says nothing good about the rota. A metric
that names a target is better only up to that target; a metric without a target is better without limit. So an
improvement signal whose latest value is past the target reads as neutral (unusually high or low) instead.
"""

from __future__ import annotations

import math

_PAST_TARGET = {"improvement_high": ("increase", "neutral_high"), "improvement_low": ("decrease", "neutral_low")}


def capped_variation_icon(icon: str | None, improvement: str, target: float | None, last_value: float | None) -> str:
    """``icon``, or its neutral form when it is an improvement whose latest value is beyond ``target``.

    ``improvement`` is the series' direction ('increase' or 'decrease'); a missing target or value changes nothing.
    """
    if icon not in _PAST_TARGET or target is None or last_value is None:
        return icon  # type: ignore[return-value]
    if math.isnan(target) or math.isnan(last_value):
        return icon
    direction, neutral = _PAST_TARGET[icon]
    if improvement != direction:
        return icon
    past = last_value > target if direction == "increase" else last_value < target
    return neutral if past else icon
