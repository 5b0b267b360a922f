"""Generated documents match what the code enforces."""

from pathlib import Path

from metrics.extract.contract_docs import render_contract_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_contract_page_matches_the_contract_declaration():
    committed = (ROOT / "docs" / "extract-contract.md").read_text()
    assert committed == render_contract_markdown(), (
        "regenerate: python -m metrics.extract.contract_docs > docs/extract-contract.md"
    )


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
