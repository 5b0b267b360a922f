"""A deterministic synthetic NHS trust: the multi-day history of daily EPR extracts in the contract's shape.

Why this exists: the dashboard needs data a ward manager would recognise, without a single real patient
in it, for the demo, the tests and the benchmarks. This module runs the simulation (the wards, beds and
stays in ``encounters``, each stay's ``severity``, then ``observations``, ``labs``, ``assessments``,
``medicines``, ``staffing``, ``flags`` and the tables ``outside_epr``) once over the whole period, and
writes one extract folder per day (``daily_extract`` cuts the day's window, ``bad_rows`` adds the
deliberate breaches, ``extract_folder`` writes the files and manifest).

Everything is synthetic: patients are ``P0123456``, stays ``E00054321``, and no name is ever generated.
The same seed and arguments give byte-identical files: all randomness comes from
``numpy.random.Generator(PCG64(seed))`` and its spawned child streams, one per part of the simulation,
so switching the deliberate bad rows or the optional tables off leaves every other row unchanged.

Two wards change part-way through the history (the 4th ward in wards.yaml improves, the 12th gets
worse) so SPC charts have a real shift. Times are simulated on the London wall clock and written with
the correct offset; ``extracted_at`` is 07:30 London every day.

``generate_trust`` writes the history; ``generate_one`` the latest day only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from metrics.synthetic.anticipation import anticipation_extract
from metrics.synthetic.assessments import simulate_assessments
from metrics.synthetic.bad_rows import add_bad_rows
from metrics.synthetic.clock import DAY, HOUR, NA, LondonClock, epoch_days
from metrics.synthetic.config_files import load_yaml
from metrics.synthetic.daily_extract import (
    MEDS_LOOKAHEAD_H,
    MEDS_LOOKBACK_H,
    OBS_LOOKBACK_H,
    SimulatedHistory,
    day_tables,
)
from metrics.synthetic.encounters import assign_identifiers, simulate_beds
from metrics.synthetic.equity import patient_equity
from metrics.synthetic.extract_folder import write_extract_folder
from metrics.synthetic.flags import simulate_flags
from metrics.synthetic.frailty import simulate_frailty, typical_recorded_share
from metrics.synthetic.labs import simulate_labs
from metrics.synthetic.medicines import simulate_medications
from metrics.synthetic.observations import simulate_observations
from metrics.synthetic.accreditation import question_ids, simulate_visits, visits_extract
from metrics.synthetic.outside_epr import outside_epr_extract, simulate_outside_epr
from metrics.synthetic.severity import simulate_severity
from metrics.synthetic.staffing import simulate_staffing
from metrics.synthetic.wards import Wards, load_wards

GENERATOR = "synthetic-trust-generator v1"
DEFAULT_SEED = 20261125
WARMUP_DAYS = 21  # simulated before the first extract so the wards are in a steady state
HISTORY_DAYS = 90  # the bed simulation always covers at least this many days before `end` (see generate_trust)


def _simulate_history(
    wards: Wards,
    clinical: dict[str, Any],
    days: int,
    end: date,
    streams: list[np.random.Generator],
) -> tuple[SimulatedHistory, list[date], list[date], np.ndarray]:
    """Every EPR row of the period; also the simulated days, the extract days and each extract's UTC time."""
    assessment_types = [str(a["code"]) for a in clinical.get("assessment_types") or []]
    flag_codes = {str(f["code"]).upper() for f in clinical.get("flag_codes") or []}
    span = max(days, HISTORY_DAYS)  # so the patients on a given day do not depend on how many days were asked for
    sim_days = [end - timedelta(days=span + WARMUP_DAYS - 1 - i) for i in range(span + WARMUP_DAYS)]
    extract_days = sim_days[-days:]
    clock = LondonClock(sim_days[0].year - 3, end.year + 1)
    change_day = WARMUP_DAYS + span // 2
    world = simulate_beds(streams[0], wards, clock, sim_days, extract_days, change_day)
    assign_identifiers(streams[1], world)
    sev = simulate_severity(streams[2], world)

    t_ext_wall = world.t_wall[-days:]
    t_ext = clock.to_utc(t_ext_wall)
    dis_utc = clock.to_utc(world.e_dis)
    admit_utc = clock.to_utc(world.e_admit)
    # every stay that appears in some extract
    in_any = np.zeros(len(world.e_admit), bool)
    for t in t_ext:
        in_any |= (admit_utc <= t) & (dis_utc > t - DAY)
    stays = np.flatnonzero(in_any)
    first_wall, last_wall = int(t_ext_wall[0]), int(t_ext_wall[-1])

    obs = simulate_observations(streams[3], world, sev, stays, first_wall - (OBS_LOOKBACK_H + 36) * HOUR, last_wall)
    labs = simulate_labs(streams[4], world, sev, stays, last_wall)
    assess = simulate_assessments(streams[5], world, stays, assessment_types, last_wall)
    meds = simulate_medications(
        streams[6],
        world,
        sev,
        stays,
        first_wall - (MEDS_LOOKBACK_H + 2) * HOUR,
        last_wall + (MEDS_LOOKAHEAD_H + 1) * HOUR,
    )
    staff = simulate_staffing(streams[7], world, sim_days[WARMUP_DAYS - 1], end)
    flags = simulate_flags(streams[8], world, sev, stays, flag_codes)
    for table, cols in (
        (obs, ("taken_at",)),
        (labs, ("collected_at",)),
        (assess, ("due_at", "completed_at")),
        (meds, ("scheduled_at", "_recorded")),
        (flags, ("raised_at", "cleared_at")),
    ):
        for col in cols:
            table[col] = clock.to_utc(table[col])
    stay_length = world.e_dis - world.e_admit
    edd = (
        world.e_admit + (stay_length * np.exp(0.2 * streams[9].standard_normal(len(world.e_admit)))).astype(np.int64)
    ) // DAY
    edd = np.where(streams[9].random(len(edd)) < 0.1, NA, np.maximum(edd, world.e_admit // DAY))
    bed_order = np.lexsort((world.e_bed, world.e_ward))  # ward order, then bed
    rank_bed = np.empty(len(bed_order), np.int64)
    rank_bed[bed_order] = np.arange(len(bed_order))
    # The stays and their times, then the EPR tables.
    history = SimulatedHistory(
        world=world, admit_utc=admit_utc, dis_utc=dis_utc, expected_discharge=edd, rank_bed=rank_bed,
        observations=obs, labs=labs, assessments=assess, medications=meds, staffing=staff, flags=flags,
    )
    return history, sim_days, extract_days, t_ext


def generate_trust(
    out_dir: Path,
    *,
    wards_yaml: Path = Path("config/wards.yaml"),
    clinical_yaml: Path = Path("config/clinical.yaml"),
    days: int = 90,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    fmt: str = "csv",
    bad_rows: bool = True,
    non_epr: bool = True,
    progress: Callable[[int, int], None] | None = None,
    accreditation_yaml: Path | None = None,
    cfs_recorded_share: np.ndarray | None = None,
    falls_multiplier: np.ndarray | None = None,
) -> list[Path]:
    """Simulate the trust and write one extract folder per day (``out_dir/YYYY-MM-DD/``), the last on ``end``
    (default today).

    Returns the folders in date order. Same arguments, same bytes. With ``bad_rows`` each extract carries a
    handful of deliberate contract breaches (see ``metrics.synthetic.bad_rows``); every other row is unchanged.
    With ``non_epr`` (the default) each extract also carries the optional tables from outside the EPR
    (incidents, patient_feedback, workforce; see ``metrics.synthetic.outside_epr``) and the anticipation tables
    (acuity, expected_admissions, falls_risk; see ``metrics.synthetic.anticipation``); without it they are left
    out, as for a hospital that does not supply them. Either way the EPR tables are byte-identical.
    ``scale`` repeats every ward of ``wards_yaml`` (see ``metrics.synthetic.wards``). With ``non_epr``, when
    ``accreditation_yaml`` (default: beside ``wards_yaml``) exists, each extract also carries about two years of
    accreditation visits (``metrics.synthetic.accreditation``). ``cfs_recorded_share``
    (one probability per ward) says how often each ward records a Clinical Frailty Scale score for a patient 65
    and over; by default every ward records about 85 % (``metrics.synthetic.frailty``). ``falls_multiplier`` (one
    factor per ward) scales each ward's inpatient falls (``metrics.synthetic.outside_epr``).
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    end = end or date.today()
    out_dir = Path(out_dir)
    clinical = load_yaml(clinical_yaml)
    wards = load_wards(wards_yaml, scale)
    root = np.random.Generator(np.random.PCG64(seed))
    streams = root.spawn(10)
    history, _, extract_days, t_ext = _simulate_history(wards, clinical, days, end, streams)
    frailty_rng = np.random.Generator(np.random.PCG64([seed, 13]))  # its own stream: no other row changes
    share = typical_recorded_share(frailty_rng, wards.n) if cfs_recorded_share is None else cfs_recorded_share
    history = replace(history, frailty=simulate_frailty(frailty_rng, history.world, share))
    # deprivation and ethnic category from their own stream, so they change no other byte
    history.world.p_imd_decile, history.world.p_ethnic_category = patient_equity(
        np.random.Generator(np.random.PCG64([seed, 19])), len(history.world.p_age)
    )
    clock = history.world.clock
    # the optional tables draw from their own stream, so switching them off changes no other byte
    outside = (
        simulate_outside_epr(
            np.random.Generator(np.random.PCG64([seed, 11])), history.world, extract_days[0], end, falls_multiplier
        )
        if non_epr
        else None
    )
    questions = question_ids(accreditation_yaml or Path(wards_yaml).parent / "accreditation.yaml") if non_epr else []
    visits = (
        simulate_visits(
            np.random.Generator(np.random.PCG64([seed, 17])), history.world, questions, extract_days[0], end
        )
        if questions
        else None
    )
    folders = []
    for k, day in enumerate(extract_days):
        t = int(t_ext[k])
        today = epoch_days(day)
        tables = day_tables(history, t, today)
        anticipating = (  # from the day's clean encounters, before any deliberate bad row
            anticipation_extract(
                np.random.Generator(np.random.PCG64([seed, 13, today])), history.world, tables["encounters"], t, today
            )
            if outside is not None
            else {}
        )
        overrides: dict[str, dict[str, dict[int, str]]] = {}
        if bad_rows:
            add_bad_rows(np.random.Generator(np.random.PCG64([seed, 7, today])), tables, overrides, t, fmt)
        if outside is not None:
            tables.update(outside_epr_extract(outside, t, today))
            tables.update(anticipating)
        if visits is not None:
            tables["accreditation_assessments"] = visits_extract(visits, today)
        manifest = {
            "extracted_at": str(clock.iso(np.array([t]))[0]),
            "source": f"{GENERATOR} seed={seed} scale={scale}",
        }
        folders.append(write_extract_folder(out_dir / day.isoformat(), tables, fmt, clock, overrides, manifest))
        if progress is not None:
            progress(k + 1, len(extract_days))
    return folders


def generate_one(
    out_dir: Path,
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    fmt: str = "parquet",
    wards_yaml: Path = Path("config/wards.yaml"),
    clinical_yaml: Path = Path("config/clinical.yaml"),
    bad_rows: bool = True,
) -> Path:
    """The latest extract only (``days=1``): the benchmark's input. Returns its folder."""
    return generate_trust(
        out_dir,
        wards_yaml=wards_yaml,
        clinical_yaml=clinical_yaml,
        days=1,
        scale=scale,
        seed=seed,
        end=end,
        fmt=fmt,
        bad_rows=bad_rows,
    )[0]
