"""Validate credentials against the bundled official OB 3.0 JSON Schemas (Draft 2019-09), offline.

Only the three bundled schemas can be referenced: a ``$ref`` to anything else fails instead of
being fetched. ``format`` keywords are annotations only (the 2019-09 default), so results do not
depend on which optional format-checking packages happen to be installed.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

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


def validate(document: Any, kind: str = "achievement") -> list[str]:
    """Every schema violation of ``document`` as ``"$.json.path: message"``, sorted by path; [] if valid."""
    errors = sorted(_validator(kind).iter_errors(document), key=lambda e: (e.json_path, e.message))
    return [f"{error.json_path}: {error.message}" for error in errors]


def check(document: Any, kind: str = "achievement") -> None:
    """Raise SchemaError (subject = JSON path of the first violation) if ``document`` is invalid."""
    errors = sorted(_validator(kind).iter_errors(document), key=lambda e: (e.json_path, e.message))
    if errors:
        raise SchemaError(errors[0].json_path, f"{errors[0].message} (OB 3.0 {kind} schema; {len(errors)} problem(s))")
