"""Commands declared as data: a name, the handler it runs, its help and its options, turned into subparsers by one loop.

Why this exists: the command line has a dozen commands that differ only in
what they declare. Written one ``add_parser``/``add_argument`` call at a time
they read as code to be checked line by line; as a table, each command is one
entry a reader takes in at a glance, and every command is built the same way:
its handler named ``"module:function"`` and imported only when it runs, so
building the parser never loads pandas.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from metrics.cli.lazy import lazy


@dataclass(frozen=True)
class Option:
    """One argument of a command: the flags (or positional name) and the keyword arguments of ``add_argument``."""

    flags: tuple[str, ...]
    settings: Mapping[str, Any]


def option(*flags: str, **settings: Any) -> Option:
    """An argument declared as ``add_argument`` would take it: ``option("--days", type=int, default=90)``."""
    return Option(flags, settings)


@dataclass(frozen=True)
class Command:
    """One command of the command line.

    ``handler`` is ``"module:function"``, imported when the command runs; a
    command grouping ``subcommands`` has none and stores the chosen one's name
    in ``subcommand_dest``. ``common`` gives it --config, --db and
    --create-store; ``needs_existing_store`` makes it refuse an SQLite file
    that does not exist unless given --create-store.
    """

    name: str
    handler: str | None
    help: str
    options: tuple[Option, ...] = ()
    common: bool = True
    needs_existing_store: bool = False
    subcommands: tuple[Command, ...] = ()
    subcommand_dest: str = field(default="")


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    commands: Sequence[Command],
    common: argparse.ArgumentParser,
) -> None:
    """Add each command, in order, to ``subparsers``; ``common`` is the parent parser giving --config and --db."""
    for command in commands:
        parser = subparsers.add_parser(command.name, parents=[common] if command.common else [], help=command.help)
        for declared in command.options:
            parser.add_argument(*declared.flags, **declared.settings)
        if command.handler is not None:
            parser.set_defaults(func=lazy(command.handler))
        if command.subcommands:
            nested = parser.add_subparsers(dest=command.subcommand_dest, required=True)
            add_commands(nested, command.subcommands, common)


def store_command_names(commands: Sequence[Command]) -> frozenset[str]:
    """The names of the commands that refuse a missing SQLite store unless given --create-store."""
    return frozenset(command.name for command in commands if command.needs_existing_store)
