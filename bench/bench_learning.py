"""Benchmark: learning-response status for a region's harm incidents, the executive view's read of every ward.

Why this exists: the executive view counts every ward's overdue and due learning responses and recurring
themes (``metrics.learning.responses.response_status``), re-read every few seconds; a region of a few hundred
wards has tens of thousands of harm incidents in the look-back window. Run:
``PYTHONPATH=. python bench/bench_learning.py``.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.learning.config import load_learning_config
from metrics.learning.responses import response_status, themes

TYPES = ["FALL", "PRESSURE_ULCER", "MEDICATION", "C_DIFF"]


def make_frames(incidents: int, wards: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random incidents over 90 days at ``wards`` wards, half of them with a response naming one or two factors."""
    rng = np.random.default_rng(seed)
    types = rng.choice(TYPES, incidents)
    start = datetime(2026, 9, 8, tzinfo=timezone.utc)
    frame = pd.DataFrame(
        {
            "incident_id": [f"INC{i:07d}" for i in range(incidents)],
            "ward_code": rng.choice([f"W{w:03d}" for w in range(wards)], incidents),
            "occurred_at": [start + timedelta(minutes=int(m)) for m in rng.integers(0, 90 * 24 * 60, incidents)],
            "incident_type": types,
            "harm_level": rng.choice(["none", "low", "moderate", "severe"], incidents),
            "pressure_ulcer_category": np.where(types == "PRESSURE_ULCER", rng.integers(1, 5, incidents), None),
        }
    )
    answered = frame["incident_id"].to_numpy()[::2]
    factors = ["staffing", "workload", "communication", "equipment"]
    responses = pd.DataFrame(
        {
            "id": np.arange(len(answered)),
            "incident_id": answered,
            "kind": "swarm_huddle",
            "held_on": date(2026, 12, 1),
            "factors": [list(rng.choice(factors, 2, replace=False)) for _ in answered],
            "reason": None,
            "created_at": datetime(2026, 12, 1, 12, tzinfo=timezone.utc),
        }
    )
    return frame, responses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--wards", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cfg = load_learning_config(DEFAULT_CONFIG_DIR)
    incidents, responses = make_frames(args.incidents, args.wards)
    today = date(2026, 12, 7)
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        status = response_status(incidents, responses, cfg, today)
        themes(status, cfg, today)
        best = min(best, time.perf_counter() - started)
    counts = status["status"].value_counts().to_dict()
    print(f"{args.incidents} incidents, {args.wards} wards: {len(status)} need a response {counts}")
    print(f"response_status + themes, best of {args.repeat}: {best:.3f} s")


if __name__ == "__main__":
    main()
