"""The clinical safety case report (DCB0129), generated as Markdown from the hazard log.

Why this exists: the report a trust's Clinical Safety Officer reads must say
exactly what the hazard log says, no more. Generating it from the log (and a
test that keeps the committed copy current) means the two never drift apart.
The output holds no date or machine detail, so the same log always gives the
same report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from metrics.safety.hazard_log import Hazard, Status
from metrics.safety.risk_matrix import (
    ACCEPTABILITY,
    HIGHEST_ACCEPTABLE_RISK,
    LIKELIHOOD_MEANING,
    SEVERITY_MEANING,
    Likelihood,
    Severity,
    matrix_rows,
)

REPORT_PATH = Path("docs") / "safety" / "safety-case-report.md"
HAZARDS_PATH = Path("docs") / "safety" / "hazards"

KIND_WORDS = {
    "design": "Design",
    "test": "Test",
    "user_interface": "User interface",
    "documentation": "Documentation",
    "training": "Training",
}


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no bare pipe."""
    return " ".join(text.split()).replace("|", "\\|")


def _word(member: Severity | Likelihood) -> str:
    return member.name.replace("_", " ").lower()


def _rating(hazard: Hazard, which: str) -> str:
    rating = hazard.initial if which == "initial" else hazard.residual
    return f"{rating.risk} (S{rating.severity} x L{rating.likelihood})"


def _matrix() -> list[str]:
    head = "| Likelihood \\ Severity | " + " | ".join(f"{s} {_word(s)}" for s in Severity) + " |"
    lines = [head, "|---|" + "---|" * len(Severity)]
    for likelihood, risks in matrix_rows():
        lines.append(f"| {likelihood} {_word(likelihood)} | " + " | ".join(str(r) for r in risks) + " |")
    return lines


def _scales() -> list[str]:
    lines = ["| Severity | Meaning |", "|---|---|"]
    lines += [f"| {s} {_word(s)} | {SEVERITY_MEANING[s]} |" for s in Severity]
    lines += ["", "| Likelihood | Meaning |", "|---|---|"]
    lines += [f"| {v} {_word(v)} | {LIKELIHOOD_MEANING[v]} |" for v in Likelihood]
    lines += ["", "| Risk | Acceptability |", "|---|---|"]
    lines += [f"| {r} | {ACCEPTABILITY[r]} |" for r in sorted(ACCEPTABILITY, reverse=True)]
    return lines


def _summary(hazards: list[Hazard]) -> list[str]:
    by_status = Counter(h.status for h in hazards)
    by_residual = Counter(h.residual.risk for h in hazards)
    lines = [
        f"The hazard log holds **{len(hazards)}** hazards: "
        + ", ".join(f"{by_status.get(s, 0)} {s.value}" for s in Status)
        + ".",
        "",
        "| Residual risk | Hazards |",
        "|---|---|",
    ]
    lines += [f"| {r} | {by_residual.get(r, 0)} |" for r in range(5, 0, -1)]
    lines += ["", "| Id | Hazard | Initial risk | Residual risk | Status |", "|---|---|---|---|---|"]
    lines += [
        f"| [{h.id}](#{h.id.lower()}) | {_cell(h.title)} | {_rating(h, 'initial')} | {_rating(h, 'residual')} "
        f"| {h.status.value} |"
        for h in hazards
    ]
    return lines


def _hazard(h: Hazard) -> list[str]:
    lines = [
        f"### {h.id}",
        "",
        f"**{_cell(h.title)}**, status **{h.status.value}**; "
        f"initial risk {_rating(h, 'initial')}, residual risk {_rating(h, 'residual')}.",
        "",
        f"* Cause: {_cell(h.cause)}",
        f"* Effect (what the board shows wrongly): {_cell(h.effect)}",
        f"* Possible harm: {_cell(h.harm)}",
    ]
    if h.gap:
        lines.append(f"* Gap before it can close: {_cell(h.gap)}")
    lines += ["", "| Control | Kind | Evidence (tests) |", "|---|---|---|"]
    for c in h.controls:
        tests = "<br>".join(f"`{t}`" for t in c.tests) or "none (not a design or test control)"
        lines.append(f"| {_cell(c.description)} | {KIND_WORDS[c.kind.value]} | {tests} |")
    if h.sources:
        lines += ["", "Sources: " + "; ".join(_cell(s) for s in h.sources) + "."]
    return lines + [""]


def _statement(hazards: list[Hazard]) -> list[str]:
    open_ = [h.id for h in hazards if h.status is Status.OPEN]
    transferred = [h.id for h in hazards if h.status is Status.TRANSFERRED]
    above = [h.id for h in hazards if h.residual.risk > HIGHEST_ACCEPTABLE_RISK]
    lines = [
        f"* Every closed hazard has a residual risk of {HIGHEST_ACCEPTABLE_RISK} or less, and every design or test "
        "control names tests that exist in this repository; the build fails otherwise.",
        "* Open hazards: " + (", ".join(open_) if open_ else "none") + ". "
        + ("Each must be closed, or accepted in writing by the Clinical Safety Officer, before release."
           if open_ else ""),
        "* Residual risk above " + str(HIGHEST_ACCEPTABLE_RISK) + ": " + (", ".join(above) if above else "none") + ".",
        "* Transferred to the deploying organisation under DCB0160: "
        + (", ".join(transferred) if transferred else "none")
        + ". A trust must enter these in its own hazard log and show its controls before go-live.",
        "",
        "This report is the manufacturer's evidence under DCB0129. It is not approved until the Clinical Safety "
        "Officer named in the clinical risk management plan has reviewed the hazard log and signed the release; "
        "it does not replace the deploying organisation's own safety case under DCB0160.",
    ]
    return [line.rstrip() for line in lines]


def render_safety_case(hazards: list[Hazard]) -> str:
    """The whole clinical safety case report as Markdown, from the loaded hazard log."""
    transferred = [h for h in hazards if h.status is Status.TRANSFERRED]
    lines = [
        "# Clinical safety case report (DCB0129)",
        "",
        "<!-- Generated from docs/safety/hazards/ by `python -m metrics safety-case`; edit the hazard files, "
        "not this one. -->",
        "",
        "## Scope",
        "",
        "The ward safety dashboard reads EPR extracts, applies published clinical rules (NEWS2, the NHS England AKI "
        "algorithm, a sepsis screen, missed critical medicines, overdue risk assessments, safe-staffing fill rates) "
        "and shows the results on ward huddle boards, matrons' wall screens and the executive wall. It is a "
        "surveillance and prioritisation aid for ward teams: it does not replace the EPR, the observation chart, "
        "clinical assessment or escalation policy, and it never writes to the patient record. How the project runs "
        "clinical risk management, who the Clinical Safety Officer is and when this report is reviewed are in "
        "[the clinical risk management plan](clinical-risk-management-plan.md).",
        "",
        "## Risk matrix",
        "",
        "Risk is looked up from severity and likelihood in the DCB0129 matrix (NHS Digital, DCB0129 Implementation "
        "Guidance), kept in `metrics/safety/risk_matrix.py`; hazard files give the two scales, never the risk.",
        "",
        *_matrix(),
        "",
        *_scales(),
        "",
        "## Summary of the hazard log",
        "",
        *_summary(hazards),
        "",
        "## Safety statement",
        "",
        *_statement(hazards),
        "",
        "## Hazards transferred to the deploying organisation (DCB0160)",
        "",
    ]
    if transferred:
        lines += [
            f"* **{h.id}** {_cell(h.title)}: " + "; ".join(_cell(c.description) for c in h.controls)
            for h in transferred
        ]
    else:
        lines.append("None.")
    lines += ["", "## Hazards", ""]
    for h in hazards:
        lines += _hazard(h)
    return "\n".join(lines).rstrip() + "\n"
