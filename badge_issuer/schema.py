"""Validate credentials against the bundled official OB 3.0 JSON Schemas (Draft 2019-09), offline.

Only the three bundled schemas can be referenced: a ``$ref`` to anything else fails instead of
being fetched. ``format`` keywords are annotations only (the 2019-09 default), so results do not
depend on which optional format-checking packages happen to be installed.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator, ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from .contexts import cacheable
from .errors import DefinitionError

SCHEMA_FILES = {
    "achievement": "ob_v3p0_achievementcredential-jsonschema1.json",
    "endorsement": "ob_v3p0_endorsementcredential-jsonschema1.json",
    "profile": "ob_v3p0_profile-jsonschema1.json",
}


class SchemaError(DefinitionError):
    """A credential or profile does not match its OB 3.0 JSON Schema; subject = JSON path."""


def _schema(kind: str) -> dict[str, Any]:
    filename = SCHEMA_FILES.get(kind)
    if filename is None:
        raise ValueError(f"unknown schema kind {kind!r}; use one of {', '.join(SCHEMA_FILES)}")
    return json.loads(resources.files(__package__).joinpath("schemas", filename).read_text(encoding="utf-8"))


def _refuse(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)  # offline: never retrieve a remote schema


@cache
def _validator(kind: str) -> Draft201909Validator:
    schemas = [_schema(k) for k in SCHEMA_FILES]
    registry = Registry(retrieve=_refuse).with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    schema = _schema(kind)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, registry=registry)


#: Keywords that look at values. Not ``format``: the validator asserts no formats (module docstring), so a
#: validFrom of each second would only defeat the shape cache (a full validation costs a signature).
VALUE_KEYWORDS = frozenset(
    {
        "pattern",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    }
)


def _constrains_values(node: Any) -> bool:
    """Whether a property's subschema (not following $ref) looks at the values, not only the types."""
    if isinstance(node, dict):
        return any(k in VALUE_KEYWORDS or (k != "$ref" and _constrains_values(v)) for k, v in node.items())
    if isinstance(node, list):
        return any(_constrains_values(item) for item in node)
    return False


def _collect_value_names(node: Any, names: set[str]) -> None:
    if isinstance(node, dict):
        for name, subschema in (node.get("properties") or {}).items():
            if _constrains_values(subschema):
                names.add(name)
        for value in node.values():
            _collect_value_names(value, names)
    elif isinstance(node, list):
        for item in node:
            _collect_value_names(item, names)


@cache
def _value_names() -> frozenset[str]:
    """Property names whose values (not just JSON types) any bundled schema constrains."""
    names: set[str] = {"@context"}
    for kind in SCHEMA_FILES:
        _collect_value_names(_schema(kind), names)
    return frozenset(names)


def _shape(node: Any, key: str, names: frozenset[str]) -> Any:
    """The document with every value the schemas cannot tell apart from another of its JSON type replaced."""
    if isinstance(node, dict):
        return {k: _shape(v, k, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_shape(item, key, names) for item in node]
    return node if key in names else f"<{type(node).__name__}>"


_VALID_SHAPES: set[tuple[str, str]] = set()
_VALID_SHAPES_MAX = 1024


def _errors(document: Any, kind: str) -> list[str]:
    """Schema violations; a document of an already valid shape is valid (schema keywords are shape-only
    except for the value keywords above, whose values the shape keeps)."""
    validator = _validator(kind)
    # cacheable(): our inline context keyed by its bundled URL; the schemas accept any object there.
    keyed = cacheable(document) if isinstance(document, dict) else document
    shape = (kind, json.dumps(_shape(keyed, "", _value_names()), separators=(",", ":")))
    if shape in _VALID_SHAPES:
        return []
    errors = sorted(validator.iter_errors(document), key=lambda e: (_json_path(e), e.message))
    if not errors:
        if len(_VALID_SHAPES) >= _VALID_SHAPES_MAX:
            _VALID_SHAPES.clear()
        _VALID_SHAPES.add(shape)
    return [f"{_json_path(error)}: {error.message}" for error in errors]


#: A key written ``.key`` in a JSON path; any other is quoted, ``['@context']``.
_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _json_path(error: ValidationError) -> str:
    """``error.json_path`` as jsonschema >= 4.25 spells it on every release: 4.24 (Open edX Teak's pin)
    writes ``$.@context`` where later versions quote the key."""
    path = "$"
    for step in error.absolute_path:
        if isinstance(step, int):
            path += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            path += f".{step}"
        else:
            path += "['" + step.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return path


def validate(document: Any, kind: str = "achievement") -> list[str]:
    """Every schema violation of ``document`` as ``"$.json.path: message"``, sorted by path; [] if valid."""
    return _errors(document, kind)


def check(document: Any, kind: str = "achievement") -> None:
    """Raise SchemaError (subject = JSON path of the first violation) if ``document`` is invalid."""
    errors = _errors(document, kind)
    if errors:
        path, _, message = errors[0].partition(": ")
        raise SchemaError(path, f"{message} (OB 3.0 {kind} schema; {len(errors)} problem(s))")
