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

This module reads the archive and runs the checks; the tree walk is ``olx_course``, the rule and
grading checks ``course_rules``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .course_rules import check_grading, check_rules
from .olx_course import Course, walk
from .spec_reader import Problem

MAX_MEMBERS = 20_000
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024


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


def _check_course(course: Course) -> None:
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
    walk(course, definition, relative, None)
    check_rules(course)
    check_grading(course, run)


def check_dir(directory: str | Path, prefix: str = "") -> list[Problem]:
    """Check an unpacked OLX course whose ``course.xml`` is in ``directory``."""
    course = Course(Path(directory), prefix)
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
