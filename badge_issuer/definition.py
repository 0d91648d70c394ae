"""Micro-credential definitions: parse, validate and serialise the format of examples/micro-credential.yaml.

A definition describes the achievement (design-time facts, EU Annex I elements 2-4 and 6-11 plus the
optional ones); award-time facts (learner, date, score) are arguments of ``model.build_credential``.
Validation collects every problem at once so a form can show each message next to its field. Every reason
is a constant msgid marked for the catalogs (``_`` is ``gettext_noop``) with named %-params for what is
code (field names, limits, the value given): the user interface translates the msgid, then fills it in.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .elements import ELEMENTS, MAPPINGS, OUTCOME_ID_MAX, OUTCOME_KEYS, Element, children, put
from .errors import DefinitionError
from .field_checks import IRI_FORBIDDEN, FieldChecks, Reason, https_url_problem, not_of_type
from .formats import is_email_address
from .i18n import gettext_noop as _
from .vocab import COUNTRY_ALPHA3

#: The OB 3.0 schema's LanguageCode pattern (a BCP 47 subset).
LANGUAGE_RE = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
OUTCOME_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ESCO_SKILL_RE = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")
IMAGE_DATA_RE = re.compile(r"^data:image/(png|svg\+xml);base64,([A-Za-z0-9+/]+={0,2})$")

#: The fields a definition may have at its top level (anything else is reported as unknown).
TOP_LEVEL_FIELDS = {e.key for e in children("")} | set(MAPPINGS)


@dataclass(frozen=True)
class LearningOutcome:
    """EU element 6: one learning outcome, optionally linked to ESCO skills."""

    id: str
    text: str
    esco_skills: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.esco_skills:
            item["esco_skills"] = list(self.esco_skills)
        return item


@dataclass(frozen=True)
class AwardingBody:
    """EU elements 3 and 4: who awards the micro-credential, and where."""

    name: str
    url: str
    country: str
    region: str = ""
    email: str = ""


@dataclass(frozen=True)
class Definition:
    """A validated micro-credential definition; build it with ``parse_definition``."""

    id: str
    title: str
    description: str
    language: str
    awarding_body: AwardingBody
    learning_outcomes: tuple[LearningOutcome, ...]
    ects: int | float
    hours: int | float
    eqf_level: int
    assessment_type: str
    participation: str
    quality_assurance: str
    version: str = ""
    field_of_study: str = ""
    nqf_level: str = ""
    prerequisites: str = ""
    supervision: str = ""
    stackability: str = ""
    further_information: str = ""
    pass_mark: int | float | None = None
    result_type: str = "Percent"
    valid_for_days: int | None = None
    image: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The definition in the file format (inverse of ``parse_definition``), optional fields omitted."""
        data: dict[str, Any] = {}
        for element in ELEMENTS:
            if element.parent != "grading" or self.pass_mark is not None:
                put(data, element, self.value(element))
        return data

    def value(self, element: Element) -> Any:
        """The value of one declared element (the learning outcomes in the file format)."""
        if element.kind == "outcomes":
            return [outcome.to_dict() for outcome in self.learning_outcomes]
        return getattr(self.awarding_body if element.parent == "awarding_body" else self, element.key)


def _image(c: FieldChecks, data: Mapping) -> str:
    value = c.text(data, "image", "image", required=False)
    if not value:
        return ""
    if value.startswith("https://"):
        reason = https_url_problem(value)
    elif match := IMAGE_DATA_RE.match(value):
        try:
            base64.b64decode(match.group(2), validate=True)
            reason = None
        except (binascii.Error, ValueError):
            reason = _("the base64 data is not valid"), {}
    else:
        reason = _("must be an https URL or a data:image/png;base64,... or data:image/svg+xml;base64,... URI"), {}
    if reason:
        c.fail("image", reason)
        return ""
    return value


def _looks_like_email(value: str) -> bool:
    """An address (``formats``), with a dotted domain and fit for the ``mailto:`` IRI the credential carries."""
    return is_email_address(value) and "." in value.rpartition("@")[2] and not IRI_FORBIDDEN.search(value)


#: Checks of the text kinds beyond ``FieldChecks.text``: the reason a value is wrong, or None.
_TEXT_CHECKS: dict[str, Callable[[str], Reason | None]] = {
    "language": lambda v: (
        None if LANGUAGE_RE.match(v) else (_("must be a BCP 47 language tag such as en, it or pt-BR"), {})
    ),
    "email": lambda v: None if _looks_like_email(v) else (_("must be an email address like name@example.org"), {}),
    "country": lambda v: (
        None
        if v in COUNTRY_ALPHA3
        else (_("must be an ISO 3166-1 alpha-2 code in capitals, like IT (got %(value)s)"), {"value": repr(v)})
    ),
}


def _element(c: FieldChecks, data: Mapping, element: Element) -> Any:
    """The cleaned value of a declared element of ``data`` (its mapping), checked by its kind."""
    key, path, required = element.key, element.path, element.required
    if element.kind in ("number", "integer"):
        return c.number(data, element)
    if element.kind == "iri":
        return c.iri(data, key, path, required=required, fragment=element.fragment)
    if element.kind == "choice":
        return c.choice(data, key, path, element.options or {}, required=required)
    if element.kind == "image":
        return _image(c, data)
    if element.kind == "outcomes":
        return _outcomes(c, data)
    value = c.text(data, key, path, required=required, max_len=element.max_len, single_line=element.single_line)
    check = _TEXT_CHECKS.get(element.kind)
    if value and check and (reason := check(value)):
        c.fail(path, reason)
    return value


def _outcomes(c: FieldChecks, data: Mapping) -> tuple[LearningOutcome, ...]:
    items = data.get("learning_outcomes")
    if items is None:
        c.fail("learning_outcomes", _("is required"))
        return ()
    if not isinstance(items, list) or not items:
        c.fail("learning_outcomes", _("must be a non-empty list of outcomes"))
        return ()
    outcomes, seen = [], set()
    for index, item in enumerate(items):
        path = f"learning_outcomes[{index}]"
        if not isinstance(item, Mapping):
            # Translators: id, text and esco_skills are field names: keep them as they are.
            c.fail(path, _("must be a mapping with id, text and optional esco_skills"))
            continue
        c.unknown(item, set(OUTCOME_KEYS), f"{path}.")
        oid = c.text(item, "id", f"{path}.id", max_len=OUTCOME_ID_MAX)
        if oid and not OUTCOME_ID_RE.match(oid):
            c.fail(f"{path}.id", _("must be lower-case letters, digits, '-' or '_', starting with a letter or digit"))
        elif oid in seen:
            c.fail(f"{path}.id", _("duplicate outcome id %(id)s"), id=repr(oid))
        seen.add(oid)
        text = c.text(item, "text", f"{path}.text")
        outcomes.append(LearningOutcome(oid, text, _esco(c, item.get("esco_skills"), f"{path}.esco_skills")))
    return tuple(outcomes)


def _esco(c: FieldChecks, skills: Any, path: str) -> tuple[str, ...]:
    if skills is None:
        return ()
    if not isinstance(skills, list):
        c.fail(path, _("must be a list of ESCO skill URIs"))
        return ()
    for index, skill in enumerate(skills):
        if not isinstance(skill, str) or not ESCO_SKILL_RE.match(skill):
            c.fail(f"{path}[{index}]", _("must be an ESCO skill URI like http://data.europa.eu/esco/skill/<uuid>"))
        elif skills.index(skill) != index:
            c.fail(f"{path}[{index}]", _("duplicate ESCO skill"))
    return tuple(dict.fromkeys(s for s in skills if isinstance(s, str)))


def parse_definition(data: Mapping) -> Definition:
    """Validate ``data`` (parsed YAML/JSON) and return a Definition.

    Raises DefinitionError naming the first bad field; ``.errors`` maps every bad field path to its reason.
    """
    if not isinstance(data, Mapping):
        reason, params = not_of_type("mapping", data)
        raise DefinitionError("definition", reason, **params)
    c = FieldChecks()
    values: dict[str, Any] = {}
    mappings: dict[str, Mapping | None] = {"": data}
    for element in ELEMENTS:  # in the declaration's order: the first problem is the first in a form
        parent = element.parent
        if parent not in mappings:
            mappings[parent] = c.mapping(data, parent, parent, required=MAPPINGS[parent])
            if mappings[parent] is not None:
                c.unknown(mappings[parent], {e.key for e in children(parent)}, f"{parent}.")
        if mappings[parent] is not None:
            values[element.path] = _element(c, mappings[parent], element)
    c.unknown(data, TOP_LEVEL_FIELDS, "")
    c.problems.raise_first(DefinitionError)  # with ``.errors``: every field's first problem, for forms
    body = AwardingBody(**{e.key: values.pop(e.path) for e in children("awarding_body")})
    return Definition(awarding_body=body, **{path.rpartition(".")[2]: value for path, value in values.items()})


_LOADERS: dict[str, Callable[[str], Any]] = {".json": json.loads, ".yaml": yaml.safe_load, ".yml": yaml.safe_load}


def load_definition(path: str | Path) -> Definition:
    """Read a .json, .yaml or .yml definition file; read and syntax errors name the file (and line)."""
    path = Path(path)
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DefinitionError(str(path), _("unsupported file type; use .json, .yaml or .yml"))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        detail = str(getattr(exc, "strerror", None) or exc)
        raise DefinitionError(str(path), _("cannot read the file: %(detail)s"), detail=detail) from exc
    try:
        data = loader(text)
    except json.JSONDecodeError as exc:
        where = {"line": exc.lineno, "column": exc.colno}
        raise DefinitionError(
            str(path), _("invalid JSON at line %(line)d, column %(column)d: %(detail)s"), **where, detail=exc.msg
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = str(getattr(exc, "problem", None) or exc)
        if mark is None:
            raise DefinitionError(str(path), _("invalid YAML: %(detail)s"), detail=detail) from exc
        where = {"line": mark.line + 1, "column": mark.column + 1}
        raise DefinitionError(
            str(path), _("invalid YAML at line %(line)d, column %(column)d: %(detail)s"), **where, detail=detail
        ) from exc
    if not isinstance(data, Mapping):
        raise DefinitionError(str(path), _("the file must contain a mapping of definition fields"))
    return parse_definition(data)
