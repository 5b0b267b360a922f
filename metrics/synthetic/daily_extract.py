"""One day's extract cut from the simulated history: what an EPR export at 07:30 would hold.

Why this exists: the simulation produces every row of the whole period once; each daily extract is a
window onto it (stays on the ward or discharged in the last 24 hours, 48 hours of observations, the
eMAR from 36 hours back to the next round, a year of bloods, two days of rosters). Cutting windows
keeps a patient's rows identical from one day's extract to the next, as they are in a real EPR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.synthetic.arrays import take
from metrics.synthetic.clock import DAY, HOUR, NA, NONE
from metrics.synthetic.encounters import World

OBS_LOOKBACK_H = 48  # observation sets shown per stay
MEDS_LOOKBACK_H = 36  # eMAR window shown
MEDS_LOOKAHEAD_H = 1  # the next drug round, still pending
LAB_LOOKBACK_DAYS = 365

Table = dict[str, np.ndarray]


@dataclass(frozen=True)
class SimulatedHistory:
    """Every simulated row of the period, times in UTC seconds; ``_e``/``_p`` index stays/patients of ``world``."""

    world: World
    admit_utc: np.ndarray  # per stay
    dis_utc: np.ndarray  # per stay (planned; in the future for stays still open at the end)
    expected_discharge: np.ndarray  # per stay: epoch day, or NA
    rank_bed: np.ndarray  # per stay: its place in ward-then-bed order
    observations: Table
    labs: Table
    assessments: Table
    medications: Table
    staffing: Table
    flags: Table
    frailty: np.ndarray | None = None  # per stay: Clinical Frailty Scale score or NA; None leaves the column out


def day_tables(sim: SimulatedHistory, t: int, today: int) -> dict[str, Table]:
    """The EPR tables of the extract taken at ``t`` (UTC seconds) on London day ``today`` (epoch days)."""
    world = sim.world
    wards = world.wards
    admit_utc, dis_utc = sim.admit_utc, sim.dis_utc
    in_extract = (admit_utc <= t) & (dis_utc > t - DAY)
    enc_idx = np.flatnonzero(in_extract)
    enc_idx = enc_idx[np.argsort(sim.rank_bed[enc_idx], kind="stable")]
    pats = world.e_pat[enc_idx]
    encounters = {
        "encounter_id": world.e_id[enc_idx],
        "patient_id": world.p_id[pats],
        "ward_code": wards.code[world.e_ward[enc_idx]],
        "bed": wards.bed_label[world.e_bed[enc_idx]],
        "admitted_at": admit_utc[enc_idx],
        "discharged_at": np.where(dis_utc[enc_idx] <= t, dis_utc[enc_idx], NA),
        "expected_discharge_date": sim.expected_discharge[enc_idx],
        "age_years": world.p_age[pats],
        "sex": world.p_sex[pats],
    }
    if sim.frailty is not None:
        encounters["clinical_frailty_scale"] = sim.frailty[enc_idx]
    if len(world.p_imd_decile):  # optional columns: deprivation and ethnic category (metrics.synthetic.equity)
        decile = world.p_imd_decile[pats]
        encounters["imd_decile"] = np.where(np.isnan(decile), NA, np.nan_to_num(decile).astype(np.int64))
        encounters["ethnic_category"] = world.p_ethnic_category[pats]
    obs = sim.observations
    end_at = np.full(len(world.e_admit), NA)
    end_at[enc_idx] = np.minimum(dis_utc[enc_idx], t)
    o_end = end_at[obs["_e"]]
    observations = take(
        obs, (o_end != NA) & (obs["taken_at"] <= o_end) & (obs["taken_at"] >= o_end - OBS_LOOKBACK_H * HOUR)
    )
    meds = sim.medications
    m_sel = (
        in_extract[meds["_e"]]
        & (meds["scheduled_at"] >= t - MEDS_LOOKBACK_H * HOUR)
        & (meds["scheduled_at"] <= t + MEDS_LOOKAHEAD_H * HOUR)
    )
    medication = take(meds, m_sel)
    pending = (medication["_recorded"] == NA) | (medication["_recorded"] > t)
    medication["outcome"] = np.where(pending, "pending", medication["outcome"])
    medication["administered_at"] = np.where(pending | (medication["outcome"] != "given"), NA, medication["_recorded"])
    medication["reason"] = np.where(pending, NONE, medication["reason"])
    assess = sim.assessments
    assessments = take(assess, in_extract[assess["_e"]] & (assess["due_at"] <= t + DAY))
    assessments["completed_at"] = np.where(assessments["completed_at"] > t, NA, assessments["completed_at"])
    flags = sim.flags
    patient_flags = take(flags, in_extract[flags["_e"]] & (flags["raised_at"] <= t))
    patient_flags["cleared_at"] = np.where(patient_flags["cleared_at"] > t, NA, patient_flags["cleared_at"])
    wanted = np.zeros(len(world.p_age), bool)
    wanted[pats] = True
    labs = sim.labs
    lab_results = take(
        labs,
        wanted[labs["_p"]] & (labs["collected_at"] <= t) & (labs["collected_at"] > t - LAB_LOOKBACK_DAYS * DAY),
    )
    staff = sim.staffing
    staffing = take(staff, (staff["shift_date"] >= today - 1) & (staff["shift_date"] <= today))
    for table in (observations, medication, assessments, patient_flags):
        table["encounter_id"] = world.e_id[table["_e"]]
    lab_results["patient_id"] = world.p_id[lab_results["_p"]]
    return {
        "encounters": encounters,
        "observations": observations,
        "lab_results": lab_results,
        "assessments": assessments,
        "medication_administrations": medication,
        "staffing": staffing,
        "patient_flags": patient_flags,
    }
