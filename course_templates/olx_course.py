"""The OLX tree of one unpacked course: its files, the blocks found walking it, and the problems found.

``walk`` follows course > chapter > sequential > vertical > components and every reference (pointers,
``<html filename>``), parses our XBlocks through an XBlock runtime with their own ``parse_xml`` and
records what the rule and grading checks (``course_rules``) need. Problems name the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from xblock.core import XBlock
from xblock.plugin import AmbiguousPluginError, PluginMissingError
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime
from xblock.test.toy_runtime import ToyRuntime

from badge_issuer.definition import parse_definition
from badge_issuer.errors import MicrovetError
from badge_issuer.rules import validate_rules
from microcredential_xblock.blocks import badge_asset, editor

from .spec_reader import Problem

#: Core Open edX block types: implemented by the platform (or xblocks-contrib), not installed here.
CORE_BLOCKS = frozenset(
    {
        "html",
        "problem",
        "video",
        "discussion",
        "poll_question",
        "library_content",
        "split_test",
        "conditional",
        "word_cloud",
        "annotatable",
        "lti",
        "lti_consumer",
        "openassessment",
        "drag-and-drop-v2",
        "poll",
        "survey",
        "done",
        "google-document",
        "google-calendar",
        "itembank",
        "library_v2",
    }
)
STRUCTURE = {"course": "chapter", "chapter": "sequential", "sequential": "vertical"}
#: What a Studio export writes into the course definition next to its chapters (CourseBlock's
#: ``definition_to_xml``): the course wiki's slug and the textbooks. Everything else an export holds
#: (drafts/, assets/, static/, tabs/, info/, policies/assets.json) is outside the tree checked here.
COURSE_EXTRAS = {"wiki": ("slug",), "textbook": ("title", "book_url")}
ASSESSMENT, CREDENTIAL = "outcome_assessment", "microcredential"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


class _ParseRuntime(ToyRuntime):
    """ToyRuntime with its own, fresh in-memory stores (ToyRuntime's are module globals), over the
    course's own files: ``course_files`` is the export's ``static/`` folder, where Studio writes them
    (``compat.read_course_asset`` reads an uploaded badge there)."""

    def __init__(self, course_files: Path | None = None) -> None:
        ids = MemoryIdManager()
        Runtime.__init__(self, ids, ids, services={"field-data": KvsFieldData(DictKeyValueStore())})
        self.course_files = course_files


@dataclass
class FoundAssessment:
    file: str
    line: int
    url_name: str
    microcredential: str
    graded_format: str | None
    outcomes: dict[str, float]  # outcome id -> threshold
    tagged: dict[str, list[tuple[str, int]]]  # outcome id -> [(question id, line of its <outcome ref>)]
    refs: list[tuple[str, int]]  # every outcome reference with its line


@dataclass
class FoundCredential:
    file: str
    line: int
    url_name: str
    achievement_id: str
    outcomes: list[str]
    rules: dict[str, Any] | None


@dataclass
class Course:
    root: Path
    prefix: str  # how files are named in problems (the archive member path of the course folder)
    problems: list[Problem] = field(default_factory=list)
    seen: dict[tuple[str, str], str] = field(default_factory=dict)
    assessments: list[FoundAssessment] = field(default_factory=list)
    credentials: list[FoundCredential] = field(default_factory=list)
    graded_formats: set[str] = field(default_factory=set)
    runtime: _ParseRuntime = field(init=False)

    def __post_init__(self) -> None:
        self.runtime = _ParseRuntime(self.root / "static")

    def name(self, relative: str) -> str:
        return str(PurePosixPath(self.prefix) / relative) if self.prefix else relative

    def fail(self, relative: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.name(relative), line or 0, message))

    def parse(self, relative: str) -> etree._Element | None:
        path = self.root / relative
        try:
            return etree.parse(str(path), _PARSER).getroot()
        except OSError:
            return None
        except etree.XMLSyntaxError as exc:
            self.fail(relative, exc.lineno, f"is not well-formed XML: {exc.msg}")
            return None


# ---------------------------------------------------------------------------------------- structure


def _is_pointer(element: etree._Element) -> bool:
    """Open edX's rule: only a url_name attribute, no children, no text."""
    return set(element.attrib) == {"url_name"} and len(element) == 0 and not (element.text or "").strip()


def _resolve(course: Course, element: etree._Element, relative: str) -> tuple[etree._Element, str] | None:
    """The element's definition: the pointed-to file for a pointer, else the element itself."""
    tag, url_name = element.tag, element.get("url_name", "")
    if url_name:
        key = (tag, url_name)
        where = f"{relative}:{element.sourceline}"
        if key in course.seen:
            course.fail(
                relative,
                element.sourceline,
                f"<{tag} url_name={url_name!r}> is used twice (first at {course.seen[key]})",
            )
            return None
        course.seen[key] = where
    if not _is_pointer(element):
        return element, relative
    if tag not in CORE_BLOCKS and tag not in STRUCTURE and tag != "vertical":
        # Pointer files are loaded by the platform's XmlMixin only; a pure XBlock given as a pointer is
        # imported empty, with its default content (openedx/xblocks-contrib ADR 0002).
        course.fail(
            relative,
            element.sourceline,
            f"<{tag} url_name={url_name!r}> is a pointer: Open edX imports "
            "pure XBlocks from pointer files as empty blocks; write the block inline in its unit",
        )
        return None
    target = f"{tag}/{url_name.replace(':', '/')}.xml"
    if not (course.root / target).is_file():
        course.fail(
            relative, element.sourceline, f"<{tag} url_name={url_name!r}> refers to {target}, which does not exist"
        )
        return None
    definition = course.parse(target)
    if definition is None:
        return None
    if definition.tag != tag:
        course.fail(target, definition.sourceline, f"root element is <{definition.tag}>, expected <{tag}>")
        return None
    return definition, target


def walk(course: Course, element: etree._Element, relative: str, sequential: etree._Element | None) -> None:
    expected = STRUCTURE.get(element.tag)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if element.tag == "course" and child.tag in COURSE_EXTRAS:
            missing = [name for name in COURSE_EXTRAS[child.tag] if not child.get(name)]
            if missing:
                course.fail(relative, child.sourceline, f"<{child.tag}> without {', '.join(missing)}")
            continue
        if expected and child.tag != expected:
            course.fail(
                relative, child.sourceline, f"<{child.tag}> inside <{element.tag}>: Studio expects <{expected}> here"
            )
            continue
        resolved = _resolve(course, child, relative)
        if resolved is None:
            continue
        node, where = resolved
        if node.tag in STRUCTURE or node.tag == "vertical":
            if node.tag == "sequential" and node.get("graded") == "true":
                course.graded_formats.add(node.get("format", ""))
            if node.tag == "sequential" and node.get("graded") == "true" and not node.get("format"):
                course.fail(where, node.sourceline, "graded subsection without a format (assignment type)")
            walk(course, node, where, node if node.tag == "sequential" else sequential)
        else:
            _component(course, node, where, sequential)


def _component(course: Course, node: etree._Element, where: str, sequential: etree._Element | None) -> None:
    if node.tag == "html":
        _html(course, node, where)
        return
    if node.tag in CORE_BLOCKS:
        return  # well-formed XML is all we can check without the platform
    try:
        XBlock.load_class(node.tag)
    except PluginMissingError:
        course.fail(where, node.sourceline, f"<{node.tag}>: no XBlock of this type is installed")
        return
    except AmbiguousPluginError:
        course.fail(where, node.sourceline, f"<{node.tag}>: several installed XBlocks claim this type")
        return
    try:
        usage_id = course.runtime.parse_xml_string(etree.tostring(node))
        block = course.runtime.get_block(usage_id)
    except MicrovetError as exc:
        course.fail(where, _error_line(node, exc.subject), f"<{node.tag}> does not parse: {exc.subject}: {exc.reason}")
        return
    except Exception as exc:  # noqa: BLE001 - any installed XBlock's parse_xml may raise anything: a finding
        course.fail(where, node.sourceline, f"<{node.tag}> does not parse: {exc}")
        return
    graded = sequential.get("format") if sequential is not None and sequential.get("graded") == "true" else None
    if node.tag == ASSESSMENT:
        course.assessments.append(_assessment(node, where, block, graded))
    elif node.tag == CREDENTIAL:
        course.credentials.append(_credential(course, node, where, block))


_SEGMENT = re.compile(r"([A-Za-z_][\w-]*)(?:\[([^\]]+)\])?")


def _error_line(node: etree._Element, subject: str) -> int:
    """Line of the element an OLX error path names (``question[q2]/choice[b]/@correct``), as deep as it resolves."""
    current = node
    for tag, key in _SEGMENT.findall(subject.split("/@", maxsplit=1)[0]):
        if current is node and tag == node.tag and not key:
            continue
        found = next(
            (
                child
                for child in current
                if child.tag == tag and (not key or key in (child.get("id"), child.get("ref")))
            ),
            None,
        )
        if found is None:
            break
        current = found
    return current.sourceline


def _html(course: Course, node: etree._Element, where: str) -> None:
    filename = node.get("filename")
    if not filename:
        return
    target = f"html/{filename}.html"
    try:
        text = (course.root / target).read_text(encoding="utf-8")
    except FileNotFoundError:
        course.fail(where, node.sourceline, f"<html filename={filename!r}> refers to {target}, which does not exist")
        return
    except UnicodeDecodeError:
        course.fail(target, 0, "is not UTF-8 text")
        return
    if not text.strip():
        course.fail(target, 1, "is empty")
        return
    try:
        lxml_html.fragments_fromstring(text)
    except (etree.LxmlError, ValueError, AssertionError) as exc:  # lxml.html asserts on e.g. several <html>
        course.fail(target, 1, f"is not valid HTML: {exc}")


def _assessment(node: etree._Element, where: str, block: Any, graded: str | None) -> FoundAssessment:
    """What the rule check needs, read from the parsed block; lines come from the XML."""
    model = block.assessment
    lines = {}
    for question in node.findall("question"):
        for ref in question.findall("outcome"):
            lines[(question.get("id"), ref.get("ref"))] = ref.sourceline
    refs = [(ref.get("ref", ""), ref.sourceline) for ref in node.iter("outcome")]
    tagged: dict[str, list[tuple[str, int]]] = {}
    for question in model.questions:
        for ref in question.outcomes:
            tagged.setdefault(ref, []).append((question.id, lines.get((question.id, ref), node.sourceline)))
    return FoundAssessment(
        where,
        node.sourceline,
        node.get("url_name", ""),
        block.microcredential,
        graded,
        {o.id: o.threshold for o in model.outcomes},
        tagged,
        refs,
    )


def _credential(course: Course, node: etree._Element, where: str, block: Any) -> FoundCredential:
    definition = block.definition_dict(default_id="https://localhost/microvet/achievements/check")
    if badge_asset.is_reference(definition.get("image")):  # the uploaded badge is not in the export
        course.fail(
            where, node.sourceline, f"<microcredential> image: {definition.pop('image')} is missing from static/"
        )
    try:
        parse_definition(definition)
    except MicrovetError as exc:
        for path, reason in getattr(exc, "errors", {exc.subject: exc.reason}).items():
            course.fail(where, node.sourceline, f"<microcredential> {editor.form_key(path)}: {reason}")
    rules = None
    try:
        rules = validate_rules(block.rules)
    except MicrovetError as exc:
        rules_node = node.find("rules")
        course.fail(
            where,
            rules_node.sourceline if rules_node is not None else node.sourceline,
            f"<microcredential> {exc.subject}: {exc.reason}",
        )
    outcomes = [o.get("id", "") for o in definition.get("learning_outcomes") or []]
    return FoundCredential(
        where, node.sourceline, node.get("url_name", ""), block.stored_definition().get("id", ""), outcomes, rules
    )
