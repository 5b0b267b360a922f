"""A YAML loader that remembers where each value came from.

Why this exists: a hospital editing config/metrics.yaml needs to be told
"metrics.yaml line 42, metric `vte_outstanding`, field `rag.red_above`: ...",
not a traceback. PyYAML's SafeLoader forgets line numbers once it builds
Python objects; this subclass keeps them on every mapping and sequence, and
``line_of`` walks a pydantic error location back to a line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError


class LineDict(dict):  # type: ignore[type-arg]
    """A dict that knows the line of itself and of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    """A list that knows the line of itself and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry their source lines."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; the message names the file and line."""


def load_yaml(path: Path) -> Any:
    """Read a YAML file into LineDict/LineList values, or raise YamlSyntaxError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise YamlSyntaxError(
            f"{path}: file not found. Create it or point --config at the folder that holds it."
        ) from exc
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark else ""
        raise YamlSyntaxError(
            f"{path}{line}: not valid YAML: {exc.problem or exc}. Check indentation and quoting."
        ) from exc


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``loc`` found in ``data`` (as loaded by load_yaml)."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


M = TypeVar("M", bound=BaseModel)


def describe_location(data: Any, loc: tuple[Any, ...]) -> str:
    """'metric `vte_outstanding`, field `rag.green_max`' for a path into metrics.yaml, or the dotted path elsewhere."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
        items = data.get(loc[0])
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            ident = items[loc[1]].get("id") or items[loc[1]].get("code")
            if ident is not None:
                kind = {"metrics": "metric", "wards": "ward", "sites": "site", "matrons": "matron"}.get(
                    str(loc[0]), str(loc[0])
                )
                rest = ".".join(
                    p for p in parts[2:] if not p.startswith("function-") and p not in ("all", "any", "leaf", "not")
                )
                return f"{kind} `{ident}`" + (f", field `{rest}`" if rest else "")
    return "field `" + ".".join(parts) + "`"


def load_yaml_model(
    path: Path,
    model: type[M],
    problems: list[str],
    optional: bool = False,
    describe: Callable[[Any, tuple[Any, ...]], str] = describe_location,
    clean_loc: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda loc: loc,
) -> tuple[M | None, Any]:
    """Load one YAML file into ``model``; append each problem as 'file line N: item, field: message (got value)'.

    Shared by every config file (wards, clinical, metrics, huddle, barometer, access) so all speak alike.
    ``describe`` names the item a location points at; ``clean_loc`` drops pydantic's union tags.
    """
    if optional and not path.exists():
        return model(), None  # type: ignore[call-arg]
    try:
        data = load_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(str(exc))
        return None, None
    if data is None:
        data = {}
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        for err in exc.errors():
            loc = clean_loc(tuple(err["loc"]))
            line = line_of(data, loc)
            where = f"{path.name} line {line}" if line else path.name
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {describe(data, loc)}: {message} (got {err.get('input')!r:.80})")
        return None, data
