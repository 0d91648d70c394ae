"""Course specs: load a YAML or JSON spec with line numbers and validate it into a ``CourseSpec``.

The format is documented in docs/course-spec-format.md. Reading the file and reporting problems at
their lines is ``spec_reader``; the outcome assessments' questions are ``spec_questions``.
The micro-credential part is validated by ``badge_issuer.definition.parse_definition``, the issuing
rule by ``badge_issuer.rules.validate_rules`` and the questions by the assessment block's own model
(``microcredential_xblock.blocks.questions``), so a spec is accepted exactly when the blocks accept it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from badge_issuer.dates import xsd_datetime
from badge_issuer.definition import parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.formats import parse_datetime
from badge_issuer.rules import validate_rules

from .spec_questions import AssessmentSpec, read_assessment
from .spec_reader import Checker, SpecError, load, parse_path

SPEC_VERSION = 1
#: Open edX course key parts (org, course code, run): letters, digits, "_", "-" and ".".
KEY_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
TOP_LEVEL = {"spec_version", "course", "micro_credential", "issuing_rule", "outcomes", "final_unit"}
COURSE_KEYS = {"org", "code", "run", "language", "start", "short_description", "overview", "introduction"}
UNIT_KEYS = {"title", "html"}
#: url_names of the chapters the generator adds around the outcome chapters (named after outcome ids).
RESERVED_CHAPTERS = ("introduction", "credential")


@dataclass(frozen=True)
class Unit:
    title: str
    html: str


@dataclass(frozen=True)
class OutcomeChapter:
    id: str
    title: str
    units: tuple[Unit, ...]
    assessment: AssessmentSpec


@dataclass(frozen=True)
class CourseSpec:
    """A validated spec: everything the generator needs, nothing it has to check again."""

    source: str
    org: str
    code: str
    run: str
    language: str
    start: str
    short_description: str
    overview: str
    introduction_title: str
    introduction: tuple[Unit, ...]
    definition: dict[str, Any]
    rules: dict[str, Any]
    chapters: tuple[OutcomeChapter, ...]
    final_unit: Unit
    lines: dict[tuple, int] = field(default_factory=dict, compare=False, repr=False)


def _html(c: Checker, data: Mapping, key: str, path: tuple) -> str:
    """HTML content: non-empty, and parseable by a browser-grade parser (lxml.html)."""
    text = c.text(data, key, path)
    if text:
        try:
            lxml_html.fragments_fromstring(text)
        except (lxml_html.etree.LxmlError, ValueError, AssertionError) as exc:  # lxml.html asserts on several <html>
            c.fail((*path, key), f"is not valid HTML: {exc}")
    return text


def _units(c: Checker, data: Mapping, key: str, path: tuple) -> tuple[Unit, ...]:
    units = []
    for index, item in enumerate(c.items(data, key, path)):
        here = (*path, key, index)
        unit = c.mapping(item, here, UNIT_KEYS, UNIT_KEYS)
        if unit is not None:
            units.append(Unit(c.text(unit, "title", here), _html(c, unit, "html", here)))
    return tuple(units)


def _definition(c: Checker, data: Mapping) -> dict[str, Any]:
    raw = data.get("micro_credential")
    try:
        return parse_definition(raw if raw is not None else {}).to_dict()
    except DefinitionError as exc:
        for subject, reason in getattr(exc, "errors", {exc.subject: exc.reason}).items():
            c.fail(("micro_credential", *parse_path(subject)), reason)
        return {}


def _rules(c: Checker, data: Mapping) -> dict[str, Any]:
    if "issuing_rule" not in data:
        c.fail((), "the field 'issuing_rule' is required (for example {all_outcomes: true})")
        return {}
    try:
        return validate_rules(data["issuing_rule"], path="issuing_rule")
    except DefinitionError as exc:
        c.fail(parse_path(exc.subject), exc.reason)
        return {}


def _outcome_ids(data: Mapping) -> list[str]:
    """Outcome ids as written (even when another field of the definition is invalid), to avoid cascades."""
    raw = data.get("micro_credential")
    items = raw.get("learning_outcomes") if isinstance(raw, Mapping) else None
    return (
        [o["id"] for o in items or () if isinstance(o, Mapping) and isinstance(o.get("id"), str)]
        if isinstance(items, list)
        else []
    )


def _chapters(c: Checker, data: Mapping) -> tuple[OutcomeChapter, ...]:
    defined = _outcome_ids(data)
    chapters, seen = [], set()
    for index, item in enumerate(c.items(data, "outcomes", ())):
        path = ("outcomes", index)
        chapter = c.mapping(item, path, {"id", "title", "units", "assessment"}, {"id", "title", "units", "assessment"})
        if chapter is None:
            continue
        outcome_id = chapter.get("id")
        if defined and outcome_id not in defined:
            c.fail(
                (*path, "id"),
                f"{outcome_id!r} is not a learning outcome of the micro-credential "
                f"(defined: {', '.join(map(str, defined))})",
            )
        elif outcome_id in seen:
            c.fail((*path, "id"), f"outcome {outcome_id!r} already has a chapter")
        elif outcome_id in RESERVED_CHAPTERS:
            c.fail((*path, "id"), f"{outcome_id!r} names a generated chapter: give the outcome another id")
        seen.add(outcome_id)
        assessment = read_assessment(c, chapter.get("assessment"), (*path, "assessment"), str(outcome_id), set(defined))
        units = _units(c, chapter, "units", path)
        if assessment is not None:
            chapters.append(OutcomeChapter(str(outcome_id), c.text(chapter, "title", path), units, assessment))
    if defined:
        for outcome_id in defined:
            if outcome_id not in seen:
                c.fail(("outcomes",), f"the learning outcome {outcome_id!r} has no chapter")
    return tuple(chapters)


def _check_grading(c: Checker, definition: Mapping, chapters: tuple[OutcomeChapter, ...]) -> None:
    """A learner who earns the credential must also pass the course: pass mark <= every mastery threshold."""
    pass_mark = (definition.get("grading") or {}).get("pass_mark")
    thresholds = [o.threshold for ch in chapters for o in ch.assessment.model.outcomes]
    if isinstance(pass_mark, int | float) and thresholds and pass_mark > min(thresholds):
        c.fail(
            ("micro_credential", "grading", "pass_mark"),
            f"{pass_mark:g} is above the lowest mastery threshold ({min(thresholds):g}): a learner who "
            "validates every outcome could still fail the course",
        )


def _start(c: Checker, course: Mapping) -> str:
    """The start as Open edX writes it (``2026-01-12T00:00:00Z``); YAML may already have made it a datetime."""
    value = course.get("start")
    if value in ("", None):
        return ""
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        try:
            when = parse_datetime(str(value), "course.start", naive_is_utc=True)
        except DefinitionError:
            c.fail(("course", "start"), 'must be an ISO 8601 date-time such as "2026-01-12T00:00:00Z"')
            return ""
    return xsd_datetime(when)


def validate(data: Any, lines: dict[tuple, int], source: str) -> CourseSpec:
    """Check every part of a parsed spec; raise SpecError listing every problem with its line."""
    c = Checker(source, lines)
    top = c.mapping(data, (), TOP_LEVEL, TOP_LEVEL)
    if top is None:
        raise SpecError(c.problems)
    if top.get("spec_version") != SPEC_VERSION:
        c.fail(("spec_version",), f"must be {SPEC_VERSION}")
    course = (
        c.mapping(
            top.get("course"),
            ("course",),
            COURSE_KEYS,
            {"org", "code", "run", "language", "short_description", "overview", "introduction"},
        )
        or {}
    )
    for key in ("org", "code", "run"):
        value = c.text(course, key, ("course",))
        if value and not KEY_PART.fullmatch(value):
            c.fail(("course", key), "must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit")
    definition = _definition(c, top)
    language = c.text(course, "language", ("course",))
    if definition and language and language != definition.get("language"):
        c.fail(
            ("course", "language"),
            f"{language!r} differs from micro_credential.language {definition.get('language')!r}",
        )
    intro = (
        c.mapping(course.get("introduction"), ("course", "introduction"), {"title", "units"}, {"title", "units"}) or {}
    )
    final = c.mapping(top.get("final_unit"), ("final_unit",), UNIT_KEYS, UNIT_KEYS) or {}
    spec = CourseSpec(
        source=source,
        org=course.get("org", ""),
        code=course.get("code", ""),
        run=course.get("run", ""),
        language=language,
        start=_start(c, course),
        short_description=c.text(course, "short_description", ("course",)),
        overview=_html(c, course, "overview", ("course",)),
        introduction_title=c.text(intro, "title", ("course", "introduction")),
        introduction=_units(c, intro, "units", ("course", "introduction")) if intro else (),
        definition=definition,
        rules=_rules(c, top),
        chapters=_chapters(c, top),
        final_unit=Unit(c.text(final, "title", ("final_unit",)), _html(c, final, "html", ("final_unit",))),
        lines=lines,
    )
    _check_grading(c, definition, spec.chapters)
    if c.problems:
        raise SpecError(c.problems)
    return spec


def load_spec(path: str | Path) -> CourseSpec:
    """Load and validate a spec file (YAML or JSON)."""
    data, lines = load(path)
    return validate(data, lines, str(path))
