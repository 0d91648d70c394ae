"""Check an Open edX OLX course (a .tar.gz archive or a folder) built for microVET.

``check(path)`` returns every problem as ``Problem(file, line, message)``; an empty list means the
course can be imported and can issue its micro-credential. It checks:

- the archive: safe members only (what Studio's ``safetar`` refuses: absolute paths, ``..``, links,
  devices) and exactly one ``course.xml``, which Studio looks for anywhere in the archive;
- the structure course > chapter > sequential > vertical > components (plus the ``<wiki>`` and
  ``<textbook>`` a Studio export adds to the course), and every reference: a
  pointer (an element with only ``url_name``) must resolve to ``<tag>/<url_name>.xml`` whose root is
  the same tag, an ``<html filename=..>`` to its ``.html`` file; url_names are unique per block type;
  pure XBlocks (ours) must be inline, because the platform imports them from pointers as empty blocks;
- every block parses: ``outcome_assessment`` and ``microcredential`` (and any other installed XBlock)
  through an XBlock runtime with the block class's own ``parse_xml``. Core Open edX blocks (html,
  problem, video, ...) are not installed outside the platform: they are checked as well-formed XML
  (and HTML for html files) only;
- the micro-credential: its EU elements (``badge_issuer.definition.parse_definition``) and issuing
  rule (``badge_issuer.rules.validate_rules``) are valid, every outcome tag of every assessment names
  one of its learning outcomes, and the rule is satisfiable by the course's assessments;
- grading: graded subsections use an assignment type of ``grading_policy.json``, outcome assessments
  are graded, and the pass cutoff does not fail a learner who validated every outcome.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from badge_issuer.rules import OPS, parse_instant, validate_rules
from microcredential_xblock.blocks import editor

from .spec import Problem

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
MAX_MEMBERS = 20_000
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024


class _ParseRuntime(ToyRuntime):
    """ToyRuntime with its own, fresh in-memory stores (ToyRuntime's are module globals)."""

    def __init__(self) -> None:
        ids = MemoryIdManager()
        Runtime.__init__(self, ids, ids, services={"field-data": KvsFieldData(DictKeyValueStore())})


@dataclass
class _Assessment:
    file: str
    line: int
    url_name: str
    microcredential: str
    graded_format: str | None
    outcomes: dict[str, float]  # outcome id -> threshold
    tagged: dict[str, list[tuple[str, int]]]  # outcome id -> [(question id, line of its <outcome ref>)]
    refs: list[tuple[str, int]]  # every outcome reference with its line


@dataclass
class _Credential:
    file: str
    line: int
    url_name: str
    achievement_id: str
    outcomes: list[str]
    rules: dict[str, Any] | None


@dataclass
class _Course:
    root: Path
    prefix: str  # how files are named in problems (the archive member path of the course folder)
    problems: list[Problem] = field(default_factory=list)
    seen: dict[tuple[str, str], str] = field(default_factory=dict)
    assessments: list[_Assessment] = field(default_factory=list)
    credentials: list[_Credential] = field(default_factory=list)
    graded_formats: set[str] = field(default_factory=set)
    runtime: _ParseRuntime = field(default_factory=_ParseRuntime)

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


# ------------------------------------------------------------------------------------------ archive


def _safe_members(tar: tarfile.TarFile, name: str) -> tuple[list[tarfile.TarInfo], list[Problem]]:
    """Studio's safetar rules: no absolute paths, no '..', no links, no devices; plus size limits."""
    members, problems, total = [], [], 0
    for info in tar.getmembers()[: MAX_MEMBERS + 1]:
        parts = PurePosixPath(info.name).parts
        if len(members) >= MAX_MEMBERS:
            problems.append(Problem(name, 0, f"has more than {MAX_MEMBERS} members"))
            break
        if info.name.startswith("/") or ".." in parts:
            problems.append(Problem(name, 0, f"{info.name}: illegal path (Studio refuses the archive)"))
        elif info.issym() or info.islnk():
            problems.append(Problem(name, 0, f"{info.name}: links are refused by Studio's import"))
        elif not (info.isfile() or info.isdir()):
            problems.append(Problem(name, 0, f"{info.name}: only files and folders are allowed"))
        else:
            total += info.size
            members.append(info)
    if total > MAX_ARCHIVE_BYTES:
        problems.append(Problem(name, 0, f"unpacks to more than {MAX_ARCHIVE_BYTES} bytes"))
    return members, problems


def _course_dirs(root: Path) -> list[Path]:
    """Folders holding a course.xml, in the order Studio's importer walks them (it takes the first)."""
    return sorted(p.parent for p in root.rglob("course.xml") if p.is_file())


# ---------------------------------------------------------------------------------------- structure


def _is_pointer(element: etree._Element) -> bool:
    """Open edX's rule: only a url_name attribute, no children, no text."""
    return set(element.attrib) == {"url_name"} and len(element) == 0 and not (element.text or "").strip()


def _resolve(course: _Course, element: etree._Element, relative: str) -> tuple[etree._Element, str] | None:
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


def _walk(course: _Course, element: etree._Element, relative: str, sequential: etree._Element | None) -> None:
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
            _walk(course, node, where, node if node.tag == "sequential" else sequential)
        else:
            _component(course, node, where, sequential)


def _component(course: _Course, node: etree._Element, where: str, sequential: etree._Element | None) -> None:
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


def _html(course: _Course, node: etree._Element, where: str) -> None:
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


def _assessment(node: etree._Element, where: str, block: Any, graded: str | None) -> _Assessment:
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
    return _Assessment(
        where,
        node.sourceline,
        node.get("url_name", ""),
        block.microcredential,
        graded,
        {o.id: o.threshold for o in model.outcomes},
        tagged,
        refs,
    )


def _credential(course: _Course, node: etree._Element, where: str, block: Any) -> _Credential:
    values = block.field_values()
    definition = editor.definition_from_fields(values, default_id="https://localhost/microvet/achievements/check")
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
    outcomes = [o.get("id", "") for o in values.get("learning_outcomes") or []]
    return _Credential(
        where, node.sourceline, node.get("url_name", ""), values.get("achievement_id", ""), outcomes, rules
    )


# ------------------------------------------------------------------------------------------- rules


def _score_reachable(value: float, op: str) -> bool:
    """Can an overall percentage in [0, 100] satisfy ``percent <op> value``?"""
    return any(OPS[op](candidate, value) for candidate in (0.0, min(max(value, 0.0), 100.0), 100.0))


def _unsatisfiable(rule: Mapping[str, Any], course: _Course, credential: _Credential) -> list[str]:
    """Why no learner can ever satisfy ``rule`` in this course (empty when someone can)."""
    ((kind, value),) = rule.items()
    mine = [a for a in course.assessments if a.microcredential in ("", credential.url_name, credential.achievement_id)]
    if kind == "all":
        return [reason for child in value for reason in _unsatisfiable(child, course, credential)]
    if kind == "any":
        reasons = [_unsatisfiable(child, course, credential) for child in value]
        return (
            []
            if any(not r for r in reasons)
            else ["no alternative of 'any' can hold: " + "; ".join(r for rs in reasons for r in rs)]
        )
    if kind == "all_outcomes":
        missing = [
            o
            for o in credential.outcomes
            if not any(o in a.outcomes and a.tagged.get(o) and a.outcomes[o] <= 100 for a in mine)
        ]
        return [f"all_outcomes: no assessment can validate the outcome {o!r}" for o in missing]
    if kind == "min_score":
        if not mine:
            return ["min_score: the course has no outcome assessment"]
        op = value.get("op", ">=")
        if not _score_reachable(float(value["value"]), op):
            return [f"min_score: no score from 0 to 100 is {op} {value['value']}"]
        return []
    if kind == "assessments_completed":
        names = {a.url_name for a in course.assessments}
        return [
            f"assessments_completed: no outcome assessment named {name!r}"
            for name in value
            if name not in names and not any(name.endswith(f"@{n}") for n in names)
        ]
    if kind == "window":
        start = parse_instant(value["not_before"], "not_before") if "not_before" in value else None
        end = parse_instant(value["not_after"], "not_after", end_of_day=True) if "not_after" in value else None
        if start and end and end < start:
            return ["window: not_after is before not_before"]
        if end and end < datetime.now(UTC):
            return [f"window: it closed on {value['not_after']}"]
        return []
    if kind == "course_passed":
        return [] if course.graded_formats else ["course_passed: the course has no graded subsection"]
    return []


# ------------------------------------------------------------------------------------------ grading


def _grading(course: _Course, run: str) -> None:
    relative = f"policies/{run}/grading_policy.json"
    path = course.root / relative
    if not path.is_file():
        if course.graded_formats:
            course.fail(relative, 0, "is missing, but the course has graded subsections")
        return
    try:
        policy = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        course.fail(relative, getattr(exc, "lineno", 0), f"is not valid JSON: {exc}")
        return
    graders = policy.get("GRADER") if isinstance(policy, Mapping) else None
    cutoffs = policy.get("GRADE_CUTOFFS") if isinstance(policy, Mapping) else None
    if not isinstance(graders, list) or not isinstance(cutoffs, Mapping) or not cutoffs:
        course.fail(relative, 1, "must have a GRADER list and non-empty GRADE_CUTOFFS")
        return
    types = {g.get("type") for g in graders if isinstance(g, Mapping)}
    for fmt in sorted(course.graded_formats - types):
        course.fail(relative, 1, f"no GRADER entry for the assignment type {fmt!r} used by graded subsections")
    weight = sum(float(g.get("weight", 0)) for g in graders if isinstance(g, Mapping))
    if graders and abs(weight - 1.0) > 1e-6:
        course.fail(relative, 1, f"GRADER weights add up to {weight:g}, not 1")
    for assessment in course.assessments:
        if assessment.graded_format is None:
            course.fail(
                assessment.file,
                assessment.line,
                f"<outcome_assessment url_name="
                f"{assessment.url_name!r}> is not in a graded subsection: its score would not count",
            )
    thresholds = [t for a in course.assessments for t in a.outcomes.values()]
    lowest_cutoff = min((float(v) for v in cutoffs.values()), default=0.0)
    needs_all = any(c.rules and _mentions(c.rules, "all_outcomes") for c in course.credentials)
    if needs_all and thresholds and lowest_cutoff * 100 > min(thresholds) + 1e-9:
        course.fail(
            relative,
            1,
            f"the pass cutoff {lowest_cutoff:g} is above the lowest mastery threshold "
            f"{min(thresholds):g} %: a learner who validates every outcome could fail the course",
        )


def _mentions(rule: Any, kind: str) -> bool:
    if isinstance(rule, Mapping):
        return kind in rule or any(_mentions(v, kind) for v in rule.values())
    return isinstance(rule, list) and any(_mentions(item, kind) for item in rule)


# ------------------------------------------------------------------------------------------- checks


def _check_semantics(course: _Course) -> None:
    if not course.credentials:
        course.fail("course.xml", 0, "the course has no <microcredential> block: it cannot issue a micro-credential")
        return
    by_ref = {c.url_name: c for c in course.credentials} | {c.achievement_id: c for c in course.credentials}
    everything = {o for c in course.credentials for o in c.outcomes}
    for assessment in course.assessments:
        credential = by_ref.get(assessment.microcredential) if assessment.microcredential else None
        if assessment.microcredential and credential is None:
            course.fail(
                assessment.file,
                assessment.line,
                f"microcredential={assessment.microcredential!r} names no <microcredential> of the course",
            )
        defined = set(credential.outcomes) if credential else everything
        for ref, line in assessment.refs:
            if ref not in defined:
                course.fail(
                    assessment.file,
                    line,
                    f"outcome {ref!r} is not a learning outcome of the "
                    f"micro-credential (defined: {', '.join(sorted(defined))})",
                )
    for credential in course.credentials:
        for reason in _unsatisfiable(credential.rules, course, credential) if credential.rules else ():
            course.fail(credential.file, credential.line, f"the issuing rule cannot be satisfied: {reason}")


def _check_course(course: _Course) -> None:
    root = course.parse("course.xml")
    if root is None:
        if not (course.root / "course.xml").is_file():
            course.fail("course.xml", 0, "is missing")
        return
    run, org, code = root.get("url_name"), root.get("org"), root.get("course")
    if root.tag != "course" or not (run and org and code):
        course.fail("course.xml", root.sourceline, "must be <course url_name=RUN org=ORG course=CODE/>")
        return
    relative = f"course/{run}.xml"
    definition = course.parse(relative)
    if definition is None:
        if not (course.root / relative).is_file():
            course.fail("course.xml", root.sourceline, f"url_name={run!r} refers to {relative}, which does not exist")
        return
    policy = course.root / "policies" / run / "policy.json"
    if policy.is_file():
        try:
            json.loads(policy.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            course.fail(f"policies/{run}/policy.json", getattr(exc, "lineno", 0), f"is not valid JSON: {exc}")
    if not (course.root / "about" / "overview.html").is_file():
        course.fail("about/overview.html", 0, "is missing: the about page shows the micro-credential's EU elements")
    _walk(course, definition, relative, None)
    _check_semantics(course)
    _grading(course, run)


def check_dir(directory: str | Path, prefix: str = "") -> list[Problem]:
    """Check an unpacked OLX course whose ``course.xml`` is in ``directory``."""
    course = _Course(Path(directory), prefix)
    _check_course(course)
    return course.problems


def check(path: str | Path) -> list[Problem]:
    """Check a course archive (.tar.gz) or folder; return every problem (empty: the course is fine)."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        dirs = _course_dirs(path)
        if not dirs:
            return [Problem(name, 0, "contains no course.xml")]
        if len(dirs) > 1:
            return [
                Problem(
                    name, 0, "contains several course.xml files: " + ", ".join(str(d.relative_to(path)) for d in dirs)
                )
            ]
        prefix = str(PurePosixPath(name) / dirs[0].relative_to(path)) if dirs[0] != path else name
        return check_dir(dirs[0], prefix)
    try:
        tar = tarfile.open(path, mode="r:*")
    except (OSError, tarfile.TarError) as exc:
        return [Problem(name, 0, f"is neither a folder nor a readable tar archive: {exc}")]
    with tar, tempfile.TemporaryDirectory(prefix="microvet-check-") as work:
        members, problems = _safe_members(tar, name)
        if problems:
            return problems
        tar.extractall(work, members=members, filter="data")
        dirs = _course_dirs(Path(work))
        if not dirs:
            return [Problem(name, 0, "contains no course.xml (Studio's import would fail)")]
        if len(dirs) > 1:
            return [
                Problem(
                    name,
                    0,
                    "contains several course.xml files; Studio would import only the first: "
                    + ", ".join(str(d.relative_to(work)) for d in dirs),
                )
            ]
        inside = dirs[0].relative_to(work)
        return check_dir(dirs[0], f"{name}:{inside}" if str(inside) != "." else name)


def main_check(argv: Sequence[str] | None = None) -> int:
    """``microvet course check ARCHIVE_OR_DIR``: prints problems as FILE:LINE: MESSAGE; 0 when none."""
    parser = argparse.ArgumentParser(
        prog="microvet course check", description="Check an Open edX course archive or OLX folder for microVET."
    )
    parser.add_argument("path", help="course .tar.gz or folder")
    args = parser.parse_args(argv)
    problems = check(args.path)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"{args.path}: no problems found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main_check())
