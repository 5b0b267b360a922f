"""The DCB0129 clinical risk matrix: severity and likelihood give a risk rating of 1 to 5.

Why this exists: every hazard in docs/safety/hazards/ states its severity and
likelihood before and after its controls; the risk rating is looked up here,
never written by hand, so two engineers cannot rate the same pair differently.

Source: NHS Digital, DCB0129 Clinical Risk Management: its Application in the
Manufacture of Health IT Systems, Implementation Guidance (the same matrix as
DCB0160's): the severity and likelihood scales, the 5 x 5 risk matrix and the
example risk acceptability definitions. The matrix is a lookup, not a product
of the two scales.
"""

from __future__ import annotations

from enum import IntEnum


class Severity(IntEnum):
    """DCB0129 severity of the harm (the consequence)."""

    MINOR = 1
    SIGNIFICANT = 2
    CONSIDERABLE = 3
    MAJOR = 4
    CATASTROPHIC = 5


class Likelihood(IntEnum):
    """DCB0129 likelihood that the harm occurs."""

    VERY_LOW = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4
    VERY_HIGH = 5


SEVERITY_MEANING: dict[Severity, str] = {
    Severity.MINOR: "minor injury expected to recover in the short term; minor upset or inconvenience (one patient)",
    Severity.SIGNIFICANT: "minor injury not expected to recover in the short term; significant psychological trauma "
    "(one patient), or short-term minor injuries in several",
    Severity.CONSIDERABLE: "severe injury or incapacity from which recovery is expected (one patient), "
    "or lasting minor injuries in several",
    Severity.MAJOR: "death or permanent life-changing incapacity (one patient), or severe injuries in several",
    Severity.CATASTROPHIC: "death or permanent life-changing incapacity of several patients",
}

LIKELIHOOD_MEANING: dict[Likelihood, str] = {
    Likelihood.VERY_LOW: "negligible or nearly negligible possibility of occurring",
    Likelihood.LOW: "could occur but in the great majority of occasions will not",
    Likelihood.MEDIUM: "possible",
    Likelihood.HIGH: "not certain but very possible; reasonably expected to occur in the majority of cases",
    Likelihood.VERY_HIGH: "certain or almost certain; highly likely to occur",
}

# Rows: likelihood from very high down to very low; columns: severity from minor to catastrophic.
_MATRIX: dict[Likelihood, tuple[int, int, int, int, int]] = {
    Likelihood.VERY_HIGH: (3, 4, 4, 5, 5),
    Likelihood.HIGH: (2, 3, 3, 4, 5),
    Likelihood.MEDIUM: (2, 2, 3, 3, 4),
    Likelihood.LOW: (1, 2, 2, 3, 4),
    Likelihood.VERY_LOW: (1, 1, 2, 2, 3),
}

ACCEPTABILITY: dict[int, str] = {
    5: "Unacceptable level of risk.",
    4: "Mandatory elimination of the hazard or addition of control measures to reduce the risk to an acceptable level.",
    3: "Undesirable level of risk: acceptable only when further risk reduction is impractical.",
    2: "Acceptable where the cost of further reduction outweighs the benefit or further reduction is impractical.",
    1: "Acceptable, no further action required.",
}

HIGHEST_ACCEPTABLE_RISK = 3
"""A hazard may be closed only at a residual risk of 3 or below; 4 and 5 demand further control."""


def risk_rating(severity: int, likelihood: int) -> int:
    """The DCB0129 clinical risk rating (1 lowest, 5 highest) for a severity and a likelihood, each 1 to 5."""
    try:
        row = _MATRIX[Likelihood(likelihood)]
        return row[Severity(severity) - 1]
    except ValueError as exc:
        raise ValueError(f"severity and likelihood must each be 1 to 5, got {severity} and {likelihood}") from exc


def matrix_rows() -> list[tuple[Likelihood, list[int]]]:
    """The matrix as printed in the safety case: likelihood rows from very high down, severity columns from minor."""
    return [(likelihood, list(_MATRIX[likelihood])) for likelihood in sorted(Likelihood, reverse=True)]
