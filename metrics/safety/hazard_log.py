"""The DCB0129 hazard log: one YAML file per hazard in docs/safety/hazards/, loaded into strict models.

Why this exists: the hazard log is the heart of the clinical safety case. Kept
as data beside the code, each hazard names the tests that prove its controls,
so a control cannot quietly lose its evidence, and the safety case report is
generated from it rather than written by hand. One file per hazard lets
several engineers add hazards at once without conflicts.

The loader reads every file, then checks meaning across them, and reports
every problem at once, each naming the file and line.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from metrics.config.strict import Strict
from metrics.config.yaml_loader import ItemNames, load_yaml_model
from metrics.errors import UserFacingError
from metrics.safety.risk_matrix import HIGHEST_ACCEPTABLE_RISK, risk_rating

HAZARD_ID = re.compile(r"^H-\d{3}$")
TEST_NODE = re.compile(r"^tests/[\w./-]+\.py::[A-Za-z_]\w*(::[A-Za-z_]\w*)?(\[.*\])?$")


class ControlKind(str, Enum):
    """What a control is. Design and test controls must name the tests that prove them."""

    DESIGN = "design"
    TEST = "test"
    USER_INTERFACE = "user_interface"
    DOCUMENTATION = "documentation"
    TRAINING = "training"


class Status(str, Enum):
    """Where a hazard stands in the log."""

    OPEN = "open"
    CLOSED = "closed"
    TRANSFERRED = "transferred"  # to the deploying trust, under DCB0160


NEEDS_TESTS = {ControlKind.DESIGN, ControlKind.TEST}


class Rating(Strict):
    """A severity and a likelihood on the DCB0129 scales; the risk is computed from them."""

    severity: int = Field(ge=1, le=5)
    likelihood: int = Field(ge=1, le=5)

    @property
    def risk(self) -> int:
        """The DCB0129 risk rating, 1 to 5."""
        return risk_rating(self.severity, self.likelihood)


class Control(Strict):
    """One measure that lowers the severity or likelihood of a hazard, and the tests that prove it."""

    kind: ControlKind
    description: str = Field(min_length=1)
    tests: list[str] = Field(default_factory=list)

    @field_validator("tests")
    @classmethod
    def _node_ids(cls, tests: list[str]) -> list[str]:
        bad = [t for t in tests if not TEST_NODE.match(t)]
        if bad:
            raise ValueError(f"a test must be a pytest node id such as tests/spec/test_x.py::test_y, got {bad[0]!r}")
        return tests

    @model_validator(mode="after")
    def _proven(self) -> Control:
        if self.kind in NEEDS_TESTS and not self.tests:
            raise ValueError(
                f"a {self.kind.value} control must name the tests that prove it under `tests:`; "
                "if no test exists yet, write one or leave the hazard open and say so under `gap:`"
            )
        return self


class Hazard(Strict):
    """One hazard: what goes wrong, what the board then shows, the harm, its controls and the risk before and after."""

    id: str
    title: str = Field(min_length=1)
    cause: str = Field(min_length=1)
    effect: str = Field(min_length=1)
    harm: str = Field(min_length=1)
    initial: Rating
    controls: list[Control] = Field(min_length=1)
    residual: Rating
    status: Status
    gap: str | None = None  # for an open hazard: what is missing before it can close
    sources: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not HAZARD_ID.match(value):
            raise ValueError(f"a hazard id is H- and three digits, such as H-021, got {value!r}")
        return value

    @model_validator(mode="after")
    def _risk_rules(self) -> Hazard:
        if self.residual.risk > self.initial.risk:
            raise ValueError(
                f"residual risk {self.residual.risk} is above initial risk {self.initial.risk}: "
                "controls cannot raise a risk; check the two ratings"
            )
        if self.status is Status.CLOSED and self.residual.risk > HIGHEST_ACCEPTABLE_RISK:
            raise ValueError(
                f"a closed hazard must have a residual risk of {HIGHEST_ACCEPTABLE_RISK} or less, "
                f"got {self.residual.risk}: add controls or leave it open"
            )
        return self

    @property
    def cited_tests(self) -> list[str]:
        """Every test node id the hazard's controls cite, in order, without repeats."""
        return list(dict.fromkeys(t for c in self.controls for t in c.tests))


class HazardLogError(UserFacingError):
    """The hazard log has problems; each names the file, line and field."""

    exit_code = 3

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("Hazard log problems:\n" + "\n".join(f"  - {p}" for p in self.problems))


_ITEMS = ItemNames(words={}, whole="the hazard")  # a hazard's errors name its fields by their dotted path


def load_hazard_log(folder: Path) -> list[Hazard]:
    """Every hazard in ``folder`` (one H-NNN.yaml each), sorted by id; HazardLogError lists every problem at once."""
    problems: list[str] = []
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise HazardLogError([f"{folder}: no hazard files (H-NNN.yaml) found"])
    hazards: list[Hazard] = []
    for path in files:
        hazard, _ = load_yaml_model(path, Hazard, problems, names=_ITEMS)
        if hazard is None:
            continue
        if path.stem != hazard.id or path.suffix != ".yaml":
            problems.append(f"{path.name}: hazard {hazard.id} must live in {hazard.id}.yaml; rename the file")
        hazards.append(hazard)
    seen: dict[str, int] = {}
    for hazard in hazards:
        seen[hazard.id] = seen.get(hazard.id, 0) + 1
    problems += [
        f"hazard id {hid} is used by {n} files; give each hazard its own id" for hid, n in seen.items() if n > 1
    ]
    if problems:
        raise HazardLogError(problems)
    return sorted(hazards, key=lambda h: h.id)
