"""Course specs: load a YAML or JSON spec with line numbers and validate it into a ``CourseSpec``.

The format is documented in docs/course-spec-format.md. Every problem names the file, the line and
the field, so a training provider can fix a spec without reading a traceback. JSON is read with the
YAML parser too (JSON is YAML for everything a spec contains), so JSON specs get line numbers as well.
The micro-credential part is validated by ``badge_issuer.definition.parse_definition``, the issuing
rule by ``badge_issuer.rules.validate_rules`` and the questions by the assessment block's own model
(``microcredential_xblock.blocks.questions``), so a spec is accepted exactly when the blocks accept it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from lxml import html as lxml_html

from badge_issuer.definition import parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.rules import validate_rules
from microcredential_xblock.blocks import questions
from microcredential_xblock.blocks.olx import OlxError

SPEC_VERSION = 1
#: Open edX course key parts (org, course code, run): letters, digits, "_", "-" and ".".
KEY_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_SPEC_BYTES = 2 * 1024 * 1024
TOP_LEVEL = {"spec_version", "course", "micro_credential", "issuing_rule", "outcomes", "final_unit"}
COURSE_KEYS = {"org", "code", "run", "language", "start", "short_description", "overview", "introduction"}
UNIT_KEYS = {"title", "html"}
ASSESSMENT_KEYS = {"title", "mastery", "max_attempts", "weight", "show_feedback", "questions"}
QUESTION_KEYS = {
    "single": {"choices"},
    "multiple": {"choices", "scoring"},
    "numeric": {"answer", "tolerance"},
    "text": {"answers", "match", "case_sensitive"},
}
#: url_names of the chapters the generator adds around the outcome chapters (named after outcome ids).
RESERVED_CHAPTERS = ("introduction", "credential")
COMMON_QUESTION_KEYS = {"id", "type", "prompt", "outcomes", "points", "feedback", "hints"}
CHOICE_IDS = string.ascii_lowercase


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


@dataclass(frozen=True)
class Unit:
    title: str
    html: str


@dataclass(frozen=True)
class AssessmentSpec:
    title: str
    max_attempts: int
    show_feedback: bool
    weight: float
    model: questions.Assessment


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


# ------------------------------------------------------------------------------------------ loading


def _node_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], problems: list[str]) -> None:
    """Record the 1-based line of every mapping key and list item; report duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append((key_node.start_mark.line + 1, f"{_dotted((*path, key))}: duplicate key"))
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


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_PATH_PART = re.compile(r"([^.\[\]/@]+)|\[(\d+)\]")


def parse_path(text: str) -> tuple:
    """``learning_outcomes[1].id`` -> ``("learning_outcomes", 1, "id")`` (paths of badge_issuer errors)."""
    return tuple(int(index) if index else name for name, index in _PATH_PART.findall(text))


# --------------------------------------------------------------------------------------- validation


class _Checker:
    """Collects problems with their lines; typed getters return None after reporting a problem."""

    def __init__(self, source: str, lines: dict[tuple, int]):
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: tuple) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: tuple, reason: str) -> None:
        self.problems.append(Problem(self.source, self.line(path), f"{_dotted(path)}: {reason}"))

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


def _html(c: _Checker, data: Mapping, key: str, path: tuple) -> str:
    """HTML content: non-empty, and parseable by a browser-grade parser (lxml.html)."""
    text = c.text(data, key, path)
    if text:
        try:
            lxml_html.fragments_fromstring(text)
        except (lxml_html.etree.LxmlError, ValueError, AssertionError) as exc:  # lxml.html asserts on several <html>
            c.fail((*path, key), f"is not valid HTML: {exc}")
    return text


def _units(c: _Checker, data: Mapping, key: str, path: tuple) -> tuple[Unit, ...]:
    units = []
    for index, item in enumerate(c.items(data, key, path)):
        here = (*path, key, index)
        unit = c.mapping(item, here, UNIT_KEYS, UNIT_KEYS)
        if unit is not None:
            units.append(Unit(c.text(unit, "title", here), _html(c, unit, "html", here)))
    return tuple(units)


def _definition(c: _Checker, data: Mapping) -> dict[str, Any]:
    raw = data.get("micro_credential")
    try:
        return parse_definition(raw if raw is not None else {}).to_dict()
    except DefinitionError as exc:
        for subject, reason in getattr(exc, "errors", {exc.subject: exc.reason}).items():
            c.fail(("micro_credential", *parse_path(subject)), reason)
        return {}


def _rules(c: _Checker, data: Mapping) -> dict[str, Any]:
    if "issuing_rule" not in data:
        c.fail((), "the field 'issuing_rule' is required (for example {all_outcomes: true})")
        return {}
    try:
        return validate_rules(data["issuing_rule"], path="issuing_rule")
    except DefinitionError as exc:
        c.fail(parse_path(exc.subject), exc.reason)
        return {}


def _feedback(c: _Checker, value: Any, path: tuple) -> tuple[str, str]:
    """``feedback: text`` (shown after any answer) or ``{correct: text, incorrect: text}``."""
    if value is None:
        return "", ""
    if isinstance(value, str) and value.strip():
        return value.strip(), value.strip()
    if isinstance(value, Mapping) and set(value) <= {"correct", "incorrect"}:
        return c.text(value, "correct", path, required=False), c.text(value, "incorrect", path, required=False)
    c.fail(path, "must be text or a mapping with 'correct' and/or 'incorrect' text")
    return "", ""


def _choices(c: _Checker, items: list, path: tuple) -> tuple[questions.Choice, ...]:
    if len(items) > len(CHOICE_IDS):
        c.fail(path, f"at most {len(CHOICE_IDS)} choices")
    choices = []
    for index, item in enumerate(items[: len(CHOICE_IDS)]):
        here = (*path, index)
        choice = c.mapping(item, here, {"text", "correct", "feedback"}, {"text"})
        if choice is not None:
            choices.append(
                questions.Choice(
                    CHOICE_IDS[index],
                    c.text(choice, "text", here),
                    c.boolean(choice, "correct", here, False),
                    c.text(choice, "feedback", here, required=False),
                )
            )
    return tuple(choices)


def _tolerance(c: _Checker, value: Any, path: tuple) -> tuple[float, bool]:
    """``tolerance: 0.5`` (absolute) or ``"2%"`` (relative to the answer), as the block's OLX."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = float(value.strip()[:-1])
        except ValueError:
            percent = -1.0
        if 0 <= percent <= 100:
            return percent, True
    elif isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value), False
    c.fail(path, 'must be a number >= 0 or a percentage such as "2%"')
    return 0.0, False


def _question(c: _Checker, item: Any, path: tuple, outcome_id: str) -> questions.Question | None:
    kind = item.get("type") if isinstance(item, Mapping) else None
    if kind not in QUESTION_KEYS:
        if isinstance(item, Mapping):
            c.fail((*path, "type"), f"must be one of: {', '.join(QUESTION_KEYS)}")
        else:
            c.fail(path, "must be a mapping of fields")
        return None
    data = c.mapping(item, path, COMMON_QUESTION_KEYS | QUESTION_KEYS[kind], {"id", "prompt"})
    if data is None:
        return None
    outcomes = data.get("outcomes", [outcome_id])
    if not isinstance(outcomes, list) or not outcomes or not all(isinstance(o, str) for o in outcomes):
        c.fail((*path, "outcomes"), "must be a non-empty list of learning outcome ids")
        outcomes = [outcome_id]
    hints = data.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        c.fail((*path, "hints"), "must be a list of texts")
        hints = []
    feedback_correct, feedback_incorrect = _feedback(c, data.get("feedback"), (*path, "feedback"))
    fields: dict[str, Any] = {}
    if kind in ("single", "multiple"):
        fields["choices"] = _choices(c, c.items(data, "choices", path), (*path, "choices"))
        scoring = data.get("scoring", "all-or-nothing")
        if scoring not in ("all-or-nothing", "partial"):
            c.fail((*path, "scoring"), "must be all-or-nothing or partial")
        fields["partial_credit"] = scoring == "partial"
    elif kind == "numeric":
        fields["answer"] = (
            c.number(data, "answer", path, default=0.0, low=-1e15, high=1e15) if "answer" in data else None
        )
        if fields["answer"] is None:
            c.fail(path, "the field 'answer' is required")
        fields["tolerance"], fields["tolerance_percent"] = _tolerance(c, data.get("tolerance", 0), (*path, "tolerance"))
    else:
        answers = c.items(data, "answers", path)
        if not all(isinstance(a, str) and a.strip() for a in answers):
            c.fail((*path, "answers"), "must be a list of non-empty texts")
        fields["accepted"] = tuple(str(a).strip() for a in answers)
        match = data.get("match", "exact")
        if match not in ("exact", "regex"):
            c.fail((*path, "match"), "must be exact or regex")
        fields["regex"] = match == "regex"
        fields["case_sensitive"] = c.boolean(data, "case_sensitive", path, False)
    return questions.Question(
        id=str(data.get("id", "")),
        kind=kind,
        prompt=c.text(data, "prompt", path),
        outcomes=tuple(outcomes),
        points=c.number(data, "points", path, default=1.0, low=1e-9, high=questions.MAX_POINTS),
        feedback_correct=feedback_correct,
        feedback_incorrect=feedback_incorrect,
        hints=tuple(h.strip() for h in hints),
        **fields,
    )


def _olx_error_path(exc: OlxError, base: tuple, ids: list[str]) -> tuple:
    """``question[q2]/@tolerance`` -> the spec path of question q2 (the closest line we know)."""
    match = re.match(r"question\[([^\]]+)\](?:/@?(\w+))?", exc.subject)
    if match and match.group(1) in ids:
        here = (*base, "questions", ids.index(match.group(1)))
        return (*here, match.group(2)) if match.group(2) in ("answer", "tolerance", "prompt") else here
    return (*base, "questions")


def _assessment(c: _Checker, item: Any, path: tuple, outcome_id: str, defined: set[str]) -> AssessmentSpec | None:
    data = c.mapping(item, path, ASSESSMENT_KEYS, {"title", "questions"})
    if data is None:
        return None
    mastery = c.number(data, "mastery", path, default=questions.DEFAULT_THRESHOLD, low=1e-9, high=100)
    parsed = [
        _question(c, q, (*path, "questions", i), outcome_id) for i, q in enumerate(c.items(data, "questions", path))
    ]
    model_questions = tuple(q for q in parsed if q is not None)
    tagged: dict[str, None] = {outcome_id: None}
    for index, question in enumerate(model_questions):
        for ref in question.outcomes:
            if defined and ref not in defined:
                c.fail(
                    (*path, "questions", index, "outcomes"),
                    f"{ref!r} is not a learning outcome of the micro-credential",
                )
            tagged[ref] = None
    if outcome_id not in {ref for q in model_questions for ref in q.outcomes}:
        c.fail((*path, "questions"), f"no question is tagged with this chapter's outcome {outcome_id!r}")
    model = questions.Assessment(tuple(questions.Outcome(ref, mastery) for ref in tagged), model_questions)
    if len(model_questions) == len(parsed):
        try:
            model = questions.validate(model)
        except OlxError as exc:
            c.fail(_olx_error_path(exc, path, [q.id for q in model_questions]), f"{exc.subject}: {exc.reason}")
    return AssessmentSpec(
        title=c.text(data, "title", path),
        max_attempts=c.number(data, "max_attempts", path, default=3, low=0, high=100, integer=True),
        show_feedback=c.boolean(data, "show_feedback", path, True),
        weight=c.number(data, "weight", path, default=1.0, low=0, high=1000),
        model=model,
    )


def _outcome_ids(data: Mapping) -> list[str]:
    """Outcome ids as written (even when another field of the definition is invalid), to avoid cascades."""
    raw = data.get("micro_credential")
    items = raw.get("learning_outcomes") if isinstance(raw, Mapping) else None
    return (
        [o["id"] for o in items or () if isinstance(o, Mapping) and isinstance(o.get("id"), str)]
        if isinstance(items, list)
        else []
    )


def _chapters(c: _Checker, data: Mapping) -> tuple[OutcomeChapter, ...]:
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
        assessment = _assessment(c, chapter.get("assessment"), (*path, "assessment"), str(outcome_id), set(defined))
        units = _units(c, chapter, "units", path)
        if assessment is not None:
            chapters.append(OutcomeChapter(str(outcome_id), c.text(chapter, "title", path), units, assessment))
    if defined:
        for outcome_id in defined:
            if outcome_id not in seen:
                c.fail(("outcomes",), f"the learning outcome {outcome_id!r} has no chapter")
    return tuple(chapters)


def _check_grading(c: _Checker, definition: Mapping, chapters: tuple[OutcomeChapter, ...]) -> None:
    """A learner who earns the credential must also pass the course: pass mark <= every mastery threshold."""
    pass_mark = (definition.get("grading") or {}).get("pass_mark")
    thresholds = [o.threshold for ch in chapters for o in ch.assessment.model.outcomes]
    if isinstance(pass_mark, int | float) and thresholds and pass_mark > min(thresholds):
        c.fail(
            ("micro_credential", "grading", "pass_mark"),
            f"{pass_mark:g} is above the lowest mastery threshold ({min(thresholds):g}): a learner who "
            "validates every outcome could still fail the course",
        )


def _start(c: _Checker, course: Mapping) -> str:
    """The start as Open edX writes it (``2026-01-12T00:00:00Z``); YAML may already have made it a datetime."""
    value = course.get("start")
    if value in ("", None):
        return ""
    try:
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        c.fail(("course", "start"), 'must be an ISO 8601 date-time such as "2026-01-12T00:00:00Z"')
        return ""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def validate(data: Any, lines: dict[tuple, int], source: str) -> CourseSpec:
    """Check every part of a parsed spec; raise SpecError listing every problem with its line."""
    c = _Checker(source, lines)
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
