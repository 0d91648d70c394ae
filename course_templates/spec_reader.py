"""Reading a course spec: YAML or JSON parsed with the line of every field, and the checker that reports
each problem at its field's line (file, line, field path, reason), so a training provider can fix a spec
without reading a traceback. JSON is read with the YAML parser too (JSON is YAML for everything a spec
contains), so JSON specs get line numbers as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from badge_issuer.errors import DefinitionError
from badge_issuer.problems import Problems, dotted

MAX_SPEC_BYTES = 2 * 1024 * 1024


class Problem(NamedTuple):
    """One problem in a spec or a course: where (file, 1-based line; 0 when unknown) and what."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class SpecError(DefinitionError):
    """A spec is invalid. ``problems`` lists every problem found; the subject is the first one's place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        super().__init__(f"{first.file}:{first.line}" if first.line else first.file, first.message)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _node_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], problems: list[str]) -> None:
    """Record the 1-based line of every mapping key and list item; report duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append((key_node.start_mark.line + 1, f"{dotted((*path, key))}: duplicate key"))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _node_lines(value_node, (*path, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _node_lines(item, (*path, index), lines, problems)


def load(path: str | Path) -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML or JSON spec; return the data and the line of every field path. Raises SpecError."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Problem(name, 0, f"cannot read the spec: {exc.strerror}")]) from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError([Problem(name, 0, f"is larger than {MAX_SPEC_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise SpecError([Problem(name, 0, "is not UTF-8 text")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise SpecError([Problem(name, line, f"is not valid YAML or JSON: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(name, 0, f"is not valid YAML or JSON: {exc}")]) from None
    lines: dict[tuple, int] = {(): 1}
    duplicates: list = []
    if node is not None:
        _node_lines(node, (), lines, duplicates)
    if duplicates:
        raise SpecError([Problem(name, line, message) for line, message in duplicates])
    return data, lines


_PATH_PART = re.compile(r"([^.\[\]/@]+)|\[(\d+)\]")


def parse_path(text: str) -> tuple:
    """``learning_outcomes[1].id`` -> ``("learning_outcomes", 1, "id")`` (paths of badge_issuer errors)."""
    return tuple(int(index) if index else name for name, index in _PATH_PART.findall(text))


class Checker:
    """Collects problems with their lines; typed getters return None after reporting a problem."""

    def __init__(self, source: str, lines: dict[tuple, int]):
        self.source = source
        self.lines = lines
        self.found = Problems()

    def line(self, path: tuple) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: tuple, reason: str) -> None:
        self.found.add(path, reason)

    @property
    def problems(self) -> list[Problem]:
        """What was found, each with the file and the line of its field."""
        return [Problem(self.source, self.line(p.path), f"{dotted(p.path)}: {p.message}") for p in self.found]

    def mapping(self, data: Any, path: tuple, allowed: set[str], required: set[str]) -> dict | None:
        if not isinstance(data, Mapping):
            self.fail(path, "must be a mapping of fields")
            return None
        for key in data:
            if key not in allowed:
                self.fail((*path, key), f"unknown field (expected one of: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(data)):
            self.fail(path, f"the field {key!r} is required")
        return dict(data)

    def text(self, data: Mapping, key: str, path: tuple, *, required: bool = True, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required and key in data:
                self.fail((*path, key), "must not be empty")
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail((*path, key), "must be non-empty text")
            return default
        return value.strip()

    def number(
        self, data: Mapping, key: str, path: tuple, *, default: float, low: float, high: float, integer: bool = False
    ) -> float:
        value = data.get(key, default)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        if ok and integer and not float(value).is_integer():
            ok = False
        if not ok:
            kind = "a whole number" if integer else "a number"
            self.fail((*path, key), f"must be {kind} from {low:g} to {high:g}")
            return default
        return int(value) if integer else float(value)

    def boolean(self, data: Mapping, key: str, path: tuple, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail((*path, key), "must be true or false")
            return default
        return value

    def items(self, data: Mapping, key: str, path: tuple) -> list:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.fail((*path, key), "must be a non-empty list")
            return []
        return value
