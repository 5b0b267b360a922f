"""The clinical safety case: the DCB0129 risk matrix, the hazard log's rules, its evidence, and the committed report."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.cli.main import main
from metrics.safety.evidence import missing_evidence
from metrics.safety.hazard_log import HazardLogError, load_hazard_log
from metrics.safety.report import HAZARDS_PATH, REPORT_PATH, render_safety_case
from metrics.safety.risk_matrix import risk_rating

ROOT = Path(__file__).resolve().parents[2]

# The DCB0129 matrix as a clinician reads it: likelihood down the side, severity across the top.
#            minor significant considerable major catastrophic
MATRIX = {
    5: (3, 4, 4, 5, 5),  # very high
    4: (2, 3, 3, 4, 5),  # high
    3: (2, 2, 3, 3, 4),  # medium
    2: (1, 2, 2, 3, 4),  # low
    1: (1, 1, 2, 2, 3),  # very low
}


@pytest.mark.parametrize(
    ("likelihood", "severity", "risk"),
    [(lik, sev, risk) for lik, row in MATRIX.items() for sev, risk in enumerate(row, start=1)],
)
def test_the_risk_rating_is_the_dcb0129_matrix_cell(likelihood, severity, risk):
    assert risk_rating(severity, likelihood) == risk


@pytest.mark.parametrize(("severity", "likelihood"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_a_rating_off_the_scales_is_refused(severity, likelihood):
    with pytest.raises(ValueError, match="must each be 1 to 5"):
        risk_rating(severity, likelihood)


GOOD = """\
id: {id}
title: A hazard
cause: Something fails.
effect: The board shows the wrong thing.
harm: A patient is not reviewed.
initial: {{severity: 4, likelihood: 3}}
controls:
  - kind: {kind}
    description: A control.
{tests}residual: {{severity: {residual_severity}, likelihood: 1}}
status: {status}
"""


def hazard_text(
    id: str = "H-001",
    kind: str = "design",
    tests: list[str] | None = None,
    residual_severity: int = 4,
    status: str = "closed",
) -> str:
    cited = ["tests/unit/test_demo.py::test_exists"] if tests is None else tests
    block = "    tests:\n" + "".join(f"      - {t}\n" for t in cited) if cited else ""
    return GOOD.format(id=id, kind=kind, tests=block, residual_severity=residual_severity, status=status)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project: one test file with a plain, a parametrised and a class-held test, and an empty hazard log."""
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_demo.py").write_text(
        "import pytest\n\n"
        "def test_exists():\n    pass\n\n"
        "@pytest.mark.parametrize('x', [1, 2])\ndef test_table(x):\n    pass\n\n"
        "class TestGroup:\n    def test_inside(self):\n        pass\n\n"
        "def helper_not_a_test():\n    pass\n"
    )
    (tmp_path / "hazards").mkdir()
    return tmp_path


def write(project: Path, name: str, text: str) -> None:
    (project / "hazards" / name).write_text(text)


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(HazardLogError) as caught:
        load_hazard_log(folder)
    return caught.value.problems


def test_a_hazard_citing_a_test_that_does_not_exist_fails(project):
    write(
        project,
        "H-001.yaml",
        hazard_text(
            tests=[
                "tests/unit/test_demo.py::test_exists",
                "tests/unit/test_demo.py::test_renamed_away",
                "tests/unit/test_gone.py::test_exists",
                "tests/unit/test_demo.py::helper_not_a_test",
            ]
        ),
    )
    hazards = load_hazard_log(project / "hazards")
    assert missing_evidence(hazards, project) == [
        "H-001.yaml: cites tests/unit/test_demo.py::test_renamed_away, "
        "but tests/unit/test_demo.py defines no test `test_renamed_away`",
        "H-001.yaml: cites tests/unit/test_gone.py::test_exists, but tests/unit/test_gone.py does not exist",
        "H-001.yaml: cites tests/unit/test_demo.py::helper_not_a_test, "
        "but tests/unit/test_demo.py defines no test `helper_not_a_test`",
    ]


def test_parametrised_and_class_held_tests_count_as_evidence(project):
    cited = [
        "tests/unit/test_demo.py::test_table",
        "tests/unit/test_demo.py::test_table[1]",
        "tests/unit/test_demo.py::TestGroup::test_inside",
    ]
    write(project, "H-001.yaml", hazard_text(tests=cited))
    assert missing_evidence(load_hazard_log(project / "hazards"), project) == []


@pytest.mark.parametrize("kind", ["design", "test"])
def test_a_design_or_test_control_citing_no_test_fails(project, kind):
    write(project, "H-001.yaml", hazard_text(kind=kind, tests=[]))
    [problem] = problems_of(project / "hazards")
    assert problem.startswith(f"H-001.yaml line 8: field `controls.0`: a {kind} control must name the tests")


@pytest.mark.parametrize("kind", ["user_interface", "documentation", "training"])
def test_other_controls_may_cite_no_test(project, kind):
    write(project, "H-001.yaml", hazard_text(kind=kind, tests=[]))
    assert [h.id for h in load_hazard_log(project / "hazards")] == ["H-001"]


def test_a_test_that_is_not_a_pytest_node_id_is_refused(project):
    write(project, "H-001.yaml", hazard_text(tests=["test_exists"]))
    [problem] = problems_of(project / "hazards")
    assert "a test must be a pytest node id such as tests/spec/test_x.py::test_y, got 'test_exists'" in problem


def test_ids_must_match_their_file_names_and_be_unique(project):
    write(project, "H-001.yaml", hazard_text(id="H-001"))
    write(project, "H-002.yaml", hazard_text(id="H-001"))
    write(project, "H-3.yaml", hazard_text(id="H-3"))
    assert problems_of(project / "hazards") == [
        "H-002.yaml: hazard H-001 must live in H-001.yaml; rename the file",
        "H-3.yaml line 1: field `id`: a hazard id is H- and three digits, such as H-021, got 'H-3' (got 'H-3')",
        "hazard id H-001 is used by 2 files; give each hazard its own id",
    ]


def test_residual_risk_may_not_be_above_initial_risk(project):
    write(project, "H-001.yaml", hazard_text(residual_severity=5).replace("likelihood: 1}", "likelihood: 5}"))
    [problem] = problems_of(project / "hazards")
    assert "residual risk 5 is above initial risk 3" in problem


@pytest.mark.parametrize(("status", "accepted"), [("closed", False), ("open", True), ("transferred", True)])
def test_a_closed_hazard_needs_an_acceptable_residual_risk(project, status, accepted):
    # severity 5 x likelihood 1 is risk 3: acceptable; raise the initial so that residual 4 is allowed at all
    text = hazard_text(residual_severity=5, status=status)
    text = text.replace("initial: {severity: 4, likelihood: 3}", "initial: {severity: 5, likelihood: 5}")
    text = text.replace("residual: {severity: 5, likelihood: 1}", "residual: {severity: 5, likelihood: 2}")
    write(project, "H-001.yaml", text)
    if accepted:
        assert load_hazard_log(project / "hazards")[0].residual.risk == 4
    else:
        [problem] = problems_of(project / "hazards")
        assert "a closed hazard must have a residual risk of 3 or less, got 4" in problem


def test_an_unknown_key_or_status_is_refused_with_its_line(project):
    write(project, "H-001.yaml", hazard_text(status="done") + "risk: 3\n")
    problems = problems_of(project / "hazards")
    assert [p.split(":")[0] for p in problems] == ["H-001.yaml line 13", "H-001.yaml line 14"]
    assert "field `status`" in problems[0] and "field `risk`" in problems[1]


def test_the_committed_hazard_log_loads_and_every_cited_test_exists():
    hazards = load_hazard_log(ROOT / HAZARDS_PATH)
    assert missing_evidence(hazards, ROOT) == []
    generic = {f"H-{n:03d}" for n in range(1, 20)}
    assert generic <= {h.id for h in hazards}


def test_the_committed_report_is_current():
    committed = (ROOT / REPORT_PATH).read_text(encoding="utf-8")
    assert committed == render_safety_case(load_hazard_log(ROOT / HAZARDS_PATH)), (
        "regenerate: python -m metrics safety-case"
    )


def test_the_command_writes_the_report_and_check_says_when_it_is_out_of_date(project, capsys):
    write(project, "H-001.yaml", hazard_text())
    args = ["safety-case", "--root", str(project), "--hazards", str(project / "hazards")]
    out = project / REPORT_PATH
    assert main([*args, "--check"]) == 1
    assert main(args) == 0
    assert out.read_text() == render_safety_case(load_hazard_log(project / "hazards"))
    assert main([*args, "--check"]) == 0
    assert "H-001" in out.read_text()


def test_the_command_refuses_a_log_citing_missing_tests_without_a_traceback(project, capsys):
    write(project, "H-001.yaml", hazard_text(tests=["tests/unit/test_demo.py::test_nowhere"]))
    code = main(["safety-case", "--root", str(project), "--hazards", str(project / "hazards")])
    assert code == 3
    assert "defines no test `test_nowhere`" in capsys.readouterr().err
    assert not (project / REPORT_PATH).exists()


def test_the_readme_lists_the_command_and_what_a_deploying_trust_must_do():
    readme = (ROOT / "README.md").read_text()
    assert "python -m metrics safety-case" in readme
    assert "DCB0160" in readme
