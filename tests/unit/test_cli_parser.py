"""The command line's parser: README's command list names exactly its commands; its light copies match the source."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from metrics.cli.lazy import lazy
from metrics.cli.main import DEFAULT_CONFIG_DIR, STORE_COMMANDS, build_parser
from metrics.cli.spc import IMPROVEMENT_CHOICES
from metrics.config.models import DEFAULT_CONFIG_DIR as CONFIG_MODELS_DEFAULT
from metrics.spc.xmr import IMPROVEMENTS

ROOT = Path(__file__).resolve().parents[2]


def parser_commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every command the parser runs, a nested one as 'kiosk-token create'."""
    out: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = parser_commands(sub, f"{prefix}{name} ")
                out |= nested or {f"{prefix}{name}"}
    return out


def readme_commands(readme: str) -> set[str]:
    """The commands README's "Command line" section lists: the words after `python -m metrics` up to an argument."""
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    out = set()
    for line in block.splitlines():
        found = re.match(r"python -m metrics ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)", line.strip())
        if found:
            out.add(found.group(1))
    return out


def test_readme_lists_every_command_of_the_parser_and_no_other():
    listed = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    known = parser_commands(build_parser())
    assert listed == known, (
        f"README's Command line list and the parser differ: only in README {sorted(listed - known)}, "
        f"only in the parser {sorted(known - listed)}"
    )


def test_the_parser_knows_these_commands():
    assert parser_commands(build_parser()) == {
        "refresh",
        "snapshot",
        "release",
        "check-config",
        "generate-sample",
        "demo",
        "prune",
        "report",
        "spc",
        "kiosk-token create",
        "kiosk-token list",
        "kiosk-token revoke",
        "safety-case",
        "audit-verify",
        "db-grant",
        "export-aggregate",
        "import-aggregate",
    }


def test_these_commands_refuse_a_missing_sqlite_store_unless_told_to_create_it():
    assert STORE_COMMANDS == {
        "refresh",
        "snapshot",
        "release",
        "report",
        "kiosk-token",
        "export-aggregate",
        "import-aggregate",
    }


def test_readme_commands_are_read_up_to_the_first_argument():
    block = (
        "## Command line\n\n```sh\n"
        "python -m metrics refresh EXTRACT_FOLDER   # load\n"
        "python -m metrics kiosk-token revoke ID\n"
        "python -m metrics spc FILE.csv --improvement decrease\n"
        "```\n\n## Next\npython -m metrics ignored\n"
    )
    assert readme_commands(block) == {"refresh", "kiosk-token revoke", "spc"}


def test_the_parser_default_config_folder_is_the_configuration_models_one():
    assert DEFAULT_CONFIG_DIR == CONFIG_MODELS_DEFAULT


def test_the_spc_parser_offers_exactly_the_directions_the_spc_engine_accepts():
    assert IMPROVEMENT_CHOICES == IMPROVEMENTS


def test_a_lazy_handler_runs_the_named_function_with_the_arguments():
    handler = lazy("json:dumps")
    assert handler({"a": 1}) == '{"a": 1}'
    assert handler.__name__ == "dumps"


@pytest.mark.parametrize("target", ["json", "json:", ":dumps", "json.dumps"])
def test_a_lazy_handler_must_name_module_and_function(target):
    with pytest.raises(ValueError, match="a lazy handler is named 'module:function'"):
        lazy(target)
