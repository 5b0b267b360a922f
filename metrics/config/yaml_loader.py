"""A YAML loader that remembers where each value came from.

Why this exists: a hospital editing config/metrics.yaml needs to be told
"metrics.yaml line 42, metric `vte_outstanding`, field `rag.red_above`: ...",
not a traceback. PyYAML's SafeLoader forgets line numbers once it builds
Python objects; this subclass keeps them on every mapping and sequence, and
``line_of`` walks a pydantic error location back to a line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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


# libyaml's parser where PyYAML was built with it (about ten times quicker on a region's wards.yaml of 600 wards);
# its nodes carry the same marks, so every line number below is the same.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_SafeBase):  # type: ignore[misc]  # PyYAML ships no type hints: the base class is Any here
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


@dataclass(frozen=True)
class ItemNames:
    """How one config file's errors name the item a location points at.

    ``words``: a section's word for one of its items (``metrics`` -> ``metric``).
    ``keys``: the key that names an item, where it is not ``id`` or ``code``
    (access.yaml names a group by ``group``). ``other_lists``: any other list
    of named items reads ``<section> `id```, too. ``whole``: what an error
    about the whole file (no location) names.
    """

    words: Mapping[str, str]
    keys: Mapping[str, str] = field(default_factory=dict)
    other_lists: bool = False
    whole: str = "the file"


CONFIG_ITEMS = ItemNames(
    words={"metrics": "metric", "wards": "ward", "sites": "site", "matrons": "matron"}, other_lists=True
)
_CONDITION_TAGS = frozenset({"all", "any", "leaf", "not"})


def describe_location(data: Any, loc: tuple[Any, ...], names: ItemNames = CONFIG_ITEMS) -> str:
    """Where an error points, as a reader of the file says it.

    'metric `vte_outstanding`, field `rag.green_max`' for an item of a list
    named by its id (or 'indicator #3' when it has none), 'ward `9A`, field
    `aim.target`' for an entry of a mapping keyed by name, else the dotted
    path: 'field `gauge.green_min`'. The condition language's union tags are
    left out of the field.
    """
    if not loc:
        return names.whole
    if len(loc) >= 2 and isinstance(data, dict) and (loc[0] in names.words or names.other_lists):
        section = str(loc[0])
        word = names.words.get(section, section)
        rest = ".".join(
            str(p) for p in loc[2:] if not (isinstance(p, str) and (p.startswith("function-") or p in _CONDITION_TAGS))
        )
        field_text = f", field `{rest}`" if rest else ""
        items = data.get(loc[0])
        if isinstance(loc[1], int) and isinstance(items, list) and loc[1] < len(items):
            item = items[loc[1]]
            key = names.keys.get(section)
            ident = None
            if isinstance(item, dict):
                ident = item.get(key) if key else (item.get("id") or item.get("code"))
            if ident is not None:
                return f"{word} `{ident}`{field_text}"
            if section in names.words:
                return f"{word} #{loc[1] + 1}{field_text}"
        elif isinstance(loc[1], str) and section in names.words:
            return f"{word} `{loc[1]}`{field_text}"
    return "field `" + ".".join(str(p) for p in loc) + "`"


def load_yaml_model(
    path: Path,
    model: type[M],
    problems: list[str],
    optional: bool = False,
    names: ItemNames = CONFIG_ITEMS,
    clean_loc: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda loc: loc,
) -> tuple[M | None, Any]:
    """Load one YAML file into ``model``; append each problem as 'file line N: item, field: message (got value)'.

    Shared by every config file (wards, clinical, metrics, huddle, barometer, access) so all speak alike.
    ``names`` says how the file names the items a location points at; ``clean_loc`` drops pydantic's union tags.
    """
    if optional and not path.exists():
        return model(), None
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
            problems.append(f"{where}: {describe_location(data, loc, names)}: {message} (got {err.get('input')!r:.80})")
        return None, data
